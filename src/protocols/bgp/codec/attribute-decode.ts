import {
  type AttributeLayoutEntry,
  type CodecContext,
  ErrorCode,
  type Origin,
  type PathAttributes,
  type UnknownAttribute,
  UpdateSubcode,
} from '../messages.ts';
import { decodeAsPath } from './as-path.ts';
import {
  AttributeFlag,
  AttributeType,
  attributeName,
  isInterpretedAttribute,
  STANDARD_FLAGS,
  standardFlags,
} from './attribute-types.ts';
import { readU16, readU32 } from './byte-reader.ts';
import { formatIpv4 } from './ipv4.ts';
import { type DecodeFailure, failure } from './outcome.ts';

/**
 * The Path Attributes field of an UPDATE under RFC 7606's revised error
 * handling: a malformed attribute costs the routes of this UPDATE
 * ("treat-as-withdraw") or just the attribute ("attribute discard"), and only
 * errors that leave the message unparseable reset the session.
 */
export interface AttributeScan {
  readonly attributes: PathAttributes;
  /** Present only when the sender's order or flags differ from the encoder's default. */
  readonly layout?: readonly AttributeLayoutEntry[];
  /** Causes that turn this UPDATE's NLRI into withdrawals. */
  readonly withdrawReasons: readonly string[];
  /** Every RFC 7606 outcome applied, in wire order, prefixed with its approach. */
  readonly warnings: readonly string[];
}

type MutableAttributes = { -readonly [K in keyof PathAttributes]: PathAttributes[K] };

type Verdict =
  | { readonly kind: 'keep'; readonly set: PathAttributes }
  | { readonly kind: 'withdraw' | 'discard'; readonly reason: string };

const ORIGINS: readonly Origin[] = ['igp', 'egp', 'incomplete'];

interface LaidOut extends AttributeLayoutEntry {
  readonly valueLength: number;
}

export function scanPathAttributes(
  bytes: Uint8Array,
  start: number,
  end: number,
  ctx: CodecContext,
): AttributeScan | DecodeFailure {
  const attributes: MutableAttributes = {};
  const unknown: UnknownAttribute[] = [];
  const layout: LaidOut[] = [];
  const seen = new Set<number>();
  const warnings: string[] = [];
  const withdrawReasons: string[] = [];
  const withdraw = (reason: string): void => {
    withdrawReasons.push(reason);
    warnings.push(`treat-as-withdraw: ${reason}`);
  };
  const discard = (reason: string): void => {
    warnings.push(`attribute discard: ${reason}`);
  };

  let pos = start;
  while (pos < end) {
    const flags = bytes[pos] ?? 0;
    const headerLength = flags & AttributeFlag.EXTENDED_LENGTH ? 4 : 3;
    if (end - pos < headerLength) {
      // RFC 7606 §4, second case; Total Attribute Length still locates the NLRI.
      withdraw(
        `${end - pos} octet(s) left in the path attributes, too few for an attribute header (RFC 7606 §4)`,
      );
      break;
    }
    const typeCode = bytes[pos + 1] ?? 0;
    const name = attributeName(typeCode);
    const valueLength = headerLength === 4 ? readU16(bytes, pos + 2) : (bytes[pos + 2] ?? 0);
    const valueStart = pos + headerLength;
    const valueEnd = valueStart + valueLength;
    if (valueEnd > end) {
      // RFC 7606 §4, first case.
      withdraw(`${name} length ${valueLength} overruns the Total Path Attribute Length (RFC 7606 §4)`);
      break;
    }
    const attributeStart = pos;
    pos = valueEnd;

    if (seen.has(typeCode)) {
      if (typeCode === AttributeType.MP_REACH_NLRI || typeCode === AttributeType.MP_UNREACH_NLRI) {
        return failure(
          ErrorCode.UPDATE_MESSAGE,
          UpdateSubcode.MALFORMED_ATTRIBUTE_LIST,
          `${name} appears twice (RFC 7606 §3(g))`,
        );
      }
      discard(`duplicate ${name}, first kept (RFC 7606 §3(g))`);
      continue;
    }
    seen.add(typeCode);
    const value = bytes.subarray(valueStart, valueEnd);

    if (isInterpretedAttribute(typeCode)) {
      const categoryBits = flags & (AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE);
      if (categoryBits !== STANDARD_FLAGS[typeCode]) {
        withdraw(`${name} flags 0x${hex(flags)} have the wrong Optional/Transitive bits (RFC 7606 §3(c))`);
        continue;
      }
      const verdict = interpret(typeCode, value, ctx);
      if (verdict.kind === 'keep') {
        Object.assign(attributes, verdict.set);
        layout.push({ typeCode, flags, valueLength });
      } else if (verdict.kind === 'withdraw') withdraw(verdict.reason);
      else discard(verdict.reason);
      continue;
    }

    if ((flags & AttributeFlag.OPTIONAL) === 0) {
      // RFC 4271 §6.3, untouched by RFC 7606: data is the whole attribute (type, length, value).
      return failure(
        ErrorCode.UPDATE_MESSAGE,
        UpdateSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
        `unrecognised well-known ${name}`,
        bytes.slice(attributeStart, valueEnd),
      );
    }
    if (
      ctx.fourOctetAs &&
      (typeCode === AttributeType.AS4_PATH || typeCode === AttributeType.AS4_AGGREGATOR)
    ) {
      discard(`${name} between two 4-octet AS speakers (RFC 6793 §4.1)`);
      continue;
    }
    // Optional attributes we do not interpret pass through untouched (RFC 4271 §5), including
    // AS4_PATH and AS4_AGGREGATOR in a 2-octet session: merging them (RFC 6793 §4.2.3) is not done here.
    unknown.push({ flags, typeCode, value: value.slice() });
    layout.push({ typeCode, flags, valueLength });
  }

  if (unknown.length > 0) attributes.unknown = unknown;
  const wireLayout = nonStandardLayout(layout);
  return {
    attributes,
    ...(wireLayout ? { layout: wireLayout } : {}),
    withdrawReasons,
    warnings,
  };
}

/** RFC 7606 §7's per-attribute rules for the attributes we interpret. */
function interpret(typeCode: number, value: Uint8Array, ctx: CodecContext): Verdict {
  const length = value.length;
  switch (typeCode) {
    case AttributeType.ORIGIN: {
      if (length !== 1) return withdrawn(`ORIGIN length ${length} (RFC 7606 §7.1)`);
      const origin = ORIGINS[value[0] ?? 0xff];
      if (origin === undefined) return withdrawn(`ORIGIN value ${value[0]} (RFC 7606 §7.1)`);
      return { kind: 'keep', set: { origin } };
    }
    case AttributeType.AS_PATH: {
      const parsed = decodeAsPath(value, ctx.fourOctetAs);
      if (!parsed.ok) return withdrawn(`AS_PATH malformed: ${parsed.reason} (RFC 7606 §7.2)`);
      return { kind: 'keep', set: { asPath: parsed.segments } };
    }
    case AttributeType.NEXT_HOP: {
      if (length !== 4) return withdrawn(`NEXT_HOP length ${length} (RFC 7606 §7.3)`);
      const nextHop = readU32(value, 0);
      if (!isHostAddress(nextHop)) {
        return withdrawn(
          `NEXT_HOP ${formatIpv4(nextHop)} is not a host address (RFC 4271 §6.3, RFC 7606 §7.3)`,
        );
      }
      return { kind: 'keep', set: { nextHop: formatIpv4(nextHop) } };
    }
    case AttributeType.MULTI_EXIT_DISC:
      if (length !== 4) return withdrawn(`MULTI_EXIT_DISC length ${length} (RFC 7606 §7.4)`);
      return { kind: 'keep', set: { med: readU32(value, 0) } };
    case AttributeType.LOCAL_PREF:
      if (ctx.externalPeer)
        return { kind: 'discard', reason: 'LOCAL_PREF from an external peer (RFC 7606 §7.5)' };
      if (length !== 4) return withdrawn(`LOCAL_PREF length ${length} (RFC 7606 §7.5)`);
      return { kind: 'keep', set: { localPref: readU32(value, 0) } };
    case AttributeType.ATOMIC_AGGREGATE:
      if (length !== 0)
        return { kind: 'discard', reason: `ATOMIC_AGGREGATE length ${length} (RFC 7606 §7.6)` };
      return { kind: 'keep', set: { atomicAggregate: true } };
    case AttributeType.AGGREGATOR: {
      // RFC 7606 §7.7: 6 octets in a 2-octet AS session, 8 once both sides have RFC 6793.
      const expected = ctx.fourOctetAs ? 8 : 6;
      if (length !== expected) {
        return {
          kind: 'discard',
          reason: `AGGREGATOR length ${length}, expected ${expected} (RFC 7606 §7.7)`,
        };
      }
      const asn = ctx.fourOctetAs ? readU32(value, 0) : readU16(value, 0);
      return {
        kind: 'keep',
        set: { aggregator: { asn, address: formatIpv4(readU32(value, expected - 4)) } },
      };
    }
    case AttributeType.COMMUNITIES: {
      if (length === 0 || length % 4 !== 0) {
        return withdrawn(`COMMUNITIES length ${length} is not a non-zero multiple of 4 (RFC 7606 §7.8)`);
      }
      const communities: number[] = [];
      for (let at = 0; at < length; at += 4) communities.push(readU32(value, at));
      return { kind: 'keep', set: { communities } };
    }
    default:
      // Unreachable: the caller checks isInterpretedAttribute(). Discarding is the harmless answer.
      return { kind: 'discard', reason: `${attributeName(typeCode)} has no interpreter` };
  }
}

function withdrawn(reason: string): Verdict {
  return { kind: 'withdraw', reason };
}

/**
 * RFC 4271 §6.3: NEXT_HOP must be "a valid IP host address". Like FRR and BIRD
 * we reject 0/8, loopback 127/8 and class D/E (224/3 and above).
 */
function isHostAddress(address: number): boolean {
  const first = address >>> 24;
  return first !== 0 && first !== 127 && first < 224;
}

function nonStandardLayout(layout: readonly LaidOut[]): AttributeLayoutEntry[] | undefined {
  let previousType = -1;
  let standard = true;
  for (const entry of layout) {
    if (entry.typeCode <= previousType) standard = false;
    previousType = entry.typeCode;
    if (
      isInterpretedAttribute(entry.typeCode) &&
      entry.flags !== standardFlags(entry.typeCode, entry.valueLength)
    ) {
      standard = false;
    }
  }
  return standard ? undefined : layout.map(({ typeCode, flags }) => ({ typeCode, flags }));
}

function hex(octet: number): string {
  return octet.toString(16).padStart(2, '0');
}
