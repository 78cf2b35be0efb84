/**
 * The seed's static single tunnel for real (examples/static-single-tunnel.yaml, fast
 * timers): one tunnel to IN_0's public IP. When IN_0 dies the public IP moves to IN_1,
 * the branch's tunnel is re-established to the same peer IP, and it all moves back when
 * IN_0 recovers — every session re-established twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupStale, findLeaks, isClean } from '../../src/live/cleanup.ts';
import { liveLabSkipReason } from '../../src/live/doctor.ts';
import { bringUpLab, type RunningLab } from '../../src/live/lab-run.ts';
import { example, play, report, scenario } from './fixtures/lab-case.ts';

const skipReason = await liveLabSkipReason();
if (skipReason) console.warn(`[live lab] skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('live lab: static single tunnel', () => {
  let running: RunningLab | undefined;

  beforeAll(async () => {
    await cleanupStale();
    running = await bringUpLab(example('static-single-tunnel.yaml'), { timers: 'fast' });
    report(`bring-up: ${JSON.stringify(running.timings)}`);
  });

  afterAll(async () => {
    if (!running) return;
    await running.controller.stop();
    await running.lab.destroy();
    const leaks = await findLeaks({ labId: running.lab.id });
    expect(isClean(leaks), JSON.stringify(leaks)).toBe(true);
  });

  it('IN_0 dies: the public IP moves to IN_1, the tunnel is re-established to the same peer IP, and both move back on recovery; the simulator agrees', async () => {
    if (!running) throw new Error('lab not up');
    const tunnel = running.plan.tunnels[0];
    const deviceTunnel = running.plan.devices[0]?.tunnels[0];
    if (!tunnel || !deviceTunnel) throw new Error('no tunnel');
    expect(running.controller.holderOf(tunnel.azureIp)).toBe('IN_0');
    const played = await play(
      running,
      'static-single-tunnel, IN_0 unplanned and recovery',
      scenario({
        name: 'IN_0 unplanned',
        duration: '26s',
        events: ['fail IN_0 unplanned at 3s', 'recover IN_0 at 15s'],
      }),
    );
    const { result } = played;
    const moves = result.timeline
      .filter((e) => e.event === 'ip.moved' && e.source === tunnel.azureIp)
      .map((e) => `${e.detail?.from}→${e.detail?.to}`);
    expect(moves).toEqual(['IN_0→null', 'null→IN_1', 'IN_1→null', 'null→IN_0']);
    // The branch's charon saw three IKE SAs, all with the same peer: IN_0's public IP.
    const generations = running.controller.generations.get(deviceTunnel.tunnelId) ?? [];
    const sas = [...new Set(generations.flatMap((g) => (g.ikeSa === null ? [] : [g.ikeSa])))];
    expect(sas.length).toBeGreaterThanOrEqual(3);
    const [sa] = await running.network.deviceCharon(deviceTunnel).listSas();
    expect(sa?.remoteHost).toBe(tunnel.azureIp);
    expect(running.controller.holderOf(tunnel.azureIp)).toBe('IN_0');
    report(`IP moves ${moves.join(', ')}; branch IKE SAs ${sas.join(', ')}, now to ${sa?.remoteHost}`);
    for (const flow of result.flows) {
      expect(flow.outages.length, `flow ${flow.id}: failover and failback`).toBe(2);
      expect(flow.sessionResets, `flow ${flow.id}: sessions re-established twice`).toBe(2);
    }
    expect(played.rows.filter((r) => r.agrees === false)).toEqual([]);
  });
});
