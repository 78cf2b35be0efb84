/**
 * The loaders' text limits (model/text-limits.ts: nesting deeper than 64 levels,
 * more than 8 MiB) applied to Azure's JSON files, before anything walks them:
 * on the text, when the importer is given one (`parseImportText`), and on the
 * parsed value, whoever parsed it (`importArm`, `importVpnConfig`). A refused
 * file gets one whole-file error naming the limit and what to do. Everything
 * here is linear and iterative. Platform-free.
 */
import { MAX_NESTING, MAX_TEXT_BYTES } from '../model/text-limits.ts';
import type { ImportIssue, Json } from './reader.ts';

export { MAX_NESTING, MAX_TEXT_BYTES };

/** Nesting of JSON text: brackets outside strings. Linear, stops counting past 10,001. */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length && max <= 10_000; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return max;
}

function levels(depth: number): string {
  return depth > 10_000 ? 'more than 10,000' : depth.toLocaleString('en-US');
}

function mib(characters: number): string {
  return (characters / 2 ** 20).toFixed(1);
}

const NESTING_FIX = `at most ${MAX_NESTING} are accepted (Azure's files nest about 10)`;
const SIZE_FIX = `files over ${MAX_TEXT_BYTES / 2 ** 20} MiB are refused (a full-size hub exports to a few MB); export only the hub's resources`;

/** Why a file's text is refused before it is parsed, or undefined. */
export function textLimitProblem(text: string): string | undefined {
  if (text.length > MAX_TEXT_BYTES) return `the file is ${mib(text.length)} MiB; ${SIZE_FIX}`;
  const depth = jsonNestingDepth(text);
  if (depth > MAX_NESTING) return `the file nests too deeply (${levels(depth)} levels); ${NESTING_FIX}`;
  return undefined;
}

/**
 * The same limits on a value someone else parsed: its nesting depth, and its
 * size as JSON text would have it (keys and strings by length, one character for
 * each other value and separator — a lower bound, so nothing a file of 8 MiB
 * could hold is refused). Iterative, stops early.
 */
export function valueLimitProblem(value: Json): string | undefined {
  const stack: { value: Json; depth: number }[] = [{ value, depth: 0 }];
  let size = 0;
  let deepest = 0;
  while (stack.length > 0) {
    const { value: node, depth } = stack.pop() as { value: Json; depth: number };
    size += 1;
    if (typeof node === 'string') size += node.length;
    else if (node !== null && typeof node === 'object') {
      if (depth + 1 > deepest) deepest = depth + 1;
      if (deepest > MAX_NESTING)
        return `the file nests too deeply (more than ${MAX_NESTING} levels); ${NESTING_FIX}`;
      if (Array.isArray(node))
        for (const item of node as readonly Json[]) stack.push({ value: item, depth: depth + 1 });
      else
        for (const [key, item] of Object.entries(node)) {
          size += key.length + 3;
          stack.push({ value: item, depth: depth + 1 });
        }
    }
    if (size > MAX_TEXT_BYTES)
      return `the file holds over ${MAX_TEXT_BYTES / 2 ** 20} MiB of JSON; ${SIZE_FIX}`;
  }
  return undefined;
}

/**
 * A file's text to JSON the way the importers want it: a UTF-8 BOM dropped,
 * the limits checked first, then `JSON.parse`; a failure is one whole-file issue
 * (`file:line:column: not valid JSON: …`) that quotes nothing of the input.
 */
export function parseImportText(
  source: string,
  text: string,
): { ok: true; value: Json; text: string } | { ok: false; issue: ImportIssue } {
  const clean = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const problem = textLimitProblem(clean);
  if (problem !== undefined)
    return { ok: false, issue: { severity: 'error', source, path: [], message: problem } };
  try {
    return { ok: true, value: JSON.parse(clean) as Json, text: clean };
  } catch (thrown) {
    const raw = thrown instanceof Error ? thrown.message : String(thrown);
    // V8: `Unexpected token '}', "…snippet…" is not valid JSON` / `… in JSON at position 12 (line 2 column 3)`.
    const why = raw
      .replace(/,? ".*" is not valid JSON$/s, '')
      .replace(/ in JSON at position \d+.*$/s, '')
      .slice(0, 120);
    const position = /position (\d+)/.exec(raw);
    let line: number | undefined;
    let column: number | undefined;
    if (position !== null) {
      const before = clean.slice(0, Number(position[1]));
      line = before.split('\n').length;
      column = before.length - before.lastIndexOf('\n');
    }
    return {
      ok: false,
      issue: {
        severity: 'error',
        source,
        path: [],
        message: `not valid JSON: ${why}; check the file is the JSON Azure wrote (az … -o json, or the portal's download)`,
        ...(line === undefined ? {} : { line, column }),
      },
    };
  }
}
