/**
 * One IKE history, run and judged. The events (fuzz/ike/events.ts) run on a
 * fresh world (fuzz/ike/world.ts), which checks its per-input invariants as it
 * goes; then, if nothing broke:
 *
 * - pair mode, settling: the path is restored, both hosts are up and started
 *   (and told of outbound traffic, for dpd_action=trap), and 45 minutes pass (longer
 *   when an end has DPD off: it notices a peer that lost its SAs only at its next rekey).
 *   At a moment when neither end has a request in flight, each end holds at
 *   most one established IKE SA and, when both hold one, it is the same; when
 *   the settings let the tunnel come back on its own (one end may initiate and
 *   the other respond, keeps trying, and does not give up after DPD), each holds
 *   exactly one and both have a CHILD SA up. For 20 minutes after that, whenever
 *   both hold IKE SAs they share one (they never sit on different SAs).
 * - both modes, cleaning up: the peer goes silent (crashed in pair mode, the
 *   hostile peer stops talking) for longer than any lifetime plus the liveness
 *   timeout: the endpoint must then hold no established IKE SA, no CHILD SA and
 *   at most one IKE SA, an initiation in progress. What a hostile history left
 *   behind does not outlive it.
 *
 * Platform-free.
 */
import { livenessTimeoutMs } from '../../src/protocols/ike/config.ts';
import { applyEvent, type IkeHistory } from './events.ts';
import { IkeFuzzWorld, type Side, type Violation } from './world.ts';

export interface IkeVerdict {
  readonly violation: Violation | undefined;
  /** FNV-1a of every input and output in order: equal for equal histories (determinism). */
  readonly digest: number;
  /** The same over outputs only: equal whether ESP comes with the timers or just before them. */
  readonly outputDigest: number;
  /** Where the history stopped: 'events', 'settle', 'cleanup' or 'done'. */
  readonly reached: 'events' | 'settle' | 'cleanup' | 'done';
  readonly inputs: number;
  readonly outputs: number;
  readonly simulatedMs: number;
  readonly maxSas: number;
  readonly maxChildren: number;
  /** Both ends came up after settling (pair mode), for the coverage figures. */
  readonly converged: boolean;
  /** A short outcome class for coverage: which states the history visited. */
  readonly summary: string;
}

const MINUTE = 60_000;

/**
 * Runs one history. With `esp: 'split'`, ESP reported with timers goes in as an
 * inboundTraffic input before each bare timer instead of in the timer input: the
 * outputs (`outputDigest`) must be the same (the fuzzer compares the two).
 */
export function runHistory(history: IkeHistory, esp: 'combined' | 'split' = 'combined'): IkeVerdict {
  const world = new IkeFuzzWorld({
    seed: history.seed,
    latencyMs: history.latencyMs,
    jitterMs: history.jitterMs,
    ...(history.esp === true ? { esp } : {}),
    a: history.a,
    ...(history.b === undefined ? {} : { b: history.b }),
  });
  const states = new Set<string>();
  const note = () => {
    for (const side of ['a', 'b'] as const)
      for (const sa of world.snapshot(side)?.ikeSas ?? []) states.add(`${side}:${sa.state}`);
  };
  let reached: IkeVerdict['reached'] = 'events';
  for (const event of history.events) {
    applyEvent(world, event);
    note();
    if (world.failed) break;
  }
  let converged = false;
  if (!world.failed && history.b !== undefined) {
    reached = 'settle';
    converged = settle(world, history);
  }
  if (!world.failed) {
    reached = 'cleanup';
    cleanUp(world, history);
  }
  if (!world.failed) reached = 'done';
  return {
    violation: world.violation,
    digest: world.digest,
    outputDigest: world.outputDigest,
    reached,
    inputs: world.inputs,
    outputs: world.outputs,
    simulatedMs: world.nowMs,
    maxSas: world.maxSas,
    maxChildren: world.maxChildren,
    converged,
    summary: [...states].sort().join(' '),
  };
}

const canInitiate = (settings: IkeHistory['a']) => settings.mode !== 'ResponderOnly';
const canRespond = (settings: IkeHistory['a']) => settings.mode !== 'InitiatorOnly';

/** One end may initiate and the other respond. */
export function mayComeUp(history: IkeHistory): boolean {
  const { a, b } = history;
  return b !== undefined && ((canInitiate(a) && canRespond(b)) || (canInitiate(b) && canRespond(a)));
}

/** One end may initiate, the other respond, and the initiator keeps trying whatever happened. */
export function comesBackOnItsOwn(history: IkeHistory): boolean {
  const { a, b } = history;
  if (b === undefined) return false;
  const keepsTrying = (s: IkeHistory['a']) => (s.keyingTries ?? 0) === 0 && s.dpdAction !== 'clear';
  return (
    (canInitiate(a) && canRespond(b) && keepsTrying(a)) || (canInitiate(b) && canRespond(a) && keepsTrying(b))
  );
}

function settle(world: IkeFuzzWorld, history: IkeHistory): boolean {
  world.pathUp.a = true;
  world.pathUp.b = true;
  for (const side of ['a', 'b'] as const) {
    world.recover(side);
    world.input(side, { kind: 'start' });
  }
  // An end with DPD off notices a peer that lost their SA only at its next rekey: give it that long.
  let settleMs = 45 * MINUTE;
  for (const side of ['a', 'b'] as const) {
    const config = world.endpoints[side]?.config;
    if (config !== undefined && config.dpdDelayMs === 0) {
      const lifetime = Math.min(config.childSaLifetimeMs, config.ikeSaLifetimeMs);
      settleMs = Math.max(settleMs, lifetime + 2 * livenessTimeoutMs(config) + 5 * MINUTE);
    }
  }
  for (let minute = 0; minute < settleMs / MINUTE && !world.failed; minute++) {
    // dpd_action=trap waits for traffic: there is some, every minute.
    for (const side of ['a', 'b'] as const) world.input(side, { kind: 'outboundTraffic' });
    world.advance(MINUTE);
  }
  if (!mayComeUp(history)) {
    // Nobody answers an initiation (both InitiatorOnly, or both ResponderOnly): nothing may ever be up.
    const up = [...world.upSas('a'), ...world.upSas('b')];
    if (up.length > 0)
      world.fail('split-brain', 'both', `IKE SAs up between ends that cannot negotiate: ${up}`);
    return false;
  }
  for (let i = 0; i < 600 && !world.failed && !world.idle(); i++) world.advance(500);
  if (world.failed) return false;
  if (!world.idle()) {
    // An end that keeps initiating towards one that will not answer is never idle; that is only
    // wrong when the settings say the tunnel must come back.
    if (comesBackOnItsOwn(history))
      world.fail(
        'no-convergence',
        'both',
        'after settling on a clear path, requests are still in flight for 5 more minutes',
      );
    return false;
  }
  const a = world.upSas('a');
  const b = world.upSas('b');
  if (a.length > 1 || b.length > 1) {
    const side: Side = a.length > 1 ? 'a' : 'b';
    // Extra IKE SAs without CHILD SAs that nothing probes (DPD off) are leftovers, not a second tunnel.
    const extra = (world.snapshot(side)?.ikeSas ?? []).filter((sa) => sa.state === 'established');
    const bare = extra.filter((sa) => sa.childSas.length === 0).length;
    const dpdOff = (history[side]?.dpdDelayMs ?? 30_000) === 0;
    // With DPD on, such a leftover is probed and gone within dpd_delay + the DPD timeout; off, it stays.
    world.fail(
      bare >= extra.length - 1 ? 'lingering-ike-sa' : 'split-brain',
      side,
      `established IKE SAs at rest: a ${a.length}, b ${b.length} (${bare} of ${side}'s without CHILD SAs; DPD ${dpdOff ? 'off' : 'on'})`,
    );
    return false;
  }
  if (a.length === 1 && b.length === 1 && a[0] !== b[0]) {
    world.fail('split-brain', 'both', `a and b rest on different IKE SAs: ${a[0]} vs ${b[0]}`);
    return false;
  }
  const up =
    a.length === 1 &&
    b.length === 1 &&
    world.snapshot('a')?.tunnelUp === true &&
    world.snapshot('b')?.tunnelUp === true;
  if (comesBackOnItsOwn(history) && !up) {
    world.fail(
      'no-convergence',
      'both',
      `after settling on a clear path: a holds ${a.length} IKE SA(s), b ${b.length}; tunnel a ${world.snapshot('a')?.tunnelUp}, b ${world.snapshot('b')?.tunnelUp}`,
    );
    return false;
  }
  // Apart for two looks in a row: when both ends initiate at once they differ for a round trip, by design.
  let apart: string | undefined;
  for (let second = 0; second < 20 * 60 && !world.failed; second += 2) {
    world.advance(2_000);
    const x = world.upSas('a');
    const y = world.upSas('b');
    const now =
      x.length > 0 && y.length > 0 && !x.some((k) => y.includes(k))
        ? `${x.join(',')} vs ${y.join(',')}`
        : undefined;
    if (now !== undefined && apart !== undefined)
      world.fail('split-brain', 'both', `established on different IKE SAs for over 2 s: ${now}`);
    apart = now;
  }
  return up;
}

function cleanUp(world: IkeFuzzWorld, history: IkeHistory): void {
  const side: Side = 'a';
  const endpoint = world.endpoints[side];
  if (endpoint === undefined) return;
  // The peer is gone: crashed (pair mode) or silent (hostile); nothing more arrives.
  if (history.b !== undefined) world.crash('b');
  world.pathUp.b = false;
  world.dropFrom('b');
  world.recover(side);
  const c = endpoint.config;
  const silenceMs =
    Math.max(c.ikeSaLifetimeMs, c.childSaLifetimeMs) +
    c.dpdDelayMs +
    2 * livenessTimeoutMs(c) +
    c.halfOpenTimeoutMs +
    c.rekeyRetryIntervalMs +
    10 * MINUTE;
  world.advance(silenceMs);
  if (world.failed) return;
  const snapshot = endpoint.snapshot();
  const established = world.upSas(side);
  const children = snapshot.ikeSas.reduce((n, sa) => n + sa.childSas.length, 0);
  const leftover = snapshot.ikeSas.filter((sa) => sa.state !== 'connecting');
  if (
    established.length > 0 ||
    children > 0 ||
    snapshot.tunnelUp ||
    leftover.length > 0 ||
    snapshot.ikeSas.length > 1
  ) {
    world.fail(
      'not-cleaned-up',
      side,
      `${Math.round(silenceMs / MINUTE)} min after the peer fell silent: ${snapshot.ikeSas.length} IKE SA(s) (${snapshot.ikeSas.map((sa) => sa.state).join(', ')}), ${children} CHILD SA(s), tunnel ${snapshot.tunnelUp ? 'up' : 'down'}`,
    );
  }
}
