/**
 * IPv4 addresses and prefixes in the message model's string form ("10.1.0.0/16",
 * "169.254.21.1", see messages.ts) and as 32-bit numbers on the wire. Only the
 * canonical spelling is accepted — plain decimal octets, no leading zeros, host
 * bits cleared — because the decoder always produces it and decode(encode(m))
 * must give m back.
 */
import { formatIpv4, prefixMask } from '../../../net/ipv4.ts';

const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

export function parseIpv4(text: string): number | undefined {
  const match = DOTTED_QUAD.exec(text);
  if (!match) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(match[i]);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

// Formatting and masks are the same everywhere; only parsing is stricter on the wire.
export { formatIpv4, prefixMask } from '../../../net/ipv4.ts';

export interface Ipv4Prefix {
  readonly network: number;
  readonly length: number;
}

/** Parses "a.b.c.d/len"; undefined unless it is canonical (host bits zero). */
export function parsePrefix(text: string): Ipv4Prefix | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const network = parseIpv4(text.slice(0, slash));
  const lengthText = text.slice(slash + 1);
  if (network === undefined || !/^(0|[1-9]\d?)$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  if (length > 32) return undefined;
  if ((network & ~prefixMask(length)) >>> 0 !== 0) return undefined;
  return { network, length };
}

export function formatPrefix(network: number, length: number): string {
  return `${formatIpv4((network & prefixMask(length)) >>> 0)}/${length}`;
}

/** For the encoders: a bad address here is a bug in our own code, so it throws. */
export function ipv4OrThrow(text: string, field: string): number {
  const value = parseIpv4(text);
  if (value === undefined)
    throw new RangeError(`BGP encode: ${field} is not a dotted-quad IPv4 address: "${text}"`);
  return value;
}

export function prefixOrThrow(text: string, field: string): Ipv4Prefix {
  const prefix = parsePrefix(text);
  if (prefix === undefined) {
    throw new RangeError(
      `BGP encode: ${field} is not a canonical IPv4 prefix (a.b.c.d/len, host bits clear): "${text}"`,
    );
  }
  return prefix;
}
