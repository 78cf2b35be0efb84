/**
 * Mutations of BGP message bytes, jsfuzz/libFuzzer-style: blind byte edits (bit
 * flips, interesting values, insert/delete, truncate/extend, splice) plus edits
 * that know the wire format (RFC 4271 §4): length fields set just off, attribute
 * flags toggled, attributes duplicated, inserted, dropped or reordered with every
 * enclosing length kept right, prefixes and AS_PATH segments bent, OPEN
 * parameters and capabilities shuffled. Structure-aware edits reach deep into an
 * UPDATE; blind ones break what the structure-aware ones keep consistent.
 */
import type { Rng } from '../../src/sim/rng.ts';
import { concatBytes } from '../bytes.ts';
import {
  attributeFields,
  attributeSpans,
  buildAttribute,
  EXTENDED_LENGTH,
  HEADER_LENGTH,
  joinOpen,
  joinUpdate,
  lengthFields,
  messageSpans,
  readU16,
  splitOpen,
  splitUpdate,
  type UpdateParts,
  writeU16,
} from './structure.ts';

/** Inputs stay below this size: two maximal messages back to back, with room to spare. */
export const MAX_INPUT_LENGTH = 9000;

const INTERESTING_8 = [
  0, 1, 2, 3, 4, 6, 8, 0x0f, 0x10, 0x1f, 0x20, 0x21, 0x3f, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xe0, 0xfe, 0xff,
];
const INTERESTING_16 = [
  0, 1, 2, 18, 19, 20, 21, 22, 23, 28, 29, 255, 256, 4095, 4096, 4097, 0x7fff, 0x8000, 0xffff,
];
/** Attribute flags worth trying: the standard ones, each with Partial or Extended Length, and nonsense. */
const ATTRIBUTE_FLAGS = [0x00, 0x40, 0x50, 0x60, 0x80, 0x90, 0xa0, 0xc0, 0xd0, 0xe0, 0xf0, 0x0f, 0xff];
/** Type codes the codec interprets, the ones it passes through specially, and some it has never heard of. */
const ATTRIBUTE_TYPES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 15, 16, 17, 18, 20, 32, 35, 128, 255];
/** Optional Parameter types: capabilities (2), deprecated authentication (1), RFC 9072 extended (255). */
const PARAMETER_TYPES = [0, 1, 2, 3, 255];
const CAPABILITY_CODES = [0, 1, 2, 64, 65, 69, 70, 71, 73, 128, 131, 255];

export type Mutation = (input: Uint8Array, rng: Rng, pick: () => Uint8Array) => Uint8Array | undefined;

function choose<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)] as T;
}

function randomBytes(rng: Rng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.int(256);
  return out;
}

/** Mostly short lengths, sometimes around the 1-octet/2-octet boundaries. */
function randomLength(rng: Rng): number {
  const roll = rng.int(10);
  if (roll < 6) return rng.int(9);
  if (roll < 8) return rng.int(40);
  return choose(rng, [255, 256, 300, rng.int(600)]);
}

function withByte(input: Uint8Array, at: number, value: number): Uint8Array {
  const out = input.slice();
  out[at] = value & 0xff;
  return out;
}

function insertAt(input: Uint8Array, at: number, bytes: Uint8Array): Uint8Array {
  return concatBytes([input.subarray(0, at), bytes, input.subarray(at)]);
}

/** The message span containing `at`, whose length field a length-fixing edit should adjust. */
function spanAt(input: Uint8Array, at: number): { start: number; end: number } | undefined {
  return messageSpans(input).find((span) => at >= span.start && at < span.end);
}

/** After growing or shrinking the message at `start` by `delta` octets, rewrite its length field. */
function adjustLength(input: Uint8Array, start: number, delta: number): Uint8Array {
  if (start + 18 > input.length) return input;
  writeU16(input, start + 16, (readU16(input, start + 16) + delta) & 0xffff);
  return input;
}

/** Runs `edit` on one UPDATE of the stream taken apart, and puts the stream back together. */
function editUpdate(input: Uint8Array, rng: Rng, edit: (parts: UpdateParts) => UpdateParts | undefined) {
  const spans = messageSpans(input);
  const candidates = spans.filter((span) => splitUpdate(input.subarray(span.start, span.end)) !== undefined);
  if (candidates.length === 0) return undefined;
  const span = choose(rng, candidates);
  const parts = splitUpdate(input.subarray(span.start, span.end));
  if (parts === undefined) return undefined;
  const edited = edit(parts);
  if (edited === undefined) return undefined;
  return concatBytes([input.subarray(0, span.start), joinUpdate(edited), input.subarray(span.end)]);
}

function replaceAttribute(parts: UpdateParts, index: number, attribute: Uint8Array | undefined): UpdateParts {
  const attributes = [...parts.attributes];
  if (attribute === undefined) attributes.splice(index, 1);
  else attributes[index] = attribute;
  return { ...parts, attributes };
}

/** A value that is plausible, or nearly, for the attribute type: reaches past the first length check. */
function attributeValue(rng: Rng, typeCode: number): Uint8Array {
  if (rng.int(3) === 0) return randomBytes(rng, randomLength(rng));
  switch (typeCode) {
    case 1:
      return Uint8Array.of(rng.int(5));
    case 2:
      return asPathValue(rng);
    case 3:
      return Uint8Array.of(
        choose(rng, [0, 10, 127, 192, 224, 255]),
        rng.int(256),
        rng.int(256),
        rng.int(256),
      );
    case 4:
    case 5:
      return randomBytes(rng, 4);
    case 6:
      return new Uint8Array(0);
    case 7:
      return randomBytes(rng, choose(rng, [6, 8]));
    case 8:
    case 16:
    case 32:
      return randomBytes(rng, 4 * (1 + rng.int(4)));
    default:
      return randomBytes(rng, randomLength(rng));
  }
}

function asPathValue(rng: Rng): Uint8Array {
  const segments: Uint8Array[] = [];
  const count = rng.int(3) + 1;
  const width = rng.int(2) === 0 ? 2 : 4;
  for (let i = 0; i < count; i++) {
    const asns = rng.int(4) + 1;
    const segment = new Uint8Array(2 + asns * width);
    segment[0] = choose(rng, [1, 2, 2, 2, 3, 4, 0]);
    segment[1] = asns;
    for (let j = 0; j < asns * width; j++) segment[2 + j] = rng.int(256);
    segments.push(segment);
  }
  return concatBytes(segments);
}

function randomAttribute(rng: Rng): Uint8Array {
  const typeCode = rng.int(4) === 0 ? rng.int(256) : choose(rng, ATTRIBUTE_TYPES);
  const value = attributeValue(rng, typeCode);
  let flags = rng.int(4) === 0 ? rng.int(256) : choose(rng, ATTRIBUTE_FLAGS);
  if (value.length > 255) flags |= EXTENDED_LENGTH;
  return buildAttribute(flags, typeCode, value);
}

/** One encoded prefix: sometimes too long, with stray host bits, or cut short. */
function randomPrefix(rng: Rng): Uint8Array {
  const length = rng.int(5) === 0 ? choose(rng, [33, 40, 64, 255]) : rng.int(33);
  const octets = Math.min((length + 7) >> 3, 4);
  const cut = rng.int(8) === 0 ? Math.max(0, octets - 1) : octets;
  return concatBytes([Uint8Array.of(length), randomBytes(rng, cut)]);
}

// --- blind byte edits -----------------------------------------------------------------------------

/**
 * A position for a blind edit: seven times in eight past the 16-octet marker, or
 * most edits of a short message would only ever test the marker check (1/1).
 */
function position(input: Uint8Array, rng: Rng): number {
  return input.length > 16 && rng.int(8) !== 0 ? 16 + rng.int(input.length - 16) : rng.int(input.length);
}

const flipBit: Mutation = (input, rng) => {
  if (input.length === 0) return undefined;
  const at = position(input, rng);
  return withByte(input, at, (input[at] ?? 0) ^ (1 << rng.int(8)));
};

const interestingByte: Mutation = (input, rng) => {
  if (input.length === 0) return undefined;
  return withByte(input, position(input, rng), choose(rng, INTERESTING_8));
};

const interestingWord: Mutation = (input, rng) => {
  if (input.length < 2) return undefined;
  const out = input.slice();
  writeU16(out, Math.min(position(input, rng), input.length - 2), choose(rng, INTERESTING_16));
  return out;
};

const randomByte: Mutation = (input, rng) => {
  if (input.length === 0) return undefined;
  return withByte(input, position(input, rng), rng.int(256));
};

const insertRandomBytes: Mutation = (input, rng) =>
  insertAt(input, input.length === 0 ? 0 : position(input, rng) + 1, randomBytes(rng, 1 + rng.int(16)));

const deleteBytes: Mutation = (input, rng) => {
  if (input.length < 2) return undefined;
  const at = position(input, rng);
  const count = 1 + rng.int(Math.min(16, input.length - at));
  return concatBytes([input.subarray(0, at), input.subarray(at + count)]);
};

const duplicateChunk: Mutation = (input, rng) => {
  if (input.length < 2) return undefined;
  const from = rng.int(input.length);
  const count = 1 + rng.int(Math.min(32, input.length - from));
  return insertAt(input, position(input, rng) + 1, input.slice(from, from + count));
};

const truncate: Mutation = (input, rng) =>
  input.length < 2 ? undefined : input.slice(0, rng.int(input.length));

/** Truncation that also shortens the message's length field, so the framer still hands it over whole. */
const truncateKeepingHeader: Mutation = (input, rng) => {
  const spans = messageSpans(input);
  const last = spans[spans.length - 1];
  if (last === undefined || last.end - last.start <= HEADER_LENGTH) return undefined;
  const cut = last.start + HEADER_LENGTH + rng.int(last.end - last.start - HEADER_LENGTH);
  return adjustLength(input.slice(0, cut), last.start, cut - last.end);
};

const extend: Mutation = (input, rng) => concatBytes([input, randomBytes(rng, 1 + rng.int(64))]);

/** Trailing octets inside the message: its length field grows to cover them. */
const extendKeepingHeader: Mutation = (input, rng) => {
  const spans = messageSpans(input);
  const last = spans[spans.length - 1];
  if (last === undefined) return undefined;
  const extra = 1 + rng.int(rng.int(4) === 0 ? 300 : 8);
  return adjustLength(concatBytes([input, randomBytes(rng, extra)]), last.start, extra);
};

const splice: Mutation = (input, rng, pick) => {
  const other = pick();
  if (input.length === 0 || other.length === 0) return undefined;
  return concatBytes([input.subarray(0, rng.int(input.length + 1)), other.subarray(rng.int(other.length))]);
};

/** Two messages in one stream: what follows the first one must be read (or ignored) correctly. */
const concatenate: Mutation = (input, rng, pick) =>
  rng.int(2) === 0 ? concatBytes([input, pick()]) : concatBytes([pick(), input]);

// --- edits that know the format ---------------------------------------------------------------------

const corruptLengthField: Mutation = (input, rng) => {
  const fields = lengthFields(input);
  if (fields.length === 0) return undefined;
  const field = choose(rng, fields);
  const current = field.width === 2 ? readU16(input, field.at) : (input[field.at] ?? 0);
  const max = field.width === 2 ? 0xffff : 0xff;
  const candidates = [
    current + 1,
    current - 1,
    current + 2,
    current - 2,
    current + 4,
    current - 4,
    0,
    max,
    rng.int(max + 1),
  ];
  if (field.width === 2) candidates.push(current + 256, current - 256, 4096, 4097, 18, 19);
  else candidates.push(32, 33, 4, 5, 6, 8, 255);
  const value = choose(rng, candidates) & max;
  const out = input.slice();
  if (field.width === 2) writeU16(out, field.at, value);
  else out[field.at] = value;
  return out;
};

const toggleAttributeFlag: Mutation = (input, rng) => {
  const spans = attributeSpans(input);
  if (spans.length === 0) return undefined;
  const span = choose(rng, spans);
  const bit = choose(rng, [0x80, 0x40, 0x20, 0x10, 0x08, 0x01]);
  if (bit !== EXTENDED_LENGTH || rng.int(2) === 0) {
    return withByte(input, span.flagsAt, (input[span.flagsAt] ?? 0) ^ bit);
  }
  // Extended Length toggled properly: the length field changes width and the totals follow.
  return editUpdate(input, rng, (parts) => {
    const index = rng.int(parts.attributes.length);
    const attribute = parts.attributes[index];
    if (attribute === undefined) return undefined;
    const { flags, typeCode, value } = attributeFields(attribute);
    if (value.length > 255 && (flags & EXTENDED_LENGTH) !== 0) return undefined;
    return replaceAttribute(parts, index, buildAttribute(flags ^ EXTENDED_LENGTH, typeCode, value));
  });
};

const duplicateAttribute: Mutation = (input, rng) =>
  editUpdate(input, rng, (parts) => {
    const attribute = parts.attributes[rng.int(parts.attributes.length)];
    if (attribute === undefined) return undefined;
    const attributes = [...parts.attributes];
    attributes.splice(rng.int(attributes.length + 1), 0, attribute);
    return { ...parts, attributes };
  });

const insertAttribute: Mutation = (input, rng) =>
  editUpdate(input, rng, (parts) => {
    const attributes = [...parts.attributes];
    attributes.splice(rng.int(attributes.length + 1), 0, randomAttribute(rng));
    return { ...parts, attributes };
  });

const dropAttribute: Mutation = (input, rng) =>
  editUpdate(input, rng, (parts) =>
    parts.attributes.length === 0
      ? undefined
      : replaceAttribute(parts, rng.int(parts.attributes.length), undefined),
  );

const swapAttributes: Mutation = (input, rng) =>
  editUpdate(input, rng, (parts) => {
    if (parts.attributes.length < 2) return undefined;
    const attributes = [...parts.attributes];
    const i = rng.int(attributes.length);
    const j = rng.int(attributes.length);
    const a = attributes[i];
    const b = attributes[j];
    if (a === undefined || b === undefined) return undefined;
    attributes[i] = b;
    attributes[j] = a;
    return { ...parts, attributes };
  });

/** A byte edit inside one attribute's value, its length and the totals rewritten to match. */
const mutateAttributeValue: Mutation = (input, rng, pick) =>
  editUpdate(input, rng, (parts) => {
    const index = rng.int(parts.attributes.length);
    const attribute = parts.attributes[index];
    if (attribute === undefined) return undefined;
    const { flags, typeCode, value } = attributeFields(attribute);
    const edits = [flipBit, interestingByte, randomByte, insertRandomBytes, deleteBytes, truncate, extend];
    const edited = choose(rng, edits)(value, rng, pick) ?? new Uint8Array(0);
    const newFlags = edited.length > 255 ? flags | EXTENDED_LENGTH : flags;
    return replaceAttribute(parts, index, buildAttribute(newFlags, typeCode, edited.subarray(0, 0xffff)));
  });

/** AS_PATH segments bent the ways RFC 7606 §7.2 lists: bad type, zero or overrunning count, odd octet, AS 0. */
const bendAsPath: Mutation = (input, rng) =>
  editUpdate(input, rng, (parts) => {
    const index = parts.attributes.findIndex((attribute) => attribute[1] === 2);
    const attribute = parts.attributes[index];
    if (attribute === undefined) return undefined;
    const { flags, value } = attributeFields(attribute);
    const out = value.slice();
    let bent: Uint8Array = out;
    switch (rng.int(6)) {
      case 0:
        if (out.length > 0) out[0] = choose(rng, [0, 3, 4, 5, 255]);
        break;
      case 1:
        if (out.length > 1) out[1] = choose(rng, [0, 1, (out[1] ?? 0) + 1, 255]);
        break;
      case 2:
        bent = concatBytes([out, Uint8Array.of(rng.int(256))]);
        break;
      case 3:
        if (out.length > 3) out.fill(0, 2, Math.min(out.length, 6));
        break;
      case 4:
        bent = asPathValue(rng);
        break;
      default:
        bent = new Uint8Array(0);
    }
    return replaceAttribute(parts, index, buildAttribute(flags, 2, bent));
  });

const bendPrefixes: Mutation = (input, rng) =>
  editUpdate(input, rng, (parts) => {
    const extra = concatBytes(Array.from({ length: 1 + rng.int(3) }, () => randomPrefix(rng)));
    return rng.int(2) === 0
      ? { ...parts, nlri: concatBytes([parts.nlri, extra]) }
      : { ...parts, withdrawn: concatBytes([parts.withdrawn, extra]) };
  });

const changeType: Mutation = (input, rng) => {
  const spans = messageSpans(input).filter((span) => span.end - span.start >= HEADER_LENGTH);
  if (spans.length === 0) return undefined;
  const span = choose(rng, spans);
  return withByte(input, span.start + 18, rng.int(4) === 0 ? rng.int(256) : rng.int(8));
};

/** OPEN edits: fixed fields set to edge values, parameters and capabilities duplicated, added, dropped. */
const bendOpen: Mutation = (input, rng) => {
  const spans = messageSpans(input);
  const candidates = spans.filter((span) => splitOpen(input.subarray(span.start, span.end)) !== undefined);
  if (candidates.length === 0) return undefined;
  const span = choose(rng, candidates);
  const parts = splitOpen(input.subarray(span.start, span.end));
  if (parts === undefined) return undefined;
  const fixed = parts.fixed.slice();
  const parameters = [...parts.parameters];
  switch (rng.int(7)) {
    case 0:
      fixed[0] = choose(rng, [0, 3, 4, 5, 255]);
      break;
    case 1:
      writeU16(fixed, 1, choose(rng, [0, 23456, 65010, 65515, 65535, rng.int(65536)]));
      break;
    case 2:
      writeU16(fixed, 3, choose(rng, [0, 1, 2, 3, 90, 180, 65535]));
      break;
    case 3:
      fixed.set(
        choose(rng, [
          [0, 0, 0, 0],
          [10, 0, 0, 12],
          [192, 168, 1, 1],
          [255, 255, 255, 255],
        ]),
        5,
      );
      break;
    case 4: {
      const parameter = parameters[rng.int(parameters.length)];
      if (parameter !== undefined) parameters.splice(rng.int(parameters.length + 1), 0, parameter);
      break;
    }
    case 5:
      if (parameters.length > 0) parameters.splice(rng.int(parameters.length), 1);
      break;
    default: {
      const code = rng.int(4) === 0 ? rng.int(256) : choose(rng, CAPABILITY_CODES);
      const value = randomBytes(rng, rng.int(2) === 0 ? 4 : randomLength(rng) % 12);
      const capability = concatBytes([Uint8Array.of(code, value.length), value]);
      const type = rng.int(5) === 0 ? choose(rng, PARAMETER_TYPES) : 2;
      parameters.splice(
        rng.int(parameters.length + 1),
        0,
        concatBytes([Uint8Array.of(type, capability.length), capability]),
      );
    }
  }
  return concatBytes([
    input.subarray(0, span.start),
    joinOpen({ fixed, parameters }),
    input.subarray(span.end),
  ]);
};

/** Interesting values written into a field that `lengthFields` does not know: anywhere in a message body. */
const lengthOfSpan: Mutation = (input, rng) => {
  const span = spanAt(input, rng.int(Math.max(1, input.length)));
  if (span === undefined || span.end - span.start < HEADER_LENGTH) return undefined;
  const out = input.slice();
  writeU16(out, span.start + 16, span.end - span.start + choose(rng, [-1, 1, -19, 4096]));
  return out;
};

export const MUTATIONS: Readonly<Record<string, Mutation>> = {
  flipBit,
  interestingByte,
  interestingWord,
  randomByte,
  insertRandomBytes,
  deleteBytes,
  duplicateChunk,
  truncate,
  truncateKeepingHeader,
  extend,
  extendKeepingHeader,
  splice,
  concatenate,
  corruptLengthField,
  toggleAttributeFlag,
  duplicateAttribute,
  insertAttribute,
  dropAttribute,
  swapAttributes,
  mutateAttributeValue,
  bendAsPath,
  bendPrefixes,
  changeType,
  bendOpen,
  lengthOfSpan,
};

/** Structure-aware edits are picked more often: blind ones rarely get past the header checks. */
const WEIGHTED: readonly string[] = [
  ...Object.keys(MUTATIONS),
  'corruptLengthField',
  'toggleAttributeFlag',
  'duplicateAttribute',
  'insertAttribute',
  'insertAttribute',
  'mutateAttributeValue',
  'mutateAttributeValue',
  'bendAsPath',
  'bendPrefixes',
  'bendOpen',
];

export interface Mutant {
  readonly bytes: Uint8Array;
  /** The mutations applied, in order (for the statistics and for reading a crash). */
  readonly applied: readonly string[];
}

/** One to five stacked mutations (AFL's "havoc"), the result capped at MAX_INPUT_LENGTH. */
export function mutate(input: Uint8Array, rng: Rng, pick: () => Uint8Array): Mutant {
  let bytes = input;
  const applied: string[] = [];
  const rounds = 1 + (rng.int(2) === 0 ? 0 : rng.int(5));
  for (let round = 0; round < rounds; round++) {
    const name = choose(rng, WEIGHTED);
    const mutation = MUTATIONS[name];
    const next = mutation?.(bytes, rng, pick);
    if (next === undefined) continue;
    bytes = next.length > MAX_INPUT_LENGTH ? next.subarray(0, MAX_INPUT_LENGTH) : next;
    applied.push(name);
  }
  if (applied.length === 0) {
    bytes = flipBit(input, rng, pick) ?? extend(input, rng, pick) ?? input;
    applied.push('flipBit');
  }
  return { bytes, applied };
}
