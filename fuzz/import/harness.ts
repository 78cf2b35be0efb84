/**
 * What must hold when Azure's files are imported, whatever they hold. Each
 * input goes the way `vwan-ha import` takes it (src/cli/import.ts): the text
 * (BOM stripped) through JSON.parse, the parsed files through `importArm` or
 * `importVpnConfig`, the issues through `locateIssues` (line and column from
 * the text) and `formatImportIssue`. Checked:
 * - a result always comes back: never an exception, never a hang (an import
 *   over 2 s, twice in a row, is a finding);
 * - a refusal has at least one error; every error names its JSON path (or the
 *   command-line option), or is a whole-file error a user understands;
 * - messages are sentences: no stack traces, under 500 characters, and a whole
 *   printed line (path included) under 1,000 — nothing echoes a huge input;
 * - a pre-shared key never appears in a message or in the YAML;
 * - an accepted import's YAML loads with `loadTopology` (the model's schema and
 *   cross-checks) into the very topology returned, holding only finite numbers.
 * Each broken expectation is a finding of a kind; an exception is the worst.
 */
import {
  formatImportIssue,
  type ImportIssue,
  type ImportResult,
  importArm,
  importVpnConfig,
  type Json,
  locateIssues,
} from '../../src/import/index.ts';
import { loadTopology } from '../../src/model/index.ts';
import type { ImportCase } from './seeds.ts';

export type ImportFindingKind =
  | 'exception'
  | 'malformed-result'
  | 'nameless-error'
  | 'error-without-fix'
  | 'stack-trace-in-message'
  | 'message-echoes-input'
  | 'line-echoes-input'
  | 'secret-leaked'
  | 'accepted-invalid'
  | 'unbounded-value-accepted'
  | 'slow';

export interface ImportFinding {
  readonly kind: ImportFindingKind;
  readonly detail: string;
}

export interface ImportVerdict {
  readonly ok: boolean;
  /** Refused before the importer ran: a file is not JSON. */
  readonly notJson: boolean;
  readonly errorCount: number;
  readonly ms: number;
  readonly findings: readonly ImportFinding[];
  /** The outcome in a few words (`ok`, or the first error's path and message shape): the coverage proxy. */
  readonly summary: string;
}

export const MESSAGE_LIMIT = 500;
export const LINE_LIMIT = 1000;
export const SLOW_MS = 2000;

/** Whole-file errors: the file is not JSON, not an Azure file, or lacks a resource the topology is built on. */
const WHOLE_FILE =
  /^(not an ARM file|not valid JSON|the file|the files|no Microsoft\.Network\/|\d+ VPN gateways|no entry has|the imported topology|internal error|[A-Za-z]\w* is missing[;:])/;

/** Words that tell the user what to do; an error without any of them only says what is wrong. */
const FIX =
  /\b(expected|expects|add|pass|use|replace|did you mean|rerun|remove|give|choose|list|find|split|rename|needs?|must|should|is missing|at most|at least|accepted|is not|are not|only|instead|not imported|evaluates|keep|either|one of|e\.g\.)\b/i;

export function normalise(text: string): string {
  return text.replace(/\d+/g, '#').replace(/"[^"]*"/g, '"…"');
}

function describeThrown(thrown: unknown): string {
  return thrown instanceof Error
    ? `${thrown.name}: ${thrown.message.split('\n')[0]?.slice(0, 200)}`
    : String(thrown);
}

export interface PipelineRun {
  readonly result: ImportResult | undefined;
  /** Errors for files that are not JSON, as the CLI prints them (the import does not run then). */
  readonly parseErrors: readonly string[];
  /** Every issue located and formatted, as the CLI prints it. */
  readonly lines: readonly string[];
  readonly issues: readonly ImportIssue[];
  readonly parsed: readonly { source: string; value: Json }[];
}

/** The CLI's steps after reading the files, without the file system. Throws what they throw. */
export function runPipeline(importCase: ImportCase): PipelineRun {
  const parsed: { source: string; value: Json }[] = [];
  const parseErrors: string[] = [];
  const texts = new Map<string, string>();
  for (const file of importCase.files) {
    const text = file.text.charCodeAt(0) === 0xfeff ? file.text.slice(1) : file.text;
    texts.set(file.source, text);
    try {
      parsed.push({ source: file.source, value: JSON.parse(text) as Json });
    } catch (thrown) {
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      parseErrors.push(`${file.source}: not valid JSON: ${message}`);
    }
  }
  if (parseErrors.length > 0)
    return { result: undefined, parseErrors, lines: parseErrors, issues: [], parsed };
  const only = parsed[0] as { source: string; value: Json };
  const result =
    importCase.importer === 'arm'
      ? importArm(parsed, importCase.options)
      : importVpnConfig(only.source, only.value, importCase.options);
  let issues: ImportIssue[] = [...result.issues];
  for (const [source, text] of texts) issues = locateIssues(source, text, issues);
  const lines = issues.map((issue) => `${issue.severity}: ${formatImportIssue(issue)}`);
  return { result, parseErrors, lines, issues, parsed };
}

function checkMessage(message: unknown, findings: ImportFinding[]): message is string {
  if (typeof message !== 'string' || message.length === 0) {
    findings.push({ kind: 'malformed-result', detail: 'an issue without a message' });
    return false;
  }
  const head = message.slice(0, 2000);
  if (/\n\s+at /.test(head) || /\bat \S+\.ts:\d+:\d+/.test(head))
    findings.push({ kind: 'stack-trace-in-message', detail: message.slice(0, 200) });
  if (message.length > MESSAGE_LIMIT) {
    findings.push({
      kind: 'message-echoes-input',
      detail: `${message.length}-character message: ${message.slice(0, 120)}…`,
    });
  }
  return true;
}

function checkIssue(issue: ImportIssue, findings: ImportFinding[]): void {
  if (!['error', 'warning', 'note'].includes(issue.severity))
    findings.push({ kind: 'malformed-result', detail: `severity ${String(issue.severity)}` });
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
  if (typeof issue.source !== 'string' || issue.source === '')
    findings.push({ kind: 'malformed-result', detail: 'an issue without a source' });
  if (!checkMessage(issue.message, findings)) return;
  if (issue.line !== undefined && !(Number.isInteger(issue.line) && issue.line >= 1))
    findings.push({ kind: 'malformed-result', detail: `line ${issue.line}` });
  if (issue.severity !== 'error') return;
  // At the root of a one-resource file the path is empty: the message then names the fields it expected,
  // or (the model's errors, mapped back to the input) the topology field in brackets.
  if (
    issue.path.length === 0 &&
    !WHOLE_FILE.test(issue.message) &&
    !/\bexpected [A-Za-z]+[.[]|\bneither \w+ nor|\(topology field [^)]+\)$/.test(issue.message)
  )
    findings.push({ kind: 'nameless-error', detail: issue.message.slice(0, 200) });
  // The model's own messages (mapped back, "(topology field …)") are the loader's business, not the importers'.
  if (!FIX.test(issue.message) && !/\(topology field [^)]+\)$/.test(issue.message))
    findings.push({ kind: 'error-without-fix', detail: issue.message.slice(0, 200) });
}

/** Strings stored under sharedKey / PSK / siteKey that appear nowhere else in the input: they must never be shown. */
export function secretsOf(values: readonly Json[]): string[] {
  const secrets = new Set<string>();
  const others = new Set<string>();
  const stack: { value: Json; secret: boolean }[] = values.map((value) => ({ value, secret: false }));
  let visited = 0;
  while (stack.length > 0 && visited++ < 2_000_000) {
    const { value, secret } = stack.pop() as { value: Json; secret: boolean };
    if (typeof value === 'string') (secret ? secrets : others).add(value);
    else if (Array.isArray(value)) for (const item of value) stack.push({ value: item as Json, secret });
    else if (value !== null && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) {
        others.add(key);
        stack.push({ value: item as Json, secret: /^(sharedkey|psk|sitekey)$/i.test(key) });
      }
  }
  // A secret also found in a field shown by design (a mutation moved it there, or it is a site's name
  // with a space added) is no secret any more: messages quote that field.
  const shown = [...others];
  return [...secrets].filter((secret) => {
    const core = secret.trim();
    return core.length >= 8 && !shown.some((text) => text.includes(core));
  });
}

function nonFinite(value: unknown, path: string, depth = 0): string | undefined {
  if (depth > 64) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path} = ${value}`;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nonFinite(item, `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = nonFinite(item, `${path}.${key}`, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function timed<T>(clock: () => number, run: () => T): { value: T | undefined; thrown: unknown; ms: number } {
  const start = clock();
  try {
    return { value: run(), thrown: undefined, ms: clock() - start };
  } catch (thrown) {
    return { value: undefined, thrown: thrown ?? 'undefined thrown', ms: clock() - start };
  }
}

export function checkImport(importCase: ImportCase, clock: () => number): ImportVerdict {
  const findings: ImportFinding[] = [];
  const { value: run, thrown, ms } = timed(clock, () => runPipeline(importCase));
  if (ms > SLOW_MS) {
    // Twice in a row, so a garbage-collection pause in a long run is not reported.
    const again = timed(clock, () => runPipeline(importCase)).ms;
    if (again > SLOW_MS) {
      const size = importCase.files.reduce((n, file) => n + file.text.length, 0);
      findings.push({ kind: 'slow', detail: `${Math.round(Math.min(ms, again))} ms for ${size} characters` });
    }
  }
  if (run === undefined) {
    findings.push({ kind: 'exception', detail: describeThrown(thrown) });
    return {
      ok: false,
      notJson: false,
      errorCount: 0,
      ms,
      findings,
      summary: `exception ${describeThrown(thrown).slice(0, 60)}`,
    };
  }
  for (const line of run.lines) {
    if (line.length > LINE_LIMIT)
      findings.push({
        kind: 'line-echoes-input',
        detail: `${line.length}-character line: ${line.slice(0, 120)}…`,
      });
  }
  if (run.result === undefined) {
    for (const line of run.parseErrors) checkMessage(line, findings);
    return {
      ok: false,
      notJson: true,
      errorCount: run.parseErrors.length,
      ms,
      findings,
      summary: 'not JSON',
    };
  }
  const { result } = run;
  for (const issue of run.issues) checkIssue(issue, findings);
  const secrets = secretsOf(run.parsed.map((file) => file.value));
  if (secrets.length > 0) {
    const shown = [...run.lines, result.ok ? result.yaml : ''].join('\n');
    const leaked = secrets.find((secret) => shown.includes(secret));
    if (leaked !== undefined)
      findings.push({
        kind: 'secret-leaked',
        detail: `a pre-shared key (${leaked.length} characters) is printed`,
      });
  }
  const errors = run.issues.filter((issue) => issue.severity === 'error');
  if (result.ok) {
    if (errors.length > 0) findings.push({ kind: 'malformed-result', detail: 'accepted with errors' });
    const reloaded = loadTopology(result.yaml);
    if (!reloaded.ok) {
      findings.push({
        kind: 'accepted-invalid',
        detail: `the YAML does not load: ${reloaded.errors[0]?.message.slice(0, 200)}`,
      });
    } else if (JSON.stringify(reloaded.topology) !== JSON.stringify(result.topology)) {
      findings.push({
        kind: 'accepted-invalid',
        detail: 'the YAML loads into another topology than the one returned',
      });
    }
    const infinite = nonFinite(result.topology, 'topology');
    if (infinite !== undefined) findings.push({ kind: 'unbounded-value-accepted', detail: infinite });
    return { ok: true, notJson: false, errorCount: 0, ms, findings, summary: `${importCase.importer} ok` };
  }
  if (errors.length === 0) findings.push({ kind: 'malformed-result', detail: 'refused without an error' });
  const first = errors[0];
  const summary = first
    ? `${importCase.importer} ${first.source === 'command line' ? 'option' : 'file'} ${normalise(first.path.join('.')).slice(0, 80) || '(file)'}: ${normalise(first.message).slice(0, 60)}`
    : 'refused';
  return { ok: false, notJson: false, errorCount: errors.length, ms, findings, summary };
}
