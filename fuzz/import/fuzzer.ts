/**
 * The importer fuzzing loop: Azure's files mutated (fuzz/import/mutate.ts),
 * each mutant imported the way the CLI does it and judged (fuzz/import/harness.ts),
 * findings tallied by kind with the smallest example of each; a mutant whose
 * outcome summary is new joins the corpus and is mutated further. Platform-free
 * apart from the seeds: the clock is injected.
 */
import { Rng } from '../../src/sim/rng.ts';
import { checkImport, type ImportFindingKind } from './harness.ts';
import { mutateCase } from './mutate.ts';
import type { ImportCase, ImporterName } from './seeds.ts';

export interface ImportFuzzOptions {
  readonly seeds: readonly ImportCase[];
  readonly inputs: number;
  readonly maxMs?: number;
  readonly seed: number;
  readonly now: () => number;
  readonly progressEvery?: number;
  readonly onProgress?: (stats: ImportFuzzStats) => void;
  /** Largest mutated file (default 4 MiB); the quick test keeps it small. */
  readonly maxLength?: number;
  /** Called with each input before it is imported (to find the one that hangs). */
  readonly beforeInput?: (index: number, importCase: ImportCase, applied: readonly string[]) => void;
}

export interface ImportFindingExample {
  count: number;
  /** The smallest input showing it. */
  importCase: ImportCase;
  size: number;
  detail: string;
  applied: readonly string[];
}

export interface ImportFuzzStats {
  inputs: number;
  elapsedMs: number;
  readonly perImporter: Record<
    ImporterName,
    { inputs: number; accepted: number; refused: number; notJson: number; slowestMs: number; totalMs: number }
  >;
  readonly findings: Map<ImportFindingKind, ImportFindingExample>;
  readonly summaries: Set<string>;
  readonly mutationUse: Map<string, number>;
  corpusSize: number;
  largestInput: number;
  /** The slowest input: what was done to it and how big it was. */
  slowest: { ms: number; size: number; applied: readonly string[]; importer: ImporterName } | undefined;
}

const CORPUS_ENTRY_LIMIT = 256 * 1024;

export function sizeOf(importCase: ImportCase): number {
  return importCase.files.reduce((n, file) => n + file.text.length, 0);
}

export function fuzzImporters(options: ImportFuzzOptions): ImportFuzzStats {
  const rng = new Rng(options.seed);
  const corpus: ImportCase[] = [...options.seeds];
  const tally = () => ({ inputs: 0, accepted: 0, refused: 0, notJson: 0, slowestMs: 0, totalMs: 0 });
  const stats: ImportFuzzStats = {
    inputs: 0,
    elapsedMs: 0,
    perImporter: { arm: tally(), vpnconfig: tally() },
    findings: new Map(),
    summaries: new Set(),
    mutationUse: new Map(),
    corpusSize: corpus.length,
    largestInput: 0,
    slowest: undefined,
  };
  const started = options.now();
  const deadline = options.maxMs === undefined ? Number.POSITIVE_INFINITY : started + options.maxMs;
  const pending = [...options.seeds];
  const progressEvery = options.progressEvery ?? 5000;
  let nextProgress = progressEvery;
  while (stats.inputs < options.inputs && options.now() < deadline) {
    const seed = pending.pop();
    const base = seed ?? (corpus[rng.int(corpus.length)] as ImportCase);
    const { importCase, applied } = seed
      ? { importCase: seed, applied: [] as string[] }
      : mutateCase(base, rng, () => corpus[rng.int(corpus.length)] as ImportCase, options.maxLength);
    for (const name of applied) stats.mutationUse.set(name, (stats.mutationUse.get(name) ?? 0) + 1);
    const size = sizeOf(importCase);
    stats.largestInput = Math.max(stats.largestInput, size);
    options.beforeInput?.(stats.inputs, importCase, applied);
    stats.inputs++;
    const verdict = checkImport(importCase, options.now);
    const t = stats.perImporter[importCase.importer];
    t.inputs++;
    t.totalMs += verdict.ms;
    t.slowestMs = Math.max(t.slowestMs, verdict.ms);
    if (stats.slowest === undefined || verdict.ms > stats.slowest.ms)
      stats.slowest = { ms: verdict.ms, size, applied, importer: importCase.importer };
    if (verdict.ok) t.accepted++;
    else if (verdict.notJson) t.notJson++;
    else t.refused++;
    for (const finding of verdict.findings) {
      const known = stats.findings.get(finding.kind);
      if (!known)
        stats.findings.set(finding.kind, { count: 1, importCase, size, detail: finding.detail, applied });
      else {
        known.count++;
        if (size < known.size) Object.assign(known, { importCase, size, detail: finding.detail, applied });
      }
    }
    if (!stats.summaries.has(verdict.summary)) {
      stats.summaries.add(verdict.summary);
      if (size <= CORPUS_ENTRY_LIMIT && !verdict.notJson) corpus.push({ ...importCase, name: 'found' });
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
