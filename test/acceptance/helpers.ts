import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadTopology, parseTopology } from '../../src/model/index.ts';
import type { Topology } from '../../src/model/schema.ts';
import { InteractiveRun } from '../../src/scenario/interactive.ts';
import { type Scenario, scenarioSchema } from '../../src/scenario/schema.ts';
import { type SimulationResult, simulate } from '../../src/scenario/simulate.ts';
import type { World } from '../../src/scenario/world.ts';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

export function example(name: string): Topology {
  const loaded = loadTopology(readFileSync(join(EXAMPLES, `${name}.yaml`), 'utf8'));
  if (!loaded.ok) throw new Error(`examples/${name}.yaml: ${loaded.errors.map((e) => e.message).join('; ')}`);
  return loaded.topology;
}

/** Raw YAML as a user edits it: deliberately untyped, the loader is what checks it. */
// biome-ignore lint/suspicious/noExplicitAny: test edits reach into arbitrary YAML
export type RawTopology = Record<string, any>;

/** An example with edits applied to its raw YAML value (the way a user would edit the file). */
export function variant(name: string, edit: (raw: RawTopology) => void): Topology {
  const raw = parse(readFileSync(join(EXAMPLES, `${name}.yaml`), 'utf8')) as RawTopology;
  edit(raw);
  const loaded = parseTopology(raw);
  if (!loaded.ok)
    throw new Error(
      `variant of ${name}: ${loaded.errors.map((e) => `${e.path.join('.')}: ${e.message}`).join('; ')}`,
    );
  return loaded.topology;
}

export function scenario(events: string[], extra: Partial<Record<keyof Scenario, unknown>> = {}): Scenario {
  return scenarioSchema.parse({ duration: '10m', traffic: { flowsPerPair: 100 }, events, ...extra });
}

export function run(
  topology: Topology,
  events: string[],
  extra: Partial<Record<keyof Scenario, unknown>> = {},
) {
  let world: World | undefined;
  const result: SimulationResult = simulate(topology, scenario(events, extra), {
    onWorld: (w) => {
      world = w;
    },
  });
  if (!world) throw new Error('no world');
  return { result, world };
}

export function interactive(topology: Topology, flowsPerPair = 100): InteractiveRun {
  return new InteractiveRun(topology, {
    seed: 1,
    traffic: { flowsPerPair, ratePps: 10, directions: 'both', protocol: 'tcp' },
  });
}

/** Total outage of a flow in ms. */
export function outageOf(flow: SimulationResult['flows'][number]): number {
  return flow.outages.reduce((sum, o) => sum + (o.endMs - o.startMs), 0);
}
