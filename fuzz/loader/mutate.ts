/**
 * Mutations of topology and scenario files (YAML, or JSON — which is YAML 1.2):
 * line edits (delete, duplicate — hence duplicate keys —, swap, re-indent),
 * values swapped between fields or replaced by troublemakers (huge numbers,
 * NaN/Infinity, wrong types, tags, very long strings), anchors and aliases up to
 * a billion laughs, nesting thousands of levels deep, stray characters,
 * truncation, splicing, and value-level edits of the parsed document written
 * back as YAML or JSON.
 */
import { parse, stringify } from 'yaml';
import type { Rng } from '../../src/sim/rng.ts';

export type TextMutation = (text: string, rng: Rng, pick: () => string) => string | undefined;

function choose<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

/** Values a careless or hostile file might hold where a field's value goes. */
const TROUBLE_VALUES = [
  '1e308',
  '1e309',
  '-1e309',
  '.nan',
  '.NaN',
  '.inf',
  '-.inf',
  'NaN',
  'Infinity',
  '9007199254740993',
  '18446744073709551616',
  '4294967296',
  '-1',
  '0',
  '-0',
  '0.5',
  '1.0',
  '0x1F',
  '0o17',
  '1_000',
  '2001-12-14',
  'null',
  '~',
  'true',
  'yes',
  'off',
  '[]',
  '{}',
  '[1, [2, [3]]]',
  '{ a: 1 }',
  '""',
  "''",
  '!!binary aGVsbG8=',
  '!!str 5',
  '!!float 1',
  '!!int 1.5',
  '!!js/function "x"',
  '!custom x',
  '*undefinedAlias',
  '"\\u0000"',
  '"\\x7f\\t"',
  '名前',
  '🙂',
  'IN_2',
  'Instance0',
  'instance0',
  '10.0.0.0/33',
  '256.1.1.1',
  '10.0.0.1/24',
  '169.254.21.1',
  '65515',
  '23456',
  '4294967295',
  '1s',
  '1e300s',
  '99999999999999999999h',
  '-5m',
  'fail IN_0 at',
  'reset tunnel x@IN_9 at 1s',
];

const STRAY = [
  ':',
  '-',
  '- ',
  '{',
  '}',
  '[',
  ']',
  '"',
  "'",
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  ',',
  '?',
  '\t',
  '\r\n',
  '\r',
  '\0',
  '\uFEFF',
  '\u2028',
  '---\n',
  '...\n',
];

/** A `key: value` line: where its value starts, or undefined. */
function valueStart(line: string): number | undefined {
  const match = /^(\s*(?:- )?[\w$-]+:\s)\s*\S/.exec(line);
  if (match?.[1] !== undefined) return match[1].length;
  const item = /^(\s*- )\S/.exec(line);
  return item?.[1]?.length;
}

function lines(text: string): string[] {
  return text.split('\n');
}

const deleteLine: TextMutation = (text, rng) => {
  const all = lines(text);
  if (all.length < 2) return undefined;
  all.splice(rng.int(all.length), 1);
  return all.join('\n');
};

const duplicateLine: TextMutation = (text, rng) => {
  const all = lines(text);
  const at = rng.int(all.length);
  all.splice(at, 0, all[at] ?? '');
  return all.join('\n');
};

const swapLines: TextMutation = (text, rng) => {
  const all = lines(text);
  const i = rng.int(all.length);
  const j = rng.int(all.length);
  const a = all[i] ?? '';
  all[i] = all[j] ?? '';
  all[j] = a;
  return all.join('\n');
};

const reindent: TextMutation = (text, rng) => {
  const all = lines(text);
  const at = rng.int(all.length);
  const line = all[at] ?? '';
  const shift = choose(rng, [-4, -2, -1, 1, 2, 4]);
  all[at] = shift > 0 ? `${' '.repeat(shift)}${line}` : line.replace(new RegExp(`^ {1,${-shift}}`), '');
  if (rng.int(8) === 0) all[at] = `\t${line.trimStart()}`;
  return all.join('\n');
};

const swapValues: TextMutation = (text, rng) => {
  const all = lines(text);
  const candidates = all
    .map((line, i) => [i, valueStart(line)] as const)
    .filter(([, start]) => start !== undefined);
  if (candidates.length < 2) return undefined;
  const [i, si] = choose(rng, candidates);
  const [j, sj] = choose(rng, candidates);
  const a = all[i] ?? '';
  const b = all[j] ?? '';
  all[i] = a.slice(0, si) + b.slice(sj);
  all[j] = b.slice(0, sj) + a.slice(si);
  return all.join('\n');
};

const replaceValue: TextMutation = (text, rng) => {
  const all = lines(text);
  const candidates = all
    .map((line, i) => [i, valueStart(line)] as const)
    .filter(([, start]) => start !== undefined);
  if (candidates.length === 0) return undefined;
  const [i, start] = choose(rng, candidates);
  const value =
    rng.int(12) === 0 ? 'x'.repeat(choose(rng, [81, 1000, 100_000])) : choose(rng, TROUBLE_VALUES);
  all[i] = (all[i] ?? '').slice(0, start) + value;
  return all.join('\n');
};

const anchorAndAlias: TextMutation = (text, rng) => {
  const all = lines(text);
  const candidates = all
    .map((line, i) => [i, valueStart(line)] as const)
    .filter(([, start]) => start !== undefined);
  if (candidates.length < 2) return undefined;
  const [i, si] = choose(rng, candidates);
  const [j, sj] = choose(rng, candidates);
  const a = all[i] ?? '';
  all[i] = `${a.slice(0, si)}&anchor ${a.slice(si)}`;
  all[j] = `${(all[j] ?? '').slice(0, sj)}*anchor`;
  return all.join('\n');
};

/** Nine levels of nine aliases: 387 million strings if expanded. */
const BILLION_LAUGHS = [
  'lol0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 8 }, (_, k) => `lol${k + 1}: &a${k + 1} [${Array(9).fill(`*a${k}`).join(',')}]`),
].join('\n');

const billionLaughs: TextMutation = (text, rng) => {
  if (rng.int(2) === 0) return `${BILLION_LAUGHS}\n${text}`;
  // Aliases inside a field the schema reads, so a loader that expands them would walk them all.
  const all = lines(text);
  const candidates = all
    .map((line, i) => [i, valueStart(line)] as const)
    .filter(([, start]) => start !== undefined);
  if (candidates.length === 0) return undefined;
  const [i, start] = choose(rng, candidates);
  all[i] = `${(all[i] ?? '').slice(0, start)}*a8`;
  return `${BILLION_LAUGHS}\n${all.join('\n')}`;
};

export function deepFlow(levels: number, open = '[', close = ']'): string {
  return `${open.repeat(levels)}1${close.repeat(levels)}`;
}

export function deepBlock(levels: number): string {
  return Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}a:`).join('\n');
}

const deepNesting: TextMutation = (text, rng) => {
  const levels = choose(rng, [64, 200, 1000, 10_000]);
  const nested = rng.int(3) === 0 ? deepFlow(levels, '{a: ', '}') : deepFlow(levels);
  const all = lines(text);
  const candidates = all
    .map((line, i) => [i, valueStart(line)] as const)
    .filter(([, start]) => start !== undefined);
  if (candidates.length === 0 || rng.int(4) === 0) return nested;
  const [i, start] = choose(rng, candidates);
  all[i] = (all[i] ?? '').slice(0, start) + nested;
  return all.join('\n');
};

const strayCharacters: TextMutation = (text, rng) => {
  const at = rng.int(text.length + 1);
  const count = 1 + rng.int(3);
  let inserted = '';
  for (let k = 0; k < count; k++)
    inserted += rng.int(4) === 0 ? String.fromCharCode(rng.int(0x3000)) : choose(rng, STRAY);
  return text.slice(0, at) + inserted + text.slice(at);
};

const truncate: TextMutation = (text, rng) =>
  text.length < 2 ? undefined : text.slice(0, rng.int(text.length));

const splice: TextMutation = (text, rng, pick) => {
  const other = pick();
  return text.slice(0, rng.int(text.length + 1)) + other.slice(rng.int(other.length + 1));
};

const repeatItem: TextMutation = (text, rng) => {
  const all = lines(text);
  const items = all.map((line, i) => [i, line] as const).filter(([, line]) => /^\s*- /.test(line));
  if (items.length === 0) return undefined;
  const [i, line] = choose(rng, items);
  all.splice(i, 0, ...Array<string>(choose(rng, [10, 100, 1000])).fill(line));
  return all.join('\n');
};

// --- value-level edits of the parsed document ------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TROUBLE_JSON: readonly Json[] = [
  null,
  true,
  0,
  -1,
  0.5,
  1e308,
  -1e308,
  4294967296,
  2 ** 53 + 2,
  '',
  'IN_0',
  'x'.repeat(300),
  [],
  {},
  [[[[[]]]]],
  { unexpected: 1 },
];

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A random container on a random path from the root, with the key or index chosen inside it. */
function randomSlot(
  root: Json,
  rng: Rng,
): { container: Json[] | { [key: string]: Json }; key: string | number } | undefined {
  let node = root;
  let slot: { container: Json[] | { [key: string]: Json }; key: string | number } | undefined;
  for (let depth = 0; depth < 12; depth++) {
    if (Array.isArray(node)) {
      if (node.length === 0) break;
      const index = rng.int(node.length);
      slot = { container: node, key: index };
      node = node[index] ?? null;
    } else if (isObject(node)) {
      const keys = Object.keys(node);
      if (keys.length === 0) break;
      const key = choose(rng, keys);
      slot = { container: node, key };
      node = node[key] ?? null;
    } else break;
    if (rng.int(4) === 0) break;
  }
  return slot;
}

function get(slot: { container: Json[] | { [key: string]: Json }; key: string | number }): Json {
  return Array.isArray(slot.container)
    ? (slot.container[slot.key as number] ?? null)
    : (slot.container[slot.key as string] ?? null);
}

function set(
  slot: { container: Json[] | { [key: string]: Json }; key: string | number },
  value: Json | undefined,
): void {
  if (Array.isArray(slot.container)) {
    if (value === undefined) slot.container.splice(slot.key as number, 1);
    else slot.container[slot.key as number] = value;
  } else if (value === undefined) delete slot.container[slot.key as string];
  else slot.container[slot.key as string] = value;
}

const valueLevel: TextMutation = (text, rng) => {
  let root: Json;
  try {
    root = parse(text, { maxAliasCount: 0, logLevel: 'silent' }) as Json;
  } catch {
    return undefined;
  }
  const slot = randomSlot(root, rng);
  if (slot === undefined) return undefined;
  const current = get(slot);
  switch (rng.int(6)) {
    case 0:
      set(slot, undefined);
      break;
    case 1:
      set(slot, choose(rng, TROUBLE_JSON));
      break;
    case 2: {
      const other = randomSlot(root, rng);
      if (other) {
        set(slot, get(other));
        set(other, current);
      }
      break;
    }
    case 3:
      // Lists grown (a site repeated a thousand times) only from small ones, so documents stay in the megabytes.
      set(
        slot,
        Array.isArray(current) && current.length <= 50
          ? current.concat(...Array<Json[]>(choose(rng, [2, 50, 1000])).fill(current))
          : [current],
      );
      break;
    case 4:
      set(slot, isObject(current) ? [current] : { value: current });
      break;
    default:
      if (isObject(current)) {
        // defineProperty, so "__proto__" becomes a key in the file rather than this object's prototype.
        Object.defineProperty(
          current,
          choose(rng, ['extra', 'Name', 'name ', 'asn', '__proto__', 'constructor']),
          {
            value: choose(rng, TROUBLE_JSON),
            enumerable: true,
            writable: true,
            configurable: true,
          },
        );
      } else set(slot, choose(rng, TROUBLE_JSON));
  }
  // Written back as YAML or as JSON (JSON.stringify turns Infinity into null, YAML keeps .inf);
  // a document nested deeper than the stack allows cannot be written back, so it is left alone.
  try {
    return rng.int(3) === 0 ? JSON.stringify(root, null, rng.int(2) === 0 ? 2 : 0) : stringify(root);
  } catch {
    return undefined;
  }
};

const toJson: TextMutation = (text) => {
  try {
    return JSON.stringify(parse(text, { maxAliasCount: 0, logLevel: 'silent' }));
  } catch {
    return undefined;
  }
};

export const TEXT_MUTATIONS: Readonly<Record<string, TextMutation>> = {
  deleteLine,
  duplicateLine,
  swapLines,
  reindent,
  swapValues,
  replaceValue,
  anchorAndAlias,
  billionLaughs,
  deepNesting,
  strayCharacters,
  truncate,
  splice,
  repeatItem,
  valueLevel,
  toJson,
};

const WEIGHTED = [
  ...Object.keys(TEXT_MUTATIONS),
  'replaceValue',
  'replaceValue',
  'valueLevel',
  'valueLevel',
  'valueLevel',
  'swapValues',
  'deleteLine',
  'duplicateLine',
];

/** Inputs stay below 4 MiB: the huge-file cases are measured separately (bench/fuzz-loader.ts). */
export const MAX_TEXT_LENGTH = 4 * 1024 * 1024;

export interface MutateOptions {
  /** Mutations not to use (the quick test leaves out deepNesting: see docs/RELIABILITY.md, loader finding 1). */
  readonly exclude?: readonly string[];
  readonly maxLength?: number;
}

export function mutateText(
  text: string,
  rng: Rng,
  pick: () => string,
  options: MutateOptions = {},
): { text: string; applied: string[] } {
  let current = text;
  const applied: string[] = [];
  const names = options.exclude ? WEIGHTED.filter((name) => !options.exclude?.includes(name)) : WEIGHTED;
  const maxLength = options.maxLength ?? MAX_TEXT_LENGTH;
  const rounds = 1 + (rng.int(2) === 0 ? 0 : rng.int(4));
  for (let round = 0; round < rounds; round++) {
    const name = choose(rng, names);
    const next = TEXT_MUTATIONS[name]?.(current, rng, pick);
    if (next === undefined || next.length > maxLength) continue;
    current = next;
    applied.push(name);
  }
  return { text: current, applied };
}
