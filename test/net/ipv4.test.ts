import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIpv4,
  formatIpv4Prefix,
  inIpv4Range,
  ipv4,
  ipv4Prefix,
  isApipa,
  parseIpv4,
  parseIpv4Prefix,
  prefixContains,
  prefixCovers,
  prefixesOverlap,
  prefixLastAddress,
  prefixMask,
  prefixSize,
} from '../../src/net/ipv4.ts';

const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const prefixArb = fc
  .tuple(uint32, fc.integer({ min: 0, max: 32 }))
  .map(([address, length]) => ({ address: (address & prefixMask(length)) >>> 0, length }));

describe('IPv4 addresses', () => {
  it('parse and format round-trip for every uint32', () => {
    fc.assert(
      fc.property(uint32, (address) => {
        const parsed = parseIpv4(formatIpv4(address));
        expect(parsed).toEqual({ ok: true, value: address });
      }),
    );
  });

  it('format ∘ parse is the identity on canonical dotted quads', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), (octets) => {
        const text = octets.join('.');
        const parsed = parseIpv4(text);
        expect(parsed.ok && formatIpv4(parsed.value)).toBe(text);
      }),
    );
  });

  it('knows the edges', () => {
    expect(ipv4('0.0.0.0')).toBe(0);
    expect(ipv4('255.255.255.255')).toBe(0xffffffff);
    expect(ipv4('203.0.113.10')).toBe(0xcb00710a);
  });

  it.each([
    ['', 'expected four numbers'],
    ['10.0.0', 'expected four numbers'],
    ['10.0.0.0.1', 'expected four numbers'],
    ['10.0.0.256', '256 is above 255'],
    ['010.0.0.1', 'leading zeros are ambiguous'],
    ['10.0.0.-1', 'expected four numbers 0–255'],
    ['10.0.0.1 ', 'expected four numbers 0–255'],
    ['a.b.c.d', 'expected four numbers 0–255'],
    ['1e1.0.0.1', 'expected four numbers 0–255'],
  ])('rejects %j (%s)', (text, why) => {
    const parsed = parseIpv4(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(why);
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const parsed = parseIpv4(text);
        if (parsed.ok) expect(formatIpv4(parsed.value)).toBe(text);
      }),
    );
  });
});

describe('CIDR prefixes', () => {
  it('parse and format round-trip for every canonical prefix', () => {
    fc.assert(
      fc.property(prefixArb, (prefix) => {
        expect(parseIpv4Prefix(formatIpv4Prefix(prefix))).toEqual({ ok: true, value: prefix });
      }),
    );
  });

  it('rejects host bits with the canonical form as the suggestion', () => {
    const parsed = parseIpv4Prefix('192.168.10.1/24');
    expect(parsed).toEqual({
      ok: false,
      error: '"192.168.10.1/24" has host bits set; the prefix is 192.168.10.0/24',
    });
  });

  it('suggests the canonical form for any address with host bits set', () => {
    fc.assert(
      fc.property(uint32, fc.integer({ min: 0, max: 32 }), (address, length) => {
        const text = `${formatIpv4(address)}/${length}`;
        const parsed = parseIpv4Prefix(text);
        const network = (address & prefixMask(length)) >>> 0;
        if (network === address) expect(parsed.ok).toBe(true);
        else {
          expect(parsed.ok).toBe(false);
          if (!parsed.ok) expect(parsed.error).toContain(`the prefix is ${formatIpv4(network)}/${length}`);
        }
      }),
    );
  });

  it.each([
    ['10.0.0.0', 'expected address/length'],
    ['10.0.0.0/33', 'must be 0–32'],
    ['10.0.0.0/', 'must be 0–32'],
    ['10.0.0.0/08', 'must be 0–32'],
    ['10.0.0.0/8/8', 'must be 0–32'],
    ['10.0.0/8', 'is not an IPv4 address'],
  ])('rejects %j (%s)', (text, why) => {
    const parsed = parseIpv4Prefix(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(why);
  });

  it('masks, sizes and last addresses', () => {
    expect(prefixMask(0)).toBe(0);
    expect(prefixMask(24)).toBe(ipv4('255.255.255.0'));
    expect(prefixMask(32)).toBe(0xffffffff);
    expect(prefixSize(ipv4Prefix('10.0.0.0/24'))).toBe(256);
    expect(prefixSize(ipv4Prefix('0.0.0.0/0'))).toBe(2 ** 32);
    expect(formatIpv4(prefixLastAddress(ipv4Prefix('10.0.0.0/23')))).toBe('10.0.1.255');
    expect(formatIpv4(prefixLastAddress(ipv4Prefix('0.0.0.0/0')))).toBe('255.255.255.255');
  });

  it('contains exactly the addresses between its first and last address', () => {
    fc.assert(
      fc.property(prefixArb, uint32, (prefix, address) => {
        const inside = address >= prefix.address && address <= prefixLastAddress(prefix);
        expect(prefixContains(prefix, address)).toBe(inside);
      }),
    );
  });

  it('overlap is symmetric and equals "some address is in both"', () => {
    fc.assert(
      fc.property(prefixArb, prefixArb, (a, b) => {
        const overlap = prefixesOverlap(a, b);
        expect(overlap).toBe(prefixesOverlap(b, a));
        const intersect = a.address <= prefixLastAddress(b) && b.address <= prefixLastAddress(a);
        expect(overlap).toBe(intersect);
      }),
    );
  });

  it('covers: a prefix covers its own sub-prefixes, not its supernet', () => {
    const hub = ipv4Prefix('10.0.0.0/24');
    expect(prefixCovers(hub, ipv4Prefix('10.0.0.128/25'))).toBe(true);
    expect(prefixCovers(hub, ipv4Prefix('10.0.0.0/23'))).toBe(false);
    expect(prefixCovers(hub, hub)).toBe(true);
  });
});

describe('APIPA and ranges', () => {
  it('isApipa is exactly 169.254.0.0/16', () => {
    expect(isApipa(ipv4('169.254.21.1'))).toBe(true);
    expect(isApipa(ipv4('169.254.0.0'))).toBe(true);
    expect(isApipa(ipv4('169.254.255.255'))).toBe(true);
    expect(isApipa(ipv4('169.253.255.255'))).toBe(false);
    expect(isApipa(ipv4('169.255.0.0'))).toBe(false);
    expect(isApipa(ipv4('10.0.0.12'))).toBe(false);
  });

  it("in-range matches Azure's custom APIPA range inclusively", () => {
    const first = ipv4('169.254.21.0');
    const last = ipv4('169.254.22.255');
    expect(inIpv4Range(ipv4('169.254.21.0'), first, last)).toBe(true);
    expect(inIpv4Range(ipv4('169.254.22.255'), first, last)).toBe(true);
    expect(inIpv4Range(ipv4('169.254.20.255'), first, last)).toBe(false);
    expect(inIpv4Range(ipv4('169.254.23.0'), first, last)).toBe(false);
  });

  it('ipv4() and ipv4Prefix() throw on bad literals (for constants in code only)', () => {
    expect(() => ipv4('10.0.0')).toThrow(/not an IPv4 address/);
    expect(() => ipv4Prefix('10.0.0.1/24')).toThrow(/host bits/);
  });
});
