import type { ByteWriter } from './byte-writer.ts';
import { formatPrefix, prefixOrThrow } from './ipv4.ts';

/**
 * The Withdrawn Routes and NLRI fields (RFC 4271 §4.3): each prefix is a length
 * octet and the fewest octets that hold that many bits. Trailing bits past the
 * length are "irrelevant" (§4.3), so the decoder clears them — a prefix always
 * comes out canonical.
 */
export type PrefixField =
  | { readonly ok: true; readonly prefixes: string[] }
  | { readonly ok: false; readonly reason: string };

export function decodePrefixes(bytes: Uint8Array, start: number, end: number): PrefixField {
  const prefixes: string[] = [];
  let pos = start;
  while (pos < end) {
    const length = bytes[pos] ?? 0;
    // RFC 7606 §5.3: a length above 32, or a last prefix running past the field, makes the field malformed.
    if (length > 32) return { ok: false, reason: `prefix length ${length} above 32 at octet ${pos}` };
    const octets = (length + 7) >> 3;
    if (pos + 1 + octets > end) {
      return { ok: false, reason: `prefix /${length} at octet ${pos} runs past the end of its field` };
    }
    let network = 0;
    for (let i = 0; i < 4; i++) network = network * 256 + (i < octets ? (bytes[pos + 1 + i] ?? 0) : 0);
    prefixes.push(formatPrefix(network, length));
    pos += 1 + octets;
  }
  return { ok: true, prefixes };
}

export function writePrefixes(writer: ByteWriter, prefixes: readonly string[], field: string): void {
  for (const text of prefixes) {
    const { network, length } = prefixOrThrow(text, field);
    writer.u8(length);
    const octets = (length + 7) >> 3;
    for (let i = 0; i < octets; i++) writer.u8((network >>> (24 - 8 * i)) & 0xff);
  }
}
