/** The flow meter of the live lab: what counts as loss, what as an outage, and when. */
import { describe, expect, it } from 'vitest';
import {
  FlowReceiver,
  flowOutcome,
  type SenderFlowSummary,
  summariseDelivered,
} from '../../src/live/traffic/analysis.ts';
import { decodeProbe, encodeProbe, PROBE_HEADER_BYTES } from '../../src/live/traffic/probe.ts';

const INTERVAL = 10;

/** Probes 0..sent-1 sent every 10 ms (with a little jitter), minus the lost ones. */
function delivered(sent: number, lost: (seq: number) => boolean): { seq: number; sendMs: number }[] {
  const probes = [];
  for (let seq = 0; seq < sent; seq++) {
    if (!lost(seq)) probes.push({ seq, sendMs: seq * INTERVAL + (seq % 3) * 0.6 });
  }
  return probes;
}

function sender(sent: number): SenderFlowSummary {
  return { id: 1, sent, firstSendMs: 0, lastSendMs: (sent - 1) * INTERVAL, sendErrors: 0 };
}

describe('flow meter', () => {
  it('a clean flow: everything delivered, no outage', () => {
    const outcome = flowOutcome(
      sender(500),
      summariseDelivered(
        1,
        delivered(500, () => false),
      ),
    );
    expect(outcome).toMatchObject({ sent: 500, delivered: 500, lost: 0, outages: [] });
  });

  it('one lost probe is loss, not an outage, even when timer jitter stretches the gap past 2 intervals', () => {
    const probes = delivered(500, (seq) => seq === 100);
    probes[100] = { seq: 101, sendMs: 1012 };
    const outcome = flowOutcome(sender(500), summariseDelivered(1, probes));
    expect(outcome.lost).toBe(1);
    expect(outcome.outages).toEqual([]);
  });

  it('two probes lost in a row is an outage from the last probe before to the first probe after', () => {
    const outcome = flowOutcome(
      sender(500),
      summariseDelivered(
        1,
        delivered(500, (s) => s === 100 || s === 101),
      ),
    );
    expect(outcome.lost).toBe(2);
    expect(outcome.outages).toEqual([{ startMs: 990, endMs: 1020 }]);
  });

  it('a 9 s blackhole at 100 pps: 900 probes lost, one outage of about 9 s', () => {
    const outcome = flowOutcome(
      sender(2000),
      summariseDelivered(
        1,
        delivered(2000, (s) => s >= 300 && s < 1200),
      ),
    );
    expect(outcome.lost).toBe(900);
    expect(outcome.outages).toHaveLength(1);
    const [outage] = outcome.outages;
    expect((outage?.endMs ?? 0) - (outage?.startMs ?? 0)).toBeCloseTo(9010, -1);
  });

  it('a flow that never recovers has an outage until the last send; one that starts late, from the first', () => {
    const trailing = flowOutcome(
      sender(1000),
      summariseDelivered(
        1,
        delivered(1000, (s) => s >= 600),
      ),
    );
    expect(trailing.outages).toEqual([{ startMs: 5991.2, endMs: 9990 }]);
    const leading = flowOutcome(
      sender(1000),
      summariseDelivered(
        1,
        delivered(1000, (s) => s < 50),
      ),
    );
    expect(leading.outages).toEqual([{ startMs: 0, endMs: 501.2 }]);
    const nothing = flowOutcome(sender(1000), undefined);
    expect(nothing).toMatchObject({ delivered: 0, lost: 1000, outages: [{ startMs: 0, endMs: 9990 }] });
  });

  it('the receiver counts duplicates and reordering and sorts by sequence before looking for gaps', () => {
    const receiver = new FlowReceiver(7);
    for (const seq of [0, 1, 3, 2, 4, 4, 5]) receiver.add(seq, seq * INTERVAL);
    const summary = receiver.summary();
    expect(summary).toMatchObject({ id: 7, delivered: 6, duplicates: 1, reordered: 1, gaps: [] });
    expect(summary.last).toEqual({ seq: 5, sendMs: 50 });
  });

  it('the receiver grows past its initial capacity', () => {
    const receiver = new FlowReceiver(1);
    for (let seq = 0; seq < 5000; seq++) if (seq % 1000 !== 999) receiver.add(seq, seq);
    expect(receiver.summary().delivered).toBe(4995);
  });

  it('probes round-trip through the wire format and foreign packets are rejected', () => {
    const buffer = Buffer.alloc(64);
    encodeProbe(buffer, { runId: 42, flowId: 3, seq: 123456, sendMs: 1234.5678 });
    expect(decodeProbe(buffer)).toEqual({ runId: 42, flowId: 3, seq: 123456, sendMs: 1234.5678 });
    expect(decodeProbe(Buffer.alloc(PROBE_HEADER_BYTES))).toBeUndefined();
    expect(decodeProbe(Buffer.alloc(8))).toBeUndefined();
  });
});
