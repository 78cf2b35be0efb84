/**
 * Structure-aware fuzzing of RFC 7606: take a valid UPDATE that announces routes
 * (fast-check arbitraries, any of the four codec contexts), break exactly one
 * thing in one specific way, and the decoder must apply exactly the action RFC
 * 7606 (or RFC 4271 §6.3, where RFC 7606 leaves it) prescribes for that thing:
 *   treat-as-withdraw — the announced prefixes come back withdrawn, nothing else;
 *   attribute discard — the UPDATE stands, minus that one attribute;
 *   session reset     — the NOTIFICATION with the right subcode (and data).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAttribute, joinUpdate, splitUpdate, type UpdateParts } from '../../fuzz/bgp/structure.ts';
import { concatBytes } from '../../fuzz/bytes.ts';
import { decodeMessage, encodeMessage } from '../../src/protocols/bgp/codec.ts';
import type { BgpUpdate, CodecContext, PathAttributes } from '../../src/protocols/bgp/messages.ts';
import { ipv4Prefix, prefixList, routeAttributes } from '../bgp/arbitraries.ts';

const CONTEXTS: readonly CodecContext[] = [
  { fourOctetAs: true, externalPeer: true },
  { fourOctetAs: true, externalPeer: false },
  { fourOctetAs: false, externalPeer: true },
  { fourOctetAs: false, externalPeer: false },
];

const FIELD: Readonly<Record<number, keyof PathAttributes>> = {
  1: 'origin',
  2: 'asPath',
  3: 'nextHop',
  4: 'med',
  5: 'localPref',
  6: 'atomicAggregate',
  7: 'aggregator',
  8: 'communities',
};
const NAME: Readonly<Record<number, string>> = {
  1: 'ORIGIN',
  2: 'AS_PATH',
  3: 'NEXT_HOP',
  4: 'MULTI_EXIT_DISC',
  5: 'LOCAL_PREF',
  6: 'ATOMIC_AGGREGATE',
  7: 'AGGREGATOR',
  8: 'COMMUNITIES',
};
/** The Optional/Transitive bits RFC 4271 §5 and RFC 1997 give each attribute. */
const STANDARD_FLAGS: Readonly<Record<number, number>> = {
  1: 0x40,
  2: 0x40,
  3: 0x40,
  4: 0x80,
  5: 0x40,
  6: 0x40,
  7: 0xc0,
  8: 0xc0,
};

/** An UPDATE announcing at least one prefix, valid in `ctx`, with its encoding and the decoder's baseline verdict. */
interface Sample {
  readonly ctx: CodecContext;
  readonly baseline: BgpUpdate;
  readonly parts: UpdateParts;
}

const sample: fc.Arbitrary<Sample> = fc.constantFrom(...CONTEXTS).chain((ctx) =>
  fc
    .record({
      withdrawn: prefixList,
      attributes: routeAttributes(ctx.fourOctetAs),
      nlri: fc.array(ipv4Prefix, { minLength: 1, maxLength: 20 }),
    })
    .map((fields) => {
      const update: BgpUpdate = { type: 'update', ...fields };
      const bytes = encodeMessage(update, ctx);
      const outcome = decodeMessage(bytes, ctx);
      const parts = splitUpdate(bytes);
      if (!outcome.ok || outcome.message.type !== 'update' || parts === undefined) {
        throw new Error('the arbitrary UPDATE does not decode');
      }
      return { ctx, baseline: outcome.message, parts };
    }),
);

type Action =
  | { readonly kind: 'withdraw'; readonly mentions: string }
  | { readonly kind: 'discard'; readonly field?: keyof PathAttributes }
  | { readonly kind: 'keep' }
  | { readonly kind: 'reset'; readonly subcode: number; readonly data?: Uint8Array };

/** One way of breaking one thing: the broken UPDATE, and the action RFC 7606 prescribes. */
type Breakage = (s: Sample) => fc.Arbitrary<{ readonly bytes: Uint8Array; readonly action: Action }>;

function typeOf(attribute: Uint8Array): number {
  return attribute[1] ?? 0;
}

/** Replaces attribute `typeCode` where it is (or appends one); discarding it then removes the field. */
function withAttribute(parts: UpdateParts, typeCode: number, attribute: Uint8Array): UpdateParts {
  const index = parts.attributes.findIndex((a) => typeOf(a) === typeCode);
  const attributes = [...parts.attributes];
  if (index >= 0) attributes[index] = attribute;
  else attributes.push(attribute);
  return { ...parts, attributes };
}

function bytesOf(length: number): fc.Arbitrary<Uint8Array> {
  return fc.uint8Array({ minLength: length, maxLength: length });
}

/** A value of any length but `good`, up to 12 octets. */
function wrongLength(good: number): fc.Arbitrary<Uint8Array> {
  return fc
    .integer({ min: 0, max: 12 })
    .filter((n) => n !== good)
    .chain(bytesOf);
}

function malformedValue(
  typeCode: number,
  value: fc.Arbitrary<Uint8Array>,
  action: (s: Sample) => Action,
): Breakage {
  return (s) =>
    value.map((v) => ({
      bytes: joinUpdate(
        withAttribute(s.parts, typeCode, buildAttribute(STANDARD_FLAGS[typeCode] ?? 0, typeCode, v)),
      ),
      action: action(s),
    }));
}

const withdraw = (mentions: string) => (): Action => ({ kind: 'withdraw', mentions });

/** AS_PATH values RFC 7606 §7.2 calls malformed (and AS 0, RFC 7607 §2), at the session's ASN width. */
function malformedAsPath(fourOctetAs: boolean): fc.Arbitrary<Uint8Array> {
  const width = fourOctetAs ? 4 : 2;
  const asn = (value: number) =>
    width === 4
      ? Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff)
      : Uint8Array.of(value >>> 8, value & 0xff);
  const goodAsn = fc.integer({ min: 1, max: fourOctetAs ? 0xffffffff : 0xffff });
  return fc.oneof(
    // Unrecognised segment type (3 and 4, confederations, count as unrecognised here).
    fc
      .tuple(
        fc.integer({ min: 0, max: 255 }).filter((t) => t !== 1 && t !== 2),
        goodAsn,
      )
      .map(([type, a]) => concatBytes([Uint8Array.of(type, 1), asn(a)])),
    // A segment of length 0.
    fc.constant(Uint8Array.of(2, 0)),
    // A segment whose count overruns the attribute.
    goodAsn.map((a) => concatBytes([Uint8Array.of(2, 2), asn(a)])),
    // A single octet left after the last segment.
    goodAsn.map((a) => concatBytes([Uint8Array.of(2, 1), asn(a), Uint8Array.of(2)])),
    // AS 0.
    goodAsn.map((a) => concatBytes([Uint8Array.of(2, 2), asn(a), asn(0)])),
  );
}

const BREAKAGES: Readonly<Record<string, Breakage>> = {
  'ORIGIN of a length other than 1 → treat-as-withdraw (§7.1)': malformedValue(
    1,
    wrongLength(1),
    withdraw('ORIGIN'),
  ),
  'ORIGIN value above 2 → treat-as-withdraw (§7.1)': malformedValue(
    1,
    fc.integer({ min: 3, max: 255 }).map((v) => Uint8Array.of(v)),
    withdraw('ORIGIN'),
  ),
  'AS_PATH malformed (segment type, zero or overrunning count, odd octet, AS 0) → treat-as-withdraw (§7.2)': (
    s,
  ) =>
    malformedAsPath(s.ctx.fourOctetAs).map((v) => ({
      bytes: joinUpdate(withAttribute(s.parts, 2, buildAttribute(0x40, 2, v))),
      action: { kind: 'withdraw', mentions: 'AS_PATH' },
    })),
  'NEXT_HOP of a length other than 4 → treat-as-withdraw (§7.3)': malformedValue(
    3,
    wrongLength(4),
    withdraw('NEXT_HOP'),
  ),
  'NEXT_HOP in 0/8, 127/8 or 224/3 → treat-as-withdraw (§7.3, RFC 4271 §6.3)': malformedValue(
    3,
    fc
      .tuple(fc.constantFrom(0, 127, 224, 239, 240, 255), bytesOf(3))
      .map(([first, rest]) => concatBytes([Uint8Array.of(first), rest])),
    withdraw('NEXT_HOP'),
  ),
  'MULTI_EXIT_DISC of a length other than 4 → treat-as-withdraw (§7.4)': malformedValue(
    4,
    wrongLength(4),
    withdraw('MULTI_EXIT_DISC'),
  ),
  'LOCAL_PREF of a length other than 4 → treat-as-withdraw from an internal peer, discard from an external one (§7.5)':
    malformedValue(5, wrongLength(4), (s) =>
      s.ctx.externalPeer
        ? { kind: 'discard', field: 'localPref' }
        : { kind: 'withdraw', mentions: 'LOCAL_PREF' },
    ),
  'ATOMIC_AGGREGATE with a value → attribute discard (§7.6)': malformedValue(
    6,
    fc.integer({ min: 1, max: 8 }).chain(bytesOf),
    () => ({ kind: 'discard', field: 'atomicAggregate' }),
  ),
  'AGGREGATOR of the wrong length for the session → attribute discard (§7.7)': (s) =>
    malformedValue(7, wrongLength(s.ctx.fourOctetAs ? 8 : 6), () => ({
      kind: 'discard',
      field: 'aggregator',
    }))(s),
  'COMMUNITIES of length 0 or not a multiple of 4 → treat-as-withdraw (§7.8)': malformedValue(
    8,
    fc
      .integer({ min: 0, max: 13 })
      .filter((n) => n % 4 !== 0 || n === 0)
      .chain(bytesOf),
    withdraw('COMMUNITIES'),
  ),
  'a known attribute with the wrong Optional/Transitive bits → treat-as-withdraw (§3(c))': (s) =>
    fc
      .tuple(
        fc.constantFrom(...s.parts.attributes.filter((a) => FIELD[typeOf(a)] !== undefined)),
        fc.constantFrom(0x00, 0x40, 0x80, 0xc0),
      )
      .filter(([attribute, bits]) => bits !== STANDARD_FLAGS[typeOf(attribute)])
      .map(([attribute, bits]) => {
        const broken = attribute.slice();
        broken[0] = ((broken[0] ?? 0) & 0x3f) | bits;
        return {
          bytes: joinUpdate(withAttribute(s.parts, typeOf(attribute), broken)),
          action: { kind: 'withdraw', mentions: NAME[typeOf(attribute)] ?? '' },
        };
      }),
  'a repeated attribute (well-formed or not) → the repeats discarded, the first kept (§3(g))': (s) =>
    fc
      .tuple(
        fc.constantFrom(...s.parts.attributes),
        fc.uint8Array({ maxLength: 12 }),
        fc.boolean(),
        fc.nat({ max: 100 }),
      )
      .filter(([attribute]) => typeOf(attribute) !== 14 && typeOf(attribute) !== 15)
      .map(([attribute, garbage, verbatim, at]) => {
        const repeat = verbatim ? attribute : buildAttribute(attribute[0] ?? 0, typeOf(attribute), garbage);
        const first = s.parts.attributes.indexOf(attribute);
        const attributes = [...s.parts.attributes];
        attributes.splice(first + 1 + (at % (attributes.length - first)), 0, repeat);
        return { bytes: joinUpdate({ ...s.parts, attributes }), action: { kind: 'discard' } as const };
      }),
  'ORIGIN, AS_PATH or NEXT_HOP missing while NLRI is present → treat-as-withdraw (§3(d))': (s) =>
    fc.constantFrom(1, 2, 3).map((typeCode) => ({
      bytes: joinUpdate({ ...s.parts, attributes: s.parts.attributes.filter((a) => typeOf(a) !== typeCode) }),
      action: { kind: 'withdraw', mentions: `missing well-known mandatory ${NAME[typeCode]}` },
    })),
  'an attribute whose length overruns the path attributes → treat-as-withdraw (§4)': (s) =>
    fc
      .tuple(fc.integer({ min: 9, max: 255 }), fc.integer({ min: 1, max: 255 }))
      .map(([typeCode, length]) => ({
        bytes: joinUpdate({
          ...s.parts,
          attributes: [...s.parts.attributes, Uint8Array.of(0xc0, typeCode, length)],
        }),
        action: { kind: 'withdraw', mentions: 'overruns the Total Path Attribute Length' },
      })),
  'one or two octets left, too few for an attribute header → treat-as-withdraw (§4)': (s) =>
    fc.uint8Array({ minLength: 1, maxLength: 2 }).map((tail) => ({
      bytes: joinUpdate({ ...s.parts, attributes: [...s.parts.attributes, tail] }),
      action: { kind: 'withdraw', mentions: 'too few for an attribute header' },
    })),
  'MP_REACH_NLRI or MP_UNREACH_NLRI twice → session reset, Malformed Attribute List (§3(g))': (s) =>
    fc
      .tuple(fc.constantFrom(14, 15), fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }))
      .map(([typeCode, a, b]) => ({
        bytes: joinUpdate({
          ...s.parts,
          attributes: [
            buildAttribute(0x80, typeCode, a),
            ...s.parts.attributes,
            buildAttribute(0x80, typeCode, b),
          ],
        }),
        action: { kind: 'reset', subcode: 1 },
      })),
  'an unrecognised attribute without the Optional bit → session reset, data the attribute (RFC 4271 §6.3)': (
    s,
  ) =>
    fc
      .tuple(
        fc.integer({ min: 9, max: 255 }),
        fc.constantFrom(0x00, 0x40, 0x60),
        fc.uint8Array({ maxLength: 20 }),
      )
      .filter(([typeCode]) => !s.parts.attributes.some((a) => typeOf(a) === typeCode))
      .map(([typeCode, flags, value]) => {
        const attribute = buildAttribute(flags, typeCode, value);
        return {
          bytes: joinUpdate({ ...s.parts, attributes: [...s.parts.attributes, attribute] }),
          action: { kind: 'reset', subcode: 2, data: attribute },
        };
      }),
  'an unrecognised optional attribute → passed through untouched (RFC 4271 §5)': (s) =>
    fc
      .tuple(
        fc.integer({ min: 19, max: 255 }),
        fc.constantFrom(0x80, 0xc0, 0xe0),
        fc.uint8Array({ maxLength: 20 }),
      )
      .filter(([typeCode]) => !s.parts.attributes.some((a) => typeOf(a) === typeCode))
      .map(([typeCode, flags, value]) => ({
        bytes: joinUpdate({
          ...s.parts,
          attributes: [...s.parts.attributes, buildAttribute(flags, typeCode, value)],
        }),
        action: { kind: 'keep' },
      })),
  'a prefix longer than /32 in NLRI or Withdrawn Routes → session reset, Invalid Network Field (§5.3)': (s) =>
    fc.tuple(fc.integer({ min: 33, max: 255 }), fc.boolean()).map(([length, inNlri]) => {
      const bad = concatBytes([Uint8Array.of(length), new Uint8Array(Math.min((length + 7) >> 3, 4))]);
      const parts = inNlri
        ? { ...s.parts, nlri: concatBytes([s.parts.nlri, bad]) }
        : { ...s.parts, withdrawn: concatBytes([s.parts.withdrawn, bad]) };
      return { bytes: joinUpdate(parts), action: { kind: 'reset', subcode: 10 } };
    }),
  'a Total Path Attribute Length past the end of the message → session reset, Malformed Attribute List (RFC 4271 §6.3)':
    (s) =>
      fc.integer({ min: 1, max: 200 }).map((excess) => {
        const bytes = joinUpdate(s.parts);
        const totalAt = 21 + s.parts.withdrawn.length;
        const claimed = bytes.length - totalAt - 2 + excess;
        bytes[totalAt] = claimed >>> 8;
        bytes[totalAt + 1] = claimed & 0xff;
        return { bytes, action: { kind: 'reset', subcode: 1 } };
      }),
};

function without(attributes: PathAttributes, field: keyof PathAttributes | undefined): PathAttributes {
  if (field === undefined) return attributes;
  const { [field]: _dropped, ...rest } = attributes;
  return rest;
}

function check(s: Sample, bytes: Uint8Array, action: Action): void {
  const outcome = decodeMessage(bytes, s.ctx);
  if (action.kind === 'reset') {
    if (outcome.ok) throw new Error(`expected a session reset 3/${action.subcode}, the UPDATE was accepted`);
    expect([outcome.notification.code, outcome.notification.subcode]).toEqual([3, action.subcode]);
    if (action.data) expect(outcome.notification.data).toEqual(action.data);
    return;
  }
  if (!outcome.ok || outcome.message.type !== 'update') {
    throw new Error(`expected ${action.kind}, got ${outcome.ok ? outcome.message.type : outcome.reason}`);
  }
  const update = outcome.message;
  switch (action.kind) {
    case 'withdraw':
      expect(update.nlri).toEqual([]);
      expect(update.withdrawn).toEqual([...s.baseline.withdrawn, ...s.baseline.nlri]);
      expect(update.attributes).toEqual({});
      expect(
        outcome.warnings.some((w) => w.startsWith('treat-as-withdraw:') && w.includes(action.mentions)),
      ).toBe(true);
      return;
    case 'discard':
    case 'keep': {
      expect(update.nlri).toEqual(s.baseline.nlri);
      expect(update.withdrawn).toEqual(s.baseline.withdrawn);
      expect(outcome.warnings.filter((w) => w.startsWith('treat-as-withdraw'))).toEqual([]);
      const expected =
        action.kind === 'discard' ? without(s.baseline.attributes, action.field) : s.baseline.attributes;
      const { unknown, ...known } = update.attributes;
      const { unknown: expectedUnknown, ...expectedKnown } = expected;
      expect(known).toEqual(expectedKnown);
      if (action.kind === 'discard') {
        expect(unknown).toEqual(expectedUnknown);
        expect(outcome.warnings.some((w) => w.startsWith('attribute discard:'))).toBe(true);
      } else {
        expect(unknown?.length).toBe((expectedUnknown?.length ?? 0) + 1);
      }
      return;
    }
  }
}

describe('RFC 7606: one thing broken one way in a valid UPDATE draws exactly the prescribed action', () => {
  it.each(Object.entries(BREAKAGES))('%s', (_, breakage) => {
    fc.assert(
      fc.property(
        sample.chain((s) => breakage(s).map((broken) => ({ s, broken }))),
        ({ s, broken }) => check(s, broken.bytes, broken.action),
      ),
      { numRuns: 60 },
    );
  });
});
