import { CoreDriver, timerFired } from '../../sim/driver.ts';
import type { Simulator } from '../../sim/kernel.ts';
import { assertNever } from '../core.ts';
import type { IkeEndpointOptions } from './config.ts';
import { IkeEndpoint } from './endpoint.ts';
import { describeMessage, hex, type IkeMessage } from './messages.ts';
import type { IkeInput, IkeOutput, IkeTimer, InboundTraffic } from './types.ts';

/**
 * One IPsec tunnel on the simulation kernel: two IKE endpoints joined by a path
 * with a fixed one-way latency that can be cut (messages dropped, per
 * direction) and restored, and hosts that can die silently and come back
 * without state. The gateway simulation builds one of these per tunnel (an
 * Azure instance and a site device); tests use it directly.
 *
 * What it models: IKE messages only. ESP is the data plane's business; a
 * runtime that wants ESP to count as liveness reports it with `inboundTraffic`.
 * A message is lost if the path in its direction is down when it is sent or
 * when it would arrive, or if the receiving host is dead when it arrives.
 */
export type TunnelSide = 'a' | 'b';

export interface TunnelRecord {
  readonly atMs: number;
  readonly side: TunnelSide;
  /** Every output except timer requests, in emission order. */
  readonly output: Exclude<IkeOutput, { kind: 'armTimer' } | { kind: 'cancelTimer' }>;
}

export interface DeliveryRecord {
  readonly atMs: number;
  readonly to: TunnelSide;
  readonly message: IkeMessage;
}

export interface SimulatedIkeTunnelOptions {
  readonly a: IkeEndpointOptions;
  readonly b: IkeEndpointOptions;
  readonly oneWayLatencyMs: number;
  /** Called for every non-timer output as it happens (e.g. the gateway wiring the data plane). */
  readonly onOutput?: (side: TunnelSide, output: TunnelRecord['output']) => void;
  /**
   * Asked as a timer of `side` fires: the ESP the endpoint would read from the
   * kernel then (last seen on which SA, for DPD), handed over with the expiry.
   */
  readonly inboundAtTimer?: (side: TunnelSide, timer: IkeTimer) => InboundTraffic | undefined;
  /** Record outputs in `records` and deliveries in `deliveries` (default true). */
  readonly record?: boolean;
}

/** One immutable input per timer name: a DPD check fires every few seconds on every end. */
const TIMER_INPUTS: Readonly<Record<IkeTimer, IkeInput>> = {
  retransmit: Object.freeze(timerFired('retransmit')),
  dpd: Object.freeze(timerFired('dpd')),
  lifetime: Object.freeze(timerFired('lifetime')),
  initiate: Object.freeze(timerFired('initiate')),
  halfOpen: Object.freeze(timerFired('halfOpen')),
};

export class SimulatedIkeTunnel {
  readonly endpoints: Readonly<Record<TunnelSide, IkeEndpoint>>;
  readonly records: TunnelRecord[] = [];
  readonly deliveries: DeliveryRecord[] = [];
  private readonly drivers: Record<TunnelSide, CoreDriver<IkeInput, IkeOutput, IkeTimer>>;
  private readonly alive: Record<TunnelSide, boolean> = { a: true, b: true };
  private readonly pathUp: Record<TunnelSide, boolean> = { a: true, b: true };
  private readonly lastDelivered: Record<TunnelSide, number | undefined> = { a: undefined, b: undefined };
  private readonly record: boolean;

  constructor(
    private readonly sim: Simulator,
    private readonly options: SimulatedIkeTunnelOptions,
  ) {
    if (!(options.oneWayLatencyMs >= 0)) throw new Error('oneWayLatencyMs must be non-negative');
    this.record = options.record ?? true;
    this.endpoints = { a: new IkeEndpoint(options.a), b: new IkeEndpoint(options.b) };
    this.drivers = {
      a: this.makeDriver('a'),
      b: this.makeDriver('b'),
    };
  }

  /** The runtime's own name for a side: the endpoint's IKE identity. */
  name(side: TunnelSide): string {
    return this.endpoints[side].config.name;
  }

  start(side: TunnelSide): void {
    this.deliver(side, { kind: 'start' });
  }

  /** Planned stop: the endpoint sends its DELETEs before going quiet. */
  stop(side: TunnelSide): void {
    this.deliver(side, { kind: 'stop' });
  }

  /** Silent death: the host neither sends nor receives, its timers are gone. */
  crash(side: TunnelSide): void {
    if (!this.alive[side]) return;
    this.alive[side] = false;
    this.drivers[side].cancelAllTimers();
    this.sim.trace.record({ atMs: this.sim.nowMs, source: this.name(side), event: 'ike.crash' });
  }

  /** The host is back with no memory of its SAs (`reset`). */
  recover(side: TunnelSide): void {
    if (this.alive[side]) return;
    this.alive[side] = true;
    this.sim.trace.record({ atMs: this.sim.nowMs, source: this.name(side), event: 'ike.recover' });
    this.deliver(side, { kind: 'reset' });
  }

  isAlive(side: TunnelSide): boolean {
    return this.alive[side];
  }

  /** Drop messages in both directions, or only those sent by `from`. */
  cutPath(from?: TunnelSide): void {
    if (from === undefined || from === 'a') this.pathUp.a = false;
    if (from === undefined || from === 'b') this.pathUp.b = false;
    this.sim.trace.record({
      atMs: this.sim.nowMs,
      source: 'path',
      event: 'ike.pathCut',
      detail: { from: from ?? 'both' },
    });
  }

  restorePath(from?: TunnelSide): void {
    if (from === undefined || from === 'a') this.pathUp.a = true;
    if (from === undefined || from === 'b') this.pathUp.b = true;
    this.sim.trace.record({
      atMs: this.sim.nowMs,
      source: 'path',
      event: 'ike.pathRestored',
      detail: { from: from ?? 'both' },
    });
  }

  /** The data plane saw ESP arrive at `side` on the CHILD SA with this inbound SPI (at `atMs`, default now). */
  inboundTraffic(side: TunnelSide, inboundSpi: number, atMs?: number): void {
    this.deliver(
      side,
      atMs === undefined
        ? { kind: 'inboundTraffic', inboundSpi }
        : { kind: 'inboundTraffic', inboundSpi, atMs },
    );
  }

  outboundTraffic(side: TunnelSide): void {
    this.deliver(side, { kind: 'outboundTraffic' });
  }

  /**
   * Fault injection: hand `side` a message as if it had just arrived (a stale
   * retransmission, a forged or corrupted packet). Dropped if the host is dead.
   */
  inject(side: TunnelSide, message: IkeMessage): void {
    this.deliver(side, { kind: 'message', message });
  }

  /** When a message last reached `side` (the t_last of the DPD formula). */
  lastDeliveryMs(side: TunnelSide): number | undefined {
    return this.lastDelivered[side];
  }

  private deliver(side: TunnelSide, input: IkeInput): void {
    if (!this.alive[side]) return;
    this.drivers[side].deliver(input);
  }

  private makeDriver(side: TunnelSide): CoreDriver<IkeInput, IkeOutput, IkeTimer> {
    // Held by the expiry handler itself: a DPD check fires every few seconds on every end.
    const inboundAtTimer = this.options.inboundAtTimer;
    return new CoreDriver<IkeInput, IkeOutput, IkeTimer>(
      this.sim,
      this.endpoints[side],
      (output) => this.onOutput(side, output),
      (timer) => {
        const inbound = inboundAtTimer?.(side, timer);
        return inbound ? { kind: 'timer', timer, inbound } : TIMER_INPUTS[timer];
      },
    );
  }

  private onOutput(side: TunnelSide, output: IkeOutput): void {
    if (output.kind === 'armTimer' || output.kind === 'cancelTimer') return;
    const atMs = this.sim.nowMs;
    if (this.record) this.records.push({ atMs, side, output });
    this.options.onOutput?.(side, output);
    this.trace(side, output);
    if (output.kind === 'send') this.transmit(side, output.message);
  }

  private transmit(from: TunnelSide, message: IkeMessage): void {
    if (!this.pathUp[from] || !this.alive[from]) return;
    const to: TunnelSide = from === 'a' ? 'b' : 'a';
    this.sim.schedule(
      this.options.oneWayLatencyMs,
      () => {
        if (!this.pathUp[from] || !this.alive[to]) return;
        this.lastDelivered[to] = this.sim.nowMs;
        if (this.record) this.deliveries.push({ atMs: this.sim.nowMs, to, message });
        this.drivers[to].deliver({ kind: 'message', message });
      },
      `ike ${this.name(from)}->${this.name(to)}`,
    );
  }

  private trace(side: TunnelSide, output: TunnelRecord['output']): void {
    if (!this.sim.trace.enabled) return;
    const base = { atMs: this.sim.nowMs, source: this.name(side) };
    switch (output.kind) {
      case 'send':
        this.sim.trace.record({
          ...base,
          event: 'ike.send',
          detail: { message: describeMessage(output.message) },
        });
        break;
      case 'state':
        this.sim.trace.record({
          ...base,
          event: 'ike.state',
          detail: { state: output.state, previous: output.previous, reason: output.reason },
        });
        break;
      case 'established':
      case 'ikeSaRekeyed':
      case 'ikeSaClosed':
        this.sim.trace.record({
          ...base,
          event: `ike.${output.kind}`,
          detail: {
            ike: `${hex(output.ikeSa.initiatorSpi)}/${hex(output.ikeSa.responderSpi)}`,
            ...(output.kind === 'ikeSaClosed' ? { reason: output.reason } : { role: output.role }),
          },
        });
        break;
      case 'down':
        this.sim.trace.record({ ...base, event: 'ike.down', detail: { reason: output.reason } });
        break;
      case 'childSa':
        this.sim.trace.record({
          ...base,
          event: 'ike.childSa',
          detail: {
            in: hex(output.childSa.inboundSpi),
            out: hex(output.childSa.outboundSpi),
            up: output.up,
            reason: output.reason,
          },
        });
        break;
      case 'tunnel':
        this.sim.trace.record({
          ...base,
          event: 'ike.tunnel',
          detail: { up: output.up, reason: output.reason },
        });
        break;
      default:
        assertNever(output, 'IKE output');
    }
  }
}
