/**
 * Complexity guards (issue 7): not the clock, the work. A failure must cost work
 * in proportion to the flows on the failed path, not to all flows of the hub.
 */
import { describe, expect, it } from 'vitest';
import { generateHub } from '../../src/analysis/generate.ts';
import type { Topology } from '../../src/model/schema.ts';
import { InteractiveRun } from '../../src/scenario/interactive.ts';

function hub(sites: number, edit?: (topology: Topology) => void): InteractiveRun {
  const loaded = generateHub({ sites, prefixesPerSite: 2, vnets: 1 });
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => e.message).join('; '));
  edit?.(loaded.topology);
  return new InteractiveRun(loaded.topology, {
    seed: 1,
    traffic: { flowsPerPair: 20, ratePps: 10, directions: 'both', protocol: 'tcp' },
  });
}

/** Flow re-resolutions and kernel events caused by failing one site's device and letting it settle. */
function costOfDeviceFailure(sites: number) {
  const run = hub(sites);
  run.advance(10_000);
  const device = run.world.devices.keys().next().value as string;
  const resolutionsBefore = run.dataplane.resolutionCount;
  const eventsBefore = run.world.sim.eventsExecuted;
  run.apply({ at: 0, device, action: 'fail' });
  run.advance(120_000);
  return {
    flows: run.flows.length,
    resolutions: run.dataplane.resolutionCount - resolutionsBefore,
    events: run.world.sim.eventsExecuted - eventsBefore,
  };
}

describe('work per failure grows with the flows on the failed path, not with the hub', () => {
  it('failing one site’s device re-resolves the same flows in a 10-site and a 40-site hub', () => {
    const small = costOfDeviceFailure(10);
    const large = costOfDeviceFailure(40);
    expect(large.flows).toBe(4 * small.flows);
    // Only that site's flows (40 of them: 20 each way) are touched, whatever the hub's size.
    expect(large.resolutions).toBe(small.resolutions);
    expect(small.resolutions).toBeGreaterThanOrEqual(40);
    expect(small.resolutions).toBeLessThanOrEqual(40 * 4);
  });

  it('kernel events in a quiet two minutes grow linearly with the sessions, never worse', () => {
    const quiet = (sites: number) => {
      const run = hub(sites);
      run.advance(10_000);
      const before = run.world.sim.eventsExecuted;
      run.advance(120_000);
      return run.world.sim.eventsExecuted - before;
    };
    const ten = quiet(10);
    const forty = quiet(40);
    // Keepalives and DPD checks scale with tunnels and sessions: 4× the sites, at most 4× the events (+ slack).
    expect(forty).toBeLessThanOrEqual(4 * ten * 1.1);
    expect(forty).toBeGreaterThanOrEqual(4 * ten * 0.9);
  });

  it('CHILD SA rekeys move no flow: quiet time with rekeys re-resolves nothing', () => {
    // A short SA lifetime (Azure's minimum is 300 s; the rekey margin needs more than 1,080 s) so
    // every tunnel rekeys within the window: make-before-break keeps ESP flowing over the same
    // establishment, and the data plane must not even look at the tunnels' flows again.
    const run = hub(10, (topology) => {
      for (const connection of topology.vpnConnections)
        for (const link of connection.vpnLinkConnections)
          (link.ipsec as { saLifeTimeSeconds: number }).saLifeTimeSeconds = 1_200;
    });
    run.advance(10_000);
    const resolutionsBefore = run.dataplane.resolutionCount;
    const traceBefore = run.world.sim.trace.all().length;
    run.advance(700_000);
    const rekeys = run.world.sim.trace
      .all()
      .slice(traceBefore)
      .filter((e) => e.event === 'ike.childSa' && e.detail?.reason === 'rekeyed' && e.detail.up === true);
    expect(rekeys.length).toBeGreaterThanOrEqual(run.world.tunnels.length);
    expect(run.dataplane.resolutionCount - resolutionsBefore).toBe(0);
  });
});
