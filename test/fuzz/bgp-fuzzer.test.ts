/**
 * The BGP fuzzer's own machinery: the structure reader that lets mutations keep
 * lengths consistent takes canonical messages apart and puts them back byte for
 * byte, and a short fuzzing run (npm run fuzz:bgp does a million inputs) finds
 * nothing and reaches a broad set of outcome classes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runEventSequence } from '../../fuzz/bgp/events.ts';
import { fuzzBgp } from '../../fuzz/bgp/fuzzer.ts';
import { MAX_PREFIXES } from '../../fuzz/bgp/harness.ts';
import { seedCorpus } from '../../fuzz/bgp/seeds.ts';
import {
  joinOpen,
  joinUpdate,
  lengthFields,
  messageSpans,
  splitOpen,
  splitUpdate,
} from '../../fuzz/bgp/structure.ts';
import { encodeMessage } from '../../src/protocols/bgp/codec.ts';
import { Rng } from '../../src/sim/rng.ts';
import { messageInContext } from '../bgp/arbitraries.ts';

describe('BGP fuzzer structure reader', () => {
  it('canonical UPDATEs and OPENs come apart into parts and go back together byte for byte', () => {
    fc.assert(
      fc.property(messageInContext, ({ ctx, message }) => {
        const bytes = encodeMessage(message, ctx);
        expect(messageSpans(bytes)).toEqual([{ start: 0, end: bytes.length }]);
        expect(lengthFields(bytes)[0]).toEqual({ at: 16, width: 2, what: 'message length' });
        if (message.type === 'update') {
          const parts = splitUpdate(bytes);
          expect(parts && joinUpdate(parts)).toEqual(bytes);
        }
        if (message.type === 'open') {
          const parts = splitOpen(bytes);
          expect(parts && joinOpen(parts)).toEqual(bytes);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('BGP fuzzer, short run', () => {
  it('3,000 mutated inputs through decoder, framer and wires: no exception, no broken invariant, 25+ outcome classes', () => {
    const stats = fuzzBgp({ seeds: seedCorpus(60, 7), inputs: 3000, seed: 99, now: () => performance.now() });
    expect(stats.crashes.map((crash) => crash.error)).toEqual([]);
    expect(stats.exceptions).toBe(0);
    expect(stats.inputs).toBe(3000);
    expect(stats.classes.size).toBeGreaterThanOrEqual(25);
    expect(stats.soakMaxPrefixes).toBeLessThanOrEqual(MAX_PREFIXES);
  });
});

describe('BGP session event fuzzing, short run', () => {
  it('2,000 random runtime histories (connects, accepts, drops, timers, bytes on up to three connections) keep every session invariant; collisions and sessions happen', () => {
    const rng = new Rng(4271);
    const seeds = seedCorpus(40, 11).map((seed) => seed.bytes);
    const pick = (): Uint8Array => seeds[rng.int(seeds.length)] ?? new Uint8Array(0);
    const sent = new Set<string>();
    let established = 0;
    for (let run = 0; run < 2000; run++) {
      const result = runEventSequence(rng, 40, pick);
      if (result.established) established++;
      for (const code of result.notifications) sent.add(code);
    }
    expect(established).toBeGreaterThan(100);
    // Collision resolution (Cease/7), hold timer expiry (4/0) and FSM errors all occurred.
    expect([...sent]).toEqual(expect.arrayContaining(['6/7', '4/0', '5/1']));
  });
});
