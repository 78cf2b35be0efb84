/**
 * IPv4 addresses and CIDR prefixes as unsigned 32-bit integers: the project's one
 * entry point for IPv4 text. Parsing is strict on purpose — a topology file is a
 * design document, so `010.0.0.1` (octal on some stacks) or `10.0.0.1/24` (host bits
 * set) are reported, not silently reinterpreted. Pure, platform-free.
 */

/** An IPv4 address as an unsigned 32-bit integer (0 … 2^32−1). */
export type Ipv4Address = number;

/** A CIDR prefix: `address` is the network address (host bits zero), `length` 0–32. */
export interface Ipv4Prefix {
  readonly address: Ipv4Address;
  readonly length: number;
}

/** Errors are values: the caller decides which field path to blame. */
export type Ipv4Parse<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string };

const OCTET = /^(0|[1-9][0-9]{0,2})$/;
const LENGTH = /^(0|[1-9][0-9]?)$/;

function quoted(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

export function parseIpv4(text: string): Ipv4Parse<Ipv4Address> {
  const parts = text.split('.');
  if (parts.length !== 4) {
    return {
      ok: false,
      error: `${quoted(text)} is not an IPv4 address; expected four numbers like 203.0.113.10`,
    };
  }
  let value = 0;
  for (const part of parts) {
    if (!OCTET.test(part)) {
      const why = /^0[0-9]+$/.test(part)
        ? ' (leading zeros are ambiguous: some stacks read them as octal)'
        : '';
      return {
        ok: false,
        error: `${quoted(text)} is not an IPv4 address${why}; expected four numbers 0–255 like 203.0.113.10`,
      };
    }
    const octet = Number(part);
    if (octet > 255) {
      return { ok: false, error: `${quoted(text)} is not an IPv4 address: ${part} is above 255` };
    }
    value = value * 256 + octet;
  }
  return { ok: true, value };
}

export function formatIpv4(address: Ipv4Address): string {
  return `${(address >>> 24) & 255}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}`;
}

/** The netmask of a prefix length as a uint32 (length 0 → 0, 32 → 255.255.255.255). */
export function prefixMask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** Parses canonical CIDR text: `a.b.c.d/len` with no host bits set. */
export function parseIpv4Prefix(text: string): Ipv4Parse<Ipv4Prefix> {
  const slash = text.indexOf('/');
  if (slash < 0) {
    return {
      ok: false,
      error: `${quoted(text)} is not a CIDR prefix; expected address/length like 192.168.10.0/24 (a single host is /32)`,
    };
  }
  const address = parseIpv4(text.slice(0, slash));
  if (!address.ok) return { ok: false, error: `${quoted(text)} is not a CIDR prefix: ${address.error}` };
  const lengthText = text.slice(slash + 1);
  if (!LENGTH.test(lengthText) || Number(lengthText) > 32) {
    return { ok: false, error: `${quoted(text)} is not a CIDR prefix: the length after / must be 0–32` };
  }
  const length = Number(lengthText);
  const network = (address.value & prefixMask(length)) >>> 0;
  if (network !== address.value) {
    const canonical = formatIpv4Prefix({ address: network, length });
    return {
      ok: false,
      error: `${quoted(text)} has host bits set; the prefix is ${canonical}`,
    };
  }
  return { ok: true, value: { address: network, length } };
}

export function formatIpv4Prefix(prefix: Ipv4Prefix): string {
  return `${formatIpv4(prefix.address)}/${prefix.length}`;
}

/** For constants and tests: parses or throws (a bad literal in code is a bug, not input). */
export function ipv4(text: string): Ipv4Address {
  const parsed = parseIpv4(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** For constants and tests: parses or throws. */
export function ipv4Prefix(text: string): Ipv4Prefix {
  const parsed = parseIpv4Prefix(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** The last address of a prefix (its broadcast address for lengths below 31). */
export function prefixLastAddress(prefix: Ipv4Prefix): Ipv4Address {
  return (prefix.address | ~prefixMask(prefix.length)) >>> 0;
}

/** Number of addresses in a prefix (2^(32−length)). */
export function prefixSize(prefix: Ipv4Prefix): number {
  return 2 ** (32 - prefix.length);
}

export function prefixContains(prefix: Ipv4Prefix, address: Ipv4Address): boolean {
  return (address & prefixMask(prefix.length)) >>> 0 === prefix.address;
}

/** True when every address of `inner` is inside `outer`. */
export function prefixCovers(outer: Ipv4Prefix, inner: Ipv4Prefix): boolean {
  return inner.length >= outer.length && prefixContains(outer, inner.address);
}

/** Two CIDR prefixes overlap exactly when one covers the other. */
export function prefixesOverlap(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  return prefixCovers(a, b) || prefixCovers(b, a);
}

export function inIpv4Range(address: Ipv4Address, first: Ipv4Address, last: Ipv4Address): boolean {
  return address >= first && address <= last;
}

/** RFC 3927 link-local 169.254.0.0/16, which Azure and VPN vendors call APIPA. */
export const APIPA_PREFIX: Ipv4Prefix = { address: 0xa9fe0000, length: 16 };

export function isApipa(address: Ipv4Address): boolean {
  return prefixContains(APIPA_PREFIX, address);
}
