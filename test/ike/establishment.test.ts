import { describe, expect, it } from 'vitest';
import { type ConnectionMode, establishmentMs } from '../../src/protocols/ike/config.ts';
import { firstAt, makeTunnel, matchingChildPairs, outputs, SECOND, upSas } from './harness.ts';

const MODES: readonly ConnectionMode[] = ['Default', 'InitiatorOnly', 'ResponderOnly'];
const canInitiate = (m: ConnectionMode) => m !== 'ResponderOnly';
const canRespond = (m: ConnectionMode) => m !== 'InitiatorOnly';

describe('IKEv2 establishment (IKE_SA_INIT + IKE_AUTH, RFC 7296 §1.2)', () => {
  for (const modeA of MODES) {
    for (const modeB of MODES) {
      const comesUp = (canInitiate(modeA) && canRespond(modeB)) || (canInitiate(modeB) && canRespond(modeA));
      const title = `${modeA} (Azure) ↔ ${modeB} (device), both started at 0: ${comesUp ? 'up in two round trips' : 'never comes up'}`;
      it(title, () => {
        const h = makeTunnel({ a: { mode: modeA }, b: { mode: modeB } });
        const L = h.latencyMs;
        h.tunnel.start('a');
        h.tunnel.start('b');
        h.sim.run(10 * 60 * SECOND);
        if (!comesUp) {
          expect(outputs(h, 'a', 'established')).toEqual([]);
          expect(outputs(h, 'b', 'established')).toEqual([]);
          expect(h.tunnel.endpoints.a.snapshot().tunnelUp).toBe(false);
          expect(h.tunnel.endpoints.b.snapshot().tunnelUp).toBe(false);
          return;
        }
        const expected = establishmentMs(L);
        for (const [side, mine, peer] of [
          ['a', modeA, modeB],
          ['b', modeB, modeA],
        ] as const) {
          const asInitiator = outputs(h, side, 'established').find((e) => e.output.role === 'initiator');
          const asResponder = outputs(h, side, 'established').find((e) => e.output.role === 'responder');
          // Each initiator's own IKE SA is up exactly two round trips after its IKE_SA_INIT.
          if (canInitiate(mine) && canRespond(peer)) expect(asInitiator?.atMs).toBe(expected.initiatorMs);
          else expect(asInitiator).toBeUndefined();
          // A responder is up when it answers the IKE_AUTH request: three one-way trips.
          if (canRespond(mine) && canInitiate(peer)) expect(asResponder?.atMs).toBe(expected.responderMs);
          else expect(asResponder).toBeUndefined();
          expect(firstAt(h, side, 'tunnel')).toBeLessThanOrEqual(4 * L);
        }
        // Both initiated (Default ↔ Default): the duplicate is deleted; one IKE SA remains, the same at both ends.
        expect(upSas(h, 'a')).toHaveLength(1);
        expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
        expect(matchingChildPairs(h)).toBe(1);
        // The tunnel never flapped while the duplicate went away.
        expect(outputs(h, 'a', 'tunnel').map((t) => t.output.up)).toEqual([true]);
        expect(outputs(h, 'b', 'tunnel').map((t) => t.output.up)).toEqual([true]);
      });
    }
  }

  it('InitiatorOnly Azure instance to a ResponderOnly device started earlier: up exactly 4 × latency after start', () => {
    const h = makeTunnel({ a: { mode: 'InitiatorOnly' }, b: { mode: 'ResponderOnly' }, latencyMs: 37 });
    h.tunnel.start('b');
    h.sim.run(5 * SECOND);
    h.tunnel.start('a');
    h.sim.run(10 * SECOND);
    expect(firstAt(h, 'a', 'established')).toBe(5 * SECOND + 4 * 37);
    expect(firstAt(h, 'b', 'established')).toBe(5 * SECOND + 3 * 37);
    expect(matchingChildPairs(h)).toBe(1);
  });

  it('a device that starts while Azure is still retrying: up in two round trips, Azure drops its own attempt', () => {
    const h = makeTunnel({ latencyMs: 50 });
    h.tunnel.start('a');
    h.sim.run(3 * SECOND);
    // Nobody answered Azure's IKE_SA_INIT at 0; its first retransmission is due at 4 s.
    expect(firstAt(h, 'a', 'established')).toBeUndefined();
    h.tunnel.start('b');
    h.sim.run(60 * SECOND);
    expect(firstAt(h, 'b', 'established')).toBe(3 * SECOND + 200);
    expect(firstAt(h, 'a', 'established')).toBe(3 * SECOND + 150);
    // Azure's own IKE_SA_INIT was abandoned when the device's IKE SA completed, so it is never retransmitted.
    const inits = outputs(h, 'a', 'send').filter(
      (s) => s.output.message.exchange === 'IKE_SA_INIT' && !s.output.message.isResponse,
    );
    expect(inits.map((s) => s.atMs)).toEqual([0]);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
    expect(upSas(h, 'a')).toHaveLength(1);
  });

  it('Default ↔ Default with a one-way latency of 0: still converges on one IKE SA', () => {
    const h = makeTunnel({ latencyMs: 0 });
    h.tunnel.start('a');
    h.tunnel.start('b');
    h.sim.run(60 * SECOND);
    expect(upSas(h, 'a')).toHaveLength(1);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
    expect(matchingChildPairs(h)).toBe(1);
  });
});
