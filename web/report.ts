import 'uplot/dist/uPlot.min.css';
// The report's build keeps only the UI's drawing, chart and results rules of this one (src/server/build-report.ts).
import './style.css';
import './report.css';
import { scopeOfSites } from '../src/analysis/scope.ts';
import type { FailureResult, SweepResult } from '../src/analysis/sweep.ts';
import type { DesignReport, HtmlReportData, RunReport } from '../src/report/html-data.ts';
import { decodeRuns, type ReportSeries } from '../src/report/html-series.ts';
import { html, svg } from './dom.ts';
import { renderDrawing } from './drawing.ts';
import { formatClock, formatCount, formatDuration } from './format.ts';
import { type Layout, layoutTopology } from './layout.ts';
import type { ActionOutcome } from './outcomes.ts';
import type { Sample } from './playback.ts';
import {
  adviceTable,
  comparisonTable,
  failureFacts,
  flagBadge,
  flagOf,
  sweepNotes,
  sweepTable,
  verdict,
} from './report-tables.ts';
import { renderResults } from './results.ts';
import { Timeline } from './timeline.ts';
import { bgpStates, type NotableEvent, notableEvents } from './trace-events.ts';

/**
 * The HTML report's page (docs/REPORT.md): everything is drawn from the JSON the
 * file carries (src/report/html-data.ts), with the web UI's own modules — the
 * seed's drawing (drawing.ts, layout.ts), the charts (timeline.ts), the metrics
 * table (results.ts). Nothing is fetched: the file works offline, from disk.
 */

type Level = 2 | 3 | 4 | 5;

function heading(level: Level, ...children: (Node | string | undefined)[]): HTMLHeadingElement {
  return html(`h${level}`, {}, ...children);
}

function sub(level: Level): Level {
  return Math.min(5, level + 1) as Level;
}

function readData(): HtmlReportData {
  const element = document.getElementById('report-data');
  if (!element?.textContent) throw new Error('the report carries no data (#report-data)');
  const data = JSON.parse(element.textContent) as HtmlReportData;
  if (data.version !== 1)
    throw new Error(`report data version ${String(data.version)}: this page reads version 1`);
  return data;
}

/** A design's layouts, by the sites a run simulated (a site-local failure runs on its sites only). */
class Layouts {
  private readonly cache = new Map<string, Layout>();

  constructor(private readonly design: DesignReport) {}

  of(scope: FailureResult['scope']): Layout {
    const key = scope.wholeTopology ? '' : scope.sites.join('\u0000');
    let layout = this.cache.get(key);
    if (!layout) {
      const topology = scope.wholeTopology
        ? this.design.topology
        : scopeOfSites(this.design.topology, scope.sites).topology;
      layout = layoutTopology(topology);
      this.cache.set(key, layout);
    }
    return layout;
  }
}

function drawingOf(
  run: RunReport,
  layout: Layout,
  label: string,
  id: string,
  kind: 'normal' | 'failure',
  caption: string,
): HTMLElement {
  const titleId = `${id}-drawing-title`;
  const root = svg('svg', {
    class: 'topology-drawing',
    role: 'img',
    'aria-labelledby': titleId,
    preserveAspectRatio: 'xMidYMin meet',
    'data-drawing': kind,
    'data-run': run.id,
    'data-moment-ms': run.world.moment.atMs,
    'data-moment-rule': run.world.moment.rule,
  });
  const states = run.world.bgpStates;
  renderDrawing(root, layout, run.world.snapshot, bgpStates(states, states.length), label, titleId);
  return html('figure', { class: 'drawing-figure' }, root, html('figcaption', {}, caption));
}

/** The per-second samples the web UI's charts read, tunnels in the layout's order. */
function samplesOf(series: ReportSeries, layout: Layout): Sample[] {
  const tunnels = new Map(
    series.tunnels.map((t) => [
      t.tunnel,
      {
        toSite: { delivering: decodeRuns(t.toSite.delivering), losing: decodeRuns(t.toSite.losing) },
        toAzure: { delivering: decodeRuns(t.toAzure.delivering), losing: decodeRuns(t.toAzure.losing) },
      },
    ]),
  );
  const unroutedToSite = decodeRuns(series.unrouted.toSite);
  const unroutedToAzure = decodeRuns(series.unrouted.toAzure);
  const samples: Sample[] = [];
  for (let i = 0; i < series.samples; i++) {
    samples.push({
      atMs: i * series.stepMs,
      tunnels: layout.tunnels.map((layoutTunnel) => {
        const t = tunnels.get(layoutTunnel.id);
        return {
          toSite: { delivering: t?.toSite.delivering[i] ?? 0, losing: t?.toSite.losing[i] ?? 0 },
          toAzure: { delivering: t?.toAzure.delivering[i] ?? 0, losing: t?.toAzure.losing[i] ?? 0 },
        };
      }),
      unrouted: { toSite: unroutedToSite[i] ?? 0, toAzure: unroutedToAzure[i] ?? 0 },
    });
  }
  return samples;
}

/** The scenario's events (black) and the notable trace entries, ordered as the web UI orders them. */
function markersOf(run: RunReport): NotableEvent[] {
  const actions: NotableEvent[] = run.events.map((e) => ({
    atMs: e.atMs,
    kind: 'action',
    text: e.text,
    traceIndex: -1,
  }));
  return [...actions, ...notableEvents(run.markers)].sort(
    (a, b) => a.atMs - b.atMs || (a.kind === 'action' ? -1 : 0) - (b.kind === 'action' ? -1 : 0),
  );
}

/** The failure and the return as the web UI's per-action outcomes, with the sweep's numbers. */
function outcomesOf(f: FailureResult, run: RunReport): ActionOutcome[] {
  const phases = [f.failover, ...(f.failback ? [f.failback] : [])];
  return phases.map((phase, index) => {
    const texts = run.events.filter((e) => e.atMs === phase.atMs).map((e) => e.text);
    return {
      atMs: phase.atMs,
      description: texts.length > 0 ? texts.join(', ') : index === 0 ? f.description : 'the element returns',
      flowsInterrupted: phase.flowsInterrupted,
      convergenceMs: phase.convergenceMs,
      ongoing: false,
    };
  });
}

function clock(ms: number): string {
  return formatClock(ms, ms % 1000 !== 0);
}

function timelineText(sweep: SweepResult): string {
  const { timing, traffic } = sweep;
  return (
    `Each failure at ${formatClock(timing.failAtMs)}, the element back at ${formatClock(timing.recoverAtMs)} ` +
    `(${formatDuration(timing.durationMs)} of traffic after a ${formatDuration(timing.warmupMs)} warm-up; ` +
    `${traffic.flowsPerPair} flows per VNet × site pair each way, ${traffic.ratePps} packets/s; sweep seed ${sweep.seed}).`
  );
}

interface Rendered {
  readonly element: HTMLElement;
  /** Charts are built once the element is in the page (uPlot measures its container). */
  readonly charts: (() => void)[];
}

function failureSection(
  design: DesignReport,
  layouts: Layouts,
  f: FailureResult,
  run: RunReport | null,
  id: string,
  level: Level,
): Rendered {
  const flag = flagOf(f);
  const when = f.failback
    ? `at ${formatClock(f.failover.atMs)}, back at ${formatClock(f.failback.atMs)}`
    : `at ${formatClock(f.failover.atMs)}, nothing to bring back`;
  const section = html(
    'section',
    { class: 'failure', id, 'data-failure': f.id, 'data-flag': flag, 'data-kind': f.kind },
    heading(level, f.id, flagBadge(flag)),
    html('p', { class: 'muted' }, `${f.description} ${when}.`),
  );
  if (!run) {
    section.append(
      html('p', { class: 'bad' }, `The simulator could not run this scenario: ${f.error ?? ''}`),
    );
    return { element: section, charts: [] };
  }
  const layout = layouts.of(f.scope);
  const moment = run.world.moment;
  const figure = drawingOf(
    run,
    layout,
    `${design.name}: ${f.id} at ${clock(moment.atMs)}`,
    id,
    'failure',
    `The world at ${clock(moment.atMs)}: ${moment.why}.`,
  );
  const results = html('div', { class: 'results-holder' });
  renderResults(
    results,
    run.summary,
    outcomesOf(f, run),
    undefined,
    f.failback ? 'failure and return: convergence' : 'failure: convergence',
  );
  const timeline = html('div', { class: 'report-timeline', 'data-timeline': f.id });
  section.append(figure, html('div', { class: 'failure-numbers' }, failureFacts(f, run), results), timeline);
  const chart = () => {
    const t = new Timeline(timeline, layout.tunnels, undefined, {
      syncKey: id,
      momentName: 'the moment drawn',
    });
    t.update(samplesOf(run.series, layout), {
      now: moment.atMs,
      horizon: moment.atMs,
      markers: markersOf(run),
    });
  };
  return { element: section, charts: [chart] };
}

function designSection(design: DesignReport, index: number, level: Level, titled: boolean): Rendered {
  const { sweep } = design;
  const prefix = `d${index}`;
  const inner = titled ? sub(level) : level;
  const layouts = new Layouts(design);
  const section = html(
    'section',
    { class: 'design', id: `${prefix}`, 'data-design': design.name, 'data-file': design.file },
    titled ? heading(level, `Design ${design.name}`) : undefined,
    html('p', {}, html('code', {}, design.file), ` — ${sweep.topologySummary}`),
    html('p', { class: 'muted' }, timelineText(sweep)),
    verdict(sweep),
  );
  const charts: (() => void)[] = [];

  section.append(heading(inner, 'Normal operation'));
  if (design.baseline) {
    section.append(
      drawingOf(
        design.baseline,
        layouts.of(sweep.baseline.scope),
        `${design.name}: normal operation`,
        `${prefix}-normal`,
        'normal',
        `Normal operation at 0:00, ${design.baseline.world.moment.why}: each tunnel's lines are as thick as its share of the flows.`,
      ),
    );
  } else {
    section.append(
      html(
        'p',
        { class: 'bad' },
        `The simulator could not run the design without failure: ${sweep.baseline.error ?? ''}`,
      ),
    );
  }

  const anchorOf = (i: number) => `${prefix}-failure-${i}`;
  section.append(heading(inner, 'Failure sweep'), sweepTable(sweep, anchorOf), sweepNotes(sweep));

  section.append(heading(inner, 'Advice'));
  if (design.advice) section.append(adviceTable(design.advice));
  else section.append(html('p', { class: 'muted' }, 'No advice in this report.'));

  section.append(
    heading(inner, `Failures, one by one (${formatCount(sweep.failures.length)})`),
    html(
      'p',
      { class: 'muted' },
      'Each failure: the world at one moment (one second before the element returns; a tunnel reset, which brings nothing back, at the moment the most flows were losing), the sweep’s numbers, and the flows per tunnel over the whole run, sampled every second — solid: delivering, dashed: losing; markers: the failure and return (black) and what the gateway, BGP and IPsec did.',
    ),
  );
  sweep.failures.forEach((f, i) => {
    const rendered = failureSection(design, layouts, f, design.failures[i] ?? null, anchorOf(i), sub(inner));
    section.append(rendered.element);
    charts.push(...rendered.charts);
  });
  return { element: section, charts };
}

function render(data: HtmlReportData): void {
  const main = document.getElementById('report');
  if (!main) throw new Error('the page has no #report');
  const multi = data.designs.length > 1;
  const parts: HTMLElement[] = [
    html(
      'header',
      { class: 'report-header' },
      html('h1', {}, data.title),
      html(
        'p',
        { class: 'muted' },
        'Made by ',
        html('code', {}, data.invocation),
        '. Every number is simulated, deterministically: the same files and options give this same file.',
      ),
    ),
  ];
  if (data.comparison) {
    parts.push(
      html(
        'section',
        { class: 'comparison' },
        html('h2', {}, 'Designs compared'),
        html(
          'p',
          { class: 'muted' },
          'Each cell: the worst failure of that kind in that design — its longest outage (cut off: a site lost everything until the element returned) · flows hit · sessions re-established per flow.',
        ),
        comparisonTable(data.comparison, (i) => `d${i}`),
      ),
    );
  }
  const charts: (() => void)[] = [];
  data.designs.forEach((design, i) => {
    const rendered = designSection(design, i, 2, multi);
    parts.push(rendered.element);
    charts.push(...rendered.charts);
  });
  main.replaceChildren(...parts);
  for (const chart of charts) chart();
  document.title = data.title;
  document.body.dataset.designs = String(data.designs.length);
  document.body.dataset.failures = String(data.designs.reduce((n, d) => n + d.sweep.failures.length, 0));
  document.body.dataset.ready = 'true';
}

render(readData());
