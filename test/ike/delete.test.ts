import { describe, expect, it } from 'vitest';
import {
  firstAt,
  MINUTE,
  makeTunnel,
  matchingChildPairs,
  outputs,
  SECOND,
  sentAt,
  upSas,
} from './harness.ts';

const isInit = (m: { exchange: string; isResponse: boolean }) =>
  m.exchange === 'IKE_SA_INIT' && !m.isResponse;

describe('planned maintenance: INFORMATIONAL DELETE of the IKE SA (RFC 7296 §1.4.1)', () => {
  it('Azure instance stops: it is down at once, the device within one one-way latency', () => {
    const h = makeTunnel({ b: { reestablishDelayMs: 5 * SECOND } });
    const L = h.latencyMs;
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(10 * MINUTE);
    const t = h.sim.nowMs;
    h.tunnel.stop('a');
    expect(outputs(h, 'a', 'down').map((d) => [d.atMs, d.output.reason])).toEqual([[t, 'stopped']]);
    expect(outputs(h, 'a', 'tunnel').at(-1)?.atMs).toBe(t);
    h.sim.run(t + MINUTE);
    expect(outputs(h, 'b', 'down').map((d) => [d.atMs, d.output.reason])).toEqual([[t + L, 'deleted']]);
    expect(outputs(h, 'b', 'tunnel').at(-1)).toEqual({
      atMs: t + L,
      output: { kind: 'tunnel', up: false, reason: 'deleted' },
    });
    // The device (Default) tries to re-establish after its configured delay. The instance is still
    // stopped, so that IKE_SA_INIT goes unanswered and is retransmitted.
    expect(sentAt(h, 'b', isInit, t).slice(0, 3)).toEqual([
      t + L + 5 * SECOND,
      t + L + 9 * SECOND,
      t + L + 16_200,
    ]);
  });

  it('instance back after maintenance (ResponderOnly): the device re-establishes, up 4 × latency after its delay', () => {
    const h = makeTunnel({ a: { mode: 'ResponderOnly' }, b: { reestablishDelayMs: 3 * SECOND } });
    const L = h.latencyMs;
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(10 * MINUTE);
    const t = h.sim.nowMs;
    h.tunnel.stop('a');
    h.sim.run(t + 2 * SECOND);
    h.tunnel.start('a');
    h.sim.run(t + MINUTE);
    const reinit = t + L + 3 * SECOND;
    expect(sentAt(h, 'b', isInit, t)).toEqual([reinit]);
    expect(outputs(h, 'b', 'established', t).map((e) => e.atMs)).toEqual([reinit + 4 * L]);
    expect(outputs(h, 'a', 'established', t).map((e) => e.atMs)).toEqual([reinit + 3 * L]);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
    expect(matchingChildPairs(h)).toBe(1);
  });

  it('with the default delay of 0 (strongSwan close_action=start) the device re-initiates the instant the DELETE arrives', () => {
    const h = makeTunnel({ a: { mode: 'ResponderOnly' } });
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(MINUTE);
    const t = h.sim.nowMs;
    h.tunnel.stop('a');
    h.sim.run(t + MINUTE);
    expect(sentAt(h, 'b', isInit, t)[0]).toBe(t + h.latencyMs);
  });

  it('a ResponderOnly device goes down on DELETE and waits; the instance re-initiates when it is back', () => {
    const h = makeTunnel({ b: { mode: 'ResponderOnly' } });
    const L = h.latencyMs;
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(10 * MINUTE);
    const t = h.sim.nowMs;
    h.tunnel.stop('a');
    h.sim.run(t + 20 * SECOND);
    expect(firstAt(h, 'b', 'down', t)).toBe(t + L);
    expect(sentAt(h, 'b', () => true, t + L + 1)).toEqual([]);
    expect(h.tunnel.endpoints.b.snapshot().state).toBe('idle');
    h.tunnel.start('a');
    h.sim.run(t + MINUTE);
    expect(firstAt(h, 'b', 'established', t)).toBe(t + 20 * SECOND + 3 * L);
    expect(firstAt(h, 'a', 'established', t)).toBe(t + 20 * SECOND + 4 * L);
  });

  it('the device stops: Azure (Default) goes down within one latency and keeps trying to reconnect', () => {
    const h = makeTunnel({ a: { retryDelayMs: 30 * SECOND } });
    const L = h.latencyMs;
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(10 * MINUTE);
    const t = h.sim.nowMs;
    h.tunnel.stop('b');
    h.sim.run(t + 10 * MINUTE);
    expect(outputs(h, 'a', 'down').map((d) => [d.atMs, d.output.reason])).toEqual([[t + L, 'deleted']]);
    const inits = sentAt(h, 'a', isInit, t);
    // One sequence (0 … 165,060 ms), 30 s pause, the next sequence.
    expect(inits.slice(0, 7)).toEqual(
      [0, 4000, 11_200, 24_160, 47_488, 89_478, 165_060 + 30_000].map((x) => x + t + L),
    );
    h.tunnel.start('b');
    h.sim.run(t + 20 * MINUTE);
    expect(upSas(h, 'a')).toHaveLength(1);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
  });

  it('a stop while the other side is already stopped sends nothing it would need answered', () => {
    const h = makeTunnel();
    h.tunnel.start('a');
    h.sim.run(SECOND);
    h.tunnel.stop('a');
    const t = h.sim.nowMs;
    h.sim.run(10 * MINUTE);
    expect(sentAt(h, 'a', () => true, t + 1)).toEqual([]);
    expect(h.tunnel.endpoints.a.snapshot().state).toBe('stopped');
  });
});

describe('peer restart: the device lost its state (reset)', () => {
  it('Default device restarts: INITIAL_CONTACT replaces the stale SA; Azure never declares the tunnel down', () => {
    const h = makeTunnel();
    const L = h.latencyMs;
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(20 * MINUTE);
    const stale = upSas(h, 'a');
    h.tunnel.crash('b');
    h.sim.run(20 * MINUTE + 10 * SECOND);
    const t = h.sim.nowMs;
    h.tunnel.recover('b');
    h.sim.run(t + 10 * MINUTE);
    // The device initiates at once; Azure answers on a fresh IKE SA.
    expect(sentAt(h, 'b', isInit, t)[0]).toBe(t);
    expect(firstAt(h, 'a', 'established', t)).toBe(t + 3 * L);
    expect(firstAt(h, 'b', 'established', t)).toBe(t + 4 * L);
    // Azure's old CHILD SA goes the moment the new IKE SA is up (the device has none of it) ...
    const replaced = outputs(h, 'a', 'childSa', t).filter((c) => !c.output.up);
    expect(replaced.map((c) => [c.atMs, c.output.reason])).toEqual([[t + 3 * L, 'replaced']]);
    // ... and the stale IKE SA is closed as replaced once its DELETE goes unanswered.
    const closed = outputs(h, 'a', 'ikeSaClosed', t);
    expect(closed.map((c) => c.output.reason)).toEqual(['replaced']);
    expect(`${closed[0]?.output.ikeSa.initiatorSpi}/${closed[0]?.output.ikeSa.responderSpi}`).toBe(stale[0]);
    expect(outputs(h, 'a', 'down')).toEqual([]);
    expect(outputs(h, 'a', 'tunnel').map((x) => x.output.up)).toEqual([true]);
    expect(upSas(h, 'a')).toHaveLength(1);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
    expect(matchingChildPairs(h)).toBe(1);
  });

  it('ResponderOnly device restarts: Azure finds out by DPD (INVALID_IKE_SPI answers do not count) and re-initiates', () => {
    const h = makeTunnel({ b: { mode: 'ResponderOnly', dpdDelayMs: 0 } });
    const L = h.latencyMs;
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(20 * MINUTE);
    const tLast = h.tunnel.lastDeliveryMs('a') ?? Number.NaN;
    h.tunnel.crash('b');
    h.sim.run(20 * MINUTE + 100);
    h.tunnel.recover('b');
    h.sim.run(40 * MINUTE);
    const dead = tLast + 30 * SECOND + 45 * SECOND;
    // The restarted device answered the probes with INVALID_IKE_SPI, which changes nothing (§2.21.4).
    const invalid = outputs(h, 'b', 'send').filter((s) =>
      s.output.message.payloads.some((p) => p.type === 'notify' && p.notify === 'INVALID_IKE_SPI'),
    );
    expect(invalid.length).toBeGreaterThan(0);
    expect(outputs(h, 'a', 'down').map((d) => [d.atMs, d.output.reason])).toEqual([[dead, 'dpd']]);
    expect(outputs(h, 'a', 'established', dead).map((e) => e.atMs)).toEqual([dead + 4 * L]);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
    expect(matchingChildPairs(h)).toBe(1);
  });

  it('Azure instance restarts (Default) while the device keeps its stale SA: same recovery, mirrored', () => {
    const h = makeTunnel();
    const L = h.latencyMs;
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(5 * MINUTE);
    h.tunnel.crash('a');
    h.sim.run(5 * MINUTE + 5 * SECOND);
    h.tunnel.recover('a');
    const t = h.sim.nowMs;
    h.sim.run(t + 5 * MINUTE);
    expect(firstAt(h, 'a', 'established', t)).toBe(t + 4 * L);
    expect(outputs(h, 'b', 'down')).toEqual([]);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
    expect(upSas(h, 'a')).toHaveLength(1);
  });
});
