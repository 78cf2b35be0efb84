import { assertNever, type Core, type TimerAction } from '../protocols/core.ts';
import type { InstanceId } from './hub-routes.ts';

/**
 * The Azure side's platform logic, sans-IO: instance lifecycle, which instance
 * owns which public IP, failover and failback, and when the hub stops or starts
 * using an instance as a next hop. The simulator and the live lab controller run
 * this same core; only what they do with its outputs differs.
 *
 *   planned:   up → draining → down → recovering → up
 *   unplanned: up → crashed → recovering → up
 *
 * Planned maintenance is graceful: the hub stops using the instance and the
 * instance sends BGP Cease and IKE DELETE at once, then stops after the drain
 * time. Unplanned failure is silent: the instance just stops, and the platform
 * notices only after its detection delay. A public IP moves only when it carries a
 * single-tunnel static link connection (the seed: in dual-tunnel and BGP designs
 * "the Public IP and the IPSec tunnel … DO NOT fail over").
 */
export type InstanceState = 'up' | 'draining' | 'down' | 'crashed' | 'recovering';

export interface GatewayTimings {
  /** Planned: from the start of maintenance until the instance stops (traffic drains meanwhile). */
  readonly plannedDrainMs: number;
  /** Planned: from the instance stopping until its public IP answers on the other instance. */
  readonly plannedIpMoveMs: number;
  /** Unplanned: from the crash until the platform removes the instance as a hub next hop. */
  readonly unplannedDetectionMs: number;
  /** Unplanned: from the crash until its public IP answers on the other instance. */
  readonly unplannedIpMoveMs: number;
  /** From `recover` until the instance is up again. */
  readonly recoveryBootMs: number;
  /** From the instance being up until its public IP is taken back (failback). */
  readonly failbackDelayMs: number;
}

export interface GatewayConfig {
  readonly timings: GatewayTimings;
  /** Public IPs of each instance. */
  readonly publicIps: Readonly<Record<InstanceId, string>>;
  /** Whether an instance's public IP moves when it fails (it carries a single static tunnel). */
  readonly ipMovesOnFailure: Readonly<Record<InstanceId, boolean>>;
}

export type GatewayTimer =
  `${InstanceId}.${'drain' | 'detect' | 'ipMove' | 'boot' | 'failback' | 'failbackMove'}`;

export type GatewayInput =
  | { readonly kind: 'fail'; readonly instance: InstanceId; readonly mode: 'planned' | 'unplanned' }
  | { readonly kind: 'recover'; readonly instance: InstanceId }
  | { readonly kind: 'timer'; readonly timer: GatewayTimer };

export type GatewayOutput =
  | TimerAction<GatewayTimer>
  | { readonly kind: 'instanceState'; readonly instance: InstanceId; readonly state: InstanceState }
  /** Whether the hub uses the instance as a next hop (routes through it still need tunnels and prefixes). */
  | { readonly kind: 'hubNextHop'; readonly instance: InstanceId; readonly usable: boolean }
  /** Send BGP Cease (administrative shutdown) and IKE DELETE for everything the instance terminates. */
  | { readonly kind: 'gracefulShutdown'; readonly instance: InstanceId }
  /** Send IKE DELETE for the tunnels on this public IP only (before handing it back). */
  | { readonly kind: 'releaseIp'; readonly ip: string; readonly from: InstanceId }
  /** The instance stops processing anything, without a word (crash) or after draining (planned). */
  | { readonly kind: 'powerOff'; readonly instance: InstanceId; readonly silent: boolean }
  /** The instance starts afresh: new IKE endpoints for the IPs it owns, BGP speakers start. */
  | { readonly kind: 'powerOn'; readonly instance: InstanceId }
  | { readonly kind: 'ipOwner'; readonly ip: string; readonly owner: InstanceId | null }
  | { readonly kind: 'rejected'; readonly reason: string };

const INSTANCES: readonly InstanceId[] = ['IN_0', 'IN_1'];

export class GatewayController implements Core<GatewayInput, GatewayOutput> {
  private readonly states: Record<InstanceId, InstanceState> = { IN_0: 'up', IN_1: 'up' };
  private readonly plannedOutage: Record<InstanceId, boolean> = { IN_0: false, IN_1: false };
  /** Current owner of each public IP (null while it is moving). */
  private readonly owners = new Map<string, InstanceId | null>();

  constructor(private readonly config: GatewayConfig) {
    for (const instance of INSTANCES) this.owners.set(config.publicIps[instance], instance);
  }

  state(instance: InstanceId): InstanceState {
    return this.states[instance];
  }

  /** Whether the instance is in (or coming back from) planned maintenance: a second one would be refused. */
  inPlannedMaintenance(instance: InstanceId): boolean {
    return this.plannedOutage[instance];
  }

  ownerOf(ip: string): InstanceId | null {
    return this.owners.get(ip) ?? null;
  }

  /** The public IPs an instance currently holds. */
  ipsOf(instance: InstanceId): string[] {
    return [...this.owners].filter(([, owner]) => owner === instance).map(([ip]) => ip);
  }

  handle(_nowMs: number, input: GatewayInput): GatewayOutput[] {
    switch (input.kind) {
      case 'fail':
        return this.fail(input.instance, input.mode);
      case 'recover':
        return this.recover(input.instance);
      case 'timer':
        return this.timer(input.timer);
      default:
        return assertNever(input, 'gateway input');
    }
  }

  private fail(instance: InstanceId, mode: 'planned' | 'unplanned'): GatewayOutput[] {
    const current = this.states[instance];
    if (current !== 'up') {
      return [{ kind: 'rejected', reason: `${instance} is ${current}, not up; it cannot fail ${mode}` }];
    }
    const other = otherOf(instance);
    if (mode === 'planned' && this.plannedOutage[other]) {
      // Azure maintains one instance at a time: the other is never taken while one is in maintenance.
      return [
        { kind: 'rejected', reason: `${other} is in planned maintenance; only one instance at a time` },
      ];
    }
    const out: GatewayOutput[] = [];
    if (mode === 'planned') {
      this.plannedOutage[instance] = true;
      this.states[instance] = 'draining';
      out.push(
        { kind: 'instanceState', instance, state: 'draining' },
        { kind: 'hubNextHop', instance, usable: false },
        { kind: 'gracefulShutdown', instance },
        { kind: 'armTimer', timer: `${instance}.drain`, delayMs: this.config.timings.plannedDrainMs },
      );
    } else {
      this.states[instance] = 'crashed';
      out.push(
        { kind: 'instanceState', instance, state: 'crashed' },
        { kind: 'powerOff', instance, silent: true },
        { kind: 'armTimer', timer: `${instance}.detect`, delayMs: this.config.timings.unplannedDetectionMs },
      );
      if (this.ownsMovingIp(instance)) {
        out.push(...this.releaseIpsOf(instance));
        out.push({
          kind: 'armTimer',
          timer: `${instance}.ipMove`,
          delayMs: this.config.timings.unplannedIpMoveMs,
        });
      }
    }
    return out;
  }

  private recover(instance: InstanceId): GatewayOutput[] {
    const current = this.states[instance];
    if (current !== 'down' && current !== 'crashed') {
      return [
        {
          kind: 'rejected',
          reason: `${instance} is ${current}; only a down or crashed instance can recover`,
        },
      ];
    }
    this.states[instance] = 'recovering';
    return [
      { kind: 'instanceState', instance, state: 'recovering' },
      { kind: 'cancelTimer', timer: `${instance}.detect` },
      { kind: 'armTimer', timer: `${instance}.boot`, delayMs: this.config.timings.recoveryBootMs },
    ];
  }

  private timer(timer: GatewayTimer): GatewayOutput[] {
    const [instanceName, what] = timer.split('.') as [InstanceId, string];
    const instance = instanceName;
    const other = otherOf(instance);
    switch (what) {
      case 'drain': {
        if (this.states[instance] !== 'draining') return [];
        this.states[instance] = 'down';
        const out: GatewayOutput[] = [
          { kind: 'powerOff', instance, silent: false },
          { kind: 'instanceState', instance, state: 'down' },
        ];
        if (this.ownsMovingIp(instance)) {
          out.push(...this.releaseIpsOf(instance));
          out.push({
            kind: 'armTimer',
            timer: `${instance}.ipMove`,
            delayMs: this.config.timings.plannedIpMoveMs,
          });
        }
        return out;
      }
      case 'detect':
        return this.states[instance] === 'crashed' ? [{ kind: 'hubNextHop', instance, usable: false }] : [];
      case 'ipMove':
        return this.takeOrphanedIps(other);
      case 'boot': {
        if (this.states[instance] !== 'recovering') return [];
        this.states[instance] = 'up';
        this.plannedOutage[instance] = false;
        const out: GatewayOutput[] = [
          { kind: 'instanceState', instance, state: 'up' },
          { kind: 'powerOn', instance },
          { kind: 'hubNextHop', instance, usable: true },
        ];
        // An IP of ours still orphaned (the other instance was down too) comes straight home.
        const own = this.config.publicIps[instance];
        if (this.owners.get(own) === null) {
          this.owners.set(own, instance);
          out.push({ kind: 'ipOwner', ip: own, owner: instance });
        }
        // An IP of ours held by the other instance is taken back after the failback delay.
        if (this.owners.get(own) === other) {
          out.push({
            kind: 'armTimer',
            timer: `${instance}.failback`,
            delayMs: this.config.timings.failbackDelayMs,
          });
        }
        // The other instance's IP, orphaned because both were down, is taken until it recovers.
        out.push(...this.takeOrphanedIps(instance));
        return out;
      }
      case 'failback': {
        const own = this.config.publicIps[instance];
        if (this.states[instance] !== 'up' || this.owners.get(own) !== other) return [];
        this.owners.set(own, null);
        return [
          { kind: 'releaseIp', ip: own, from: other },
          { kind: 'ipOwner', ip: own, owner: null },
          {
            kind: 'armTimer',
            timer: `${instance}.failbackMove`,
            delayMs: this.config.timings.plannedIpMoveMs,
          },
        ];
      }
      case 'failbackMove': {
        const own = this.config.publicIps[instance];
        if (this.states[instance] !== 'up' || this.owners.get(own) !== null) return [];
        this.owners.set(own, instance);
        return [{ kind: 'ipOwner', ip: own, owner: instance }];
      }
      default:
        return [];
    }
  }

  private ownsMovingIp(instance: InstanceId): boolean {
    return this.ipsOf(instance).some((ip) => this.ipMoves(ip));
  }

  private ipMoves(ip: string): boolean {
    return INSTANCES.some((i) => this.config.publicIps[i] === ip && this.config.ipMovesOnFailure[i]);
  }

  /** The failed instance's movable IPs become ownerless until the move completes. */
  private releaseIpsOf(instance: InstanceId): GatewayOutput[] {
    const out: GatewayOutput[] = [];
    for (const ip of this.ipsOf(instance)) {
      if (!this.ipMoves(ip)) continue;
      this.owners.set(ip, null);
      out.push({ kind: 'ipOwner', ip, owner: null });
    }
    return out;
  }

  /** `taker` picks up every ownerless IP, if it is up to carry them. */
  private takeOrphanedIps(taker: InstanceId): GatewayOutput[] {
    if (this.states[taker] !== 'up') return [];
    const out: GatewayOutput[] = [];
    for (const [ip, owner] of this.owners) {
      if (owner !== null) continue;
      this.owners.set(ip, taker);
      out.push({ kind: 'ipOwner', ip, owner: taker });
    }
    return out;
  }
}

function otherOf(instance: InstanceId): InstanceId {
  return instance === 'IN_0' ? 'IN_1' : 'IN_0';
}
