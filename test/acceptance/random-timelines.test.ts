import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/model/schema.ts';
import { example, run, variant } from './helpers.ts';

const DESIGNS = [
  'bgp-active-active',
  'bgp-two-devices',
  'static-dual-tunnel',
  'static-dual-two-devices',
  'static-single-tunnel',
  'static-single-two-devices',
  'static-single-two-tunnels',
] as const;

function eventsFor(topology: Topology): string[] {
  const devices = topology.vpnSites.flatMap((s) => s.devices);
  const tunnels = topology.vpnConnections.flatMap((c) =>
    c.vpnLinkConnections.flatMap((lc) => lc.instances.map((i) => `reset tunnel ${lc.name}@${i}`)),
  );
  return [
    'fail IN_0 unplanned',
    'fail IN_1 unplanned',
    'fail IN_0 planned',
    'fail IN_1 planned',
    'recover IN_0',
    'recover IN_1',
    ...devices.flatMap((d) => [`fail device ${d.name}`, `recover device ${d.name}`]),
    ...devices.flatMap((d) => d.vpnSiteLinks.flatMap((l) => [`down link ${l.name}`, `up link ${l.name}`])),
    ...tunnels,
  ];
}

describe('random topologies and failure timelines', () => {
  it('never throw, and every flow’s packets are conserved: sent = delivered + lost = rate × duration', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DESIGNS),
        fc.boolean(),
        fc.constantFrom('loopback', 'tunnel'),
        fc.constantFrom('withdrawOnDpd', 'keepUntilBgpHold'),
        fc.array(fc.tuple(fc.nat({ max: 1_000_000 }), fc.integer({ min: 0, max: 599 })), { maxLength: 8 }),
        fc.integer({ min: 0, max: 1000 }),
        (design, ecmp, bgpAddressOn, deadTunnelRoutes, picks, seed) => {
          const topology =
            design.startsWith('bgp') || design.includes('dual')
              ? variant(design, (raw) => {
                  for (const site of raw.vpnSites) {
                    for (const device of site.devices) {
                      device.ecmp = ecmp;
                      device.deadTunnelRoutes = deadTunnelRoutes;
                      if (design.startsWith('bgp')) device.bgpAddressOn = bgpAddressOn;
                    }
                  }
                })
              : example(design);
          const menu = eventsFor(topology);
          const events = picks.map(([which, second]) => `${menu[which % menu.length]} at ${second}s`);
          const { result } = run(topology, events, { seed, traffic: { flowsPerPair: 5, ratePps: 20 } });
          for (const flow of result.flows) {
            expect(flow.sent).toBe(flow.delivered + flow.lost);
            // 10 minutes at 20 pps, whatever the flow's phase.
            expect(flow.sent).toBe(12_000);
            for (const outage of flow.outages) expect(outage.endMs).toBeGreaterThan(outage.startMs);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
