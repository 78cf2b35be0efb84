/**
 * Runs sweep scenarios on every core: worker threads (sweep-worker.ts) each run
 * the platform-free `measureFailure`; results are put back in failure order, and
 * every scenario carries its own seed, so the output is the same whatever the
 * number of workers or the order they finish in. Node-only.
 *
 * Workers run TypeScript through tsx. On Node 20 with tsx 4, a worker whose entry
 * is a .ts URL fails with ERR_UNKNOWN_FILE_EXTENSION even with
 * `execArgv: ['--import', 'tsx']` (the entry is resolved before the loader hook
 * is in place), so each worker starts from a two-line bootstrap that registers
 * tsx's ESM hooks and then imports the worker module.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  enumerateFailures,
  type Failure,
  type SweepOptions,
  type SweepTiming,
} from '../analysis/failures.ts';
import { estimatedCostMs } from '../analysis/scope.ts';
import {
  assembleSweep,
  baselineFailure,
  type FailureMeasurement,
  measureFailure,
  type SweepResult,
} from '../analysis/sweep.ts';
import type { Topology } from '../model/schema.ts';

export interface WorkerInit {
  readonly topologies: readonly Topology[];
  readonly timing: SweepTiming;
}

export type WorkerRequest = { readonly index: number; readonly design: number; readonly failure: Failure };

/** A job with its estimated cost: the pool hands out the biggest first, so no worker is left with one at the end. */
export interface WeightedJob extends WorkerRequest {
  readonly costMs: number;
}

export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly index: number; readonly measurement: FailureMeasurement }
  | { readonly kind: 'failed'; readonly index: number; readonly message: string };

export interface PoolOptions {
  /** Worker threads; 1 runs in this thread. Default: see defaultWorkers. */
  readonly workers?: number;
  /** Draw a progress bar on stderr (the CLI passes: stderr is a TTY and no --json). */
  readonly progress?: boolean;
}

export interface Design {
  readonly name: string;
  readonly topology: Topology;
}

/** A worker costs about a second of one core before it is up to speed: tsx compiling, JIT warming. */
const WORKER_START_MS = 1000;

/**
 * All cores for big sweeps; for small ones, one worker per second of estimated
 * work (scope.ts estimatedCostMs), and none at all (this thread) below two
 * seconds — the seven examples' sweeps take a fraction of a second in-process.
 */
export function defaultWorkers(estimatedMs: number): number {
  if (estimatedMs < 2 * WORKER_START_MS) return 1;
  return Math.max(1, Math.min(availableParallelism(), Math.floor(estimatedMs / WORKER_START_MS)));
}

/** Sweeps several designs with the same options in one pool; results in the designs' order. */
export async function sweepDesigns(
  designs: readonly Design[],
  options: SweepOptions,
  pool: PoolOptions = {},
): Promise<SweepResult[]> {
  const failures = designs.map((d) => enumerateFailures(d.topology, options));
  const baseline = baselineFailure(options);
  const jobs: WeightedJob[] = [];
  designs.forEach((d, design) => {
    for (const failure of [baseline, ...(failures[design] ?? [])]) {
      jobs.push({
        index: jobs.length,
        design,
        failure,
        costMs: estimatedCostMs(d.topology, failure.elements),
      });
    }
  });
  const measurements = await measureAll(
    designs.map((d) => d.topology),
    jobs,
    options.timing,
    pool,
  );
  let next = 0;
  return designs.map((d, design) => {
    const mine = failures[design] ?? [];
    const slice = measurements.slice(next, next + 1 + mine.length);
    next += 1 + mine.length;
    return assembleSweep({
      design: d.name,
      topology: d.topology,
      options,
      baseline: slice[0] as FailureMeasurement,
      failures: mine,
      measurements: slice.slice(1),
    });
  });
}

/** Measures every job; the result array is indexed by `index`, whatever ran or finished first. */
export async function measureAll(
  topologies: readonly Topology[],
  jobs: readonly WeightedJob[],
  timing: SweepTiming,
  pool: PoolOptions,
): Promise<FailureMeasurement[]> {
  const estimatedMs = jobs.reduce((sum, job) => sum + job.costMs, 0);
  const workers = Math.min(pool.workers ?? defaultWorkers(estimatedMs), Math.max(1, jobs.length));
  const progress = pool.progress ? new ProgressBar(jobs.length) : undefined;
  try {
    if (workers <= 1) {
      const results: FailureMeasurement[] = [];
      for (const job of jobs) {
        results[job.index] = measureFailure(topologies[job.design] as Topology, job.failure, { timing });
        progress?.tick();
      }
      return results;
    }
    // Biggest first (stable for equal costs); results still land at their index.
    const ordered = [...jobs].sort((a, b) => b.costMs - a.costMs || a.index - b.index);
    const requests = ordered.map(({ index, design, failure }) => ({ index, design, failure }));
    return await inWorkers(workers, { topologies, timing }, requests, () => progress?.tick());
  } finally {
    progress?.done();
  }
}

const WORKER_URL = new URL('./sweep-worker.ts', import.meta.url).href;

function startWorker(init: WorkerInit): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: init });
}

function inWorkers(
  count: number,
  init: WorkerInit,
  jobs: readonly WorkerRequest[],
  onDone: () => void,
): Promise<FailureMeasurement[]> {
  return new Promise((resolve, reject) => {
    const results: (FailureMeasurement | undefined)[] = new Array(jobs.length);
    const workers: Worker[] = [];
    let next = 0;
    let finished = 0;
    let settled = false;
    const stop = (error?: Error) => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (error) reject(error);
      else resolve(results as FailureMeasurement[]);
    };
    const feed = (worker: Worker) => {
      const job = jobs[next];
      if (job) {
        next++;
        worker.postMessage(job);
      }
    };
    for (let i = 0; i < count; i++) {
      const worker = startWorker(init);
      workers.push(worker);
      worker.on('message', (reply: WorkerReply) => {
        if (reply.kind === 'ready') return feed(worker);
        if (reply.kind === 'failed') return stop(new Error(reply.message));
        results[reply.index] = reply.measurement;
        finished++;
        onDone();
        if (finished === jobs.length) stop();
        else feed(worker);
      });
      worker.on('error', (error) => stop(error));
      worker.on('exit', (code) => {
        if (!settled && code !== 0) stop(new Error(`a sweep worker exited with code ${code}`));
      });
    }
  });
}

/** `sweep ████████░░░░ 120/404 scenarios` on stderr, redrawn at most 10 times a second. */
class ProgressBar {
  private completed = 0;
  private lastDrawMs = 0;

  constructor(private readonly total: number) {
    this.draw();
  }

  tick(): void {
    this.completed++;
    const now = Date.now();
    if (now - this.lastDrawMs >= 100 || this.completed === this.total) this.draw();
  }

  done(): void {
    process.stderr.write('\r\x1b[K');
  }

  private draw(): void {
    this.lastDrawMs = Date.now();
    const width = 30;
    const filled = this.total === 0 ? width : Math.round((this.completed / this.total) * width);
    process.stderr.write(
      `\rsweep ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${this.completed}/${this.total} scenarios`,
    );
  }
}
