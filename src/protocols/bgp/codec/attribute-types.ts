/** IANA BGP Path Attribute type codes the codec knows by number. */
export const AttributeType = {
  ORIGIN: 1,
  AS_PATH: 2,
  NEXT_HOP: 3,
  MULTI_EXIT_DISC: 4,
  LOCAL_PREF: 5,
  ATOMIC_AGGREGATE: 6,
  AGGREGATOR: 7,
  COMMUNITIES: 8,
  /** RFC 4760: kept as unknown attributes (we carry IPv4 unicast in the classic fields only). */
  MP_REACH_NLRI: 14,
  MP_UNREACH_NLRI: 15,
  /** RFC 6793: kept as unknown attributes between 2-octet speakers, discarded between 4-octet ones. */
  AS4_PATH: 17,
  AS4_AGGREGATOR: 18,
} as const;

/** RFC 4271 §4.3 Attribute Flags bits. */
export const AttributeFlag = {
  OPTIONAL: 0x80,
  TRANSITIVE: 0x40,
  PARTIAL: 0x20,
  EXTENDED_LENGTH: 0x10,
} as const;

const WELL_KNOWN = AttributeFlag.TRANSITIVE;
const OPTIONAL_NON_TRANSITIVE = AttributeFlag.OPTIONAL;
const OPTIONAL_TRANSITIVE = AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE;

/**
 * The Optional and Transitive bits each interpreted attribute must carry
 * (RFC 4271 §5: ORIGIN, AS_PATH, NEXT_HOP, LOCAL_PREF, ATOMIC_AGGREGATE are
 * well-known; MED optional non-transitive; AGGREGATOR optional transitive;
 * RFC 1997 §2: COMMUNITIES optional transitive). These are also the flags the
 * encoder writes, plus Extended Length when the value exceeds 255 octets.
 */
export const STANDARD_FLAGS: Readonly<Record<number, number>> = {
  [AttributeType.ORIGIN]: WELL_KNOWN,
  [AttributeType.AS_PATH]: WELL_KNOWN,
  [AttributeType.NEXT_HOP]: WELL_KNOWN,
  [AttributeType.MULTI_EXIT_DISC]: OPTIONAL_NON_TRANSITIVE,
  [AttributeType.LOCAL_PREF]: WELL_KNOWN,
  [AttributeType.ATOMIC_AGGREGATE]: WELL_KNOWN,
  [AttributeType.AGGREGATOR]: OPTIONAL_TRANSITIVE,
  [AttributeType.COMMUNITIES]: OPTIONAL_TRANSITIVE,
};

const NAMES: Readonly<Record<number, string>> = {
  1: 'ORIGIN',
  2: 'AS_PATH',
  3: 'NEXT_HOP',
  4: 'MULTI_EXIT_DISC',
  5: 'LOCAL_PREF',
  6: 'ATOMIC_AGGREGATE',
  7: 'AGGREGATOR',
  8: 'COMMUNITIES',
  9: 'ORIGINATOR_ID',
  10: 'CLUSTER_LIST',
  14: 'MP_REACH_NLRI',
  15: 'MP_UNREACH_NLRI',
  16: 'EXTENDED_COMMUNITIES',
  17: 'AS4_PATH',
  18: 'AS4_AGGREGATOR',
  32: 'LARGE_COMMUNITY',
};

export function attributeName(typeCode: number): string {
  return NAMES[typeCode] ?? `attribute ${typeCode}`;
}

/** Type codes with a typed field in PathAttributes; anything else travels as an UnknownAttribute. */
export function isInterpretedAttribute(typeCode: number): boolean {
  return STANDARD_FLAGS[typeCode] !== undefined;
}

/** The flags octet the encoder writes for an interpreted attribute of this value length. */
export function standardFlags(typeCode: number, valueLength: number): number {
  return (STANDARD_FLAGS[typeCode] ?? 0) | (valueLength > 255 ? AttributeFlag.EXTENDED_LENGTH : 0);
}
