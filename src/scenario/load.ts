import { parse } from 'yaml';
import type { z } from 'zod';
import { type Scenario, scenarioSchema } from './schema.ts';

export type ScenarioLoad =
  | { readonly ok: true; readonly scenario: Scenario }
  | { readonly ok: false; readonly errors: readonly string[] };

/** A scenario from YAML/JSON text, or errors naming the field and what would be accepted. Never throws. */
export function loadScenario(text: string): ScenarioLoad {
  let value: unknown;
  try {
    // Aliases are refused outright: a scenario has no use for them and they are a billion-laughs vector.
    value = parse(text, { maxAliasCount: 0, prettyErrors: true });
  } catch (thrown) {
    const message = thrown instanceof Error ? thrown.message.split('\n')[0] : String(thrown);
    return { ok: false, errors: [`not valid YAML or JSON: ${message}`] };
  }
  return parseScenario(value ?? {});
}

export function parseScenario(value: unknown): ScenarioLoad {
  const parsed = scenarioSchema.safeParse(value);
  if (parsed.success) return { ok: true, scenario: parsed.data };
  return { ok: false, errors: parsed.error.issues.map(describeIssue) };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
  return `${path || '(scenario)'}: ${issue.message}`;
}
