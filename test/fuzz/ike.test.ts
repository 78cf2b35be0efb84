/**
 * The IKE endpoint cores under random and hostile histories: a quick sample of
 * the IKE fuzzer (`npm run fuzz:ike` runs the long one; fuzz/ike/harness.ts says
 * what is checked), a few attacks one by one, and the fuzzer's findings in the
 * core, which src/protocols/ike does not fix yet: each is an `it.fails` test
 * that passes once the core is fixed (then make it a plain `it`), and a history
 * in fuzz/corpus/ike/ with the story.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IkeHistory } from '../../fuzz/ike/events.ts';
import { fuzzIke } from '../../fuzz/ike/fuzzer.ts';
import { runHistory } from '../../fuzz/ike/harness.ts';
import { IkeFuzzWorld, type ViolationKind } from '../../fuzz/ike/world.ts';
import type { IkeMessage } from '../../src/protocols/ike/messages.ts';
import { MINUTE, makeTunnel, SECOND, upSas } from '../ike/harness.ts';

const CORPUS = join(import.meta.dirname, '..', '..', 'fuzz', 'corpus', 'ike');

interface CorpusFile {
  readonly notes: readonly string[];
  readonly finding: ViolationKind;
  readonly history: IkeHistory;
}

function corpus(name: string): CorpusFile {
  return JSON.parse(readFileSync(join(CORPUS, name), 'utf8')) as CorpusFile;
}

/** Broken whatever the history: none of these may ever show up. */
const NEVER: readonly ViolationKind[] = [
  'exception',
  'bad-timer',
  'data-plane-disagrees',
  'tunnel-level',
  'state-chain',
  'request-on-unknown-sa',
  'sa-growth',
  'child-growth',
  'queue-growth',
  'livelock',
  'not-cleaned-up',
  'nondeterministic',
  'split-brain',
  'fast-path-differs',
];

function established(world: IkeFuzzWorld): void {
  world.input('a', { kind: 'start' });
  world.input('b', { kind: 'start' });
  world.advance(SECOND);
  expect(world.upSas('a')).toHaveLength(1);
  expect(world.upSas('a')).toEqual(world.upSas('b'));
}

describe('IKE fuzzing, quick sample (npm run fuzz:ike runs the long one)', () => {
  it('120 random histories, pair and hostile peer: no exception, exact data-plane view, bounded state, cleaned up, deterministic', () => {
    const stats = fuzzIke({ histories: 120, seed: 2024, now: () => performance.now(), shrink: false });
    expect(stats.histories).toBe(120);
    const kinds = [...stats.findings.values()].map((finding) => finding.violation.kind);
    for (const kind of NEVER) expect(kinds, kind).not.toContain(kind);
    expect(stats.determinismChecks).toBeGreaterThanOrEqual(10);
    expect(stats.perMode.pair.converged).toBeGreaterThan(30);
    expect(stats.summaries.size).toBeGreaterThan(15);
    expect(stats.maxSas).toBeLessThanOrEqual(8);
  });

  it('the same history gives the same outputs, input for input (digest)', () => {
    const history = corpus('lingering-ike-sa-after-simultaneous-rekey.json').history;
    expect(runHistory(history).digest).toBe(runHistory(history).digest);
  });
});

describe('one endpoint against a hostile peer: the classic attacks', () => {
  it('1,000 IKE_SA_INIT requests in a second: half-open SAs only, all gone after the half-open timeout', () => {
    const world = new IkeFuzzWorld({ seed: 7, latencyMs: 20, jitterMs: 0, a: { mode: 'Default' } });
    world.input('a', { kind: 'start' });
    for (let i = 0; i < 1000; i++) {
      world.deliver(
        'a',
        {
          exchange: 'IKE_SA_INIT',
          isResponse: false,
          fromOriginalInitiator: true,
          initiatorSpi: 1 + i,
          responderSpi: 0,
          messageId: 0,
          payloads: [{ type: 'nonce', nonce: i }],
        },
        true,
      );
      if (i % 1000 === 999) world.advance(SECOND);
    }
    expect(world.violation).toBeUndefined();
    expect(world.snapshot('a')?.ikeSas.filter((sa) => sa.state === 'halfOpen').length).toBeGreaterThan(990);
    world.advance(31 * SECOND);
    // Only its own initiation (towards a peer that never answers) is left.
    expect(world.snapshot('a')?.ikeSas.length).toBeLessThanOrEqual(1);
    expect(world.violation).toBeUndefined();
  });

  it('a DELETE naming 1,000 CHILD SAs, fifty payloads, a replayed and a reflected request: answered or ignored, state intact', () => {
    const world = new IkeFuzzWorld({
      seed: 3,
      latencyMs: 20,
      jitterMs: 0,
      a: { mode: 'Default' },
      b: { mode: 'Default' },
    });
    established(world);
    const sa = world.snapshot('a')?.ikeSas[0];
    if (sa === undefined) throw new Error('no IKE SA');
    const fromB = (messageId: number, payloads: IkeMessage['payloads']): IkeMessage => ({
      exchange: 'INFORMATIONAL',
      isResponse: false,
      fromOriginalInitiator: !sa.originalInitiator,
      initiatorSpi: sa.id.initiatorSpi,
      responderSpi: sa.id.responderSpi,
      messageId,
      payloads,
    });
    world.deliver(
      'a',
      fromB(0, [{ type: 'deleteChild', spis: Array.from({ length: 1000 }, (_, i) => i + 1) }]),
      true,
    );
    world.deliver(
      'a',
      fromB(
        1,
        Array.from(
          { length: 50 },
          (_, i) => ({ type: 'notify', notify: 'TEMPORARY_FAILURE', spi: i }) as const,
        ),
      ),
      true,
    );
    for (const message of world.sent.b) world.deliver('a', message, true);
    for (const message of world.sent.a) world.deliver('a', message, true);
    world.advance(MINUTE);
    expect(world.violation).toBeUndefined();
    expect(world.upSas('a')).toEqual(world.upSas('b'));
    expect(world.snapshot('a')?.tunnelUp).toBe(true);
  });

  it('every timer fired a thousand times whether armed or not, and the clock jumping an hour: no exception, nothing leaks', () => {
    const world = new IkeFuzzWorld({
      seed: 5,
      latencyMs: 20,
      jitterMs: 0,
      a: { mode: 'Default' },
      b: { mode: 'Default' },
    });
    established(world);
    for (let i = 0; i < 1000; i++) {
      for (const timer of ['retransmit', 'dpd', 'lifetime', 'initiate', 'halfOpen'] as const)
        world.fireTimer('a', timer);
    }
    world.stall(60 * MINUTE);
    world.advance(10 * MINUTE);
    expect(world.violation).toBeUndefined();
    expect(world.maxSas).toBeLessThanOrEqual(3);
  });
});

describe('IKE core findings (fuzz/corpus/ike/; src/protocols/ike not fixed yet)', () => {
  it('the corpus histories replay without breaking any invariant that always holds (their findings are the it.fails below)', () => {
    const files = readdirSync(CORPUS).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const name of files) {
      const { finding, history } = corpus(name);
      expect(NEVER, name).not.toContain(finding);
      const violation = runHistory(history).violation;
      if (violation !== undefined)
        expect(NEVER, `${name}: ${violation.detail}`).not.toContain(violation.kind);
    }
  });

  it.fails('finding A: after a lost DELETE of the IKE SA Azure rekeyed, the device keeps the superseded SA as "up", never restarts after DPD, and once that SA expires stays idle for good (ResponderOnly Azure cannot bring it back)', () => {
    const h = makeTunnel({
      a: {
        mode: 'ResponderOnly',
        ikeSaLifetimeMs: 10 * MINUTE,
        rekeyMarginMs: 2 * MINUTE,
        rekeyFuzzPercent: 0,
      },
      b: { mode: 'Default', ikeSaLifetimeMs: 20 * MINUTE, rekeyMarginMs: 2 * MINUTE, rekeyFuzzPercent: 0 },
    });
    h.tunnel.start('a');
    h.tunnel.start('b');
    // Azure rekeys at 8 min: request at 480,060 ms, answered at 480,100 ms, its DELETE of the old SA due at b at 480,120 ms.
    h.sim.advance(480_110);
    h.tunnel.cutPath('a');
    h.sim.advance(5 * MINUTE);
    h.tunnel.restorePath('a');
    h.sim.advance(60 * MINUTE);
    expect(h.tunnel.endpoints.b.snapshot().tunnelUp).toBe(true);
    expect(upSas(h, 'b')).toHaveLength(1);
    expect(upSas(h, 'a')).toEqual(upSas(h, 'b'));
  });

  it.fails('finding B: a CHILD SA that hard-expires as the IKE SA is rekeyed (timers late after a pause) is never replaced: one end runs an IKE SA without CHILD SA while the other keeps its half', () => {
    const world = new IkeFuzzWorld({
      seed: 1,
      latencyMs: 20,
      jitterMs: 0,
      a: {
        mode: 'Default',
        childSaLifetimeMs: 60_000,
        ikeSaLifetimeMs: 120_000,
        rekeyMarginMs: 20_000,
        rekeyFuzzPercent: 0,
      },
      b: { mode: 'Default' },
    });
    established(world);
    // The host running a is paused for 110 s: its CHILD SA's hard lifetime (60 s) and its IKE SA's rekey time
    // (100 s) pass; the timers fire late, together. The CHILD SA is removed and a new one queued behind the IKE
    // rekey; the rekey completes and supersede() drops the queue.
    world.stall(110_000);
    world.advance(MINUTE);
    expect(world.violation).toBeUndefined();
    expect(world.snapshot('b')?.tunnelUp).toBe(true);
    expect(world.snapshot('a')?.tunnelUp).toBe(true);
  });

  // Finding D (a flood of half-open SAs makes every later input cost in proportion to the table) is a cost,
  // not a behaviour: `npm run fuzz:ike` prints it (bench/fuzz-ike.ts), as performance figures are never
  // asserted on the clock in the normal test run.

  // Finding D (a flood of half-open SAs makes every later input cost in proportion to the table) is a cost,
  // not a behaviour: `npm run fuzz:ike` prints it (bench/fuzz-ike.ts), as performance figures are never
  // asserted on the clock in the normal test run.

  it.fails('finding C: simultaneous IKE rekeys with reordering leave a redundant established IKE SA nobody deletes (DPD off: it stays until its own rekey)', () => {
    // Both ends rekey every 100 s, the network reorders (±50 ms): over sixty seeds, some leave one behind
    // (seeds 2, 5, 35 and 46 today; corpus file lingering-ike-sa-after-simultaneous-rekey.json).
    const { history } = corpus('lingering-ike-sa-after-simultaneous-rekey.json');
    const lingering: number[] = [];
    for (let seed = 1; seed <= 60; seed++) {
      if (runHistory({ ...history, seed }).violation?.kind === 'lingering-ike-sa') lingering.push(seed);
    }
    expect(lingering).toEqual([]);
  });
});
