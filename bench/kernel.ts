/**
 * Benchmark 1 (issue 7): events per second of the simulation kernel on a BGP/DPD-like
 * timer load, next to a bare binary-heap push/pop loop run in the same process. The
 * ratio is the figure that matters (goal ≥ 0.5×): the kernel adds closures, labels,
 * cancellation and a clock on top of the heap.
 */
import { EventHeap } from '../src/sim/heap.ts';
import { Simulator } from '../src/sim/kernel.ts';
import { bestOf, machineLine } from './machine.ts';

const TIMERS = 20_000; // e.g. 2,000 tunnels × (keepalive, hold, DPD, lifetime, …) on both ends
const EVENTS = 2_000_000;

/** The bare loop: the same schedule, pushed and popped from the heap with no kernel around it. */
function bareHeap(): number {
  const heap = new EventHeap<number>();
  let seq = 0;
  for (let i = 0; i < TIMERS; i++) heap.push((i * 7919) % 60_000, seq++, i);
  let done = 0;
  while (done < EVENTS) {
    const time = heap.peekTime();
    const item = heap.popItem();
    if (item === undefined || time === undefined) break;
    done++;
    // Re-arm like a periodic timer: keepalive-ish periods between 1 s and 60 s.
    heap.push(time + 1_000 + (item % 59) * 1_000, seq++, item);
  }
  return done;
}

/** The kernel: periodic timers that re-arm themselves, and one in five re-armed early (cancel + schedule) as hold timers are. */
function kernel(): number {
  const sim = new Simulator({ seed: 1, trace: false });
  let done = 0;
  const handles: ReturnType<Simulator['schedule']>[] = [];
  const arm = (i: number, delay: number) => {
    handles[i] = sim.schedule(delay, () => {
      done++;
      if (done >= EVENTS) return;
      if (i % 5 === 0) {
        // A hold timer restarted by a received keepalive: cancel and arm again.
        sim.cancel(handles[i]);
      }
      arm(i, 1_000 + (i % 59) * 1_000);
    });
  };
  for (let i = 0; i < TIMERS; i++) arm(i, (i * 7919) % 60_000);
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
