/**
 * The loader fuzzing loop: example files mutated (fuzz/loader/mutate.ts), each
 * mutant loaded by the loader it was made for (and now and then by the other
 * one), findings tallied by kind with the smallest example of each; a mutant whose
 * outcome summary is new joins the corpus. Platform-free: the clock is injected.
 */
import { Rng } from '../../src/sim/rng.ts';
import { checkLoader, type Finding, type FindingKind, type LoaderName } from './harness.ts';
import { type MutateOptions, mutateText } from './mutate.ts';

export interface LoaderSeed {
  readonly loader: LoaderName;
  readonly name: string;
  readonly text: string;
}

export interface LoaderFuzzOptions {
  readonly seeds: readonly LoaderSeed[];
  readonly inputs: number;
  readonly maxMs?: number;
  readonly seed: number;
  readonly now: () => number;
  readonly progressEvery?: number;
  readonly onProgress?: (stats: LoaderFuzzStats) => void;
  readonly mutate?: MutateOptions;
}

export interface FindingExample {
  count: number;
  /** The smallest input showing it. */
  text: string;
  loader: LoaderName;
  detail: string;
}

export interface LoaderFuzzStats {
  inputs: number;
  elapsedMs: number;
  readonly perLoader: Record<
    LoaderName,
    { inputs: number; accepted: number; refused: number; slowestMs: number; totalMs: number }
  >;
  readonly findings: Map<FindingKind, FindingExample>;
  readonly summaries: Set<string>;
  corpusSize: number;
  largestInput: number;
}

const CORPUS_ENTRY_LIMIT = 256 * 1024;

export function fuzzLoaders(options: LoaderFuzzOptions): LoaderFuzzStats {
  const rng = new Rng(options.seed);
  const corpus: LoaderSeed[] = [...options.seeds];
  const stats: LoaderFuzzStats = {
    inputs: 0,
    elapsedMs: 0,
    perLoader: {
      topology: { inputs: 0, accepted: 0, refused: 0, slowestMs: 0, totalMs: 0 },
      scenario: { inputs: 0, accepted: 0, refused: 0, slowestMs: 0, totalMs: 0 },
    },
    findings: new Map(),
    summaries: new Set(),
    corpusSize: corpus.length,
    largestInput: 0,
  };
  const started = options.now();
  const deadline = options.maxMs === undefined ? Number.POSITIVE_INFINITY : started + options.maxMs;
  const note = (loader: LoaderName, text: string, finding: Finding): void => {
    const known = stats.findings.get(finding.kind);
    if (!known) stats.findings.set(finding.kind, { count: 1, text, loader, detail: finding.detail });
    else {
      known.count++;
      if (text.length < known.text.length) Object.assign(known, { text, loader, detail: finding.detail });
    }
  };
  const pending = [...options.seeds];
  const progressEvery = options.progressEvery ?? 5000;
  let nextProgress = progressEvery;
  while (stats.inputs < options.inputs && options.now() < deadline) {
    const seed = pending.pop();
    const base = seed ?? corpus[rng.int(corpus.length)];
    if (base === undefined) break;
    const sameKind = corpus.filter((entry) => entry.loader === base.loader);
    const pick = (): string => (sameKind[rng.int(sameKind.length)] ?? base).text;
    const text = seed ? seed.text : mutateText(base.text, rng, pick, options.mutate).text;
    const loaders: LoaderName[] = [base.loader];
    if (rng.int(10) === 0) loaders.push(base.loader === 'topology' ? 'scenario' : 'topology');
    stats.largestInput = Math.max(stats.largestInput, text.length);
    for (const loader of loaders) {
      stats.inputs++;
      const verdict = checkLoader(loader, text, options.now);
      const tally = stats.perLoader[loader];
      tally.inputs++;
      tally.totalMs += verdict.ms;
      tally.slowestMs = Math.max(tally.slowestMs, verdict.ms);
      if (verdict.ok) tally.accepted++;
      else tally.refused++;
      for (const finding of verdict.findings) note(loader, text, finding);
      const feature = `${loader}: ${verdict.summary}`;
      if (!stats.summaries.has(feature)) {
        stats.summaries.add(feature);
        if (loader === base.loader && text.length <= CORPUS_ENTRY_LIMIT)
          corpus.push({ loader, name: 'found', text });
      }
    }
    if (stats.inputs >= nextProgress) {
      nextProgress += progressEvery;
      stats.elapsedMs = options.now() - started;
      stats.corpusSize = corpus.length;
      options.onProgress?.(stats);
    }
  }
  stats.elapsedMs = options.now() - started;
  stats.corpusSize = corpus.length;
  return stats;
}
