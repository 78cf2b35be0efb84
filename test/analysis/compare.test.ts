import { describe, expect, it } from 'vitest';
import { compareDesigns } from '../../src/analysis/compare.ts';
import { enumerateFailures } from '../../src/analysis/failures.ts';
import { runSweep } from '../../src/analysis/sweep.ts';
import { formatComparison } from '../../src/analysis/text.ts';
import { example } from '../acceptance/helpers.ts';

const EXAMPLES = [
  'bgp-active-active',
  'bgp-two-devices',
  'static-dual-tunnel',
  'static-dual-two-devices',
  'static-single-tunnel',
  'static-single-two-devices',
  'static-single-two-tunnels',
];

describe('compare', () => {
  const comparison = compareDesigns(
    EXAMPLES.map((name) => {
      const topology = example(name);
      return runSweep(topology, enumerateFailures(topology), { design: name });
    }),
  );
  const row = (kind: string) => comparison.rows.find((r) => r.kind === kind);
  const cell = (kind: string, design: string) => row(kind)?.cells[EXAMPLES.indexOf(design)];

  it('the seven examples: one row per failure kind, one column per design, matched by kind not by name', () => {
    expect(comparison.designs).toEqual(EXAMPLES);
    expect(comparison.rows.map((r) => r.kind)).toEqual([
      'instance-planned',
      'instance-unplanned',
      'device',
      'internet-path',
      'tunnel-reset',
    ]);
    // Two devices in the design → two device failures behind one cell, whatever their names.
    expect(cell('device', 'bgp-two-devices')?.failures).toBe(2);
    expect(cell('device', 'bgp-active-active')?.failures).toBe(1);
    // The worst of IN_0 and IN_1 maintenance is shown: IN_0, which carries the single tunnel.
    expect(cell('instance-planned', 'static-single-tunnel')).toMatchObject({
      worstFailure: 'IN_0 planned',
      shareHit: 1,
      sessionResetsPerFlow: 2,
      cutOff: false,
    });
    expect(cell('device', 'static-single-tunnel')?.cutOff).toBe(true);
    expect(cell('device', 'bgp-two-devices')?.cutOff).toBe(false);
    expect(comparison.totals.map((t) => t.singlePointsOfFailure.length)).toEqual([2, 0, 2, 0, 2, 0, 2]);
  });

  it('prints the table a design review pastes: kinds down, designs across, totals below', () => {
    const text = formatComparison(comparison);
    const lines = text.split('\n');
    const header = lines.find((l) => l.startsWith('failure '));
    for (const name of EXAMPLES) expect(header).toContain(name);
    expect(lines.find((l) => l.startsWith('device failure'))).toContain('cut off');
    expect(lines.find((l) => l.startsWith('instance maintenance (planned)'))).toContain(
      '10.1s · 100 % · 2.0',
    );
    expect(
      lines
        .find((l) => l.startsWith('single points of failure'))
        ?.split(/\s{2,}/)
        .slice(1),
    ).toEqual(['2', '0', '2', '0', '2', '0', '2']);
  });

  it('refuses designs swept differently', () => {
    const a = runSweep(example('bgp-active-active'), enumerateFailures(example('bgp-active-active')));
    const topology = example('bgp-two-devices');
    const b = runSweep(topology, enumerateFailures(topology, { depth: 2 }), { depth: 2 });
    expect(() => compareDesigns([a, b])).toThrow(/swept differently/);
  });
});
