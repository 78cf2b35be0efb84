/**
 * From text (YAML or JSON) or an already-parsed value to a validated, normalised
 * Topology — or the list of everything wrong with it, each issue with its field
 * path and, for text, its line and column. Never throws on any input.
 * Platform-free: loadTopologyFile (node:fs) lives in load-file.ts.
 */
import { type Alias, type Document, LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
import { error, type TopologyIssue, warning } from './issues.ts';
import { normaliseTopology } from './normalise.ts';
import { type Topology, TopologySchema } from './schema.ts';
import { friendlyMessage, schemaIssues } from './schema-issues.ts';
import { offsetOf, rangeStart } from './source-position.ts';
import { textLimitProblem } from './text-limits.ts';
import { crossCheck } from './validate.ts';

export type LoadResult =
  | { readonly ok: true; readonly topology: Topology; readonly warnings: readonly TopologyIssue[] }
  | {
      readonly ok: false;
      readonly errors: readonly TopologyIssue[];
      readonly warnings: readonly TopologyIssue[];
    };

const TOP_LEVEL_FIELDS = 'virtualHub, vnets, vpnGateway, vpnSites and vpnConnections';

function failed(errors: readonly TopologyIssue[], warnings: readonly TopologyIssue[] = []): LoadResult {
  return { ok: false, errors, warnings };
}

function describeThrown(thrown: unknown): string {
  const text = thrown instanceof Error ? thrown.message : String(thrown);
  return text.split('\n')[0] ?? text;
}

/** The yaml library's words, minus advice aimed at its API users. */
function yamlErrorText(yamlError: YAMLError, source: string): string {
  if (yamlError.code === 'MULTIPLE_DOCS') {
    return 'the file holds more than one YAML document (---); a topology is one';
  }
  if (yamlError.code === 'DUPLICATE_KEY') {
    const key =
      source
        .slice(yamlError.pos[0], yamlError.pos[0] + 200)
        .split(/[:\n]/)[0]
        ?.trim() ?? '';
    const shown = key.length > 60 ? `${key.slice(0, 57)}...` : key;
    return `the key ${JSON.stringify(shown)} appears twice in one mapping; write each field once`;
  }
  const text = describeThrown(yamlError);
  if (/call stack/i.test(text)) return 'the file nests too deeply to read';
  return text;
}

function unresolvedAlias(document: Document): Alias | undefined {
  let found: Alias | undefined;
  visit(document, {
    Alias(_, alias) {
      if (alias.resolve(document) !== undefined) return undefined;
      found = alias;
      return visit.BREAK;
    },
  });
  return found;
}

/** Validates a value already parsed from YAML/JSON (or built in code) and normalises it. */
export function parseTopology(value: unknown): LoadResult {
  if (value === undefined || value === null) {
    return failed([error([], `the topology is empty; it needs ${TOP_LEVEL_FIELDS}`)]);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    const found = Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    return failed([error([], `the topology must be a mapping of ${TOP_LEVEL_FIELDS}, not ${found}`)]);
  }
  const parsed = TopologySchema.safeParse(value, { reportInput: true, error: friendlyMessage });
  if (!parsed.success) return failed(schemaIssues(TopologySchema, parsed.error.issues));
  const issues = crossCheck(parsed.data);
  const errors = issues.filter((issue) => issue.severity === 'error');
  const warnings = issues.filter((issue) => issue.severity === 'warning');
  if (errors.length > 0) return failed(errors, warnings);
  return { ok: true, topology: normaliseTopology(parsed.data), warnings };
}

/** Parses YAML or JSON text (JSON is YAML 1.2) and validates it; issues carry line:column. */
export function loadTopology(text: string): LoadResult {
  const tooMuch = textLimitProblem(text);
  if (tooMuch) return failed([error([], tooMuch)]);
  const lineCounter = new LineCounter();
  let document: ReturnType<typeof parseDocument>;
  try {
    document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  } catch (thrown) {
    return failed([error([], `cannot parse the file: ${describeThrown(thrown)}`)]);
  }
  const at = (offset: number) => {
    const position = lineCounter.linePos(offset);
    return { line: Math.max(1, position.line), column: Math.max(1, position.col) };
  };
  const yamlWarnings = document.warnings.map((yamlWarning) => ({
    ...warning([], `YAML: ${describeThrown(yamlWarning)}`),
    ...at(yamlWarning.pos[0]),
  }));
  if (document.errors.length > 0) {
    const errors = document.errors.map((yamlError) => ({
      ...error([], `YAML syntax error: ${yamlErrorText(yamlError, text)}`),
      ...at(yamlError.pos[0]),
    }));
    return failed(errors, yamlWarnings);
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (thrown) {
    const alias = unresolvedAlias(document);
    if (alias !== undefined) {
      const message = `YAML: the alias *${alias.source} refers to no anchor &${alias.source} defined before it`;
      const offset = rangeStart(alias);
      return failed([{ ...error([], message), ...(offset === undefined ? {} : at(offset)) }], yamlWarnings);
    }
    return failed([error([], `cannot read the file: ${describeThrown(thrown)}`)], yamlWarnings);
  }
  const result = parseTopology(value);
  const locate = (issue: TopologyIssue): TopologyIssue => {
    const offset = offsetOf(document.contents, issue.path);
    return offset === undefined ? issue : { ...issue, ...at(offset) };
  };
  const warnings = [...yamlWarnings, ...result.warnings.map(locate)].sort(byPosition);
  if (!result.ok) return failed(result.errors.map(locate).sort(byPosition), warnings);
  return { ok: true, topology: result.topology, warnings };
}

/** File order; issues without a position (whole-file ones) first. Array.prototype.sort is stable. */
function byPosition(a: TopologyIssue, b: TopologyIssue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}
