/**
 * Benchmark 1 (issue 7): events per second of the simulation kernel on a BGP/DPD-like
 * timer load, next to a bare binary-heap push/pop loop run in the same process. The
 * ratio is the figure that matters (goal ≥ 0.5×): the kernel adds closures, labels,
 * cancellation and a clock on top of the heap.
 */
import { Simulator } from '../src/sim/kernel.ts';
import { bestOf, machineLine } from './machine.ts';

const TIMERS = 20_000; // e.g. 2,000 tunnels × (keepalive, hold, DPD, lifetime, …) on both ends
const EVENTS = 2_000_000;

/**
 * The bare loop, written here as the issue asks: the same schedule on a minimal
 * binary heap of (time, sequence, timer id) in typed arrays — no closures, no
 * event objects, no cancellation, no clock. (Its own code, so it shares no inline
 * caches with the kernel's heap.)
 */
function bareHeap(): number {
  const capacity = TIMERS + 1;
  const times = new Float64Array(capacity);
  const seqs = new Float64Array(capacity);
  const ids = new Int32Array(capacity);
  let size = 0;
  let seq = 0;
  const less = (i: number, j: number) =>
    (times[i] as number) < (times[j] as number) ||
    ((times[i] as number) === (times[j] as number) && (seqs[i] as number) < (seqs[j] as number));
  const swap = (i: number, j: number) => {
    const t = times[i] as number;
    times[i] = times[j] as number;
    times[j] = t;
    const s = seqs[i] as number;
    seqs[i] = seqs[j] as number;
    seqs[j] = s;
    const d = ids[i] as number;
    ids[i] = ids[j] as number;
    ids[j] = d;
  };
  const push = (time: number, id: number) => {
    let i = size++;
    times[i] = time;
    seqs[i] = seq++;
    ids[i] = id;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(i, parent)) break;
      swap(i, parent);
      i = parent;
    }
  };
  const pop = () => {
    const time = times[0] as number;
    const id = ids[0] as number;
    size--;
    swap(0, size);
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const child = left + 1 < size && less(left + 1, left) ? left + 1 : left;
      if (!less(child, i)) break;
      swap(child, i);
      i = child;
    }
    return [time, id] as const;
  };
  for (let i = 0; i < TIMERS; i++) push((i * 7919) % 60_000, i);
  let done = 0;
  while (done < EVENTS && size > 0) {
    const [time, id] = pop();
    done++;
    // Re-arm like a periodic timer: keepalive-ish periods between 1 s and 60 s.
    push(time + 1_000 + (id % 59) * 1_000, id);
  }
  return done;
}

/**
 * The kernel: periodic timers that re-arm themselves, one in five re-armed early
 * (cancel + schedule) as hold timers are. Each timer has one handler made once —
 * as CoreDriver keeps one per named timer — so an event costs the kernel one small
 * record, not a fresh closure.
 */
function kernel(): number {
  const sim = new Simulator({ seed: 1, trace: false });
  let done = 0;
  const handles: ReturnType<Simulator['schedule']>[] = [];
  const handlers: (() => void)[] = [];
  for (let i = 0; i < TIMERS; i++) {
    const period = 1_000 + (i % 59) * 1_000;
    handlers.push(() => {
      done++;
      if (done >= EVENTS) return;
      // A hold timer restarted by a received keepalive: cancel the pending one and arm again.
      if (i % 5 === 0) sim.cancel(handles[i]);
      handles[i] = sim.schedule(period, handlers[i] as () => void);
    });
  }
  for (let i = 0; i < TIMERS; i++) handles[i] = sim.schedule((i * 7919) % 60_000, handlers[i] as () => void);
  sim.run();
  return done;
}

export function runKernelBenchmark(): string[] {
  let bareCount = 0;
  let kernelCount = 0;
  const bareMs = bestOf(3, () => {
    bareCount = bareHeap();
  });
  const kernelMs = bestOf(3, () => {
    kernelCount = kernel();
  });
  const bareRate = bareCount / (bareMs / 1000);
  const kernelRate = kernelCount / (kernelMs / 1000);
  return [
    `kernel: ${TIMERS.toLocaleString('en-US')} periodic timers, ${EVENTS.toLocaleString('en-US')} events`,
    `  bare heap push/pop : ${(bareRate / 1e6).toFixed(2)} M events/s`,
    `  simulation kernel  : ${(kernelRate / 1e6).toFixed(2)} M events/s`,
    `  ratio kernel/bare  : ${(kernelRate / bareRate).toFixed(2)}× (goal ≥ 0.5×)`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(machineLine());
  console.log(runKernelBenchmark().join('\n'));
}
