import { describe, expect, it } from 'vitest';
import {
  retransmitSchedule,
  retransmitTimeoutMs,
  STRONGSWAN_RETRANSMIT,
} from '../../src/protocols/ike/config.ts';
import { firstAt, MINUTE, makeTunnel, outputs, SECOND, sentAt, upSas } from './harness.ts';

const isInit = (m: { exchange: string; isResponse: boolean }) =>
  m.exchange === 'IKE_SA_INIT' && !m.isResponse;

describe('retransmission (RFC 7296 §2.1) on strongSwan’s schedule', () => {
  it('the formula: 4 s × 1.8^n, truncated to ms; retransmits at 4, 11.2, 24.16, 47.488, 89.478 s; gives up at 165.06 s', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => retransmitTimeoutMs(STRONGSWAN_RETRANSMIT, n))).toEqual([
      4000, 7200, 12_960, 23_328, 41_990, 75_582,
    ]);
    expect(retransmitSchedule(STRONGSWAN_RETRANSMIT)).toEqual({
      retransmitsAtMs: [4000, 11_200, 24_160, 47_488, 89_478],
      giveUpAtMs: 165_060,
    });
    expect(retransmitTimeoutMs({ ...STRONGSWAN_RETRANSMIT, limitMs: 20_000 }, 4)).toBe(20_000);
  });

  it('path cut from the start: IKE_SA_INIT follows the schedule, the back-off retry comes when documented, restore brings the tunnel up', () => {
    const h = makeTunnel({ a: { retryDelayMs: 10 * SECOND }, b: { mode: 'ResponderOnly' } });
    const L = h.latencyMs;
    h.tunnel.cutPath();
    h.tunnel.start('b');
    h.tunnel.start('a');
    h.sim.run(200 * SECOND);
    const { retransmitsAtMs, giveUpAtMs } = retransmitSchedule(STRONGSWAN_RETRANSMIT);
    const firstSequence = [0, ...retransmitsAtMs];
    const retryAt = giveUpAtMs + 10 * SECOND;
    const secondSequence = [0, ...retransmitsAtMs].map((t) => retryAt + t).filter((t) => t <= 200 * SECOND);
    expect(sentAt(h, 'a', isInit)).toEqual([...firstSequence, ...secondSequence]);
    // Between give-up and retry the endpoint reports that it is waiting.
    const states = outputs(h, 'a', 'state').map((s) => [s.atMs, s.output.state, s.output.reason]);
    expect(states).toEqual([
      [0, 'connecting', 'start'],
      [giveUpAtMs, 'retrying', 'retry'],
      [retryAt, 'connecting', 'retry'],
    ]);
    h.tunnel.restorePath();
    h.sim.run(10 * MINUTE);
    // The retransmission due at retry + 24,160 ms (199,220 ms) was lost; the next, at retry + 47,488 ms, gets through.
    const through = retryAt + 47_488;
    expect(firstAt(h, 'a', 'established')).toBe(through + 4 * L);
    expect(firstAt(h, 'b', 'established')).toBe(through + 3 * L);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
  });

  it('with the default (strongSwan keyingtries, no delay) the next sequence starts the instant the last one gives up', () => {
    const h = makeTunnel({ b: { mode: 'ResponderOnly' } });
    h.tunnel.cutPath();
    h.tunnel.start('a');
    h.sim.run(170 * SECOND);
    expect(sentAt(h, 'a', isInit).slice(5, 8)).toEqual([89_478, 165_060, 169_060]);
  });

  it('keyingtries 2: two sequences, then the endpoint gives up and stays idle', () => {
    const h = makeTunnel({ a: { keyingTries: 2, retryDelayMs: 5 * SECOND }, b: { mode: 'ResponderOnly' } });
    h.tunnel.cutPath();
    h.tunnel.start('a');
    h.sim.run(30 * MINUTE);
    const inits = sentAt(h, 'a', isInit);
    expect(inits).toHaveLength(12);
    expect(inits.at(-1)).toBe(165_060 + 5 * SECOND + 89_478);
    const last = outputs(h, 'a', 'state').at(-1);
    expect(last).toEqual({
      atMs: 2 * 165_060 + 5 * SECOND,
      output: { kind: 'state', state: 'idle', previous: 'connecting', reason: 'giveUp' },
    });
    // Still answers: the device may bring the tunnel up from its side (if it were allowed to).
    expect(h.tunnel.endpoints.a.canRespond).toBe(true);
  });

  it('path cut on an established tunnel: both ends detect, both keep retrying, one IKE SA after the path returns', () => {
    const h = makeTunnel({ seed: 4, a: { retryDelayMs: 7 * SECOND }, b: { dpdTimeoutMs: null } });
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(10 * MINUTE);
    h.tunnel.cutPath();
    h.sim.run(25 * MINUTE);
    expect(outputs(h, 'a', 'down').map((d) => d.output.reason)).toEqual(['dpd']);
    expect(outputs(h, 'b', 'down').map((d) => d.output.reason)).toEqual(['dpd']);
    // Azure (45 s DPD timeout) notices long before the strongSwan device (165 s give-up).
    expect(firstAt(h, 'a', 'down')).toBeLessThan(firstAt(h, 'b', 'down') ?? 0);
    h.tunnel.restorePath();
    const restored = h.sim.nowMs;
    h.sim.run(restored + 10 * MINUTE);
    const upA = firstAt(h, 'a', 'tunnel', restored) ?? Number.POSITIVE_INFINITY;
    // Someone's next retransmission gets through: at most one full sequence plus the retry delay.
    expect(upA - restored).toBeLessThanOrEqual(165_060 + 7 * SECOND + 4 * h.latencyMs);
    expect(upSas(h, 'a')).toHaveLength(1);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
  });

  it('one-way cut (device → Azure lost): Azure declares the peer dead, the device later too; both recover', () => {
    const h = makeTunnel({ seed: 9 });
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(10 * MINUTE);
    h.tunnel.cutPath('b');
    h.sim.run(20 * MINUTE);
    expect(outputs(h, 'a', 'down').map((d) => d.output.reason)).toEqual(['dpd']);
    h.tunnel.restorePath('b');
    h.sim.run(40 * MINUTE);
    expect(upSas(h, 'a')).toHaveLength(1);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
  });

  it('retransmit jitter (strongSwan retransmit_jitter) shortens each timeout by at most the given percentage', () => {
    const h = makeTunnel({ seed: 3, a: { retransmit: { jitterPercent: 30 } }, b: { mode: 'ResponderOnly' } });
    h.tunnel.cutPath();
    h.tunnel.start('a');
    h.sim.run(160 * SECOND);
    const sends = sentAt(h, 'a', isInit);
    expect(sends.length).toBeGreaterThanOrEqual(6);
    for (let n = 0; n < 5; n++) {
      const gap = (sends[n + 1] as number) - (sends[n] as number);
      const full = retransmitTimeoutMs(STRONGSWAN_RETRANSMIT, n);
      expect(gap).toBeLessThanOrEqual(full);
      expect(gap).toBeGreaterThanOrEqual(Math.floor(full * 0.7));
    }
  });
});
