import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { textLimitProblem } from '../model/text-limits.ts';
import { type Scenario, scenarioSchema } from './schema.ts';

export type ScenarioLoad =
  | { readonly ok: true; readonly scenario: Scenario; readonly warnings?: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

/** A scenario from YAML/JSON text, or errors naming the field and what would be accepted. Never throws. */
export function loadScenario(text: string): ScenarioLoad {
  const tooMuch = textLimitProblem(text);
  if (tooMuch) return { ok: false, errors: [tooMuch] };
  let value: unknown;
  let warnings: string[];
  try {
    // logLevel 'error': YAML warnings come back in the result, never on the process's stderr.
    const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
    const first = document.errors[0];
    if (first) return { ok: false, errors: [`not valid YAML or JSON: ${firstLine(first.message)}`] };
    warnings = document.warnings.map((w) => `YAML: ${firstLine(w.message)}`);
    // Aliases are refused outright: a scenario has no use for them and they are a billion-laughs vector.
    value = document.toJS({ maxAliasCount: 0 });
  } catch (thrown) {
    return {
      ok: false,
      errors: [
        `not valid YAML or JSON: ${firstLine(thrown instanceof Error ? thrown.message : String(thrown))}`,
      ],
    };
  }
  const parsed = parseScenario(value ?? {});
  return parsed.ok && warnings.length > 0 ? { ...parsed, warnings } : parsed;
}

function firstLine(text: string): string {
  const line = (text.split('\n')[0] ?? text).replace(/:\s*$/, '');
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
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
  const message = issue.message.length > 300 ? `${issue.message.slice(0, 297)}...` : issue.message;
  return `${path || '(scenario)'}: ${message}`;
}
