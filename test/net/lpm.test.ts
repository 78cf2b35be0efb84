import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrefixTrie } from '../../src/net/lpm.ts';

const mask = (length: number) => (length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);
const ip = (a: number, b: number, c: number, d: number) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

describe('longest-prefix match', () => {
  it('prefers the more specific prefix, as a hub route table does', () => {
    const table = new PrefixTrie<string>();
    table.set(ip(192, 168, 0, 0), 16, 'site-a summary');
    table.set(ip(192, 168, 10, 0), 24, 'site-b specific');
    expect(table.lookup(ip(192, 168, 10, 5))?.value).toBe('site-b specific');
    expect(table.lookup(ip(192, 168, 11, 5))?.value).toBe('site-a summary');
    expect(table.lookup(ip(10, 0, 0, 1))).toBeUndefined();
    table.delete(ip(192, 168, 10, 0), 24);
    expect(table.lookup(ip(192, 168, 10, 5))?.value).toBe('site-a summary');
    expect(table.size).toBe(1);
  });

  it('agrees with a linear scan for random tables', () => {
    const prefix = fc.record({
      network: fc.nat({ max: 0xffffffff }),
      length: fc.integer({ min: 0, max: 32 }),
    });
    fc.assert(
      fc.property(
        fc.array(prefix, { maxLength: 40 }),
        fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 40 }),
        (prefixes, addresses) => {
          const table = new PrefixTrie<number>();
          const canonical = prefixes.map((p, i) => ({
            network: (p.network & mask(p.length)) >>> 0,
            length: p.length,
            i,
          }));
          for (const p of canonical) table.set(p.network, p.length, p.i);
          for (const a of addresses) {
            let best: { length: number; i: number } | undefined;
            for (const p of canonical) {
              if ((a & mask(p.length)) >>> 0 === p.network && (!best || p.length >= best.length)) {
                // Later writes of the same prefix overwrite earlier ones, as in the trie.
                if (!best || p.length > best.length || p.length === best.length) best = p;
              }
            }
            expect(table.lookup(a)?.value).toBe(best?.i);
          }
        },
      ),
    );
  });
});
