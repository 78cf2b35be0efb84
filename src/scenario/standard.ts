import { type Scenario, scenarioSchema } from './schema.ts';

/**
 * The failures every design is put through when the user gives no scenario: the
 * two outages the seed discusses for every configuration — an instance going down
 * planned and unplanned — each followed by its recovery (failback matters: the
 * single tunnel pays twice).
 */
export const STANDARD_SCENARIOS: readonly Scenario[] = [
  scenarioSchema.parse({
    name: 'IN_0 unplanned failure',
    duration: '10m',
    events: ['fail IN_0 unplanned at 60s', 'recover IN_0 at 5m'],
  }),
  scenarioSchema.parse({
    name: 'IN_0 planned maintenance',
    duration: '10m',
    events: ['fail IN_0 planned at 60s', 'recover IN_0 at 5m'],
  }),
];

export function withSeed(scenario: Scenario, seed: number | undefined): Scenario {
  return seed === undefined ? scenario : { ...scenario, seed };
}
