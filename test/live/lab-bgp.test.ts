/**
 * The seed's BGP design for real (examples/bgp-active-active.yaml, fast timers): two
 * tunnels from one branch firewall, one to each instance, our BGP speaker on each
 * instance peering with the firewall's BIRD (and FRR) across them. Checked against the
 * kernel and against the simulator's prediction for the same topology, scenario and
 * timers (the twin check).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bird } from '../../src/live/bird.ts';
import { cleanupStale, findLeaks, isClean } from '../../src/live/cleanup.ts';
import { liveLabSkipReason } from '../../src/live/doctor.ts';
import { Frr } from '../../src/live/frr.ts';
import { bringUpLab, type LabRunResult, type RunningLab, runScenario } from '../../src/live/lab-run.ts';
import { example, flowsOn, play, report, scenario } from './fixtures/lab-case.ts';

const skipReason = await liveLabSkipReason();
if (skipReason) console.warn(`[live lab] skipped: ${skipReason}`);
const frrSkip =
  skipReason ?? (existsSync('/usr/lib/frr/bgpd') ? undefined : 'FRR not installed (apt-get install frr)');
if (frrSkip && !skipReason) console.warn(`[live lab] FRR variant skipped: ${frrSkip}`);

const HOLD_S = 9;
const DETECTION_S = 5;

async function bothSessionsEstablished(running: RunningLab): Promise<string[]> {
  const states: string[] = [];
  for (const tunnel of running.plan.tunnels) {
    const session = tunnel.session;
    if (!session) continue;
    expect(running.controller.agentEstablished(session), `our speaker on ${session.instance}`).toBe(true);
    states.push(`${tunnel.id}: ${await running.controller.deviceBgpState(session)}`);
  }
  return states;
}

/** Flows split across both tunnels both ways, and every probe delivered. */
async function checkEcmp(running: RunningLab): Promise<LabRunResult> {
  const result = await runScenario(
    running,
    scenario({
      name: 'steady state',
      duration: '4s',
      traffic: { flowsPerPair: 8, ratePps: 50, protocol: 'udp' },
    }),
  );
  for (const flow of result.flows) {
    expect({ id: flow.id, lost: flow.lost, outages: flow.outages }).toEqual({
      id: flow.id,
      lost: 0,
      outages: [],
    });
  }
  for (const direction of ['toSite', 'toAzure'] as const) {
    const paths = new Set(result.flows.filter((f) => f.direction === direction).map((f) => f.initialPath));
    expect([...paths].sort(), `${direction} flows over both instances' tunnels`).toHaveLength(2);
  }
  // And the packets really went both ways through both tunnels: ESP counters at Azure's end
  // (summed over the SAs: a simultaneous initiation can leave a second, idle one listed first).
  for (const tunnel of running.plan.tunnels) {
    const carrier = tunnel.carriers[tunnel.instance];
    if (!carrier) throw new Error('no carrier');
    const children = (await running.network.azureCharon(carrier).listSas()).flatMap((sa) => sa.children);
    const out = children.reduce((sum, c) => sum + c.packetsOut, 0);
    const into = children.reduce((sum, c) => sum + c.packetsIn, 0);
    expect(out, `${tunnel.id} ESP out of Azure`).toBeGreaterThan(100);
    expect(into, `${tunnel.id} ESP into Azure`).toBeGreaterThan(100);
  }
  const split = (d: 'toSite' | 'toAzure') =>
    ['IN_0', 'IN_1'].map(
      (id) => flowsOn(result, id as 'IN_0' | 'IN_1').filter((f) => f.direction === d).length,
    );
  report(
    `ECMP: toSite flows per instance ${split('toSite').join('/')}, toAzure per tunnel ${split('toAzure').join('/')}, 0 lost`,
  );
  return result;
}

describe.skipIf(skipReason !== undefined)('live lab: bgp-active-active, BIRD on the branch firewall', () => {
  let running: RunningLab | undefined;
  let unplannedLost = 0;

  beforeAll(async () => {
    await cleanupStale();
    running = await bringUpLab(example('bgp-active-active.yaml'), { timers: 'fast' });
    report(`bring-up: ${JSON.stringify(running.timings)}`);
  });

  afterAll(async () => {
    if (!running) return;
    await running.controller.stop();
    await running.lab.destroy();
    const leaks = await findLeaks({ labId: running.lab.id });
    expect(isClean(leaks), JSON.stringify(leaks)).toBe(true);
  });

  it('brings up both tunnels and both BGP sessions (our speaker ↔ BIRD); the hub routes over both instances', async () => {
    if (!running) throw new Error('lab not up');
    const states = await bothSessionsEstablished(running);
    expect(states).toEqual(running.plan.tunnels.map((t) => `${t.id}: Established`));
    for (const [prefix, instances] of running.controller.hubTable()) {
      expect({ prefix, instances }).toEqual({ prefix, instances: ['IN_0', 'IN_1'] });
    }
    const device = running.plan.devices[0];
    if (!device) throw new Error('no device');
    expect(running.network.router(device)).toBeInstanceOf(Bird);
    const routes = await running.lab.routes(running.network.ns(device.role));
    for (const prefix of running.plan.azurePrefixes) {
      expect(routes.find((r) => r.dst === prefix)?.nexthops, `${prefix} on the firewall`).toHaveLength(2);
    }
  });

  it('ECMP both ways: flows split across both tunnels, nothing lost', async () => {
    if (!running) throw new Error('lab not up');
    await checkEcmp(running);
  });

  it('silent IN_0 death: its flows lose the detection delay (to the site) or the hold time (to Azure), IN_1 flows nothing; the simulator agrees', async () => {
    if (!running) throw new Error('lab not up');
    const played = await play(
      running,
      'bgp-active-active (BIRD), IN_0 unplanned',
      scenario({
        name: 'IN_0 unplanned',
        duration: '24s',
        events: ['fail IN_0 unplanned at 3s', 'recover IN_0 at 16s'],
      }),
    );
    const { result } = played;
    const failedAt = result.events[0]?.appliedAtMs ?? 0;
    const holdLeft = Object.values(result.events[0]?.deviceHoldLeftMs ?? {})[0] ?? Number.NaN;
    // BIRD restarts its hold timer at 75–100 % of the hold time.
    expect(holdLeft).toBeGreaterThan(0.75 * HOLD_S * 1000 - 100);
    for (const flow of flowsOn(result, 'IN_0')) {
      const main = flow.outages.filter((o) => o.startMs >= failedAt - 100 && o.startMs <= failedAt + 300);
      expect(main, `flow ${flow.id} ${flow.direction} via ${flow.initialPath}`).toHaveLength(1);
      const seconds = ((main[0]?.endMs ?? 0) - (main[0]?.startMs ?? 0)) / 1000;
      if (flow.direction === 'toSite') expect(seconds).toBeCloseTo(DETECTION_S, 0);
      else {
        expect(seconds).toBeGreaterThan(holdLeft / 1000 - 0.5);
        expect(seconds).toBeLessThan(holdLeft / 1000 + 1.5);
      }
    }
    for (const flow of flowsOn(result, 'IN_1')) {
      expect({ id: flow.id, outages: flow.outages }, `IN_1 flow ${flow.direction}`).toEqual({
        id: flow.id,
        outages: [],
      });
    }
    expect(played.rows.filter((r) => r.agrees === false)).toEqual([]);
    unplannedLost = result.summary.toSite.packetsLost + result.summary.toAzure.packetsLost;
    await running.controller.waitConverged(60_000);
  });

  it('planned maintenance of IN_0: BGP Cease and IKE DELETE, far less loss than the silent death; the simulator agrees', async () => {
    if (!running) throw new Error('lab not up');
    const played = await play(
      running,
      'bgp-active-active (BIRD), IN_0 planned maintenance',
      scenario({
        name: 'IN_0 planned',
        duration: '16s',
        events: ['fail IN_0 planned at 3s', 'recover IN_0 at 9s'],
      }),
    );
    const lost = played.result.summary.toSite.packetsLost + played.result.summary.toAzure.packetsLost;
    report(`planned lost ${lost} probes, unplanned ${unplannedLost}`);
    expect(lost).toBeLessThan(Math.max(20, unplannedLost / 20));
    for (const flow of played.result.flows) {
      for (const outage of flow.outages)
        expect(outage.endMs - outage.startMs, `flow ${flow.id}`).toBeLessThan(1000);
    }
    expect(played.rows.filter((r) => r.agrees === false)).toEqual([]);
    expect(
      played.result.timeline.some(
        (e) => e.event === 'bgp.down' && e.detail?.code === 6 && e.detail.subcode === 2,
      ),
      'Cease / administrative shutdown sent',
    ).toBe(true);
    await running.controller.waitConverged(60_000);
  });
});

describe.skipIf(frrSkip !== undefined)('live lab: bgp-active-active, FRR on the branch firewall', () => {
  let running: RunningLab | undefined;

  beforeAll(async () => {
    await cleanupStale();
    running = await bringUpLab(example('bgp-active-active.yaml'), { timers: 'fast', frrDevices: 'all' });
    report(`bring-up (FRR): ${JSON.stringify(running.timings)}`);
  });

  afterAll(async () => {
    if (!running) return;
    await running.controller.stop();
    await running.lab.destroy();
    const leaks = await findLeaks({ labId: running.lab.id });
    expect(isClean(leaks), JSON.stringify(leaks)).toBe(true);
  });

  it('brings up both BGP sessions (our speaker ↔ FRR) with ECMP both ways', async () => {
    if (!running) throw new Error('lab not up');
    const device = running.plan.devices[0];
    if (!device) throw new Error('no device');
    expect(running.network.router(device)).toBeInstanceOf(Frr);
    expect(await bothSessionsEstablished(running)).toEqual(
      running.plan.tunnels.map((t) => `${t.id}: Established`),
    );
    await checkEcmp(running);
  });

  it('silent IN_0 death with FRR: the to-Azure outage is the full hold time from the last keepalive; the simulator agrees', async () => {
    if (!running) throw new Error('lab not up');
    const played = await play(
      running,
      'bgp-active-active (FRR), IN_0 unplanned',
      scenario({ name: 'IN_0 unplanned', duration: '16s', events: ['fail IN_0 unplanned at 3s'] }),
    );
    expect(played.rows.filter((r) => r.agrees === false)).toEqual([]);
    const toAzure = played.result.summary.toAzure;
    if (toAzure.flowsHit > 0) expect(toAzure.worstOutageMs).toBeGreaterThan((HOLD_S - 1) * 1000);
  });
});
