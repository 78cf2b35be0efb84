import { describe, expect, it } from 'vitest';
import { bgpTimers, dpdPlan, lifetimes } from '../../src/export/index.ts';

describe('DPD: strongSwan gives up on Azure when Azure gives up on it (IKEv2: dpd_delay + retransmissions)', () => {
  it("Azure's default 45 s: probe after 15 s, retransmit every 2 s, 15 sends, dead at 45 s", () => {
    const plan = dpdPlan([45]);
    expect(plan.delaySeconds.get(45)).toBe(15);
    expect(plan.retransmit).toEqual({ timeoutSeconds: 2, base: 1, tries: 14, windowSeconds: 30 });
    expect(
      (plan.delaySeconds.get(45) ?? 0) + (plan.retransmit.tries + 1) * plan.retransmit.timeoutSeconds,
    ).toBe(45);
  });

  it("Azure's minimum 9 s: probe after 3 s, three sends 2 s apart", () => {
    const plan = dpdPlan([9]);
    expect(plan.delaySeconds.get(9)).toBe(3);
    expect(plan.retransmit).toEqual({ timeoutSeconds: 2, base: 1, tries: 2, windowSeconds: 6 });
  });

  it('long timeouts cap the sends at 15 and stretch the interval', () => {
    const plan = dpdPlan([3600]);
    expect(plan.retransmit.tries).toBe(14);
    expect(plan.delaySeconds.get(3600)).toBe(1200);
    expect(plan.retransmit.timeoutSeconds).toBe(160);
  });

  it('tunnels with different timeouts share the retransmission window; each still dies at its own T', () => {
    const plan = dpdPlan([45, 90]);
    for (const timeout of [45, 90]) {
      expect((plan.delaySeconds.get(timeout) ?? 0) + plan.retransmit.windowSeconds).toBe(timeout);
    }
  });
});

describe("lifetimes: rekey before Azure's SA lifetimes run out", () => {
  it('child at 90 % of 3,600 s and 102,400,000 KB; IKE rekey at 90 % of 28,800 s, hard limit 28,800 s', () => {
    expect(
      lifetimes({ saLifeTimeSeconds: 3600, saDataSizeKilobytes: 102_400_000, ikeSaLifeTimeSeconds: 28_800 }),
    ).toEqual({
      ikeRekeySeconds: 25_920,
      ikeOverSeconds: 2_880,
      childRekeySeconds: 3_240,
      childLifeSeconds: 3_600,
      childRekeyBytes: 94_371_840_000,
      childLifeBytes: 104_857_600_000,
    });
  });
});

describe("BGP timers: the device's own, never below what Azure keeps (60 / 180 s, not negotiated down)", () => {
  it('defaults pass through', () => {
    expect(bgpTimers({ keepaliveSeconds: 60, holdSeconds: 180 })).toEqual({
      keepaliveSeconds: 60,
      holdSeconds: 180,
      notes: [],
    });
  });
  it('a longer hold time passes through', () => {
    expect(bgpTimers({ keepaliveSeconds: 80, holdSeconds: 240 }).holdSeconds).toBe(240);
  });
  it('hold 30 s (flaps against Azure) is raised to 180 s, with the reason', () => {
    const timers = bgpTimers({ keepaliveSeconds: 10, holdSeconds: 30 });
    expect(timers.holdSeconds).toBe(180);
    expect(timers.keepaliveSeconds).toBe(10);
    expect(timers.notes[0]).toContain('below 60 s it flaps');
  });
  it('hold 0 and keepalive 0 become 180 / 60', () => {
    expect(bgpTimers({ keepaliveSeconds: 0, holdSeconds: 0 })).toMatchObject({
      keepaliveSeconds: 60,
      holdSeconds: 180,
    });
  });
});
