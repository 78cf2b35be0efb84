/**
 * What must hold when a topology or scenario file is loaded, whatever its text:
 * a result comes back — never an exception (or a hang, or unbounded memory,
 * which the bench measures) —; a refused file has at least one error, and every
 * error names the field it is about (a path) or is a clear whole-file error;
 * messages are sentences, not stack traces or echoes of megabytes of input; and
 * an accepted file holds only finite numbers (durations a simulation can reach).
 * Each broken expectation is a finding of a kind; an exception is the worst kind.
 */
import { formatPath, loadTopology, type TopologyIssue } from '../../src/model/index.ts';
import { loadScenario } from '../../src/scenario/load.ts';

export type LoaderName = 'topology' | 'scenario';

export type FindingKind =
  /** The loader threw. */
  | 'exception'
  /** The result breaks its own type: not ok without errors, an issue without a message or path. */
  | 'malformed-result'
  /** An error with no field path that is not a whole-file error either. */
  | 'nameless-error'
  | 'stack-trace-in-message'
  /** An error message longer than MESSAGE_LIMIT: it quotes the input back. */
  | 'message-echoes-input'
  /** An accepted file holding NaN, ±Infinity, or (scenario) a time no simulation reaches. */
  | 'unbounded-value-accepted'
  | 'slow';

export interface Finding {
  readonly kind: FindingKind;
  readonly detail: string;
}

export interface LoaderVerdict {
  readonly loader: LoaderName;
  readonly ok: boolean;
  readonly errorCount: number;
  readonly ms: number;
  readonly findings: readonly Finding[];
  /** The outcome in a few words ("ok", or the first error's path and message shape): the coverage proxy. */
  readonly summary: string;
}

/** A single error message beyond this many characters is an echo of the input, not an explanation. */
export const MESSAGE_LIMIT = 500;
/** Inputs the fuzzer makes are at most a few MiB; any of them taking longer than this is a finding. */
export const SLOW_MS = 2000;
/** Seven days: no scenario means more; a larger time would leave the simulation running for ever. */
export const MAX_SCENARIO_MS = 7 * 24 * 3_600_000;

/** Whole-file errors a user understands without a field path. */
const WHOLE_FILE = /^(YAML|cannot read|cannot parse|the topology|the file)/;
/** Scenario errors: "events[0].at: …", "(scenario): …" or "not valid YAML or JSON: …". */
const SCENARIO_ERROR =
  /^(\(scenario\)|not valid YAML or JSON|[A-Za-z_$][\w$]*(\[\d+\]|\.[A-Za-z_$][\w$]*)*): \S/;

export function normalise(text: string): string {
  return text.replace(/\d+/g, '#').replace(/"[^"]*"/g, '"…"');
}

function describeThrown(thrown: unknown): string {
  return thrown instanceof Error ? `${thrown.name}: ${thrown.message.split('\n')[0]}` : String(thrown);
}

function checkMessage(message: unknown, findings: Finding[]): message is string {
  if (typeof message !== 'string' || message.length === 0) {
    findings.push({ kind: 'malformed-result', detail: 'an issue without a message' });
    return false;
  }
  if (/\n\s+at /.test(message))
    findings.push({ kind: 'stack-trace-in-message', detail: message.slice(0, 200) });
  if (message.length > MESSAGE_LIMIT) {
    findings.push({
      kind: 'message-echoes-input',
      detail: `${message.length}-character message: ${message.slice(0, 80)}…`,
    });
  }
  return true;
}

function checkIssue(issue: TopologyIssue, severity: 'error' | 'warning', findings: Finding[]): void {
  if (issue.severity !== severity)
    findings.push({ kind: 'malformed-result', detail: `a ${issue.severity} among the ${severity}s` });
  if (
    !Array.isArray(issue.path) ||
    !issue.path.every((s) => typeof s === 'string' || typeof s === 'number')
  ) {
    findings.push({
      kind: 'malformed-result',
      detail: 'an issue whose path is not a list of keys and indices',
    });
    return;
  }
  if (!checkMessage(issue.message, findings)) return;
  if (issue.line !== undefined && !(issue.line >= 1))
    findings.push({ kind: 'malformed-result', detail: `line ${issue.line}` });
  if (severity === 'error' && issue.path.length === 0 && !WHOLE_FILE.test(issue.message)) {
    findings.push({ kind: 'nameless-error', detail: issue.message.slice(0, 200) });
  }
}

/** Every number in an accepted document, checked finite (and, in a scenario, reachable as milliseconds). */
function checkNumbers(value: unknown, path: string, findings: Finding[], depth = 0): void {
  if (depth > 64) return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      findings.push({ kind: 'unbounded-value-accepted', detail: `${path} = ${value}` });
    return;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) checkNumbers(item, `${path}[${i}]`, findings, depth + 1);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value))
      checkNumbers(item, `${path}.${key}`, findings, depth + 1);
  }
}

function timed<T>(clock: () => number, run: () => T): { value: T | undefined; thrown: unknown; ms: number } {
  const start = clock();
  try {
    const value = run();
    return { value, thrown: undefined, ms: clock() - start };
  } catch (thrown) {
    return { value: undefined, thrown: thrown ?? 'undefined thrown', ms: clock() - start };
  }
}

/** Slow twice in a row, so a garbage-collection pause in a long run is not reported as a finding. */
function checkSlow(ms: number, again: () => number, size: number, findings: Finding[]): void {
  if (ms <= SLOW_MS) return;
  const second = again();
  if (second > SLOW_MS) {
    findings.push({ kind: 'slow', detail: `${Math.round(Math.min(ms, second))} ms for ${size} characters` });
  }
}

export function checkTopology(text: string, clock: () => number): LoaderVerdict {
  const findings: Finding[] = [];
  const { value: result, thrown, ms } = timed(clock, () => loadTopology(text));
  checkSlow(ms, () => timed(clock, () => loadTopology(text)).ms, text.length, findings);
  if (result === undefined) {
    findings.push({ kind: 'exception', detail: describeThrown(thrown) });
    return { loader: 'topology', ok: false, errorCount: 0, ms, findings, summary: 'exception' };
  }
  for (const issue of result.warnings) checkIssue(issue, 'warning', findings);
  if (result.ok) {
    checkNumbers(result.topology, 'topology', findings);
    return { loader: 'topology', ok: true, errorCount: 0, ms, findings, summary: 'ok' };
  }
  if (result.errors.length === 0)
    findings.push({ kind: 'malformed-result', detail: 'refused without an error' });
  for (const issue of result.errors) checkIssue(issue, 'error', findings);
  const first = result.errors[0];
  const summary = first
    ? `${normalise(formatPath(first.path)) || '(file)'}: ${normalise(first.message).slice(0, 60)}`
    : 'refused';
  return { loader: 'topology', ok: false, errorCount: result.errors.length, ms, findings, summary };
}

export function checkScenario(text: string, clock: () => number): LoaderVerdict {
  const findings: Finding[] = [];
  const { value: result, thrown, ms } = timed(clock, () => loadScenario(text));
  checkSlow(ms, () => timed(clock, () => loadScenario(text)).ms, text.length, findings);
  if (result === undefined) {
    findings.push({ kind: 'exception', detail: describeThrown(thrown) });
    return { loader: 'scenario', ok: false, errorCount: 0, ms, findings, summary: 'exception' };
  }
  if (result.ok) {
    const { scenario } = result;
    checkNumbers(scenario, 'scenario', findings);
    const times = [
      ['duration', scenario.duration],
      ['warmup', scenario.warmup],
      ...scenario.events.map((event, i) => [`events[${i}].at`, event.at] as const),
    ] as const;
    for (const [field, ms] of times) {
      if (!(Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_SCENARIO_MS)) {
        findings.push({ kind: 'unbounded-value-accepted', detail: `${field} = ${ms} ms` });
      }
    }
    return { loader: 'scenario', ok: true, errorCount: 0, ms, findings, summary: 'ok' };
  }
  if (result.errors.length === 0)
    findings.push({ kind: 'malformed-result', detail: 'refused without an error' });
  for (const error of result.errors) {
    if (!checkMessage(error, findings)) continue;
    if (!SCENARIO_ERROR.test(error)) findings.push({ kind: 'nameless-error', detail: error.slice(0, 200) });
  }
  const first = result.errors[0] ?? 'refused';
  return {
    loader: 'scenario',
    ok: false,
    errorCount: result.errors.length,
    ms,
    findings,
    summary: normalise(first).slice(0, 70),
  };
}

export function checkLoader(loader: LoaderName, text: string, clock: () => number): LoaderVerdict {
  return loader === 'topology' ? checkTopology(text, clock) : checkScenario(text, clock);
}
