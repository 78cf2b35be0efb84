/**
 * The fuzzing loop, jsfuzz-style but steered by behaviour instead of branch
 * coverage: a mutant that reaches a feature never seen before — a new
 * (outcome, warning kind) class, a new decoder reason, a new framer or wire
 * reaction — joins the corpus and is mutated further. Platform-free; the
 * bench script (bench/fuzz-bgp.ts) prints, times and saves.
 */
import { Rng } from '../../src/sim/rng.ts';
import { concatBytes } from '../bytes.ts';
import { chunk, type InputResult, normalise, runInput, SoakSession } from './harness.ts';
import { mutate } from './mutate.ts';
import type { Seed } from './seeds.ts';

export interface FuzzOptions {
  readonly seeds: readonly Seed[];
  /** Stop after this many inputs … */
  readonly inputs: number;
  /** … or after this much wall time, whichever comes first. */
  readonly maxMs?: number;
  readonly seed: number;
  /** Corpus entries kept at most (seeds included); past it, new finds replace random non-seed entries. */
  readonly corpusLimit?: number;
  /** Also feed every input to one long-lived session (a flooding neighbour). Default true. */
  readonly soak?: boolean;
  /** Called every `progressEvery` inputs. */
  readonly progressEvery?: number;
  readonly onProgress?: (stats: FuzzStats) => void;
  /** Wall clock in ms (injected: this module reads no clock itself). */
  readonly now: () => number;
}

export interface Crash {
  readonly bytes: Uint8Array;
  readonly error: string;
  /** Normalised first line of the error: crashes with one signature are one bug. */
  readonly signature: string;
  readonly applied: readonly string[];
  readonly inputIndex: number;
}

/** The smallest input seen for a class, and what it did. */
export interface Representative {
  readonly bytes: Uint8Array;
  readonly result: InputResult;
}

export interface FuzzStats {
  inputs: number;
  elapsedMs: number;
  /** Inputs where an exception or a broken invariant escaped. */
  exceptions: number;
  readonly crashes: Crash[];
  /** Decoder verdicts on the raw inputs, "ok update" / "error 3/1", per context. */
  readonly decodeHistogram: Map<string, number>;
  /** Verdicts on the whole messages the framer cut out of the inputs (4-octet context), framer errors included. */
  readonly messageHistogram: Map<string, number>;
  /** NOTIFICATIONs the wires sent, "3/1". */
  readonly wireHistogram: Map<string, number>;
  readonly classes: Map<string, Representative>;
  readonly features: Set<string>;
  corpusSize: number;
  /** Times each mutation was applied, and how many new-feature finds it took part in. */
  readonly mutationUse: Map<string, { applied: number; finds: number }>;
  soakSessions: number;
  soakUpdates: number;
  soakMaxPrefixes: number;
}

function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
  return String(thrown);
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function fuzzBgp(options: FuzzOptions): FuzzStats {
  const rng = new Rng(options.seed);
  const corpus: Uint8Array[] = options.seeds.map((seed) => seed.bytes);
  const seedCount = corpus.length;
  const corpusLimit = options.corpusLimit ?? 4096;
  const soak = (options.soak ?? true) ? new SoakSession() : undefined;
  const soakHistory: Uint8Array[] = [];
  const stats: FuzzStats = {
    inputs: 0,
    elapsedMs: 0,
    exceptions: 0,
    crashes: [],
    decodeHistogram: new Map(),
    messageHistogram: new Map(),
    wireHistogram: new Map(),
    classes: new Map(),
    features: new Set(),
    corpusSize: corpus.length,
    mutationUse: new Map(),
    soakSessions: 0,
    soakUpdates: 0,
    soakMaxPrefixes: 0,
  };
  const signatures = new Set<string>();
  const record = (bytes: Uint8Array, thrown: unknown, applied: readonly string[]): void => {
    stats.exceptions++;
    const error = describeThrown(thrown);
    const signature = normalise(error.split('\n')[0] ?? error);
    if (signatures.has(signature)) return;
    signatures.add(signature);
    stats.crashes.push({ bytes, error, signature, applied, inputIndex: stats.inputs });
  };
  const pick = (): Uint8Array => corpus[rng.int(corpus.length)] ?? new Uint8Array(0);
  const started = options.now();

  // The seeds themselves first: they set the baseline of features.
  const pending: { bytes: Uint8Array; applied: readonly string[] }[] = corpus.map((bytes) => ({
    bytes,
    applied: ['seed'],
  }));
  const deadline = options.maxMs === undefined ? Number.POSITIVE_INFINITY : started + options.maxMs;
  const progressEvery = options.progressEvery ?? 100_000;

  while (stats.inputs < options.inputs) {
    const next = pending.pop() ?? mutate(pick(), rng, pick);
    const { bytes, applied } = next;
    stats.inputs++;
    for (const name of applied) {
      const use = stats.mutationUse.get(name) ?? { applied: 0, finds: 0 };
      use.applied++;
      stats.mutationUse.set(name, use);
    }
    let result: InputResult | undefined;
    try {
      result = runInput(bytes, rng);
    } catch (thrown) {
      record(bytes, thrown, applied);
    }
    if (result) {
      bump(stats.decodeHistogram, `two-octet ${coarse(result.decode['two-octet'])}`);
      bump(stats.decodeHistogram, `four-octet ${coarse(result.decode['four-octet'])}`);
      for (const code of result.wireNotifications) bump(stats.wireHistogram, code);
      for (const outcome of result.messageOutcomes) bump(stats.messageHistogram, coarse(outcome));
      let novel = false;
      for (const feature of result.features) {
        if (stats.features.has(feature)) continue;
        stats.features.add(feature);
        novel = true;
      }
      for (const kind of result.classes) {
        const known = stats.classes.get(kind);
        if (!known || bytes.length < known.bytes.length) stats.classes.set(kind, { bytes, result });
      }
      if (novel && applied[0] !== 'seed') {
        for (const name of applied) {
          const use = stats.mutationUse.get(name);
          if (use) use.finds++;
        }
        if (corpus.length < corpusLimit) corpus.push(bytes);
        else corpus[seedCount + rng.int(corpus.length - seedCount)] = bytes;
      }
    }
    // The long-lived session mostly gets what a live session survives, so state can build up in it.
    if (soak && result && (!result.wire['ebgp-4'].includes('close') || rng.int(8) === 0)) {
      soakHistory.push(bytes);
      if (soakHistory.length > 32) soakHistory.shift();
      const before = soak.sessions;
      try {
        soak.feed(chunk(bytes, rng));
      } catch (thrown) {
        record(concatBytes(soakHistory), thrown, ['soak', ...applied]);
      }
      if (soak.sessions !== before) soakHistory.length = 0;
    }
    if (stats.inputs % 1024 === 0 && options.now() > deadline) break;
    if (stats.inputs % progressEvery === 0) {
      stats.elapsedMs = options.now() - started;
      stats.corpusSize = corpus.length;
      options.onProgress?.(stats);
    }
  }
  stats.elapsedMs = options.now() - started;
  stats.corpusSize = corpus.length;
  if (soak) {
    stats.soakSessions = soak.sessions;
    stats.soakUpdates = soak.updatesDelivered;
    stats.soakMaxPrefixes = soak.maxPrefixesSeen;
  }
  return stats;
}

/** "ok update [treat-as-withdraw]" stays; NOTIFICATION data is dropped for the histogram. */
function coarse(outcome: string): string {
  return outcome.replace(/ data [0-9a-f]+$/, '');
}
