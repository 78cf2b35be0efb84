/**
 * `npm run bench`: every benchmark, one after the other, printing figures (never
 * asserting them — these machines are shared and noisy; ratios travel better). The
 * 4,000-prefix table load against BIRD runs last; it needs root and says skipped without.
 */
import { runCodecBenchmark } from './bgp-codec.ts';
import { runBgpTableLoadBenchmark } from './bgp-table-load.ts';
import { runKernelBenchmark } from './kernel.ts';
import { machineLine } from './machine.ts';
import { runSimulationBenchmark } from './simulation.ts';

console.log(machineLine());
console.log('');
console.log(runKernelBenchmark().join('\n'));
console.log('');
console.log(runCodecBenchmark().join('\n'));
console.log('');
console.log(runSimulationBenchmark().join('\n'));
console.log('');
console.log((await runBgpTableLoadBenchmark()).join('\n'));
