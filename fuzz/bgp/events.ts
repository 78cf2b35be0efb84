/**
 * Session-level fuzzing: one BgpWire driven by random runtime events, as a real
 * runtime could deliver them — start/stop, inbound connections, outbound connects
 * completing or failing, connections dropping, timers firing (armed or not),
 * local announcements — interleaved with bytes on any connection: the
 * neighbour's OPEN, KEEPALIVE, UPDATEs, and mutated messages. Two connections
 * at once exercise collision detection (RFC 4271 §6.8).
 * The runtime keeps its side of the contract: it reports tcpConnected or
 * tcpConnectFailed only for a connection the peer asked to `connect`, and
 * tcpClosed only for one that is up. Checked after every event: no exception;
 * nothing sent on a connection that is not up; every NOTIFICATION valid and
 * followed by closing its connection; at most three connections and one
 * Established session; at most 4,000 prefixes held.
 */
import { encodeMessage } from '../../src/protocols/bgp/codec.ts';
import { buildOpen } from '../../src/protocols/bgp/fsm.ts';
import type { PeerTimer } from '../../src/protocols/bgp/peer.ts';
import type { WireInput, WireOutput } from '../../src/protocols/bgp/wire.ts';
import { BgpWire } from '../../src/protocols/bgp/wire.ts';
import type { Rng } from '../../src/sim/rng.ts';
import { concatBytes } from '../bytes.ts';
import { CONTEXTS, InvariantViolation, isValidNotification, MAX_PREFIXES, WIRE_SETUPS } from './harness.ts';
import { mutate } from './mutate.ts';

const SETUP = WIRE_SETUPS['ebgp-4'];
const CTX = CONTEXTS['four-octet'];
const OPEN = encodeMessage(buildOpen(SETUP.neighbour), CTX);
const KEEPALIVE = encodeMessage({ type: 'keepalive' }, CTX);
const ROUTES = encodeMessage(
  {
    type: 'update',
    withdrawn: [],
    attributes: { origin: 'igp', asPath: [{ type: 'sequence', asns: [65010] }], nextHop: '192.168.255.1' },
    nlri: ['192.168.10.0/24', '192.168.11.0/24'],
  },
  CTX,
);
const FSM_TIMERS = ['hold', 'keepalive', 'connectRetry'] as const;

function choose<T>(rng: Rng, items: readonly T[]): T | undefined {
  return items[rng.int(items.length)];
}

export interface EventRunResult {
  readonly events: number;
  readonly established: boolean;
  readonly notifications: readonly string[];
}

/** One random session history of `steps` events; throws InvariantViolation (or what escaped) on a bug. */
export function runEventSequence(rng: Rng, steps: number, pick: () => Uint8Array): EventRunResult {
  const wire = new BgpWire(SETUP.azure);
  const up = new Set<number>();
  const connecting = new Set<number>();
  const notifications: string[] = [];
  let established = false;
  let events = 0;
  const trail: string[] = [];
  for (let step = 0; step < steps; step++) {
    const input = nextInput(rng, up, connecting, pick);
    if (input === undefined) continue;
    events++;
    trail.push(
      input.kind === 'bytes' ? `bytes(${input.conn}, ${input.bytes.length})` : JSON.stringify(input),
    );
    let out: WireOutput[];
    try {
      out = wire.handle(0, input);
    } catch (thrown) {
      throw new InvariantViolation(`after ${trail.slice(-8).join(' → ')}: ${String(thrown)}`);
    }
    const notified = new Set<number>();
    for (const output of out) {
      switch (output.kind) {
        case 'accepted':
          up.add(output.conn);
          break;
        case 'connect':
          connecting.add(output.conn);
          break;
        case 'close':
          up.delete(output.conn);
          connecting.delete(output.conn);
          notified.delete(output.conn);
          break;
        case 'send':
          if (!up.has(output.conn)) {
            throw new InvariantViolation(
              `sent ${output.msg.type} on connection ${output.conn}, which is not up, after ${trail.slice(-8).join(' → ')}`,
            );
          }
          if (output.msg.type === 'notification') {
            if (!isValidNotification(output.msg.code, output.msg.subcode)) {
              throw new InvariantViolation(`sent NOTIFICATION ${output.msg.code}/${output.msg.subcode}`);
            }
            notifications.push(`${output.msg.code}/${output.msg.subcode}`);
            notified.add(output.conn);
          }
          break;
        case 'established':
          established = true;
          break;
        default:
          break;
      }
    }
    if (notified.size > 0) {
      throw new InvariantViolation(
        `a NOTIFICATION on connection ${[...notified][0]} without closing it, after ${trail.slice(-8).join(' → ')}`,
      );
    }
    const connections = wire.peer.connectionList;
    if (connections.length > 3)
      throw new InvariantViolation(`${connections.length} connections to one neighbour`);
    if (connections.filter((c) => c.state === 'Established').length > 1) {
      throw new InvariantViolation(`two Established connections after ${trail.slice(-8).join(' → ')}`);
    }
    if (wire.peer.receivedPrefixCount > MAX_PREFIXES) throw new InvariantViolation('prefix limit exceeded');
  }
  return { events, established, notifications };
}

function nextInput(
  rng: Rng,
  up: Set<number>,
  connecting: Set<number>,
  pick: () => Uint8Array,
): WireInput | undefined {
  switch (rng.int(12)) {
    case 0:
      return { kind: 'start' };
    case 1:
      return rng.int(4) === 0
        ? { kind: 'stop', subcode: choose(rng, [2, 3, 4, 6]) ?? 2 }
        : { kind: 'tcpAccepted' };
    case 2:
    case 3: {
      const conn = choose(rng, [...connecting]);
      if (conn === undefined) return undefined;
      connecting.delete(conn);
      if (rng.int(4) === 0) return { kind: 'tcpConnectFailed', conn };
      up.add(conn);
      return { kind: 'tcpConnected', conn };
    }
    case 4: {
      const conn = choose(rng, [...up]);
      if (conn === undefined) return undefined;
      up.delete(conn);
      return { kind: 'tcpClosed', conn };
    }
    case 5: {
      const conn = choose(rng, [...up, ...connecting, 1, 2, 3]) ?? 1;
      const timer: PeerTimer = rng.int(5) === 0 ? 'idleHold' : `${conn}:${choose(rng, FSM_TIMERS) ?? 'hold'}`;
      return { kind: 'timer', timer };
    }
    case 6:
      return {
        kind: 'announce',
        update: {
          type: 'update',
          withdrawn: [],
          attributes: { origin: 'igp', asPath: [{ type: 'sequence', asns: [65515] }], nextHop: '10.0.0.12' },
          nlri: ['10.1.0.0/16'],
        },
      };
    default: {
      // Bytes mostly on a connection that is up; sometimes on one that is not (a late segment).
      const conn = rng.int(8) === 0 ? rng.int(4) + 1 : choose(rng, [...up]);
      if (conn === undefined) return undefined;
      const roll = rng.int(6);
      const bytes =
        roll === 0
          ? OPEN
          : roll === 1
            ? KEEPALIVE
            : roll === 2
              ? ROUTES
              : roll === 3
                ? concatBytes([OPEN, KEEPALIVE])
                : mutate(pick(), rng, pick).bytes;
      return { kind: 'bytes', conn, bytes };
    }
  }
}
