/**
 * The data plane re-resolves only the flows a change can touch (an element on
 * their path, or their site's next hops), and the world skips changes that move
 * nothing (a rekey, a FIB rebuilt the same). Whatever it skips, no flow may be
 * left on a stale path: at any moment, every flow's path is what resolving it
 * afresh gives.
 */
import { describe, expect, it } from 'vitest';
import { generateHub } from '../../src/analysis/generate.ts';
import { loadTopologyFile } from '../../src/model/load-file.ts';
import type { Topology } from '../../src/model/schema.ts';
import { InteractiveRun } from '../../src/scenario/interactive.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';

function staleFlows(run: InteractiveRun): string[] {
  const stale: string[] = [];
  for (const flow of run.flows) {
    const held = run.dataplane.pathOf(flow.id);
    const fresh = run.world.resolve(flow);
    if (
      held?.signature !== fresh.signature ||
      held.viable !== fresh.viable ||
      held.tunnel?.generation !== fresh.tunnel?.generation ||
      held.elements.join() !== fresh.elements.join()
    ) {
      stale.push(`${run.nowMs} ms, flow ${flow.id}: ${held?.signature} ≠ ${fresh.signature}`);
    }
  }
  return stale;
}

/** Plays the events, checking every flow every 2 s of virtual time. */
function playAndCheck(topology: Topology, events: string[], minutes: number): void {
  const scenario = scenarioSchema.parse({ duration: `${minutes}m`, events });
  const run = new InteractiveRun(topology, {
    seed: 3,
    trace: false,
    traffic: { flowsPerPair: 8, ratePps: 10, directions: 'both', protocol: 'tcp' },
  });
  const pending = [...scenario.events].sort((a, b) => a.at - b.at);
  for (let t = 0; t <= minutes * 60_000; t += 2_000) {
    while (pending[0] && pending[0].at <= run.nowMs) run.apply(pending.shift() as (typeof pending)[number]);
    expect(staleFlows(run)).toEqual([]);
    run.advance(2_000);
  }
}

describe('no flow is left on a stale path', () => {
  it('in a BGP hub through instance, device and path failures and rekeys', () => {
    const loaded = generateHub({ sites: 4, prefixesPerSite: 2, vnets: 2 });
    if (!loaded.ok) throw new Error('generated hub does not load');
    for (const connection of loaded.topology.vpnConnections)
      for (const link of connection.vpnLinkConnections)
        (link.ipsec as { saLifeTimeSeconds: number }).saLifeTimeSeconds = 1_200;
    playAndCheck(
      loaded.topology,
      [
        'fail IN_0 unplanned at 1m',
        'recover IN_0 at 6m',
        'fail device site0002-fw at 9m',
        'recover device site0002-fw at 11m',
        'down link site0003-isp at 13m',
        'up link site0003-isp at 13m20s',
        'down link site0004-isp at 15m',
        'up link site0004-isp at 19m',
        'fail IN_1 planned at 21m',
        'recover IN_1 at 25m',
      ],
      30,
    );
  });

  for (const example of ['bgp-two-devices', 'static-single-tunnel', 'static-dual-two-devices']) {
    it(`in examples/${example}.yaml through instance and device failures`, async () => {
      const loaded = await loadTopologyFile(`examples/${example}.yaml`);
      if (!loaded.ok) throw new Error(`${example} does not load`);
      const device = loaded.topology.vpnSites[0]?.devices[0];
      const link = device?.vpnSiteLinks[0]?.name;
      playAndCheck(
        loaded.topology,
        [
          'fail IN_0 unplanned at 1m',
          'recover IN_0 at 5m',
          `fail device ${device?.name} at 8m`,
          `recover device ${device?.name} at 10m`,
          `down link ${link} at 12m`,
          `up link ${link} at 14m`,
          'fail IN_1 planned at 16m',
          'recover IN_1 at 19m',
        ],
        22,
      );
    });
  }
});
