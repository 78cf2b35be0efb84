import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventHeap } from '../../src/sim/heap.ts';
import { Simulator, Timer } from '../../src/sim/kernel.ts';
import { Rng } from '../../src/sim/rng.ts';

describe('event heap', () => {
  it('pops in (time, insertion) order for any input, replaceTop included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.boolean()), { maxLength: 300 }),
        (ops) => {
          const heap = new EventHeap();
          const model: [number, number][] = [];
          ops.forEach(([t, replace], seq) => {
            if (replace && heap.size > 0) {
              model.splice(
                model.findIndex(([, s]) => s === heap.topSeq),
                1,
              );
              heap.replaceTop(t, seq, seq);
            } else heap.push(t, seq, seq);
            model.push([t, seq]);
          });
          const popped: [number, number][] = [];
          while (heap.size > 0) {
            expect(heap.topSlot).toBe(heap.topSeq);
            popped.push([heap.topTime, heap.topSeq]);
            heap.removeTop();
          }
          expect(popped).toEqual(model.sort((a, b) => a[0] - b[0] || a[1] - b[1]));
          expect(heap.topTime).toBe(Number.POSITIVE_INFINITY);
        },
      ),
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

  it('rounds delays up to whole ms, never schedules in the past, and rejects non-finite times', () => {
    const sim = new Simulator({ seed: 1 });
    const seen: number[] = [];
    sim.advance(10);
    sim.schedule(0.2, () => seen.push(sim.nowMs));
    sim.scheduleAt(3, () => seen.push(sim.nowMs));
    sim.arm(new Timer(() => seen.push(sim.nowMs)), -5);
    sim.run();
    expect(seen).toEqual([10, 10, 11]);
    expect(() => sim.schedule(Number.POSITIVE_INFINITY, () => {}, 'never')).toThrow(/never/);
    expect(() => sim.armAt(new Timer(() => {}, 'nan'), Number.NaN)).toThrow(/nan/);
  });

  it('counts only executed events', () => {
    const sim = new Simulator({ seed: 1 });
    const timer = new Timer(() => {});
    sim.arm(timer, 5);
    sim.schedule(6, () => {});
    sim.cancel(timer);
    sim.run();
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

describe('timers: cancellation by generation', () => {
  function setup() {
    const sim = new Simulator({ seed: 1 });
    const seen: string[] = [];
    const timer = new Timer(() => seen.push(`t@${sim.nowMs}`), 't');
    const mark = (name: string) => () => seen.push(`${name}@${sim.nowMs}`);
    return { sim, seen, timer, mark };
  }

  it('cancel after the timer fired is a no-op, and the timer can be armed again', () => {
    const { sim, seen, timer, mark } = setup();
    sim.arm(timer, 5);
    sim.run(5);
    expect(timer.armed).toBe(false);
    sim.cancel(timer);
    sim.schedule(1, mark('x'));
    sim.arm(timer, 2);
    sim.run();
    expect(seen).toEqual(['t@5', 'x@6', 't@7']);
  });

  it('cancelling twice, or a timer never armed, changes nothing', () => {
    const { sim, seen, timer, mark } = setup();
    sim.cancel(timer);
    sim.cancel(undefined);
    sim.arm(timer, 5);
    sim.schedule(5, mark('x'));
    sim.cancel(timer);
    sim.cancel(timer);
    expect(timer.armed).toBe(false);
    sim.run();
    expect(seen).toEqual(['x@5']);
  });

  it('re-armed then cancelled, it fires neither time', () => {
    for (const second of [3, 5, 9]) {
      const { sim, seen, timer } = setup();
      sim.arm(timer, 5);
      sim.arm(timer, second);
      expect(timer.armed).toBe(true);
      sim.cancel(timer);
      sim.run();
      expect(seen).toEqual([]);
    }
  });

  it('re-armed earlier or later, it fires once, at the last time asked', () => {
    for (const [first, second] of [
      [5, 9],
      [9, 7],
      [5, 5],
    ] as const) {
      const { sim, seen, timer, mark } = setup();
      sim.arm(timer, first);
      sim.schedule(8, mark('x'));
      sim.arm(timer, second);
      sim.run();
      expect(seen).toEqual(second < 8 ? [`t@${second}`, 'x@8'] : ['x@8', `t@${second}`]);
    }
  });

  it('re-arming takes a new place in the same-ms order, as cancel + schedule did', () => {
    const { sim, seen, timer, mark } = setup();
    sim.arm(timer, 10);
    sim.schedule(20, mark('a'));
    sim.arm(timer, 20); // later: the heap keeps the old entry until it surfaces at 10
    sim.schedule(20, mark('b'));
    sim.run();
    expect(seen).toEqual(['a@20', 't@20', 'b@20']);

    const other = setup();
    other.sim.arm(other.timer, 20);
    other.sim.schedule(20, other.mark('a'));
    other.sim.arm(other.timer, 20); // the same ms, re-armed: now after a
    other.sim.run();
    expect(other.seen).toEqual(['a@20', 't@20']);
  });

  it('a stale entry never fires whoever reuses its slot', () => {
    const { sim, seen, timer, mark } = setup();
    sim.arm(timer, 5);
    sim.cancel(timer);
    sim.schedule(8, mark('x')); // takes the slot the timer left
    sim.run(5);
    expect(seen).toEqual([]);
    expect(sim.pending).toBe(1); // the stale entry went, and put nothing back for the slot's new owner
    sim.run();
    expect(seen).toEqual(['x@8']);
  });

  it('a timer re-armed from its own expiry runs periodically', () => {
    const { sim, seen } = setup();
    const tick: Timer = new Timer(() => {
      seen.push(`k@${sim.nowMs}`);
      if (sim.nowMs < 30) sim.arm(tick, 10);
    });
    sim.arm(tick, 10);
    sim.run();
    expect(seen).toEqual(['k@10', 'k@20', 'k@30']);
  });

  /**
   * The reference: every arm is a cancel plus a fresh (time, sequence) entry, and
   * events run in (time, sequence) order — the kernel before timers were pooled.
   */
  it('runs any mix of arms, re-arms, cancels and one-shots in exactly (time, sequence) order', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('arm' as const),
        timer: fc.nat(2),
        delay: fc.integer({ min: -2, max: 20 }),
      }),
      fc.record({ kind: fc.constant('cancel' as const), timer: fc.nat(2) }),
      fc.record({ kind: fc.constant('once' as const), delay: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('advance' as const), by: fc.nat(10) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const sim = new Simulator({ seed: 1 });
        const fired: string[] = [];
        // Each timer re-arms itself once from its expiry, so expiries schedule work too.
        const rearmed = new Set<number>();
        const timers = Array.from({ length: 3 }, (_, i): Timer => {
          const timer = new Timer(() => {
            fired.push(`t${i}@${sim.nowMs}`);
            if (!rearmed.has(i)) {
              rearmed.add(i);
              sim.arm(timer, i + 1);
            }
          });
          return timer;
        });

        const expected: string[] = [];
        let now = 0;
        let seq = 0;
        const pending = new Map<string, { at: number; seq: number }>();
        const refRearmed = new Set<number>();
        let onceCount = 0;
        const due = (delay: number) => (delay > 0 ? now + delay : now);
        const refRun = (until: number) => {
          for (;;) {
            let next: [string, { at: number; seq: number }] | undefined;
            for (const entry of pending) {
              if (
                !next ||
                entry[1].at < next[1].at ||
                (entry[1].at === next[1].at && entry[1].seq < next[1].seq)
              )
                next = entry;
            }
            if (!next || next[1].at > until) break;
            const [id, { at }] = next;
            pending.delete(id);
            now = at;
            expected.push(`${id}@${now}`);
            const i = Number(id.slice(1));
            if (id.startsWith('t') && !refRearmed.has(i)) {
              refRearmed.add(i);
              pending.set(id, { at: due(i + 1), seq: seq++ });
            }
          }
          now = Math.max(now, until);
        };

        for (const o of ops) {
          if (o.kind === 'arm') {
            sim.arm(timers[o.timer] as Timer, o.delay);
            pending.set(`t${o.timer}`, { at: due(o.delay), seq: seq++ });
          } else if (o.kind === 'cancel') {
            sim.cancel(timers[o.timer]);
            pending.delete(`t${o.timer}`);
          } else if (o.kind === 'once') {
            const id = `o${onceCount++}`;
            sim.schedule(o.delay, () => fired.push(`${id}@${sim.nowMs}`));
            pending.set(id, { at: due(o.delay), seq: seq++ });
          } else {
            sim.advance(o.by);
            refRun(now + o.by);
          }
          expect(timers.map((t) => t.armed)).toEqual(timers.map((_, i) => pending.has(`t${i}`)));
        }
        sim.run();
        refRun(Number.POSITIVE_INFINITY);
        expect(fired).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});
