import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadTopology, type Topology } from '../../src/model/index.ts';
import { formatSimulation } from '../../src/report/text.ts';
import { scenarioSchema } from '../../src/scenario/schema.ts';
import { simulate } from '../../src/scenario/simulate.ts';

function example(
  edit?: (raw: { vpnSites: { devices: { advertisedPrefixes: string[] }[] }[] }) => void,
): Topology {
  const raw = parse(readFileSync(new URL('../../examples/bgp-active-active.yaml', import.meta.url), 'utf8'));
  edit?.(raw);
  const loaded = loadTopology(stringify(raw));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.topology;
}

const scenario = scenarioSchema.parse({ duration: '2m', events: ['fail IN_0 unplanned at 30s'] });

describe('the state when traffic starts (baseline health)', () => {
  it('a converged design: every tunnel up, every session established, and the text says nothing extra', () => {
    const result = simulate(example(), scenario, { trace: false });
    expect(result.baseline).toEqual({
      tunnels: { up: 2, total: 2, down: [] },
      bgpSessions: { established: 2, total: 2, down: [] },
    });
    expect(formatSimulation(result, 'x')).not.toContain('NOT CONVERGED');
  });

  it("4,001 prefixes: both sessions dropped by Azure's limit before any failure, and the text says why", () => {
    const prefixes = Array.from({ length: 4001 }, (_, i) => `172.${16 + (i >> 8)}.${i & 255}.0/24`);
    const result = simulate(
      example((raw) => {
        (raw.vpnSites[0]?.devices[0] as { advertisedPrefixes: string[] }).advertisedPrefixes = prefixes;
      }),
      scenario,
      { trace: false },
    );
    expect(result.baseline.tunnels).toEqual({ up: 2, total: 2, down: [] });
    expect(result.baseline.bgpSessions.established).toBe(0);
    expect(result.baseline.bgpSessions.down).toEqual([
      {
        session: 'branch1-isp1-conn@IN_0',
        reason: 'sent Cease / Maximum Number of Prefixes Reached (6/1)',
      },
      {
        session: 'branch1-isp1-conn@IN_1',
        reason: 'sent Cease / Maximum Number of Prefixes Reached (6/1)',
      },
    ]);
    const text = formatSimulation(result, 'x');
    expect(text).toContain(
      'NOT CONVERGED before the first event: 2 of 2 tunnels up, 0 of 2 BGP sessions established',
    );
    expect(text).toContain(
      '  BGP branch1-isp1-conn@IN_1: sent Cease / Maximum Number of Prefixes Reached (6/1)',
    );
  });
});
