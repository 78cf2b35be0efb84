/**
 * Mutations of Azure's JSON files and of the import options. Text edits come
 * from the loader fuzzer (lines deleted, duplicated, swapped, stray characters,
 * truncation, splicing); the rest work on the parsed JSON and write it back:
 * values deleted, swapped, taken from another file, or replaced by troublemakers
 * (huge and non-finite numbers, wrong types, huge strings, bad CIDRs and IPs,
 * ids with broken segments or percent-encoding, unsupported or pathological ARM
 * expressions, exponentially growing template variables), keys renamed (case,
 * spaces, `__proto__`), duplicate keys (in the text: JSON.parse keeps the last),
 * the same key twice in different case, lists repeated, values nested thousands
 * of levels deep, and numbers in the text no double holds (1e400).
 */
import type { Rng } from '../../src/sim/rng.ts';
import { deepFlow, TEXT_MUTATIONS } from '../loader/mutate.ts';
import type { ImportCase, ImportFile } from './seeds.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };
interface Slot {
  readonly container: Container;
  readonly key: string | number;
}

function choose<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ID =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network';

/** Values a careless export, a newer API version or a hostile file might hold anywhere. */
const TROUBLE: readonly Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  -0,
  1e308,
  -1e308,
  2 ** 53 + 2,
  4294967296,
  65515,
  23456,
  '',
  ' ',
  '  branch1  ',
  'x'.repeat(81),
  'x'.repeat(1000),
  '65010',
  ' 65010 ',
  '1e3',
  '0x10',
  'true',
  'TRUE',
  '10.0.0.0/33',
  '10.0.0.1/24',
  '256.1.1.1',
  '169.254.21.1',
  '169.254.22.255',
  '0.0.0.0',
  'Instance0',
  'Instance2',
  'IN_0',
  'instance1',
  'Default',
  'ResponderOnly',
  'responderonly',
  'IKEv1',
  '名前',
  '🙂',
  '\u0000',
  'line\nbreak',
  'carriage\rreturn',
  'separator\u2028here',
  '%E0%A4%A',
  `${ID}/vpnSites/%zz`,
  `${ID}/vpnSites/branch1/vpnSiteLinks/`,
  `${ID}/vpnSites`,
  `${ID}/virtualNetworks/spoke1/extra`,
  '/providers/',
  "[parameters('nope')]",
  "[variables('nope')]",
  "[reference('x').properties]",
  '[copyIndex()]',
  "[concat('a', 'b')]",
  "[format('{0}-{1}', 'a')]",
  "[resourceId('Microsoft.Network/vpnSites')]",
  "[int('x')]",
  '[createArray(1, 2)[5]]',
  '[[not an expression]',
  '[',
  '[]',
  "['unclosed]",
  '[concat(]',
  [],
  {},
  [[[[[]]]]],
  { unexpected: 1 },
  { id: 'x' },
  { id: null },
];

function randomSlot(root: Json, rng: Rng, depthLimit = 14): Slot | undefined {
  let node = root;
  let slot: Slot | undefined;
  for (let depth = 0; depth < depthLimit; depth++) {
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
    // Stop early now and then, so shallow fields get their share.
    if (rng.int(5) === 0) break;
  }
  return slot;
}

function get(slot: Slot): Json {
  return Array.isArray(slot.container)
    ? (slot.container[slot.key as number] ?? null)
    : (slot.container[slot.key as string] ?? null);
}

function set(slot: Slot, value: Json | undefined): void {
  if (Array.isArray(slot.container)) {
    if (value === undefined) slot.container.splice(slot.key as number, 1);
    else slot.container[slot.key as number] = value;
  } else if (value === undefined) delete slot.container[slot.key as string];
  else define(slot.container, slot.key as string, value);
}

/** defineProperty, so "__proto__" becomes a key in the file rather than an object's prototype. */
function define(object: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A random string value somewhere in the document (ids, names, IPs …). */
function randomStringSlot(root: Json, rng: Rng): Slot | undefined {
  for (let tries = 0; tries < 20; tries++) {
    const slot = randomSlot(root, rng);
    if (slot !== undefined && typeof get(slot) === 'string') return slot;
  }
  return undefined;
}

function editString(text: string, rng: Rng): string {
  const parts = text.split('/');
  switch (rng.int(12)) {
    case 0:
      // An id segment renamed, dropped or doubled.
      if (parts.length > 2)
        parts[rng.int(parts.length)] = choose(rng, ['', 'x', 'branch9', 'VPNSITES', '%41', '%']);
      return parts.join('/');
    case 1:
      return parts.slice(0, -1).join('/');
    case 2:
      return `${text}/${choose(rng, ['x', 'vpnSiteLinks/l1', '', '..'])}`;
    case 3:
      return text.toUpperCase();
    case 4:
      return ` ${text} `;
    case 5:
      return text.replace(/\d+/, () => String(choose(rng, [0, 255, 256, 999, 4294967296])));
    case 6:
      return text.replace(/\/\d+$/, `/${choose(rng, [0, 8, 24, 32, 33, 99])}`);
    case 7:
      return encodeURIComponent(text);
    case 8:
      return `[concat('${text.replace(/'/g, "''")}', '')]`;
    case 9:
      return text.repeat(choose(rng, [2, 100]));
    case 10:
      return `${text}${choose(rng, ['\u0000', '\n', '"', "'", '\\', '\u202e', '%'])}`;
    default:
      return text.slice(0, rng.int(text.length + 1));
  }
}

/** `[concat(concat(… 'a' …))]`: nesting the expression parser must bound. */
export function deepExpression(levels: number): string {
  return `[${'concat('.repeat(levels)}'a'${')'.repeat(levels)}]`;
}

/**
 * Template variables that double (or quadruple) at each level: evaluated
 * naively, `v{levels}` is 4^levels copies of the first.
 */
export function exponentialVariables(levels: number, fanOut = 4): Record<string, string> {
  const variables: Record<string, string> = { v0: 'abcdefghij' };
  for (let i = 1; i <= levels; i++) {
    variables[`v${i}`] = `[concat(${Array(fanOut)
      .fill(`variables('v${i - 1}')`)
      .join(', ')})]`;
  }
  return variables;
}

type JsonMutation = (root: Json, rng: Rng, other: () => Json) => Json | undefined;

const JSON_MUTATIONS: Readonly<Record<string, JsonMutation>> = {
  remove(root, rng) {
    const slot = randomSlot(root, rng);
    if (slot === undefined) return undefined;
    set(slot, undefined);
    return root;
  },
  trouble(root, rng) {
    const slot = randomSlot(root, rng);
    if (slot === undefined) return undefined;
    set(slot, structuredClone(choose(rng, TROUBLE)));
    return root;
  },
  hugeString(root, rng) {
    const slot = rng.int(2) === 0 ? randomStringSlot(root, rng) : randomSlot(root, rng);
    if (slot === undefined) return undefined;
    set(slot, choose(rng, ['x', 'é', ' ', '/', '[']).repeat(choose(rng, [10_000, 100_000, 1_000_000])));
    return root;
  },
  editString(root, rng) {
    const slot = randomStringSlot(root, rng);
    if (slot === undefined) return undefined;
    set(slot, editString(get(slot) as string, rng));
    return root;
  },
  swap(root, rng) {
    const a = randomSlot(root, rng);
    const b = randomSlot(root, rng);
    if (a === undefined || b === undefined) return undefined;
    const value = get(a);
    set(a, get(b));
    set(b, value);
    return root;
  },
  transplant(root, rng, other) {
    const slot = randomSlot(root, rng);
    const donor = randomSlot(other(), rng);
    if (slot === undefined || donor === undefined) return undefined;
    set(slot, structuredClone(get(donor)));
    return root;
  },
  repeatList(root, rng) {
    for (let tries = 0; tries < 20; tries++) {
      const slot = randomSlot(root, rng);
      const value = slot === undefined ? undefined : get(slot);
      if (slot !== undefined && Array.isArray(value) && value.length > 0 && value.length <= 50) {
        const times = choose(rng, [2, 10, 300]);
        // Only what stays within the size limit: repeating megabyte strings would take minutes to write out.
        if (JSON.stringify(value).length * times > MAX_IMPORT_TEXT) return undefined;
        set(slot, Array.from({ length: times }, () => structuredClone(value)).flat());
        return root;
      }
    }
    return undefined;
  },
  wrap(root, rng) {
    const slot = randomSlot(root, rng);
    if (slot === undefined) return undefined;
    const value = get(slot);
    set(slot, rng.int(2) === 0 ? [value] : { properties: value });
    return root;
  },
  renameKey(root, rng) {
    for (let tries = 0; tries < 20; tries++) {
      const slot = randomSlot(root, rng);
      if (slot === undefined || Array.isArray(slot.container)) continue;
      const key = slot.key as string;
      const renamed = choose(rng, [
        key.toUpperCase(),
        key.toLowerCase(),
        `${key} `,
        `${key}s`,
        key.slice(1),
        '__proto__',
        'constructor',
        'toString',
        'hasOwnProperty',
        'x'.repeat(10_000),
      ]);
      const value = get(slot);
      delete slot.container[key];
      define(slot.container, renamed, value);
      return root;
    }
    return undefined;
  },
  caseTwin(root, rng) {
    // The same key twice, differing only in case: Azure matches keys case-insensitively.
    for (let tries = 0; tries < 20; tries++) {
      const slot = randomSlot(root, rng);
      if (slot === undefined || Array.isArray(slot.container)) continue;
      const key = slot.key as string;
      const twin = key === key.toLowerCase() ? key.toUpperCase() : key.toLowerCase();
      if (twin === key) continue;
      define(
        slot.container,
        twin,
        rng.int(2) === 0 ? structuredClone(get(slot)) : structuredClone(choose(rng, TROUBLE)),
      );
      return root;
    }
    return undefined;
  },
  deepValue(root, rng) {
    const slot = randomSlot(root, rng);
    if (slot === undefined) return undefined;
    const levels = choose(rng, [63, 64, 65, 200, 5000]);
    let value: Json = rng.int(2) === 0 ? 'x' : { id: 'x' };
    for (let i = 0; i < levels; i++) value = rng.int(3) === 0 ? { properties: value } : [value];
    set(slot, value);
    return root;
  },
  expression(root, rng) {
    const slot = randomStringSlot(root, rng) ?? randomSlot(root, rng);
    if (slot === undefined) return undefined;
    set(
      slot,
      choose(rng, [
        deepExpression(choose(rng, [10, 60, 5_000])),
        `[concat(${Array(2_000).fill("'a'").join(',')})]`,
        `[${'x'.repeat(50_000)}(1)]`,
        `[createArray(${Array(20_000).fill('1').join(',')})]`,
        "[concat(parameters('p'), variables('v'))]",
        "[variables('v20')]",
        "[variables('loop')]",
        `[format('${'{0}'.repeat(1000)}', '${'y'.repeat(1000)}')]`,
        '[string(createArray(createArray(createArray(1))))]',
        "[toLower(int('12'))]",
        "[resourceId('a', 'b', 'Microsoft.Network/vpnSites/vpnSiteLinks', 's1/l1/x')]",
      ]),
    );
    return root;
  },
  templateSections(root, rng) {
    // Parameters and variables that refer to each other, in loops or exponentially.
    if (!isObject(root)) return undefined;
    const variables: { [key: string]: Json } = isObject(root.variables) ? root.variables : {};
    Object.assign(variables, exponentialVariables(choose(rng, [5, 12, 20]), choose(rng, [2, 4])));
    variables.loop = "[variables('loop')]";
    variables.deep = deepExpression(100);
    define(root, 'variables', variables);
    const parameters: { [key: string]: Json } = isObject(root.parameters) ? root.parameters : {};
    parameters.p = { type: 'string', defaultValue: "[parameters('p')]" };
    parameters.noDefault = { type: 'string' };
    parameters.wrong = { type: 'string', defaultValue: { nested: [1, 2, { id: "[variables('v5')]" }] } };
    define(root, 'parameters', parameters);
    const slot = randomStringSlot(root, rng);
    if (slot !== undefined)
      set(
        slot,
        choose(rng, ["[variables('v12')]", "[variables('loop')]", "[parameters('wrong').nested[2].id]"]),
      );
    return root;
  },
};

const JSON_WEIGHTED = [
  ...Object.keys(JSON_MUTATIONS),
  'trouble',
  'trouble',
  'trouble',
  'remove',
  'remove',
  'editString',
  'editString',
  'swap',
  'transplant',
];

const TEXT_WEIGHTED = ['deleteLine', 'duplicateLine', 'swapLines', 'strayCharacters', 'truncate', 'splice'];

/** Duplicate keys in the text (JSON.parse keeps the last, Azure's tools may not): only the text can hold them. */
function duplicateKey(root: Json, rng: Rng): string | undefined {
  for (let tries = 0; tries < 20; tries++) {
    const slot = randomSlot(root, rng);
    if (slot === undefined || Array.isArray(slot.container)) continue;
    const key = slot.key as string;
    const marker = `\u0001dup${rng.int(1_000_000)}\u0001`;
    define(slot.container, marker, structuredClone(choose(rng, TROUBLE)));
    const text = JSON.stringify(root);
    return text.replace(JSON.stringify(marker), JSON.stringify(key));
  }
  return undefined;
}

/** Numbers JSON allows in the text but a double does not hold: 1e400 parses as Infinity. */
function wildNumber(text: string, rng: Rng): string | undefined {
  // Anchored on the separator, not a lookbehind: a lookbehind over `\s*` rescans a run of spaces at every
  // position (quadratic: a megabyte of spaces hung the fuzzer for minutes).
  const numbers = [...text.matchAll(/([:[,]\s*)(-?\d+(?:\.\d+)?)(?=\s*[,}\]])/g)];
  const match = numbers.length === 0 ? undefined : choose(rng, numbers);
  if (match?.index === undefined || match[1] === undefined || match[2] === undefined) return undefined;
  const at = match.index + match[1].length;
  const wild = choose(rng, [
    '1e400',
    '-1e400',
    '1e-400',
    '-0',
    '123456789012345678901234567890',
    '0.1',
    '65010.0',
  ]);
  return text.slice(0, at) + wild + text.slice(at + match[2].length);
}

function serialise(root: Json, rng: Rng): string {
  return JSON.stringify(root, null, choose<number | string>(rng, [0, 2, 2, 4, '\t']));
}

export const MAX_IMPORT_TEXT = 4 * 1024 * 1024;

/** One to four stacked mutations of one file's text. */
export function mutateFile(
  file: ImportFile,
  rng: Rng,
  pick: () => ImportFile,
  maxLength = MAX_IMPORT_TEXT,
): { file: ImportFile; applied: string[] } {
  let text = file.text;
  const applied: string[] = [];
  const rounds = 1 + (rng.int(2) === 0 ? 0 : rng.int(4));
  for (let round = 0; round < rounds; round++) {
    let next: string | undefined;
    let name: string;
    const roll = rng.int(20);
    if (roll < 3) {
      name = choose(rng, TEXT_WEIGHTED);
      next = TEXT_MUTATIONS[name]?.(text, rng, () => pick().text);
    } else if (roll < 4) {
      name = 'wildNumber';
      next = wildNumber(text, rng);
    } else if (roll < 5) {
      name = 'deepText';
      next =
        rng.int(2) === 0
          ? deepFlow(choose(rng, [65, 1000, 100_000]))
          : `{"a":${deepFlow(choose(rng, [64, 3000]), '{"a":', '}')}}`;
    } else {
      let root: Json;
      try {
        root = JSON.parse(text) as Json;
      } catch {
        continue;
      }
      name = roll < 6 ? 'duplicateKey' : choose(rng, JSON_WEIGHTED);
      const other = (): Json => {
        try {
          return JSON.parse(pick().text) as Json;
        } catch {
          return null;
        }
      };
      // A document nested deeper than the stack allows cannot be cloned or written back: left alone.
      try {
        if (name === 'duplicateKey') next = duplicateKey(root, rng);
        else {
          const mutated = JSON_MUTATIONS[name]?.(root, rng, other);
          next = mutated === undefined ? undefined : serialise(mutated, rng);
        }
      } catch {
        next = undefined;
      }
    }
    if (next === undefined || next.length > maxLength) continue;
    text = next;
    applied.push(name);
  }
  if (rng.int(50) === 0) {
    text = `\uFEFF${text}`;
    applied.push('bom');
  }
  return { file: { source: file.source, text }, applied };
}

const OPTION_TROUBLE = [
  '',
  ' ',
  'x'.repeat(300),
  '__proto__',
  '10.0.0.0/33',
  'IN_2',
  'branch1',
  'branch1/branch1-isp1',
];

/** The command-line options, now and then changed: names that do not exist, bad prefixes, instances. */
export function mutateOptions(options: ImportCase['options'], rng: Rng): ImportCase['options'] {
  const roll = rng.int(8);
  if (roll > 2) return options;
  if (roll === 0) return {};
  const name = choose(rng, [...OPTION_TROUBLE, 'branch2', 'spoke1', 'spoke2', 'hub-weu']);
  const value = choose(rng, ['10.9.0.0/16', '10.0.0.0/33', 'IN_0', 'IN_1', 'IN_7', '', '0.0.0.0/0']);
  switch (rng.int(7)) {
    case 0:
      return { ...options, sitePrefixes: { ...options.sitePrefixes, [name]: [value] } };
    case 1:
      return { ...options, vnetPrefixes: { ...options.vnetPrefixes, [name]: [value] } };
    case 2:
      return { ...options, singleTunnel: { ...options.singleTunnel, [name]: value } };
    case 3:
      return { ...options, hub: name };
    case 4:
      return { ...options, hubPrefix: value };
    case 5:
      return { ...options, gatewayBgpIps: [value, value] };
    default:
      return { ...options, ignoreUnknown: true, includePsk: true };
  }
}

export function mutateCase(
  base: ImportCase,
  rng: Rng,
  pick: () => ImportCase,
  maxLength?: number,
): {
  importCase: ImportCase;
  applied: string[];
} {
  const files = [...base.files];
  const index = rng.int(files.length);
  const target = files[index] as ImportFile;
  const pickFile = (): ImportFile => choose(rng, pick().files);
  const { file, applied } = mutateFile(target, rng, pickFile, maxLength);
  files[index] = file;
  // Now and then a file from another case joins an ARM import (several files are merged).
  if (base.importer === 'arm' && rng.int(20) === 0) {
    files.push(pickFile());
    applied.push('extraFile');
  }
  return {
    importCase: { ...base, name: 'mutant', files, options: mutateOptions(base.options, rng) },
    applied,
  };
}
