import { describe, expect, it } from 'vitest';
import {
  dpdDeclaredDeadAtMs,
  livenessTimeoutMs,
  retransmitSchedule,
  STRONGSWAN_RETRANSMIT,
} from '../../src/protocols/ike/config.ts';
import { firstAt, type Harness, MINUTE, makeTunnel, outputs, SECOND, sentAt } from './harness.ts';

/**
 * Azure (side a) probes; the device (side b) has DPD off, so everything a
 * receives is an answer to its own probes and t_last is simply the last
 * delivery to a before b fell silent.
 */
function crashedDevice(dpdTimeoutMs: number | null, crashAtMs: number, dpdDelayMs = 30 * SECOND): Harness {
  const h = makeTunnel({ a: { dpdTimeoutMs, dpdDelayMs }, b: { dpdDelayMs: 0 } });
  h.tunnel.start('a');
  h.tunnel.start('b');
  h.sim.run(crashAtMs);
  h.tunnel.crash('b');
  h.sim.run(crashAtMs + 10 * MINUTE);
  return h;
}

const isLiveness = (m: { exchange: string; isResponse: boolean; payloads: readonly unknown[] }) =>
  m.exchange === 'INFORMATIONAL' && !m.isResponse && m.payloads.length === 0;

describe('dead peer detection: the peer goes silent (host died)', () => {
  for (const dpdTimeoutMs of [45 * SECOND, 9 * SECOND]) {
    for (const crashAtMs of [10 * MINUTE, 10 * MINUTE + 7_301, 10 * MINUTE + 29_990, 10 * MINUTE + 30_050]) {
      it(`DPD timeout ${dpdTimeoutMs / SECOND} s, device dies at ${crashAtMs} ms: declared dead at t_last + dpdDelay + dpdTimeout, to the ms`, () => {
        const h = crashedDevice(dpdTimeoutMs, crashAtMs);
        const config = h.tunnel.endpoints.a.config;
        const tLast = h.tunnel.lastDeliveryMs('a');
        if (tLast === undefined) throw new Error('nothing was ever delivered to Azure');
        const predicted = dpdDeclaredDeadAtMs(tLast, config);
        expect(predicted).toBe(tLast + 30 * SECOND + dpdTimeoutMs);
        const down = outputs(h, 'a', 'down');
        expect(down.map((d) => [d.atMs, d.output.reason])).toEqual([[predicted, 'dpd']]);
        expect(outputs(h, 'a', 'tunnel').at(-1)).toEqual({
          atMs: predicted,
          output: { kind: 'tunnel', up: false, reason: 'dpd' },
        });
        // The probe goes out dpdDelay after the last inbound message and is retransmitted on
        // strongSwan's schedule until the DPD timeout expires.
        const probe = tLast + 30 * SECOND;
        const expectedSends = [0, ...retransmitSchedule(STRONGSWAN_RETRANSMIT).retransmitsAtMs]
          .filter((offset) => offset < dpdTimeoutMs)
          .map((offset) => probe + offset);
        expect(sentAt(h, 'a', isLiveness, tLast)).toEqual(expectedSends);
        // dpd_action=restart on a Default endpoint: a fresh IKE_SA_INIT at the same instant.
        expect(sentAt(h, 'a', (m) => m.exchange === 'IKE_SA_INIT' && !m.isResponse, tLast)[0]).toBe(
          predicted,
        );
      });
    }
  }

  it('strongSwan IKEv2 semantics (no DPD timeout): dead when the retransmission sequence gives up, 165,060 ms after the probe', () => {
    const h = crashedDevice(null, 20 * MINUTE + 123);
    const tLast = h.tunnel.lastDeliveryMs('a') ?? Number.NaN;
    const config = h.tunnel.endpoints.a.config;
    expect(livenessTimeoutMs(config)).toBe(165_060);
    expect(firstAt(h, 'a', 'down')).toBe(tLast + 30 * SECOND + 165_060);
    const probe = tLast + 30 * SECOND;
    expect(sentAt(h, 'a', isLiveness, tLast)).toEqual(
      [0, 4000, 11_200, 24_160, 47_488, 89_478].map((t) => probe + t),
    );
  });

  it('ESP reported by the data plane counts as liveness: no probe while traffic flows, dead dpdDelay + dpdTimeout after the last packet', () => {
    const h = makeTunnel();
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(SECOND);
    const spi = h.tunnel.endpoints.a.snapshot().ikeSas[0]?.childSas[0]?.inboundSpi;
    if (spi === undefined) throw new Error('no CHILD SA');
    // The device's packets arrive at Azure every 250 ms for five minutes, then the device dies.
    let lastPacket = 0;
    for (let t = SECOND; t <= 5 * MINUTE; t += 250) {
      h.sim.run(t);
      h.tunnel.inboundTraffic('a', spi);
      lastPacket = t;
    }
    const probesWhileFlowing = sentAt(h, 'a', isLiveness).filter((t) => t <= lastPacket);
    expect(probesWhileFlowing).toEqual([]);
    h.tunnel.crash('b');
    h.sim.run(15 * MINUTE);
    // The device's own probes (DPD on at both ends) also reached Azure: t_last is the later of the two.
    const tLast = Math.max(lastPacket, h.tunnel.lastDeliveryMs('a') ?? 0);
    expect(firstAt(h, 'a', 'down')).toBe(dpdDeclaredDeadAtMs(tLast, h.tunnel.endpoints.a.config));
  });

  it('dpd_action clear: the tunnel stays down and nothing is initiated', () => {
    const h = makeTunnel({ a: { dpdAction: 'clear' }, b: { dpdDelayMs: 0 } });
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(5 * MINUTE);
    h.tunnel.crash('b');
    h.sim.run(30 * MINUTE);
    const down = firstAt(h, 'a', 'down') ?? Number.NaN;
    expect(down).toBeGreaterThan(5 * MINUTE);
    expect(sentAt(h, 'a', (m) => m.exchange === 'IKE_SA_INIT', down)).toEqual([]);
    expect(h.tunnel.endpoints.a.snapshot().state).toBe('idle');
  });

  it('dpd_action trap: down, and nothing sent, until outbound traffic arrives', () => {
    const h = makeTunnel({ a: { dpdAction: 'trap' }, b: { dpdDelayMs: 0 } });
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(5 * MINUTE);
    h.tunnel.crash('b');
    h.sim.run(10 * MINUTE);
    const down = firstAt(h, 'a', 'down') ?? Number.NaN;
    expect(down).toBeLessThan(10 * MINUTE);
    expect(sentAt(h, 'a', () => true, down + 1)).toEqual([]);
    h.tunnel.outboundTraffic('a');
    h.sim.run(10 * MINUTE + 5 * SECOND);
    expect(sentAt(h, 'a', (m) => m.exchange === 'IKE_SA_INIT' && !m.isResponse)).toEqual([
      0,
      10 * MINUTE,
      10 * MINUTE + 4 * SECOND,
    ]);
  });

  it('dpd_action trap on a ResponderOnly peer pair: outbound traffic triggers IKE_SA_INIT at once', () => {
    const h = makeTunnel({ a: { dpdAction: 'trap' }, b: { mode: 'ResponderOnly', dpdDelayMs: 0 } });
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(5 * MINUTE);
    h.tunnel.crash('b');
    h.sim.run(10 * MINUTE);
    h.tunnel.recover('b');
    h.sim.run(12 * MINUTE);
    expect(h.tunnel.endpoints.a.snapshot().state).toBe('idle');
    h.tunnel.outboundTraffic('a');
    h.sim.run(13 * MINUTE);
    expect(sentAt(h, 'a', (m) => m.exchange === 'IKE_SA_INIT' && !m.isResponse, 12 * MINUTE)).toEqual([
      12 * MINUTE,
    ]);
    expect(outputs(h, 'a', 'established', 12 * MINUTE).map((e) => e.atMs)).toEqual([
      12 * MINUTE + 4 * h.latencyMs,
    ]);
  });

  it('a ResponderOnly endpoint with dpd_action restart detects the dead peer but cannot re-initiate', () => {
    const h = makeTunnel({ a: { mode: 'ResponderOnly' }, b: { dpdDelayMs: 0 } });
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(5 * MINUTE);
    h.tunnel.crash('b');
    h.sim.run(20 * MINUTE);
    expect(outputs(h, 'a', 'down').map((d) => d.output.reason)).toEqual(['dpd']);
    expect(sentAt(h, 'a', (m) => m.exchange === 'IKE_SA_INIT' && !m.isResponse)).toEqual([]);
    expect(h.tunnel.endpoints.a.snapshot().state).toBe('idle');
  });

  it('an idle healthy tunnel probes every dpdDelay + one round trip and never goes down', () => {
    const h = makeTunnel({ b: { dpdDelayMs: 0 } });
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(30 * MINUTE);
    const probes = sentAt(h, 'a', isLiveness);
    expect(probes.length).toBeGreaterThan(50);
    const gaps = new Set(probes.slice(1).map((t, i) => t - (probes[i] as number)));
    // Each probe goes out dpdDelay after the previous answer arrived (two one-way trips after it was sent),
    // except around rekeys, whose messages count as inbound too.
    expect(gaps.has(30 * SECOND + 2 * h.latencyMs)).toBe(true);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(30 * SECOND);
    expect(outputs(h, 'a', 'down')).toEqual([]);
  });
});
