/**
 * Binary min-heap of (time, sequence, slot) entries ordered by (time, sequence).
 * The sequence number makes ordering stable: two entries at the same millisecond
 * come out in the order they went in, which is what makes a run reproducible.
 *
 * The entries live in three typed arrays rather than as objects: a sift moves
 * three numbers per level and nothing is allocated per entry. The kernel's hot path.
 * Sequence numbers are unique, so (time, sequence) never ties.
 */
export class EventHeap {
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private slots = new Int32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Time of the earliest entry; +Infinity when empty, so `topTime > bound` also ends a run. */
  get topTime(): number {
    return this.count > 0 ? (this.times[0] as number) : Number.POSITIVE_INFINITY;
  }

  get topSeq(): number {
    return this.seqs[0] as number;
  }

  get topSlot(): number {
    return this.slots[0] as number;
  }

  push(time: number, seq: number, slot: number): void {
    if (this.count === this.times.length) this.grow();
    const { times, seqs, slots } = this;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = times[parent] as number;
      if (parentTime < time || (parentTime === time && (seqs[parent] as number) < seq)) break;
      times[i] = parentTime;
      seqs[i] = seqs[parent] as number;
      slots[i] = slots[parent] as number;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** Drops the earliest entry (read it first through topTime, topSeq, topSlot). */
  removeTop(): void {
    if (this.count === 0) return;
    const size = --this.count;
    if (size > 0)
      this.siftDown(this.times[size] as number, this.seqs[size] as number, this.slots[size] as number);
  }

  /** Replaces the earliest entry (the heap must not be empty): one sift instead of a pop and a push. */
  replaceTop(time: number, seq: number, slot: number): void {
    this.siftDown(time, seq, slot);
  }

  /** Places (time, seq, slot) in the hole at the root. */
  private siftDown(time: number, seq: number, slot: number): void {
    const size = this.count;
    const { times, seqs, slots } = this;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let childTime = times[child] as number;
      let childSeq = seqs[child] as number;
      const right = child + 1;
      if (right < size) {
        const rightTime = times[right] as number;
        const rightSeq = seqs[right] as number;
        if (rightTime < childTime || (rightTime === childTime && rightSeq < childSeq)) {
          child = right;
          childTime = rightTime;
          childSeq = rightSeq;
        }
      }
      if (time < childTime || (time === childTime && seq < childSeq)) break;
      times[i] = childTime;
      seqs[i] = childSeq;
      slots[i] = slots[child] as number;
      i = child;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  private grow(): void {
    const capacity = this.times.length * 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const slots = new Int32Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    slots.set(this.slots);
    this.times = times;
    this.seqs = seqs;
    this.slots = slots;
  }
}
