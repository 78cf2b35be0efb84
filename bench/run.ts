/**
 * `npm run bench`: all five benchmarks of issue 7, one after the other, printing
 * figures (never asserting them — these machines are shared and noisy; ratios
 * travel better). Each runs in its own process, so one's heap and JIT state do not
 * colour the next one's figures, and the max hub's peak RSS is its own.
 *
 *   1 kernel · 4 BGP codec · simulation of the examples · 3 sweep ·
 *   2+5 max hub and the scaling curve · 4 the 4,000-prefix table load against BIRD
 *
 * `npm run bench -- --quick` stops the scaling curve at 100 sites. The table load
 * needs root and BIRD; it says "skipped" without them.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { machineLine } from './machine.ts';

const quick = process.argv.includes('--quick');
const steps: { title: string; script: string; args?: string[] }[] = [
  { title: '1. kernel', script: 'kernel.ts' },
  { title: '4. BGP codec', script: 'bgp-codec.ts' },
  { title: 'simulation of the examples', script: 'simulation.ts' },
  { title: '3. sweep', script: 'sweep.ts' },
  { title: '2 and 5. max hub, scaling curve', script: 'max-hub.ts', args: quick ? ['10', '100'] : [] },
  { title: '4. 4,000-prefix table load, our speaker vs BIRD', script: 'bgp-table-load.ts' },
];

console.log(machineLine());
let failed = 0;
for (const step of steps) {
  console.log(`\n== ${step.title} (bench/${step.script}) ==`);
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, step.script), ...(step.args ?? [])],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) {
    failed++;
    console.log(`bench/${step.script} exited with ${run.status ?? run.signal}`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
