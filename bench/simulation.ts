/**
 * The simulator end to end on the examples: wall time per scenario and flows
 * re-resolved, for the standard failures. (The 1,000-site hub and the scaling
 * curve join once the topology generator lands.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology } from '../src/model/index.ts';
import { scenarioSchema } from '../src/scenario/schema.ts';
import { simulate } from '../src/scenario/simulate.ts';
import { bestOf, machineLine } from './machine.ts';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');

export function runSimulationBenchmark(): string[] {
  const lines = [
    'simulate: IN_0 unplanned at 1:00, recovery at 5:00, 10 min of traffic, 1,000 flows per VNet×site pair each way',
  ];
  const scenario = scenarioSchema.parse({
    duration: '10m',
    traffic: { flowsPerPair: 1000 },
    events: ['fail IN_0 unplanned at 60s', 'recover IN_0 at 5m'],
  });
  for (const file of readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()) {
    const loaded = loadTopology(readFileSync(join(EXAMPLES, file), 'utf8'));
    if (!loaded.ok) continue;
    let flows = 0;
    const ms = bestOf(3, () => {
      flows = simulate(loaded.topology, scenario, { trace: false }).flows.length;
    });
    lines.push(`  ${file.padEnd(32)} ${String(flows).padStart(6)} flows  ${ms.toFixed(0).padStart(5)} ms`);
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(machineLine());
  console.log(runSimulationBenchmark().join('\n'));
}
