/**
 * Binary min-heap of scheduled events, ordered by (time, sequence). The sequence
 * number makes ordering stable: two events at the same millisecond fire in the
 * order they were scheduled, which is what makes a run reproducible.
 *
 * Entries are stored in parallel typed arrays plus one object array, so a push or
 * pop moves numbers rather than allocating comparator closures.
 */
export class EventHeap<T> {
  private times: Float64Array;
  private seqs: Float64Array;
  private items: (T | undefined)[] = [];
  private count = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.seqs = new Float64Array(initialCapacity);
  }

  get size(): number {
    return this.count;
  }

  push(time: number, seq: number, item: T): void {
    if (this.count === this.times.length) this.grow();
    let i = this.count++;
    // Sift up: move parents down until the slot for the new entry is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(time, seq, parent)) break;
      this.move(parent, i);
      i = parent;
    }
    this.times[i] = time;
    this.seqs[i] = seq;
    this.items[i] = item;
  }

  peekTime(): number | undefined {
    return this.count === 0 ? undefined : this.times[0];
  }

  /** Removes and returns the earliest entry, or undefined when empty. */
  pop(): { time: number; seq: number; item: T } | undefined {
    if (this.count === 0) return undefined;
    const time = this.times[0] as number;
    const seq = this.seqs[0] as number;
    const item = this.popItem() as T;
    return { time, seq, item };
  }

  /** Removes the earliest entry and returns its item alone: the kernel's hot path, no allocation. */
  popItem(): T | undefined {
    if (this.count === 0) return undefined;
    const top = this.items[0];
    const last = --this.count;
    if (last > 0) {
      const time = this.times[last] as number;
      const seq = this.seqs[last] as number;
      const item = this.items[last];
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= last) break;
        const right = left + 1;
        const child = right < last && this.lessAt(right, left) ? right : left;
        if (!this.lessThanEntry(child, time, seq)) break;
        this.move(child, i);
        i = child;
      }
      this.times[i] = time;
      this.seqs[i] = seq;
      this.items[i] = item;
    }
    this.items[last] = undefined;
    return top;
  }

  private before(time: number, seq: number, slot: number): boolean {
    const t = this.times[slot] as number;
    return time < t || (time === t && seq < (this.seqs[slot] as number));
  }

  private lessAt(a: number, b: number): boolean {
    const ta = this.times[a] as number;
    const tb = this.times[b] as number;
    return ta < tb || (ta === tb && (this.seqs[a] as number) < (this.seqs[b] as number));
  }

  private lessThanEntry(slot: number, time: number, seq: number): boolean {
    const t = this.times[slot] as number;
    return t < time || (t === time && (this.seqs[slot] as number) < seq);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number;
    this.seqs[to] = this.seqs[from] as number;
    this.items[to] = this.items[from];
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}
