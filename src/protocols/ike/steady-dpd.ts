import { IkeEndpointBase } from './endpoint-base.ts';
import { dpdActive, type IkeSa } from './sa.ts';
import type { IkeOutput, InboundTraffic } from './types.ts';

/**
 * The endpoint's shortcut for its most frequent input: the DPD check of a
 * tunnel that carries traffic. IkeEndpoint (endpoint.ts) takes it before its
 * general handling, and writes what it skipped back (settleSteady) before it
 * reads the SA table.
 */
export abstract class SteadyDpdEndpoint extends IkeEndpointBase {
  /**
   * The DPD check of a tunnel that carries traffic, in one step: ESP was seen
   * just now on a CHILD SA of the endpoint's only IKE SA, whose check is due,
   * and no other deadline is. strongSwan's send_dpd then finds nothing to probe
   * and looks again a dpd_delay later; handle() would end in exactly that state
   * and emit exactly that one timer (test/ike/steady-dpd.test.ts holds the two
   * against each other). Returns false, having changed nothing, otherwise.
   *
   * Worth its own path: every end of every tunnel runs it every dpd_delay, and
   * the general one walks the SA table several times. At thousands of tunnels
   * those walks are cache misses, so this path touches the endpoint alone: it
   * checks what it cached about the SA table (valid until handle() next runs the
   * general path) and leaves the SA's two DPD fields to settleSteady().
   */
  protected steadyDpdCheck(now: number, inbound: InboundTraffic): boolean {
    const delay = this.steadyDelay;
    if (delay <= 0 || (inbound.atMs !== undefined && inbound.atMs < now)) return false;
    if (this.steadyVersion !== this.tableVersion || this.steadySpi !== inbound.inboundSpi) {
      if (!this.enterSteady(inbound.inboundSpi)) return false;
    }
    const armed = this.armed;
    // The only DPD-active SA's check is what the dpd timer is armed for.
    if (!reached(armed.dpd, now)) return false;
    if (reached(armed.retransmit, now) || reached(armed.halfOpen, now) || reached(armed.lifetime, now))
      return false;
    if (reached(this.initiateAtMs, now)) return false;
    this.steadyCheckedAtMs = now;
    this.steadyUnsettled = true;
    armed.dpd = now + delay;
    return true;
  }

  private readonly steadyDelay = this.config.dpdDelayMs;
  /** What a steady check emits, every time: the next check a dpd_delay later. */
  protected readonly steadyRearm: IkeOutput = Object.freeze({
    kind: 'armTimer',
    timer: 'dpd',
    delayMs: this.config.dpdDelayMs,
  });
  /** The SA the steady checks are about, found for `steadySpi` at `steadyVersion` of the table. */
  private steadySa: IkeSa | undefined;
  private steadySpi = 0;
  private steadyVersion = -1;
  /** The last steady check, not yet written into steadySa (see settleSteady). */
  private steadyCheckedAtMs = 0;
  private steadyUnsettled = false;

  /** Finds the SA for steady checks: the endpoint's only IKE SA, DPD-active, holding this CHILD SA. */
  private enterSteady(inboundSpi: number): boolean {
    this.settleSteady();
    this.steadySa = undefined;
    this.steadyVersion = -1;
    if (this.sas.size !== 1) return false;
    const child = this.findChildByIn(inboundSpi);
    if (!child || !dpdActive(child.parent)) return false;
    this.steadySa = child.parent;
    this.steadySpi = inboundSpi;
    this.steadyVersion = this.tableVersion;
    return true;
  }

  /**
   * Writes the steady checks into their SA, as onInboundTraffic and dpdCheck
   * would have; runs before anything else reads the SA table.
   */
  protected settleSteady(): void {
    const sa = this.steadySa;
    if (this.steadyUnsettled && sa) {
      sa.lastInboundMs = Math.max(sa.lastInboundMs, this.steadyCheckedAtMs);
      sa.dpdCheckAtMs = this.steadyCheckedAtMs + this.steadyDelay;
    }
    this.steadyUnsettled = false;
  }
}

/** A deadline that is set and has come. */
function reached(atMs: number | undefined, now: number): boolean {
  return atMs !== undefined && atMs <= now;
}
