/**
 * Binary min-heap of scheduled entries ordered by (time, sequence). The sequence
 * number makes ordering stable: two entries at the same millisecond come out in
 * the order they went in, which is what makes a run reproducible.
 *
 * Entries carry their own keys (`atMs`, `seq`), so a sift moves one reference per
 * level instead of three parallel values — the kernel's hot path.
 */
export interface HeapEntry {
  readonly atMs: number;
  readonly seq: number;
}

export class EventHeap<T extends HeapEntry> {
  private readonly entries: T[] = [];

  get size(): number {
    return this.entries.length;
  }

  push(entry: T): void {
    const entries = this.entries;
    let i = entries.length;
    entries.push(entry);
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = entries[parentIndex] as T;
      if (!before(entry, parent)) break;
      entries[i] = parent;
      i = parentIndex;
    }
    entries[i] = entry;
  }

  peekTime(): number | undefined {
    return this.entries[0]?.atMs;
  }

  /** Removes and returns the earliest entry, or undefined when empty. */
  pop(): T | undefined {
    const entries = this.entries;
    const top = entries[0];
    const last = entries.pop();
    if (top === undefined || last === undefined || entries.length === 0) return top;
    const size = entries.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      let childEntry = entries[left] as T;
      if (right < size) {
        const rightEntry = entries[right] as T;
        if (before(rightEntry, childEntry)) {
          child = right;
          childEntry = rightEntry;
        }
      }
      if (!before(childEntry, last)) break;
      entries[i] = childEntry;
      i = child;
    }
    entries[i] = last;
    return top;
  }
}

function before(a: HeapEntry, b: HeapEntry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
