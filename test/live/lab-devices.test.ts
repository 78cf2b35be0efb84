/**
 * The seed's diversity for real (examples/bgp-two-devices.yaml, fast timers): a second
 * branch firewall as a second VPN site with the same prefixes, both on one site LAN.
 * When one firewall dies, the LAN moves its flows to the other after its detection
 * delay, and Azure stops sending to it when our speaker's hold timer expires.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupStale, findLeaks, isClean } from '../../src/live/cleanup.ts';
import { liveLabSkipReason } from '../../src/live/doctor.ts';
import { bringUpLab, type RunningLab } from '../../src/live/lab-run.ts';
import { example, play, report, scenario } from './fixtures/lab-case.ts';

const skipReason = await liveLabSkipReason();
if (skipReason) console.warn(`[live lab] skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('live lab: two branch firewalls on one site LAN', () => {
  let running: RunningLab | undefined;

  beforeAll(async () => {
    await cleanupStale();
    running = await bringUpLab(example('bgp-two-devices.yaml'), { timers: 'fast' });
    report(`bring-up (2 instances, 2 sites): ${JSON.stringify(running.timings)}`);
  });

  afterAll(async () => {
    if (!running) return;
    await running.controller.stop();
    await running.lab.destroy();
    const leaks = await findLeaks({ labId: running.lab.id });
    expect(isClean(leaks), JSON.stringify(leaks)).toBe(true);
  });

  it('branch1-fw1 dies silently: the LAN moves its flows after 3 s, Azure after its hold timer; the simulator agrees', async () => {
    if (!running) throw new Error('lab not up');
    const played = await play(
      running,
      'bgp-two-devices, branch1-fw1 fails and recovers',
      scenario({
        name: 'device failure',
        duration: '26s',
        events: ['fail device branch1-fw1 at 3s', 'recover device branch1-fw1 at 16s'],
      }),
    );
    const { result } = played;
    const viaFw1 = result.flows.filter((f) => f.initialPath.includes('branch1-a-'));
    const viaFw2 = result.flows.filter((f) => f.initialPath.includes('branch1-b-'));
    expect(viaFw1.length).toBeGreaterThan(0);
    for (const flow of viaFw2)
      expect({ id: flow.id, outages: flow.outages }).toEqual({ id: flow.id, outages: [] });
    const lanMs = running.plan.timers.lanDetectionMs;
    for (const flow of viaFw1.filter((f) => f.direction === 'toAzure')) {
      const seconds = ((flow.outages[0]?.endMs ?? 0) - (flow.outages[0]?.startMs ?? 0)) / 1000;
      expect(seconds, `flow ${flow.id}: the LAN's detection delay`).toBeCloseTo(lanMs / 1000, 0);
    }
    expect(
      result.timeline.some(
        (e) => e.event === 'lan.view' && e.source === 'branch1-fw1' && e.detail?.serving === false,
      ),
    ).toBe(true);
    expect(played.rows.filter((r) => r.agrees === false)).toEqual([]);
  });
});
