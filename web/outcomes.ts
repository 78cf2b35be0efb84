import type { FlowMetrics } from '../src/dataplane/meter.ts';
import { describeEvent } from '../src/scenario/simulate.ts';
import type { RecordedAction } from './playback.ts';

export interface ActionOutcome {
  readonly atMs: number;
  readonly description: string;
  readonly flowsInterrupted: number;
  /** From the action until the last flow it interrupted delivered again (so far, when `ongoing`). */
  readonly convergenceMs: number;
  /** Some flow it interrupted is still losing packets now. */
  readonly ongoing: boolean;
}

/**
 * Per-action convergence, attributed as `simulate` does for scenario events (an
 * outage belongs to the latest action at or before its start), on the metrics of
 * the run so far. simulate's own attribution is not exported, hence this twin.
 */
export function actionOutcomes(
  actions: readonly RecordedAction[],
  flows: readonly FlowMetrics[],
  nowMs: number,
): ActionOutcome[] {
  const past = actions.filter((a) => a.atMs <= nowMs);
  return past.map((action, index) => {
    const nextAt = past[index + 1]?.atMs;
    let convergence = 0;
    let interrupted = 0;
    let ongoing = false;
    for (const flow of flows) {
      let hit = false;
      for (const outage of flow.outages) {
        if (outage.startMs < action.atMs || (nextAt !== undefined && outage.startMs >= nextAt)) continue;
        hit = true;
        convergence = Math.max(convergence, outage.endMs - action.atMs);
        if (outage.endMs >= nowMs) ongoing = true;
      }
      if (hit) interrupted++;
    }
    return {
      atMs: action.atMs,
      description: describeEvent(action.event),
      flowsInterrupted: interrupted,
      convergenceMs: convergence,
      ongoing,
    };
  });
}
