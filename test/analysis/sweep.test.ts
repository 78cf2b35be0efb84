import { describe, expect, it } from 'vitest';
import { enumerateFailures, sweepOptions } from '../../src/analysis/failures.ts';
import { generateHub } from '../../src/analysis/generate.ts';
import { scopeOf } from '../../src/analysis/scope.ts';
import { measureFailure, runSweep } from '../../src/analysis/sweep.ts';
import { AZURE } from '../../src/model/azure-defaults.ts';
import { simulate } from '../../src/scenario/simulate.ts';
import { example, variant } from '../acceptance/helpers.ts';

const sweep = (name: string, depth: 1 | 2 = 1) => {
  const topology = example(name);
  return runSweep(topology, enumerateFailures(topology, { depth }), { depth, design: name });
};

describe('sweep', () => {
  it('static single tunnel: the device and its internet path are single points of failure; the instances are not, but reset every session twice', () => {
    const result = sweep('static-single-tunnel');
    expect(result.totals.singlePointsOfFailure).toEqual(['device branch1-fw1', 'internet path branch1-isp1']);
    const device = result.failures.find((f) => f.id === 'device branch1-fw1');
    // Cut off both ways: every one of branch1's 40 flows per direction lost the whole settle window.
    expect(device?.cutOff).toEqual([
      { site: 'branch1', direction: 'toAzure', flows: 40, flowsLosing: 40 },
      { site: 'branch1', direction: 'toSite', flows: 40, flowsLosing: 40 },
    ]);
    const planned = result.failures.find((f) => f.id === 'IN_0 planned');
    expect(planned?.singlePointOfFailure).toBe(false);
    // Seed: "user sessions will be re-established across the new tunnel … again" — on failover and on failback.
    expect(planned?.failover).toMatchObject({ sessionResets: 80, flowsReset: 80 });
    expect(planned?.failback).toMatchObject({ sessionResets: 80, flowsReset: 80, flowsInterrupted: 80 });
    // Failback: the IP moves back (AZURE.platform.plannedIpMoveMs) and IKE is rebuilt on top.
    expect(planned?.failback?.worstOutageMs).toBeGreaterThan(AZURE.platform.plannedIpMoveMs);
    expect(planned?.failback?.worstOutageMs).toBeLessThan(AZURE.platform.plannedIpMoveMs + 1_000);
    // IN_1 carries nothing in this design: its failures cost nothing.
    for (const id of ['IN_1 planned', 'IN_1 unplanned']) {
      const f = result.failures.find((x) => x.id === id);
      expect(f?.toSite.packetsLost).toBe(0);
      expect(f?.toAzure.packetsLost).toBe(0);
    }
  });

  it('BGP with two devices: no single point of failure; losing both devices at once cuts the site off', () => {
    const single = sweep('bgp-two-devices');
    expect(single.totals.singlePointsOfFailure).toEqual([]);
    expect(single.failures.every((f) => f.cutOff.length === 0)).toBe(true);
    const pairs = sweep('bgp-two-devices', 2);
    const both = pairs.failures.find((f) => f.id === 'device branch1-fw1 + device branch1-fw2');
    expect(both?.cutOff.map((c) => c.direction)).toEqual(['toAzure', 'toSite']);
    expect(both?.singlePointOfFailure).toBe(false);
    expect(pairs.totals.singlePointsOfFailure).toEqual([]);
  });

  it('measures exactly what simulate() measures for the same scenario (the failback checkpoint changes nothing)', () => {
    const topology = example('static-single-two-devices');
    const options = sweepOptions();
    const failure = enumerateFailures(topology).find((f) => f.id === 'IN_0 planned');
    if (!failure) throw new Error('no IN_0 planned');
    const measured = measureFailure(topology, failure, { timing: options.timing });
    const direct = simulate(topology, failure.scenario, { trace: false }).summary;
    for (const direction of ['toSite', 'toAzure'] as const) {
      expect(measured[direction]).toMatchObject({
        flows: direct[direction].flows,
        flowsHit: direct[direction].flowsHit,
        packetsLost: direct[direction].packetsLost,
        worstOutageMs: direct[direction].worstOutageMs,
        sessionResets: direct[direction].sessionResets,
      });
    }
    expect(measured.failover.sessionResets + (measured.failback?.sessionResets ?? 0)).toBe(
      direct.toSite.sessionResets + direct.toAzure.sessionResets,
    );
  });

  it('a site broken without any failure is not blamed on a failure: ResponderOnly facing ResponderOnly has no SPOF, its baseline is dead', () => {
    const topology = variant('bgp-active-active', (raw) => {
      raw.vpnSites[0].devices[0].connectionMode = 'ResponderOnly';
      raw.vpnConnections[0].vpnLinkConnections[0].vpnLinkConnectionMode = 'ResponderOnly';
    });
    const result = runSweep(topology, enumerateFailures(topology));
    expect(result.baseline.sites.map((s) => [s.direction, s.flowsLosingThroughoutWindow, s.flows])).toEqual([
      ['toAzure', 40, 40],
      ['toSite', 40, 40],
    ]);
    expect(result.totals.singlePointsOfFailure).toEqual([]);
  });

  it('is deterministic: the same sweep twice gives the same JSON', () => {
    expect(JSON.stringify(sweep('static-single-two-tunnels'))).toBe(
      JSON.stringify(sweep('static-single-two-tunnels')),
    );
  });

  it('scope: a device failure on a 3-site hub is simulated on its own site, and the whole hub agrees nothing else is touched', () => {
    const loaded = generateHub({ sites: 3 });
    if (!loaded.ok) throw new Error('generated hub does not load');
    const topology = loaded.topology;
    const failures = enumerateFailures(topology);
    const device = failures.find((f) => f.id === 'device site0002-fw');
    if (!device) throw new Error('no device failure');
    expect(scopeOf(topology, device.elements).sites).toEqual(['site0002']);
    expect(scopeOf(topology, failures[0]?.elements ?? []).wholeTopology).toBe(true);
    const measured = measureFailure(topology, device, { timing: sweepOptions().timing });
    expect(measured.scope).toEqual({ wholeTopology: false, sites: ['site0002'] });
    expect(measured.sites.every((s) => s.site === 'site0002')).toBe(true);
    // The same failure on the whole hub: only site0002's flows lose anything.
    const whole = simulate(topology, device.scenario, { trace: false });
    const losing = new Set(whole.flows.filter((f) => f.lost > 0).map((f) => f.site));
    expect([...losing]).toEqual(['site0002']);
  });
});
