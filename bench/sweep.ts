/**
 * Sweep wall time and scenarios per second: every example at depth 1 and 2, and a
 * generated hub with 100 BGP sites (two tunnels each) at depth 1, on the worker
 * pool with all cores and in one thread. `npm run bench:sweep`.
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { enumerateFailures, sweepOptions } from '../src/analysis/failures.ts';
import { generateHub } from '../src/analysis/generate.ts';
import { type Design, sweepDesigns } from '../src/cli/sweep-pool.ts';
import { loadTopologyFile } from '../src/model/load-file.ts';
import { summarizeTopology } from '../src/model/views.ts';
import { formatTable } from '../src/report/table.ts';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');
const cores = availableParallelism();

const designs: Design[] = [];
for (const file of readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()) {
  const loaded = await loadTopologyFile(join(EXAMPLES, file));
  if (!loaded.ok) throw new Error(`examples/${file} does not load`);
  designs.push({ name: file.replace(/\.yaml$/, ''), topology: loaded.topology });
}
const generated = generateHub({ sites: 100 });
if (!generated.ok) throw new Error('the generated 100-site hub does not load');

interface Case {
  readonly label: string;
  readonly design: Design;
  readonly depth: 1 | 2;
}
const cases: Case[] = [
  ...designs.flatMap((design) =>
    [1, 2].map((depth) => ({ label: design.name, design, depth: depth as 1 | 2 })),
  ),
  { label: 'generated: 100 sites', design: { name: 'hub-100', topology: generated.topology }, depth: 1 },
];

async function time(design: Design, depth: 1 | 2, workers: number): Promise<number> {
  const start = performance.now();
  await sweepDesigns([design], sweepOptions({ depth }), { workers });
  return performance.now() - start;
}

const cpu = cpus()[0]?.model.trim() ?? 'unknown cpu';
process.stdout.write(
  `machine: ${cpu}, ${cores} cores (availableParallelism), Node ${process.version}, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at start\n`,
);
process.stdout.write(`generated hub: ${summarizeTopology(generated.topology)}\n\n`);

// One warm-up sweep so the first row does not pay for JIT compilation.
await time(designs[0] as Design, 1, 1);

const rows: string[][] = [];
for (const c of cases) {
  // Scenarios = the failures plus the no-failure baseline run.
  const scenarios = enumerateFailures(c.design.topology, { depth: c.depth }).length + 1;
  const one = await time(c.design, c.depth, 1);
  const all = cores > 1 ? await time(c.design, c.depth, cores) : one;
  rows.push([
    c.label,
    String(c.depth),
    String(scenarios),
    `${(one / 1000).toFixed(2)} s`,
    `${((scenarios * 1000) / one).toFixed(0)}`,
    `${(all / 1000).toFixed(2)} s`,
    `${((scenarios * 1000) / all).toFixed(0)}`,
  ]);
  process.stderr.write('.');
}
process.stderr.write('\n');
process.stdout.write(
  `${formatTable(
    ['design', 'depth', 'scenarios', '1 thread', 'scen/s', `${cores} workers`, 'scen/s'],
    rows,
  )}\n`,
);
process.stdout.write(
  '\nworkers include their start-up (tsx compiling the simulator in each thread, about half a second).\n',
);
