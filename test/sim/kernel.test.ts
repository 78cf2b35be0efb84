import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventHeap } from '../../src/sim/heap.ts';
import { Simulator } from '../../src/sim/kernel.ts';
import { Rng } from '../../src/sim/rng.ts';

describe('event heap', () => {
  it('pops in (time, insertion) order for any input', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }), (times) => {
        const heap = new EventHeap<{ atMs: number; seq: number }>();
        times.forEach((t, i) => {
          heap.push({ atMs: t, seq: i });
        });
        const popped: [number, number][] = [];
        for (let e = heap.pop(); e; e = heap.pop()) popped.push([e.atMs, e.seq]);
        const expected = times
          .map((t, i) => [t, i] as [number, number])
          .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(popped).toEqual(expected);
      }),
    );
  });
});

describe('simulator kernel', () => {
  it('runs events in time order, equal times in scheduling order, and leaves the clock at the bound', () => {
    const sim = new Simulator({ seed: 1 });
    const seen: string[] = [];
    sim.schedule(20, () => seen.push(`b@${sim.nowMs}`));
    sim.schedule(10, () => {
      seen.push(`a@${sim.nowMs}`);
      sim.schedule(10, () => seen.push(`c@${sim.nowMs}`));
    });
    sim.schedule(20, () => seen.push(`d@${sim.nowMs}`));
    sim.run(15);
    expect(seen).toEqual(['a@10']);
    expect(sim.nowMs).toBe(15);
    sim.run(100);
    expect(seen).toEqual(['a@10', 'b@20', 'd@20', 'c@20']);
    expect(sim.nowMs).toBe(100);
  });

  it('skips cancelled events and counts only executed ones', () => {
    const sim = new Simulator({ seed: 1 });
    let fired = 0;
    const handle = sim.schedule(5, () => fired++);
    sim.schedule(6, () => fired++);
    sim.cancel(handle);
    sim.run();
    expect(fired).toBe(1);
    expect(sim.eventsExecuted).toBe(1);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const draw = (seed: number) => {
      const rng = new Rng(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    const rng = new Rng(0);
    for (let i = 0; i < 1000; i++) {
      const v = rng.int(10);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(10);
    }
  });
});
