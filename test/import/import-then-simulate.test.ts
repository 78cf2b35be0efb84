/**
 * The round trip issue 4 asks for: an Azure export → a topology file → the
 * simulator, which then behaves as the imported design should.
 */
import { describe, expect, it } from 'vitest';
import { importArm, importVpnConfig } from '../../src/import/index.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';
import { simulate } from '../../src/scenario/simulate.ts';
import { fixture, loaded } from './helpers.ts';

const failure = scenarioSchema.parse({
  duration: '6m',
  traffic: { flowsPerPair: 10 },
  events: ['fail IN_0 unplanned at 60s', 'recover IN_0 at 4m'],
});

describe('import → topology → simulate', () => {
  it('an ARM template export: the BGP site fails over without resets, the single static tunnel resets twice', () => {
    const topology = loaded(
      importArm([fixture('arm-template-export.json')], {
        vnetPrefixes: { spoke2: ['10.2.0.0/16'] },
        singleTunnel: { branch2: 'IN_0' },
        sitePrefixes: { branch1: ['192.168.10.0/24', '192.168.11.0/24'] },
      }),
    );
    const result = simulate(topology, failure, { trace: false });
    const bySite = (site: string) => result.flows.filter((f) => f.site === site);
    expect(bySite('branch1').length).toBeGreaterThan(0);
    expect(bySite('branch1').every((f) => f.sessionResets === 0)).toBe(true);
    expect(bySite('branch2').every((f) => f.sessionResets === 2)).toBe(true);
    for (const flow of result.flows) expect(flow.sent).toBe(flow.delivered + flow.lost);
  });

  it('a "Download VPN configuration" file with quirks simulates, and every flow is delivering at the end', () => {
    const quirks = fixture('vpnconfig-quirks.json');
    const topology = loaded(
      importVpnConfig(quirks.source, quirks.value, {
        sitePrefixes: { branch1: ['192.168.10.0/24', '192.168.11.0/24'], branch2: ['192.168.20.0/24'] },
      }),
    );
    const result = simulate(topology, failure, { trace: false });
    expect(result.flows.length).toBeGreaterThan(0);
    expect(result.flows.filter((f) => f.outages.some((o) => o.endMs >= 360_000))).toEqual([]);
  });
});
