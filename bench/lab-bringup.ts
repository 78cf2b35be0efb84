/**
 * `npm run bench:lab` (root, Linux, the lab packages): how long the live lab takes to
 * realise a topology with two instances and two sites (examples/bgp-two-devices.yaml:
 * two branch firewalls, four tunnels, four BGP sessions) until it has converged —
 * tunnels up at both ends, BGP Established at both ends, hub and device routes
 * installed — and to tear it down. Goal: bring-up under 30 s. Prints figures, asserts
 * nothing; these machines are shared and noisy.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cleanupStale, findLeaks, isClean } from '../src/live/cleanup.ts';
import { liveLabSkipReason } from '../src/live/doctor.ts';
import { bringUpLab } from '../src/live/lab-run.ts';
import { loadTopology } from '../src/model/index.ts';
import { machineLine } from './machine.ts';

const RUNS = Number(process.env.LAB_BENCH_RUNS ?? 3);
const FILE = fileURLToPath(new URL('../examples/bgp-two-devices.yaml', import.meta.url));

const skip = await liveLabSkipReason();
console.log(machineLine());
if (skip) {
  console.log(`lab bring-up: skipped (${skip})`);
  process.exit(0);
}
const loaded = loadTopology(readFileSync(FILE, 'utf8'));
if (!loaded.ok) throw new Error('examples/bgp-two-devices.yaml does not load');
await cleanupStale();

const rows: string[] = [];
const totals: number[] = [];
let shape = '';
for (let run = 1; run <= RUNS; run++) {
  const running = await bringUpLab(loaded.topology, { timers: 'fast' });
  const t = running.timings;
  const { plan } = running;
  shape = `${plan.tunnels.length} tunnels, ${plan.tunnels.filter((x) => x.session).length} BGP sessions, ${plan.roles.length} namespaces`;
  await running.controller.stop();
  const down = performance.now();
  await running.lab.destroy();
  const downMs = Math.round(performance.now() - down);
  const clean = isClean(await findLeaks({ labId: running.lab.id }));
  totals.push(t.totalMs);
  rows.push(
    `  run ${run}: ${(t.totalMs / 1000).toFixed(2)} s = namespaces ${t.namespacesMs} ms + links ${t.linksMs} ms + ` +
      `routes/NAT ${t.routesMs} ms + charons/BIRD ${t.daemonsMs} ms + agents, tunnels, BGP and routes ${t.convergedMs} ms; ` +
      `teardown ${downMs} ms${clean ? '' : ' (LEFT SOMETHING BEHIND)'}`,
  );
}
console.log(
  `lab bring-up, 2 instances + 2 sites (bgp-two-devices: ${shape}), fast timers: best ${(Math.min(...totals) / 1000).toFixed(2)} s, ` +
    `worst ${(Math.max(...totals) / 1000).toFixed(2)} s over ${RUNS} runs (goal < 30 s)`,
);
console.log(rows.join('\n'));
