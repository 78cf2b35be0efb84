/**
 * What a flow felt, from the probes that arrived and the sender's own count.
 *
 * Times are ms since the run's start, taken from the probes' send timestamps, so a
 * queue on the way does not shift an outage. An outage is a gap between two consecutive
 * delivered probes longer than twice the send interval on the sender's schedule — that
 * is, at least two probes in a row lost; it is judged on sequence numbers, so timer
 * jitter around one lost probe does not make an outage of it. It runs from the send
 * time of the last probe that got through before the gap to the send time of the first
 * one after it. A flow that never recovers has an outage to the sender's last send;
 * one that starts late, from the sender's first send.
 */

export interface Outage {
  readonly startMs: number;
  readonly endMs: number;
}

export interface DeliveredProbe {
  readonly seq: number;
  readonly sendMs: number;
}

export interface ReceiverFlowSummary {
  readonly id: number;
  /** Distinct probes delivered. */
  readonly delivered: number;
  readonly duplicates: number;
  /** Probes that arrived after a probe with a higher sequence number. */
  readonly reordered: number;
  readonly first?: DeliveredProbe;
  readonly last?: DeliveredProbe;
  /** Outages between delivered probes (not the leading or trailing one). */
  readonly gaps: readonly Outage[];
}

export interface SenderFlowSummary {
  readonly id: number;
  readonly sent: number;
  readonly firstSendMs: number;
  readonly lastSendMs: number;
  readonly sendErrors: number;
}

/** Collects one flow's probes as they arrive; memory is 13 bytes per probe. */
export class FlowReceiver {
  private seqs = new Uint32Array(1024);
  private times = new Float64Array(1024);
  private seen = new Uint8Array(1024);
  private count = 0;
  private maxSeq = -1;
  private duplicates = 0;
  private reordered = 0;

  constructor(readonly id: number) {}

  add(seq: number, sendMs: number): void {
    if (seq >= this.seen.length) this.seen = grow(this.seen, seq + 1);
    if (this.seen[seq]) {
      this.duplicates++;
      return;
    }
    this.seen[seq] = 1;
    if (seq < this.maxSeq) this.reordered++;
    else this.maxSeq = seq;
    if (this.count === this.seqs.length) {
      this.seqs = grow(this.seqs, this.count + 1);
      this.times = grow(this.times, this.count + 1);
    }
    this.seqs[this.count] = seq;
    this.times[this.count] = sendMs;
    this.count++;
  }

  summary(): ReceiverFlowSummary {
    const order = Array.from({ length: this.count }, (_, i) => i).sort(
      (a, b) => (this.seqs[a] as number) - (this.seqs[b] as number),
    );
    const probes = order.map((i) => ({ seq: this.seqs[i] as number, sendMs: this.times[i] as number }));
    return summariseDelivered(this.id, probes, this.duplicates, this.reordered);
  }
}

function grow<T extends Uint8Array | Uint32Array | Float64Array>(array: T, atLeast: number): T {
  let size = array.length * 2;
  while (size < atLeast) size *= 2;
  const bigger = new (array.constructor as new (n: number) => T)(size);
  bigger.set(array);
  return bigger;
}

/** A gap is an outage when it spans more than this many send intervals. */
export const OUTAGE_INTERVALS = 2;

/** `seqStep` intervals between two delivered probes: more than two means two or more lost in a row. */
function isOutage(seqStep: number): boolean {
  return seqStep > OUTAGE_INTERVALS;
}

/** Summarises delivered probes given in ascending sequence order. */
export function summariseDelivered(
  id: number,
  probes: readonly DeliveredProbe[],
  duplicates = 0,
  reordered = 0,
): ReceiverFlowSummary {
  const gaps: Outage[] = [];
  for (let i = 1; i < probes.length; i++) {
    const before = probes[i - 1] as DeliveredProbe;
    const after = probes[i] as DeliveredProbe;
    if (isOutage(after.seq - before.seq)) gaps.push({ startMs: before.sendMs, endMs: after.sendMs });
  }
  return {
    id,
    delivered: probes.length,
    duplicates,
    reordered,
    ...(probes.length > 0 ? { first: probes[0], last: probes[probes.length - 1] } : {}),
    gaps,
  };
}

export interface FlowOutcome {
  readonly sent: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly reordered: number;
  readonly outages: readonly Outage[];
}

/** Joins the sender's count with the receiver's view; adds the leading and trailing outage. */
export function flowOutcome(
  sender: SenderFlowSummary,
  receiver: ReceiverFlowSummary | undefined,
): FlowOutcome {
  const delivered = receiver?.delivered ?? 0;
  const outages: Outage[] = [];
  if (sender.sent > 0) {
    if (!receiver?.first || !receiver.last) {
      outages.push({ startMs: sender.firstSendMs, endMs: sender.lastSendMs });
    } else {
      // As if probe -1 had arrived just before the run and probe `sent` just after it.
      if (isOutage(receiver.first.seq + 1)) {
        outages.push({ startMs: sender.firstSendMs, endMs: receiver.first.sendMs });
      }
      outages.push(...receiver.gaps);
      if (isOutage(sender.sent - receiver.last.seq)) {
        outages.push({ startMs: receiver.last.sendMs, endMs: sender.lastSendMs });
      }
    }
  }
  return {
    sent: sender.sent,
    delivered,
    lost: Math.max(0, sender.sent - delivered),
    duplicates: receiver?.duplicates ?? 0,
    reordered: receiver?.reordered ?? 0,
    outages: outages.map((o) => ({ startMs: round(o.startMs), endMs: round(o.endMs) })),
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
