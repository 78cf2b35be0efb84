import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, MessageFramer } from '../../src/protocols/bgp/codec.ts';
import type {
  AttributeLayoutEntry,
  BgpMessage,
  DecodeOutcome,
  PathAttributes,
} from '../../src/protocols/bgp/messages.ts';
import { bgpMessage, bgpUpdate, codecContext, messageInContext } from './arbitraries.ts';
import { bytesHex } from './vectors/published.ts';

const RUNS = { numRuns: 400 };

function expectWellFormedOutcome(outcome: DecodeOutcome): void {
  if (outcome.ok) return;
  expect(outcome.notification.type).toBe('notification');
  expect(outcome.notification.code).toBeGreaterThanOrEqual(1);
  expect(outcome.notification.code).toBeLessThanOrEqual(7);
  expect(outcome.reason.length).toBeGreaterThan(0);
}

describe('codec round trip', () => {
  it('decode(encode(m)) gives back every canonical message, with no warnings', () => {
    fc.assert(
      fc.property(messageInContext, ({ ctx, message }) => {
        const outcome = decodeMessage(encodeMessage(message, ctx), ctx);
        expect(outcome).toEqual({ ok: true, message, warnings: [] });
      }),
      RUNS,
    );
  });

  it('an UPDATE sent with any attribute order and flags re-encodes to the same bytes', () => {
    const withLayout = codecContext.chain((ctx) =>
      bgpUpdate(ctx).chain((update) =>
        senderLayout(update.attributes).map((layout) => ({
          ctx,
          update: { ...update, attributeLayout: layout },
        })),
      ),
    );
    fc.assert(
      fc.property(withLayout, ({ ctx, update }) => {
        const bytes = encodeMessage(update, ctx);
        const outcome = decodeMessage(bytes, ctx);
        if (!outcome.ok) throw new Error(outcome.reason);
        expect(outcome.warnings).toEqual([]);
        expect(bytesHex(encodeMessage(outcome.message, ctx))).toBe(bytesHex(bytes));
      }),
      RUNS,
    );
  });
});

describe('decoder robustness: never throws, only ok or a NOTIFICATION with code 1..7', () => {
  const ctxArb = fc.record({ fourOctetAs: fc.boolean(), externalPeer: fc.boolean() });

  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), ctxArb, (bytes, ctx) => {
        expectWellFormedOutcome(decodeMessage(bytes, ctx));
      }),
      RUNS,
    );
  });

  it('on a valid header in front of arbitrary bodies', () => {
    const framed = fc
      .tuple(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 300 }))
      .map(([type, body]) => withHeader(type, body));
    fc.assert(
      fc.property(framed, ctxArb, (bytes, ctx) => {
        expectWellFormedOutcome(decodeMessage(bytes, ctx));
      }),
      { numRuns: 2000 },
    );
  });

  it('on valid messages after bit flips, byte overwrites, truncation and length-field corruption', () => {
    fc.assert(
      fc.property(
        messageInContext,
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        ({ ctx, message }, muts) => {
          let bytes = encodeMessage(message, ctx);
          for (const mutate of muts) bytes = mutate(bytes);
          const outcome = decodeMessage(bytes, ctx);
          expectWellFormedOutcome(outcome);
          if (outcome.ok) {
            // Whatever the decoder accepts, the encoder can write back, and it decodes the same again.
            const again = decodeMessage(encodeMessage(outcome.message, ctx), ctx);
            expect(again.ok && again.message).toEqual(outcome.message);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('MessageFramer', () => {
  it('yields the same messages however the stream is cut into chunks', () => {
    const stream = codecContext.chain((ctx) =>
      fc.tuple(fc.constant(ctx), fc.array(bgpMessage(ctx), { minLength: 1, maxLength: 8 })),
    );
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 20 }), ([ctx, messages], cutSeeds) => {
        const encoded = messages.map((m) => encodeMessage(m, ctx));
        const whole = concat(encoded);
        const cuts = [...new Set(cutSeeds.map((seed) => seed % (whole.length + 1)))].sort((a, b) => a - b);
        const framer = new MessageFramer();
        const received: Uint8Array[] = [];
        let from = 0;
        for (const to of [...cuts, whole.length]) {
          const { messages: framed, error } = framer.push(whole.subarray(from, to));
          expect(error).toBeUndefined();
          received.push(...framed);
          from = to;
        }
        expect(received.map(bytesHex)).toEqual(encoded.map(bytesHex));
        expect(framer.pendingOctets).toBe(0);
        const decoded: BgpMessage[] = received.map((bytes) => {
          const outcome = decodeMessage(bytes, ctx);
          if (!outcome.ok) throw new Error(outcome.reason);
          return outcome.message;
        });
        expect(decoded).toEqual(messages);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary chunks, and any error it reports is a Message Header Error', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }), (chunks) => {
        const framer = new MessageFramer();
        for (const chunk of chunks) {
          const { error } = framer.push(chunk);
          if (error) expect(error.notification.code).toBe(1);
        }
      }),
      RUNS,
    );
  });
});

type Mutation = (bytes: Uint8Array) => Uint8Array;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(
    ([at, bit]): Mutation =>
      (bytes) => {
        const copy = bytes.slice();
        if (copy.length > 0) {
          const index = at % copy.length;
          copy[index] = (copy[index] ?? 0) ^ (1 << bit);
        }
        return copy;
      },
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(
    ([at, value]): Mutation =>
      (bytes) => {
        const copy = bytes.slice();
        // Bias overwrites past the header, where the per-type length fields live.
        if (copy.length > 0) copy[(19 + at) % copy.length] = value;
        return copy;
      },
  ),
  fc.nat().map(
    (keep): Mutation =>
      (bytes) =>
        bytes.slice(0, keep % (bytes.length + 1)),
  ),
  fc.integer({ min: 0, max: 0xffff }).map(
    (length): Mutation =>
      (bytes) => {
        const copy = bytes.slice();
        if (copy.length >= 18) {
          copy[16] = length >>> 8;
          copy[17] = length & 0xff;
        }
        return copy;
      },
  ),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map(
    (extra): Mutation =>
      (bytes) => {
        // Append and fix the header length so the body parsers, not the header check, meet the garbage.
        const grown = concat([bytes, extra]);
        if (grown.length >= 18 && grown.length <= 4096) {
          grown[16] = grown.length >>> 8;
          grown[17] = grown.length & 0xff;
        }
        return grown;
      },
  ),
);

/** A permutation of the attributes present, with legal but non-default flags on the interpreted ones. */
function senderLayout(attributes: PathAttributes): fc.Arbitrary<AttributeLayoutEntry[]> {
  const present = presentTypeCodes(attributes);
  return fc
    .tuple(
      fc.shuffledSubarray(present, { minLength: present.length, maxLength: present.length }),
      fc.array(fc.integer({ min: 0, max: 0x3f }), { minLength: present.length, maxLength: present.length }),
    )
    .map(([order, extraBits]) =>
      order.map((typeCode, i) => ({
        typeCode,
        // Keep the Optional/Transitive bits right (else RFC 7606 §3(c)); vary Partial, Extended Length, low bits.
        flags: (STANDARD_CATEGORY[typeCode] ?? 0x80) | ((extraBits[i] ?? 0) & 0x3f),
      })),
    );
}

const STANDARD_CATEGORY: Readonly<Record<number, number>> = {
  1: 0x40,
  2: 0x40,
  3: 0x40,
  4: 0x80,
  5: 0x40,
  6: 0x40,
  7: 0xc0,
  8: 0xc0,
};

function presentTypeCodes(attributes: PathAttributes): number[] {
  const codes: number[] = [];
  if (attributes.origin !== undefined) codes.push(1);
  if (attributes.asPath !== undefined) codes.push(2);
  if (attributes.nextHop !== undefined) codes.push(3);
  if (attributes.med !== undefined) codes.push(4);
  if (attributes.localPref !== undefined) codes.push(5);
  if (attributes.atomicAggregate) codes.push(6);
  if (attributes.aggregator !== undefined) codes.push(7);
  if (attributes.communities !== undefined) codes.push(8);
  for (const attribute of attributes.unknown ?? []) codes.push(attribute.typeCode);
  return codes;
}

function withHeader(type: number, body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(19 + body.length);
  bytes.fill(0xff, 0, 16);
  bytes[16] = bytes.length >>> 8;
  bytes[17] = bytes.length & 0xff;
  bytes[18] = type;
  bytes.set(body, 19);
  return bytes;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
