import { describeEvent } from '../src/scenario/simulate.ts';
import type { TraceEntry } from '../src/sim/trace.ts';
import type { RecordedAction } from './playback.ts';

/** What the timeline marks and the event log lists; the rest of the trace (messages sent, timers) is detail. */
export type NotableKind = 'action' | 'instance' | 'ip' | 'bgp' | 'ike' | 'routes' | 'site' | 'rejected';

export interface NotableEvent {
  readonly atMs: number;
  readonly kind: NotableKind;
  readonly text: string;
  /** Position in the trace, or -1 for the user's own actions. */
  readonly traceIndex: number;
}

export const KIND_LABEL: Readonly<Record<NotableKind, string>> = {
  action: 'you',
  instance: 'instance',
  ip: 'public IP',
  bgp: 'BGP',
  ike: 'IKE',
  routes: 'routes',
  site: 'site',
  rejected: 'refused',
};

/** Marker colours, shared by the chart and the log (colour-blind safe, distinct from the tunnel palette). */
export const KIND_COLOR: Readonly<Record<NotableKind, string>> = {
  action: '#111111',
  instance: '#b8002e',
  ip: '#d97706',
  bgp: '#2563eb',
  ike: '#7c3aed',
  routes: '#0f766e',
  site: '#9a3412',
  rejected: '#6b7280',
};

const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

/** `IN_0/bgp:conn@IN_0` → `IN_0`; `branch1-fw1/bgp:conn@IN_0` → `branch1-fw1`. */
function speakerOf(source: string): { end: string; session: string } {
  const at = source.indexOf('/bgp:');
  return at < 0
    ? { end: source, session: source }
    : { end: source.slice(0, at), session: source.slice(at + 5) };
}

/** `conn@IN_0/azure` → `conn@IN_0 (Azure side)`. */
function tunnelSide(source: string): string {
  const slash = source.lastIndexOf('/');
  if (slash < 0) return source;
  const side = source.slice(slash + 1);
  return `${source.slice(0, slash)} (${side === 'azure' ? 'Azure' : side === 'device' ? 'device' : side} side)`;
}

const IKE_REASONS: Readonly<Record<string, string>> = {
  dpd: 'dead peer detection (DPD) gave up',
  deleted: 'DELETE received',
  stopped: 'stopped, DELETE sent',
  reset: 'reset',
  established: 'established',
};

/** The trace entries a network engineer wants to see on the timeline, in words; undefined for the rest. */
export function notableOf(entry: TraceEntry, traceIndex: number): NotableEvent | undefined {
  const d = entry.detail ?? {};
  const make = (kind: NotableKind, words: string): NotableEvent => ({
    atMs: entry.atMs,
    kind,
    text: words,
    traceIndex,
  });
  switch (entry.event) {
    case 'instance.state':
      return make('instance', `${entry.source} is ${text(d.state)}`);
    case 'hub.nextHop':
      return make(
        'routes',
        d.usable
          ? `hub uses ${entry.source} as next hop again`
          : `hub stops using ${entry.source} as next hop`,
      );
    case 'hub.routes':
      return make('routes', `hub routes change: ${text(d.changed)}`);
    case 'ip.owner':
      return make(
        'ip',
        d.owner === null
          ? `public IP ${entry.source} released (moving)`
          : `public IP ${entry.source} answered by ${text(d.owner)}`,
      );
    case 'bgp.established': {
      const { end, session } = speakerOf(entry.source);
      return make('bgp', `BGP ${session}: ${end} Established (hold ${text(d.holdTimeSec)} s)`);
    }
    case 'bgp.down': {
      const { end, session } = speakerOf(entry.source);
      return make('bgp', `BGP ${session}: ${end} down, ${text(d.reason)}`);
    }
    case 'bgp.rejected': {
      const { end, session } = speakerOf(entry.source);
      return make('bgp', `BGP ${session}: ${end} refused a connection, ${text(d.reason)}`);
    }
    case 'ike.tunnel': {
      const reason = text(d.reason);
      const why = IKE_REASONS[reason] ?? reason;
      return make('ike', `IPsec ${tunnelSide(entry.source)} ${d.up ? 'up' : 'down'}: ${why}`);
    }
    case 'device.fail':
      return make('site', `device ${entry.source} fails`);
    case 'device.recover':
      return make('site', `device ${entry.source} recovers`);
    case 'path.down':
      return make('site', `internet path ${entry.source} down`);
    case 'path.up':
      return make('site', `internet path ${entry.source} up`);
    case 'tunnel.reset':
      return make('ike', `tunnel ${entry.source} reset by the administrator`);
    case 'gateway.rejected':
      return make('rejected', `gateway refused: ${text(d.reason)}`);
    default:
      return undefined;
  }
}

/** The notable entries among `trace` (from `fromIndex` on), in order. */
export function notableEvents(trace: readonly TraceEntry[], fromIndex = 0): NotableEvent[] {
  const out: NotableEvent[] = [];
  for (let i = fromIndex; i < trace.length; i++) {
    const notable = notableOf(trace[i] as TraceEntry, i);
    if (notable) out.push(notable);
  }
  return out;
}

export function actionEvents(actions: readonly RecordedAction[]): NotableEvent[] {
  return actions.map((a) => ({ atMs: a.atMs, kind: 'action', text: describeEvent(a.event), traceIndex: -1 }));
}

export type BgpFsmState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/**
 * Each BGP speaker's FSM state from the trace (`bgp.state` entries), keyed by
 * `<session id>/<azure|device>`. The snapshot says only established or not.
 */
export function bgpStates(trace: readonly TraceEntry[], count: number): Map<string, string> {
  const states = new Map<string, string>();
  for (let i = 0; i < count && i < trace.length; i++) {
    const entry = trace[i] as TraceEntry;
    if (entry.event !== 'bgp.state') continue;
    const { end, session } = speakerOf(entry.source);
    const side = end === 'IN_0' || end === 'IN_1' ? 'azure' : 'device';
    states.set(`${session}/${side}`, text(entry.detail?.to));
  }
  return states;
}
