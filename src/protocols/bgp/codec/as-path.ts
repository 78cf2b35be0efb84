import type { AsPathSegment } from '../messages.ts';
import { readU16, readU32 } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';

/** RFC 4271 §4.3 path segment types. */
const SEGMENT_TYPE = { set: 1, sequence: 2 } as const;
/** A segment's length octet counts ASNs, so one segment holds at most 255. */
const MAX_SEGMENT_ASNS = 255;

/**
 * AS_PATH value with 2-octet ASNs, or 4-octet ones once both speakers have the
 * RFC 6793 capability. An ASN above 65535 in a 2-octet session is our bug: the
 * sender must have built the RFC 6793 §4.2.2 form (AS_TRANS plus AS4_PATH) first.
 */
export function encodeAsPath(segments: readonly AsPathSegment[], fourOctetAs: boolean): Uint8Array {
  const writer = new ByteWriter(2 + segments.length * 2 * (fourOctetAs ? 4 : 2));
  for (const segment of segments) {
    if (segment.asns.length === 0 || segment.asns.length > MAX_SEGMENT_ASNS) {
      // An empty segment is malformed (RFC 7606 §7.2); a longer one must be split by whoever builds the path.
      throw new RangeError(`BGP encode: AS_PATH segment of ${segment.asns.length} ASNs; must hold 1..255`);
    }
    writer.u8(SEGMENT_TYPE[segment.type]);
    writer.u8(segment.asns.length);
    for (const asn of segment.asns) {
      if (fourOctetAs) writer.u32(asn, 'AS_PATH ASN');
      else if (asn > 0xffff) {
        throw new RangeError(
          `BGP encode: AS_PATH ASN ${asn} needs 4 octets but the session has no 4-octet AS; use AS_TRANS and AS4_PATH (RFC 6793 §4.2.2)`,
        );
      } else writer.u16(asn, 'AS_PATH ASN');
    }
  }
  return writer.finish();
}

/**
 * Parses an AS_PATH value, or says why it is malformed in RFC 7606 §7.2's terms
 * (unrecognised segment type, overrun, single-octet underrun, empty segment) or
 * RFC 7607 §2's (AS 0). AS_CONFED_SEQUENCE/SET (RFC 5065) count as unrecognised:
 * no Azure design uses confederations.
 */
export function decodeAsPath(
  value: Uint8Array,
  fourOctetAs: boolean,
):
  | { readonly ok: true; readonly segments: AsPathSegment[] }
  | { readonly ok: false; readonly reason: string } {
  const width = fourOctetAs ? 4 : 2;
  const segments: AsPathSegment[] = [];
  let pos = 0;
  while (pos < value.length) {
    if (value.length - pos < 2) return { ok: false, reason: 'a single octet left after the last segment' };
    const typeCode = value[pos] ?? 0;
    const count = value[pos + 1] ?? 0;
    const type =
      typeCode === SEGMENT_TYPE.set ? 'set' : typeCode === SEGMENT_TYPE.sequence ? 'sequence' : undefined;
    if (type === undefined) return { ok: false, reason: `segment type ${typeCode} unrecognised` };
    if (count === 0) return { ok: false, reason: 'segment of length 0' };
    const end = pos + 2 + count * width;
    if (end > value.length) return { ok: false, reason: `segment of ${count} ASNs overruns the attribute` };
    const asns: number[] = [];
    for (let at = pos + 2; at < end; at += width) {
      const asn = fourOctetAs ? readU32(value, at) : readU16(value, at);
      if (asn === 0) return { ok: false, reason: 'AS 0 in the path (RFC 7607 §2)' };
      asns.push(asn);
    }
    segments.push({ type, asns });
    pos = end;
  }
  return { ok: true, segments };
}
