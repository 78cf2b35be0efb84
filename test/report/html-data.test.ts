import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { advise } from '../../src/analysis/advise.ts';
import { enumerateFailures, sweepOptions } from '../../src/analysis/failures.ts';
import { stableJson } from '../../src/analysis/json.ts';
import { runSweep, type SweepResult } from '../../src/analysis/sweep.ts';
import { type LoadResult, loadTopology } from '../../src/model/index.ts';
import {
  type DesignReport,
  type HtmlReportData,
  MARKED_EVENTS,
  peakOf,
  type RunReport,
  reportData,
  singleFailureSweep,
} from '../../src/report/html-data.ts';
import { decodeRuns, encodeRuns } from '../../src/report/html-series.ts';
import { simulate } from '../../src/scenario/simulate.ts';
import { buildReportHtml, sharedUiRules } from '../../src/server/build-report.ts';
import { PROJECT_ROOT } from '../../src/server/build-web.ts';
import { layoutTopology } from '../../web/layout.ts';
import { notableOf } from '../../web/trace-events.ts';

type Loaded = Extract<LoadResult, { ok: true }>;

function load(name: string): Loaded {
  const loaded = loadTopology(readFileSync(join(PROJECT_ROOT, 'examples', `${name}.yaml`), 'utf8'));
  if (!loaded.ok) throw new Error(`${name} does not load`);
  return loaded;
}

function sweepOf(loaded: Loaded, name: string, depth: 1 | 2 = 1): SweepResult {
  return runSweep(loaded.topology, enumerateFailures(loaded.topology, sweepOptions({ depth })), {
    depth,
    design: name,
  });
}

/** What `vwan-ha sweep examples/<name>.yaml --html` puts in the file, computed from scratch. */
function dataFor(name: string): HtmlReportData {
  const loaded = load(name);
  const sweep = sweepOf(loaded, name);
  const advice = advise(loaded, { sweep, design: name });
  return reportData({
    command: 'sweep',
    title: `vwan-ha sweep: ${name}`,
    invocation: `vwan-ha sweep examples/${name}.yaml`,
    designs: [{ name, file: `examples/${name}.yaml`, topology: loaded.topology, sweep, advice }],
    comparison: null,
  });
}

function run(design: DesignReport, id: string): RunReport {
  const index = design.sweep.failures.findIndex((f) => f.id === id);
  const found = design.failures[index];
  if (!found) throw new Error(`no replay of ${id}`);
  return found;
}

describe('HTML report data: static single tunnel', () => {
  let data: HtmlReportData;
  let design: DesignReport;

  beforeAll(() => {
    data = dataFor('static-single-tunnel');
    design = data.designs[0] as DesignReport;
  });

  it('replays every failure of the sweep, with the same numbers, and keeps its two single points of failure', () => {
    expect(design.failures.map((f) => f?.id)).toEqual(design.sweep.failures.map((f) => f.id));
    expect(design.sweep.totals.singlePointsOfFailure).toEqual([
      'device branch1-fw1',
      'internet path branch1-isp1',
    ]);
    design.sweep.failures.forEach((swept, i) => {
      const replayed = design.failures[i] as RunReport;
      for (const direction of ['toSite', 'toAzure'] as const) {
        const { pathChanges: _, direction: __, ...numbers } = replayed.summary[direction];
        expect(numbers, `${swept.id} ${direction}`).toEqual(swept[direction]);
      }
    });
    expect(design.advice?.findings.length).toBeGreaterThan(0);
  });

  it('a SPOF is drawn as the sweep judged it: the device failed and every flow losing, just before it returns', () => {
    const device = run(design, 'device branch1-fw1');
    expect(device.world.moment).toMatchObject({ atMs: 299_000, rule: 'before-recovery' });
    const snapshot = device.world.snapshot;
    expect(snapshot.devices).toEqual([{ name: 'branch1-fw1', site: 'branch1', alive: false }]);
    expect(snapshot.traffic.toSite).toEqual({ delivering: 0, losing: 40, total: 40 });
    expect(snapshot.traffic.toAzure).toEqual({ delivering: 0, losing: 40, total: 40 });
    const path = run(design, 'internet path branch1-isp1');
    expect(path.world.snapshot.internetPaths).toEqual([{ name: 'branch1-isp1', up: false }]);
  });

  it('IN_0 planned is drawn with its public IP moved to IN_1 and the tunnel carrying everything there', () => {
    const planned = run(design, 'IN_0 planned').world.snapshot;
    const in1 = planned.instances.find((i) => i.id === 'IN_1');
    expect(in1?.holdsIps).toEqual(['20.50.1.10', '20.50.1.11']);
    expect(planned.tunnels[0]).toMatchObject({
      carriedBy: 'IN_1',
      dataCapable: true,
      share: { toSite: 1, toAzure: 1 },
    });
  });

  it('a tunnel reset, which brings nothing back, is drawn at the moment most flows were losing', () => {
    const reset = run(design, 'tunnel branch1-isp1-conn@IN_0');
    expect(reset.world.moment.rule).toBe('worst');
    expect(reset.peakLosing).not.toBeNull();
    expect(reset.world.moment.atMs).toBe(reset.peakLosing?.atMs);
    const losing = reset.world.snapshot.traffic.toSite.losing + reset.world.snapshot.traffic.toAzure.losing;
    expect(losing).toBe(reset.peakLosing?.flows);
  });

  it('per-failure series: 601 samples (0:00 to 10:00), every flow counted once per sample', () => {
    for (const replayed of [design.baseline as RunReport, ...(design.failures as RunReport[])]) {
      const { series } = replayed;
      expect(series.samples, replayed.id).toBe(601);
      for (const direction of ['toSite', 'toAzure'] as const) {
        const total = new Array<number>(series.samples).fill(0);
        const add = (values: number[]) => {
          expect(values).toHaveLength(series.samples);
          values.forEach((v, i) => {
            total[i] = (total[i] as number) + v;
          });
        };
        for (const t of series.tunnels) {
          add(decodeRuns(t[direction].delivering));
          add(decodeRuns(t[direction].losing));
        }
        add(decodeRuns(series.unrouted[direction]));
        expect(new Set(total), `${replayed.id} ${direction}`).toEqual(new Set([40]));
      }
    }
    // The device failure: from 1:00 to 5:00 nobody delivers, and the chart has the run's whole story in a few runs.
    const device = run(design, 'device branch1-fw1').series;
    const losingToSite = decodeRuns(device.unrouted.toSite).map(
      (v, i) => v + (decodeRuns(device.tunnels[0]?.toSite.losing ?? [])[i] ?? 0),
    );
    expect(losingToSite[59]).toBe(0);
    expect(losingToSite.slice(60, 300)).toEqual(new Array(240).fill(40));
    expect(device.unrouted.toSite.length).toBeLessThan(12);
  });

  it('marks the failure and what the gateway did on the chart: trace entries from the traffic start on', () => {
    const planned = run(design, 'IN_0 planned');
    expect(planned.events).toEqual([
      { atMs: 60_000, text: 'IN_0 fails (planned)' },
      { atMs: 300_000, text: 'IN_0 recovers' },
    ]);
    expect(planned.markers.every((m) => m.atMs >= 0 && MARKED_EVENTS.includes(m.event))).toBe(true);
    expect(planned.markers.some((m) => m.event === 'ip.owner')).toBe(true);
  });

  it('the page lays the topology out from the JSON as from the loaded file', () => {
    const parsed = JSON.parse(JSON.stringify(design.topology));
    expect(layoutTopology(parsed)).toEqual(layoutTopology(design.topology));
  });

  it('two builds from scratch are byte-identical; the data, script and style are inline and allowed by hash only', async () => {
    const first = await buildReportHtml(data);
    const second = await buildReportHtml(dataFor('static-single-tunnel'));
    expect(second).toBe(first);
    // Nothing to fetch: no src or href but the inline favicon, no URL of this machine.
    expect(first).not.toMatch(/\ssrc=/);
    expect([...first.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]?.slice(0, 20))).toEqual([
      'data:image/svg+xml,%',
    ]);
    expect(first).not.toContain(PROJECT_ROOT);
    const inline = (tag: string) => {
      const match = first.match(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`));
      return match?.[1] ?? '';
    };
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const csp = first.match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src ${hash(inline('script'))}`);
    expect(csp).toContain(`style-src-elem ${hash(inline('style'))}`);
    const json = first.match(/<script id="report-data" type="application\/json">([\s\S]*?)<\/script>/)?.[1];
    expect(JSON.parse(json ?? 'null')).toEqual(JSON.parse(JSON.stringify(data)));
  });
});

describe('HTML report data: pieces', () => {
  it('run lengths round-trip', () => {
    const values = [0, 0, 0, 40, 40, 7, 0, 0, 1];
    expect(encodeRuns(values)).toEqual([0, 3, 40, 2, 7, 1, 0, 2, 1, 1]);
    expect(decodeRuns(encodeRuns(values))).toEqual(values);
    expect(decodeRuns(encodeRuns([]))).toEqual([]);
  });

  it('the peak of concurrent outages is exact to the millisecond, intervals half-open', () => {
    const flow = (outages: { startMs: number; endMs: number }[]) => ({
      id: 0,
      direction: 'toSite' as const,
      vnet: 'v',
      site: 's',
      sent: 0,
      delivered: 0,
      lost: 0,
      outages,
      pathChanges: 0,
      sessionResets: 0,
      sessionResetsAtMs: [],
      finalPath: '',
    });
    const flows = [
      flow([{ startMs: 100, endMs: 200 }]),
      flow([{ startMs: 150, endMs: 300 }]),
      // Starts when the first ends: never three at once.
      flow([{ startMs: 200, endMs: 250 }]),
    ];
    expect(peakOf(flows, 0, 1000)).toEqual({ atMs: 150, flows: 2 });
    expect(peakOf(flows, 210, 1000)).toEqual({ atMs: 210, flows: 2 });
    expect(peakOf(flows, 300, 1000)).toBeNull();
  });

  it('the charts mark every trace event the web UI calls notable', () => {
    for (const event of MARKED_EVENTS) {
      expect(notableOf({ atMs: 0, source: 'IN_0', event, detail: {} }, 0), event).toBeDefined();
    }
    // Every event name a varied run produces: those the UI marks must be in MARKED_EVENTS.
    const seen = new Set<string>();
    for (const name of ['static-single-tunnel', 'bgp-two-devices']) {
      const { topology } = load(name);
      for (const failure of enumerateFailures(topology)) {
        for (const entry of simulate(topology, failure.scenario).trace) {
          if (!seen.has(entry.event) && notableOf(entry, 0)) seen.add(entry.event);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(8);
    expect([...seen].filter((event) => !MARKED_EVENTS.includes(event))).toEqual([]);
  });

  it('a depth-2 sweep holds the depth-1 sweep advise works from, without simulating it again', () => {
    const loaded = load('static-single-two-devices');
    const deep = sweepOf(loaded, 'static-single-two-devices', 2);
    expect(deep.failures.length).toBeGreaterThan(enumerateFailures(loaded.topology).length);
    expect(stableJson(singleFailureSweep(loaded.topology, deep))).toBe(
      stableJson(sweepOf(loaded, 'static-single-two-devices', 1)),
    );
  });

  it('takes the drawing, chart and results rules of the UI stylesheet, rescoped for many drawings', () => {
    const rules = sharedUiRules(readFileSync(join(PROJECT_ROOT, 'web', 'style.css'), 'utf8'));
    expect(rules).toContain('svg.topology-drawing .tunnel-pipe {');
    expect(rules).toContain('.chart-legend {');
    expect(rules).toContain('table.results {');
    expect(rules).not.toContain('#drawing');
    // The app's page layout stays out of the report.
    expect(rules).not.toMatch(/(^|\n)(body|\.layout|\.topbar) \{/);
  });
});
