import type { AttributeLayoutEntry, CodecContext, Origin, PathAttributes } from '../messages.ts';
import { encodeAsPath } from './as-path.ts';
import { AttributeFlag, AttributeType, isInterpretedAttribute, STANDARD_FLAGS } from './attribute-types.ts';
import { ByteWriter } from './byte-writer.ts';
import { ipv4OrThrow } from './ipv4.ts';

interface EncodedAttribute {
  readonly typeCode: number;
  readonly flags: number;
  readonly value: Uint8Array;
}

const ORIGIN_CODES: Readonly<Record<Origin, number>> = { igp: 0, egp: 1, incomplete: 2 };

/**
 * Writes the Path Attributes field. Attributes go in ascending type code order
 * (RFC 4271 §5 SHOULD) with their standard flags, unless the UPDATE carries the
 * layout it was received with: then that order and those flags are reused for
 * the attributes still present, and any others follow in the default order.
 */
export function writePathAttributes(
  writer: ByteWriter,
  attributes: PathAttributes,
  layout: readonly AttributeLayoutEntry[] | undefined,
  ctx: CodecContext,
): void {
  for (const attribute of applyLayout(encodeEach(attributes, ctx), layout)) {
    // RFC 4271 §4.3: the Extended Length bit makes the length field 2 octets; required past 255.
    const extended = (attribute.flags & AttributeFlag.EXTENDED_LENGTH) !== 0 || attribute.value.length > 255;
    writer.u8(
      extended ? attribute.flags | AttributeFlag.EXTENDED_LENGTH : attribute.flags,
      'attribute flags',
    );
    writer.u8(attribute.typeCode, 'attribute type code');
    if (extended) writer.u16(attribute.value.length, 'attribute length');
    else writer.u8(attribute.value.length);
    writer.bytes(attribute.value);
  }
}

function encodeEach(attributes: PathAttributes, ctx: CodecContext): EncodedAttribute[] {
  const list: EncodedAttribute[] = [];
  const add = (typeCode: number, value: Uint8Array): void => {
    list.push({ typeCode, flags: STANDARD_FLAGS[typeCode] ?? 0, value });
  };
  if (attributes.origin !== undefined)
    add(AttributeType.ORIGIN, Uint8Array.of(ORIGIN_CODES[attributes.origin]));
  if (attributes.asPath !== undefined)
    add(AttributeType.AS_PATH, encodeAsPath(attributes.asPath, ctx.fourOctetAs));
  if (attributes.nextHop !== undefined) {
    add(AttributeType.NEXT_HOP, u32Value(ipv4OrThrow(attributes.nextHop, 'NEXT_HOP'), 'NEXT_HOP'));
  }
  if (attributes.med !== undefined) add(AttributeType.MULTI_EXIT_DISC, u32Value(attributes.med, 'MED'));
  if (attributes.localPref !== undefined)
    add(AttributeType.LOCAL_PREF, u32Value(attributes.localPref, 'LOCAL_PREF'));
  if (attributes.atomicAggregate === true) add(AttributeType.ATOMIC_AGGREGATE, new Uint8Array(0));
  if (attributes.aggregator !== undefined) {
    add(AttributeType.AGGREGATOR, encodeAggregator(attributes.aggregator, ctx.fourOctetAs));
  }
  // An empty COMMUNITIES attribute would be malformed (RFC 7606 §7.8), so an empty list means none.
  if (attributes.communities !== undefined && attributes.communities.length > 0) {
    const writer = new ByteWriter(attributes.communities.length * 4);
    for (const community of attributes.communities) writer.u32(community, 'community');
    add(AttributeType.COMMUNITIES, writer.finish());
  }
  const unknownTypes = new Set<number>();
  for (const attribute of attributes.unknown ?? []) {
    if (isInterpretedAttribute(attribute.typeCode)) {
      throw new RangeError(
        `BGP encode: attribute type ${attribute.typeCode} has a typed field in PathAttributes; do not pass it as unknown`,
      );
    }
    if (unknownTypes.has(attribute.typeCode)) {
      // The receiver would discard every copy but the first (RFC 7606 §3(g)): a bug in whoever built the list.
      throw new RangeError(`BGP encode: unknown attribute type ${attribute.typeCode} appears twice`);
    }
    unknownTypes.add(attribute.typeCode);
    list.push({ typeCode: attribute.typeCode, flags: attribute.flags, value: attribute.value });
  }
  return list.sort((a, b) => a.typeCode - b.typeCode);
}

function u32Value(value: number, field: string): Uint8Array {
  const writer = new ByteWriter(4);
  writer.u32(value, field);
  return writer.finish();
}

function encodeAggregator(
  aggregator: NonNullable<PathAttributes['aggregator']>,
  fourOctetAs: boolean,
): Uint8Array {
  const writer = new ByteWriter(8);
  if (fourOctetAs) writer.u32(aggregator.asn, 'AGGREGATOR ASN');
  else if (aggregator.asn > 0xffff) {
    throw new RangeError(
      `BGP encode: AGGREGATOR ASN ${aggregator.asn} needs 4 octets in a 2-octet session; use AS_TRANS and AS4_AGGREGATOR (RFC 6793 §4.2.2)`,
    );
  } else writer.u16(aggregator.asn, 'AGGREGATOR ASN');
  writer.u32(ipv4OrThrow(aggregator.address, 'AGGREGATOR address'));
  return writer.finish();
}

function applyLayout(
  encoded: readonly EncodedAttribute[],
  layout: readonly AttributeLayoutEntry[] | undefined,
): readonly EncodedAttribute[] {
  if (layout === undefined) return encoded;
  const remaining = [...encoded];
  const ordered: EncodedAttribute[] = [];
  for (const entry of layout) {
    const index = remaining.findIndex((attribute) => attribute.typeCode === entry.typeCode);
    if (index < 0) continue;
    const [attribute] = remaining.splice(index, 1);
    if (attribute === undefined) continue;
    // Unknown attributes carry their own flags; the layout only restores those of interpreted ones.
    ordered.push(
      isInterpretedAttribute(attribute.typeCode) ? { ...attribute, flags: entry.flags } : attribute,
    );
  }
  return [...ordered, ...remaining];
}
