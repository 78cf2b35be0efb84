/**
 * BGP Identifiers and peer addresses are dotted quads in our message types
 * (messages.ts). Comparisons — collision resolution (RFC 4271 §6.8) and the last
 * tie-breaks of the decision process (§9.1.2.2 f, g) — treat them as 4-octet
 * unsigned integers in host byte order, which string comparison would get wrong
 * ("10.0.0.9" > "10.0.0.10").
 */
export function ipv4ToUint32(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** Orders two dotted quads numerically; unparsable text sorts last, then by text, so sorting never throws. */
export function compareIpv4(a: string, b: string): number {
  const x = ipv4ToUint32(a);
  const y = ipv4ToUint32(b);
  if (x !== undefined && y !== undefined) return x - y;
  if (x !== undefined) return -1;
  if (y !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
