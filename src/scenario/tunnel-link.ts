import type { IkeEndpointOptions } from '../protocols/ike/config.ts';
import { SimulatedIkeTunnel, type TunnelRecord, type TunnelSide } from '../protocols/ike/sim-tunnel.ts';
import type { InboundTraffic } from '../protocols/ike/types.ts';
import type { Simulator } from '../sim/kernel.ts';

/**
 * One IPsec tunnel of the world: the Azure end (side a, whichever instance holds
 * the tunnel's Azure public IP) and the remote device's end (side b), joined by
 * the device link's internet path. It turns the two IKE endpoints' outputs into
 * the three facts the rest of the world needs:
 *   - `azureUp` / `deviceUp`: each end's own view (its CHILD SA installed) —
 *     what that end's routing acts on;
 *   - `dataCapable`: both ends hold the same CHILD SA pair, so ESP gets through —
 *     what the data plane checks;
 *   - `generation`: which establishment of the tunnel this is; a rekey keeps it,
 *     a teardown and rebuild (e.g. a public-IP move) bumps it.
 */
export interface TunnelChange {
  readonly tunnel: TunnelLink;
  readonly side: TunnelSide;
  readonly output: TunnelRecord['output'];
}

export class TunnelLink {
  readonly ike: SimulatedIkeTunnel;
  generation = 0;
  private capable = false;
  private readonly installed: Record<TunnelSide, Map<number, number>> = { a: new Map(), b: new Map() };
  private readonly up: Record<TunnelSide, boolean> = { a: false, b: false };
  /** The first key of `installed` per side (the oldest CHILD SA), kept for the DPD checks that read it. */
  private oldestInboundA: number | undefined;
  private oldestInboundB: number | undefined;

  constructor(
    sim: Simulator,
    /** `<linkConnection>@<instance>`: the tunnel towards that instance's public IP. */
    readonly id: string,
    options: {
      azure: IkeEndpointOptions;
      device: IkeEndpointOptions;
      oneWayLatencyMs: number;
    },
    private readonly onChange: (change: TunnelChange) => void,
  ) {
    this.sim = sim;
    this.ike = new SimulatedIkeTunnel(sim, {
      a: options.azure,
      b: options.device,
      oneWayLatencyMs: options.oneWayLatencyMs,
      record: false,
      onOutput: (side, output) => this.observe(side, output),
      // With every timer, not only DPD's: a lifetime or retransmission timer firing in the same
      // millisecond just before the DPD check would otherwise run the check on stale ESP times.
      inboundAtTimer: (side) => this.espSeen(side),
    });
  }

  private readonly sim: Simulator;
  /**
   * Whether flows are routed through the tunnel now (their ESP counts as liveness
   * for DPD). Set by the world as the data plane moves flows on and off it.
   */
  carriesTraffic = false;
  /** When ESP last got through end to end, if it has stopped (undefined while it flows). */
  private espStoppedAtMs: number | undefined;
  private pathUp = true;

  /**
   * strongSwan's DPD job probes only after dpd_delay without IKE *or ESP* from the
   * peer, reading the SA's last-use time from the kernel. Traffic flows through a
   * data-capable tunnel over a working path continuously, so its ESP was last seen
   * now — or when it stopped getting through (the peer died, the path broke) —
   * on the end's oldest installed CHILD SA.
   */
  private espSeen(side: TunnelSide): InboundTraffic | undefined {
    if (!this.carriesTraffic) return undefined;
    const seenAt = this.espFlowing ? this.sim.nowMs : this.espStoppedAtMs;
    const inboundSpi = side === 'a' ? this.oldestInboundA : this.oldestInboundB;
    if (seenAt === undefined || inboundSpi === undefined) return undefined;
    return { inboundSpi, atMs: seenAt };
  }

  get azureUp(): boolean {
    return this.up.a;
  }

  get deviceUp(): boolean {
    return this.up.b;
  }

  get dataCapable(): boolean {
    return this.capable;
  }

  /** The host of one end died silently: its SAs vanish with it, without a word. */
  crash(side: TunnelSide): void {
    if (!this.ike.isAlive(side)) return;
    this.ike.crash(side);
    this.installed[side].clear();
    this.noteOldestInbound(side);
    const wasUp = this.up[side];
    this.up[side] = false;
    this.recompute();
    if (wasUp) this.onChange({ tunnel: this, side, output: { kind: 'tunnel', up: false, reason: 'reset' } });
  }

  /** The end is back (fresh state) and started. */
  revive(side: TunnelSide): void {
    if (!this.ike.isAlive(side)) this.ike.recover(side);
    this.ike.start(side);
  }

  private observe(side: TunnelSide, output: TunnelRecord['output']): void {
    if (output.kind === 'childSa') {
      const sas = this.installed[side];
      if (output.up) sas.set(output.childSa.inboundSpi, output.childSa.outboundSpi);
      else sas.delete(output.childSa.inboundSpi);
      this.noteOldestInbound(side);
      this.recompute();
    } else if (output.kind === 'tunnel') {
      this.up[side] = output.up;
    }
    this.onChange({ tunnel: this, side, output });
  }

  private noteOldestInbound(side: TunnelSide): void {
    const oldest = this.installed[side].keys().next().value;
    if (side === 'a') this.oldestInboundA = oldest;
    else this.oldestInboundB = oldest;
  }

  private recompute(): void {
    let capable = false;
    // ESP flows when a's outbound SA is one b receives on, and the other way round.
    for (const [aIn, aOut] of this.installed.a) {
      if (this.installed.b.get(aOut) === aIn) {
        capable = true;
        break;
      }
    }
    if (capable && !this.capable) this.generation++;
    const wasFlowing = this.espFlowing;
    this.capable = capable;
    this.noteEsp(wasFlowing);
  }

  /** The internet path under the tunnel went down or came back (ESP stops or resumes; SAs stay). */
  setPathUp(up: boolean): void {
    const wasFlowing = this.espFlowing;
    this.pathUp = up;
    if (up) this.ike.restorePath();
    else this.ike.cutPath();
    this.noteEsp(wasFlowing);
  }

  private get espFlowing(): boolean {
    return this.capable && this.pathUp;
  }

  private noteEsp(wasFlowing: boolean): void {
    if (wasFlowing && !this.espFlowing) this.espStoppedAtMs = this.sim.nowMs;
    if (!wasFlowing && this.espFlowing) this.espStoppedAtMs = undefined;
  }
}
