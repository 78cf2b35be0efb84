import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PeerConfig } from '../../src/protocols/bgp/peer.ts';
import { Simulator } from '../../src/sim/kernel.ts';
import { AZURE, DEVICE, update } from './bgp-fixtures.ts';
import { SimLink, SimSpeaker } from './session-sim-harness.ts';

/** Who may open TCP: at least one side initiates and the other accepts, or no session is possible. */
const roles = fc
  .record({
    azure: fc.record({ initiate: fc.boolean(), accept: fc.boolean() }),
    device: fc.record({ initiate: fc.boolean(), accept: fc.boolean() }),
  })
  .filter(
    ({ azure, device }) =>
      (azure.initiate || azure.accept) &&
      (device.initiate || device.accept) &&
      ((azure.initiate && device.accept) || (device.initiate && azure.accept)),
  );

describe('BGP sessions on the simulator, any timing', () => {
  it('whatever the latency, start skew and client/server roles: one session, one TCP connection, routes exchanged, no flap', () => {
    fc.assert(
      fc.property(
        roles,
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: -300, max: 300 }),
        ({ azure, device }, latencyMs, skewMs) => {
          const sim = new Simulator({ seed: 7 });
          const azureConfig: PeerConfig = { ...AZURE, ...azure };
          const deviceConfig: PeerConfig = { ...DEVICE, ...device };
          const a = new SimSpeaker(
            'azure',
            sim,
            azureConfig,
            '10.0.0.12',
            update(['10.0.0.0/16'], '10.0.0.12', [65515]),
          );
          const d = new SimSpeaker(
            'device',
            sim,
            deviceConfig,
            '192.168.1.1',
            update(['192.168.1.0/24'], '192.168.1.1', [65010]),
          );
          new SimLink(sim, a, d, latencyMs);
          sim.schedule(Math.max(0, -skewMs), () => a.deliver({ kind: 'start' }));
          sim.schedule(Math.max(0, skewMs), () => d.deliver({ kind: 'start' }));
          // ConnectRetry (120 s) may be needed when the first attempt met a peer not yet started.
          sim.advance(10 * 60_000);
          const aConns = a.wire.peer.connectionList;
          const dConns = d.wire.peer.connectionList;
          expect(aConns.map((c) => c.state)).toEqual(['Established']);
          expect(dConns.map((c) => c.state)).toEqual(['Established']);
          expect(aConns[0]?.direction).not.toBe(dConns[0]?.direction);
          if (!azure.initiate) expect(aConns[0]?.direction).toBe('inbound');
          if (!device.initiate) expect(dConns[0]?.direction).toBe('inbound');
          for (const s of [a, d]) {
            expect(s.outputs.filter(({ output }) => output.kind === 'established')).toHaveLength(1);
            expect(s.outputs.filter(({ output }) => output.kind === 'down')).toHaveLength(0);
          }
          expect(a.rib.get('192.168.1.0/24')?.nextHops).toEqual(['192.168.1.1']);
          expect(d.rib.get('10.0.0.0/16')?.nextHops).toEqual(['10.0.0.12']);
        },
      ),
      { numRuns: 150 },
    );
  });
});
