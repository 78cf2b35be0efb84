import type { Simulator } from './kernel.ts';

/**
 * A simulated TCP connection, as much of TCP as BGP's behaviour depends on:
 * the three-way handshake (SYN retransmitted on Linux's schedule when nothing
 * answers), in-order reliable delivery that stalls — rather than loses data —
 * while the path is down (retransmission), FIN, and RST from a host that has
 * rebooted and no longer knows the connection. That is why a BGP session over a
 * loopback survives a short tunnel outage: its keepalives arrive late, not never.
 *
 * Simplification, stated: after an outage, stalled segments arrive one latency
 * after the path returns; real TCP waits for its next backed-off retransmission.
 */
/** Whether a packet from `from` to `to` gets through right now, and its one-way latency. */
export type TcpPath = (from: TcpHost, to: TcpHost) => { readonly up: boolean; readonly latencyMs: number };

export interface TcpEndpointEvents<P> {
  connected(conn: TcpConnection<P>): void;
  received(conn: TcpConnection<P>, payload: P): void;
  /** The peer closed (FIN) or reset (RST), or the connect attempt gave up. */
  closed(conn: TcpConnection<P>, reason: 'fin' | 'rst' | 'timeout'): void;
}

/**
 * A host's TCP stack. `epoch` changes when the host reboots: connections of an
 * older epoch are unknown to it and answered with RST.
 */
export class TcpHost {
  epoch = 0;
  alive = true;
  constructor(readonly name: string) {}

  crash(): void {
    this.alive = false;
  }

  reboot(): void {
    this.alive = true;
    this.epoch++;
  }
}

/** Linux's SYN retransmission: RTO 1 s doubling, tcp_syn_retries = 6 → give up after 127 s. */
export const SYN_RETRANSMIT_OFFSETS_MS = [0, 1_000, 3_000, 7_000, 15_000, 31_000, 63_000] as const;
export const SYN_GIVE_UP_MS = 127_000;

export class TcpConnection<P> {
  private established = false;
  private closedFlag = false;
  private readonly stalled: { from: 'a' | 'b'; payload: P | 'FIN' }[] = [];
  /** Delivery times are kept monotonic per direction so segments arrive in order. */
  private lastArrival = { a: 0, b: 0 };
  private readonly epochs: { a: number; b: number };
  private readonly abandoned = { a: false, b: false };

  constructor(
    /** Unique within one world; the world numbers connections so runs stay reproducible. */
    readonly id: number,
    private readonly sim: Simulator,
    private readonly path: TcpPath,
    readonly initiator: TcpHost,
    readonly acceptor: TcpHost,
    private readonly initiatorEvents: TcpEndpointEvents<P>,
    private readonly acceptorEvents: () => TcpEndpointEvents<P> | undefined,
    private readonly onBlocked: (conn: TcpConnection<P>) => void,
  ) {
    this.epochs = { a: initiator.epoch, b: acceptor.epoch };
    this.attemptSyn(0);
  }

  get isOpen(): boolean {
    return this.established && !this.closedFlag;
  }

  /** Sends from the given side ('a' = initiator, 'b' = acceptor). */
  send(from: 'a' | 'b', payload: P): void {
    if (this.closedFlag || !this.established) return;
    this.transmit(from, payload);
  }

  /** Graceful close from one side: the FIN follows any data still in flight. */
  close(from: 'a' | 'b'): void {
    if (this.closedFlag) return;
    if (this.established) this.transmit(from, 'FIN');
    this.closedFlag = true;
  }

  /**
   * One side's socket vanished without a FIN (its interface went away): its host
   * still lives and answers the next segment for the connection with RST. With no
   * side, the whole connection is forgotten (both ends are gone or do not care).
   */
  abandon(side?: 'a' | 'b'): void {
    if (side === undefined) this.closedFlag = true;
    else this.abandoned[side] = true;
  }

  /** Called by the owner when paths may have come back: delivers stalled segments in order. */
  retry(): void {
    if (this.stalled.length === 0) return;
    const pending = this.stalled.splice(0);
    for (const segment of pending) this.transmit(segment.from, segment.payload);
  }

  get hasStalledData(): boolean {
    return this.stalled.length > 0;
  }

  private hosts(from: 'a' | 'b'): [TcpHost, TcpHost] {
    return from === 'a' ? [this.initiator, this.acceptor] : [this.acceptor, this.initiator];
  }

  private transmit(from: 'a' | 'b', payload: P | 'FIN'): void {
    const [src, dst] = this.hosts(from);
    if (!src.alive || src.epoch !== this.epochs[from] || this.abandoned[from]) return;
    const hop = this.path(src, dst);
    if (!hop.up || this.stalled.length > 0) {
      this.stalled.push({ from, payload });
      this.onBlocked(this);
      return;
    }
    const arrival = Math.max(this.sim.nowMs + hop.latencyMs, this.lastArrival[from]);
    this.lastArrival[from] = arrival;
    this.sim.scheduleAt(arrival, () => this.arrive(from, payload), 'tcp');
  }

  private arrive(from: 'a' | 'b', payload: P | 'FIN'): void {
    const to = from === 'a' ? 'b' : 'a';
    const [src, dst] = this.hosts(from);
    if (!dst.alive) return;
    if (dst.epoch !== this.epochs[to] || this.abandoned[to]) {
      // The receiver rebooted, or dropped the socket, and has no such connection: RFC 793 says RST.
      this.epochs[to] = -1;
      this.resetBack(src, dst, from);
      return;
    }
    const events = from === 'a' ? this.acceptorEvents() : this.initiatorEvents;
    if (!events) return;
    if (payload === 'FIN') {
      this.closedFlag = true;
      events.closed(this, 'fin');
    } else events.received(this, payload);
  }

  private resetBack(src: TcpHost, dst: TcpHost, towards: 'a' | 'b'): void {
    const hop = this.path(dst, src);
    if (!hop.up) return;
    this.sim.schedule(hop.latencyMs, () => {
      if (this.closedFlag || !src.alive) return;
      this.closedFlag = true;
      (towards === 'a' ? this.initiatorEvents : this.acceptorEvents())?.closed(this, 'rst');
    });
  }

  private attemptSyn(attempt: number): void {
    if (this.closedFlag || this.established) return;
    const startedAt = this.sim.nowMs - (SYN_RETRANSMIT_OFFSETS_MS[attempt] ?? 0);
    const forward = this.path(this.initiator, this.acceptor);
    const acceptorEvents = this.acceptorEvents();
    if (forward.up && this.acceptor.alive && this.initiator.alive) {
      const back = this.path(this.acceptor, this.initiator);
      if (!acceptorEvents) {
        // Nobody listens on port 179 there: the SYN is answered with RST.
        if (back.up) {
          this.sim.schedule(forward.latencyMs + back.latencyMs, () => {
            if (this.closedFlag) return;
            this.closedFlag = true;
            this.initiatorEvents.closed(this, 'rst');
          });
          return;
        }
      } else if (back.up) {
        // SYN →, SYN-ACK ←: the initiator is connected after one round trip, the acceptor on the ACK.
        const rtt = forward.latencyMs + back.latencyMs;
        this.sim.schedule(rtt, () => {
          if (this.closedFlag) return;
          this.established = true;
          this.lastArrival = { a: this.sim.nowMs, b: this.sim.nowMs };
          this.initiatorEvents.connected(this);
        });
        this.sim.schedule(rtt + forward.latencyMs, () => {
          if (this.closedFlag || !this.acceptor.alive || this.acceptor.epoch !== this.epochs.b) return;
          this.acceptorEvents()?.connected(this);
        });
        return;
      }
    }
    const nextOffset = SYN_RETRANSMIT_OFFSETS_MS[attempt + 1];
    if (nextOffset === undefined) {
      this.sim.scheduleAt(startedAt + SYN_GIVE_UP_MS, () => {
        if (this.closedFlag || this.established) return;
        this.closedFlag = true;
        this.initiatorEvents.closed(this, 'timeout');
      });
      return;
    }
    this.sim.scheduleAt(startedAt + nextOffset, () => this.attemptSyn(attempt + 1), 'tcp.syn');
  }
}
