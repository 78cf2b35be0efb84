import type { Advice, Finding } from '../src/analysis/advise.ts';
import type { Comparison, ComparisonCell } from '../src/analysis/compare.ts';
import type { FailureResult, PhaseImpact, SweepResult } from '../src/analysis/sweep.ts';
import type { RunReport } from '../src/report/html-data.ts';
import { html } from './dom.ts';
import { formatClock, formatCount, formatDuration, formatPercent } from './format.ts';

/**
 * The report's tables, as `vwan-ha sweep`, `advise` and `compare` print them (src/analysis/text.ts),
 * with each failure linked to its drawing further down, and the numbers one failure's drawing stands next to.
 */

export type FailureFlag = 'error' | 'spof' | 'cut-off' | 'partial' | 'none';

export function flagOf(f: FailureResult): FailureFlag {
  if (f.error !== null) return 'error';
  if (f.singlePointOfFailure) return 'spof';
  if (f.cutOff.length > 0) return 'cut-off';
  if (f.stillLosing.length > 0) return 'partial';
  return 'none';
}

const FLAG_TEXT: Readonly<Record<FailureFlag, string>> = {
  error: 'simulator error',
  spof: 'SPOF',
  'cut-off': 'cuts a site off',
  partial: 'partial',
  none: '',
};

export function flagBadge(flag: FailureFlag): HTMLElement | undefined {
  if (flag === 'none') return undefined;
  return html('span', { class: `badge badge-${flag}`, 'data-flag': flag }, FLAG_TEXT[flag]);
}

const directionText = (d: string) => (d === 'toSite' ? 'Azure → site' : 'site → Azure');

/** "branch1 both directions, branch2 Azure → site". */
export function sitesText(entries: FailureResult['cutOff']): string {
  const bySite = new Map<string, string[]>();
  for (const e of entries) bySite.set(e.site, [...(bySite.get(e.site) ?? []), e.direction]);
  return [...bySite]
    .map(
      ([site, directions]) =>
        `${site} ${directions.length === 2 ? 'both directions' : directionText(directions[0] ?? '')}`,
    )
    .join(', ');
}

function shareHit(f: FailureResult): number {
  const flows = f.toSite.flows + f.toAzure.flows;
  return flows === 0 ? 0 : (f.toSite.flowsHit + f.toAzure.flowsHit) / flows;
}

function outageCell(d: FailureResult['toSite']): string {
  return d.flowsHit === 0 ? '—' : `${formatDuration(d.worstOutageMs)} · ${formatDuration(d.medianOutageMs)}`;
}

function convergedCell(f: FailureResult): string {
  if (f.cutOff.length > 0) return 'not while failed';
  if (f.stillLosing.length > 0) return 'partly';
  return f.failover.flowsInterrupted === 0 ? '—' : formatDuration(f.failover.convergenceMs);
}

function failbackCell(f: FailureResult): string {
  if (!f.failback || f.failback.flowsInterrupted === 0) return '—';
  return `${formatDuration(f.failback.worstOutageMs)}, ${formatCount(f.failback.flowsInterrupted)} flows`;
}

function headRow(cells: readonly string[]): HTMLTableSectionElement {
  return html('thead', {}, html('tr', {}, ...cells.map((c) => html('th', { scope: 'col' }, c))));
}

/** The sweep's table; `anchorOf(i)` is the id of failure i's section. */
export function sweepTable(sweep: SweepResult, anchorOf: (index: number) => string): HTMLElement {
  const rows = sweep.failures.map((f, index) => {
    const flag = flagOf(f);
    const link = html('a', { href: `#${anchorOf(index)}`, title: f.description }, f.id);
    if (f.error !== null) {
      return html(
        'tr',
        { 'data-failure': f.id, 'data-flag': flag },
        html('th', { scope: 'row' }, link),
        html('td', { colspan: 8 }, `the simulator could not run this scenario: ${f.error}`),
        html('td', {}, flagBadge(flag)),
      );
    }
    const resets = f.failback
      ? `${formatCount(f.failover.sessionResets)} + ${formatCount(f.failback.sessionResets)}`
      : formatCount(f.failover.sessionResets);
    return html(
      'tr',
      { 'data-failure': f.id, 'data-flag': flag, 'data-spof': String(f.singlePointOfFailure) },
      html('th', { scope: 'row' }, link),
      html('td', { class: 'num' }, formatPercent(shareHit(f))),
      html('td', { class: 'num' }, outageCell(f.toSite)),
      html('td', { class: 'num' }, outageCell(f.toAzure)),
      html('td', { class: 'num' }, formatCount(f.toSite.packetsLost + f.toAzure.packetsLost)),
      html('td', { class: 'num' }, resets),
      html('td', { class: 'num' }, convergedCell(f)),
      html('td', { class: 'num' }, failbackCell(f)),
      html('td', {}, flagBadge(flag)),
    );
  });
  return html(
    'table',
    { class: 'report-table', 'data-table': 'sweep' },
    headRow([
      'failure',
      'flows hit',
      'Azure → site worst · median',
      'site → Azure worst · median',
      'packets lost',
      'sessions reset',
      'converged',
      'failback',
      '',
    ]),
    html('tbody', {}, ...rows),
  );
}

/** What each column of the sweep table means, and the SPOF criterion, in the CLI's words. */
export function sweepNotes(sweep: SweepResult): HTMLElement {
  const baselineLost = sweep.baseline.toSite.packetsLost + sweep.baseline.toAzure.packetsLost;
  return html(
    'div',
    { class: 'notes' },
    html(
      'p',
      {},
      'worst · median: the longest single outage of any flow · the median over hit flows of each flow’s total outage. ',
      'sessions reset: on failure + on failback (an IPsec SA torn down under a flow that resumed over a rebuilt SA of the same tunnel). ',
      'converged: until the last interrupted flow delivered again.',
    ),
    html(
      'p',
      {},
      `SPOF: a single failure after which some site, in some direction, loses every packet of every flow in the last ${formatDuration(sweep.timing.settleWindowMs)} before the element returns (and did not without failure). partial: some flows still lose every packet then.`,
    ),
    baselineLost > 0
      ? html(
          'p',
          { class: 'bad' },
          `Without any failure ${formatCount(baselineLost)} packets are lost (baseline run): check the design first.`,
        )
      : undefined,
  );
}

/** The sweep's verdict: its single points of failure. */
export function verdict(sweep: SweepResult): HTMLElement {
  const spofs = sweep.failures.filter((f) => f.singlePointOfFailure);
  if (spofs.length === 0) {
    return html(
      'p',
      { class: 'verdict good', 'data-spofs': 0 },
      'No single point of failure: no single failure cut a site off.',
    );
  }
  return html(
    'div',
    { class: 'verdict bad', 'data-spofs': spofs.length },
    html('p', {}, `Single points of failure (${spofs.length}):`),
    html(
      'ul',
      {},
      ...spofs.map((f) => html('li', {}, html('strong', {}, f.id), ` — cuts off ${sitesText(f.cutOff)}`)),
    ),
  );
}

function findingRow(f: Finding): HTMLTableRowElement {
  const about = f.paths.length > 0 ? `${f.subject} (${f.paths.join(', ')})` : f.subject;
  return html(
    'tr',
    { 'data-severity': f.severity, 'data-rule': f.rule },
    html('td', {}, html('span', { class: `badge severity-${f.severity}` }, f.severity)),
    html('td', {}, html('strong', {}, f.title), html('br'), html('span', { class: 'muted' }, about)),
    html(
      'td',
      {},
      html('span', { class: 'muted' }, f.simulated ? 'measured: ' : 'cited: '),
      f.evidence,
      ...f.validatorWarnings.flatMap((w) => [
        html('br'),
        html('span', { class: 'muted' }, `validator: ${w}`),
      ]),
    ),
    html('td', {}, f.fix),
  );
}

export function adviceTable(advice: Advice): HTMLElement {
  const c = advice.counts;
  return html(
    'div',
    { class: 'advice' },
    html(
      'p',
      { 'data-counts': `${c.high} ${c.medium} ${c.low} ${c.info}` },
      `${c.high} high, ${c.medium} medium, ${c.low} low, ${c.info} info — from ${formatCount(advice.scenariosSimulated)} scenarios simulated (the failure sweep and targeted what-if runs).`,
    ),
    html(
      'table',
      { class: 'report-table', 'data-table': 'advice' },
      headRow(['severity', 'finding', 'evidence', 'fix']),
      html('tbody', {}, ...advice.findings.map(findingRow)),
    ),
  );
}

function cellText(cell: ComparisonCell | null): string {
  if (!cell) return '—';
  const outage = cell.cutOff
    ? 'cut off'
    : `${formatDuration(cell.worstOutageMs)}${cell.stillLosing ? ' (some flows still losing)' : ''}`;
  return `${outage} · ${formatPercent(cell.shareHit)} hit · ${cell.sessionResetsPerFlow.toFixed(1)} resets/flow`;
}

/** `vwan-ha compare`'s table: failure kinds down, designs across (each linked to its section), totals below. */
export function comparisonTable(comparison: Comparison, anchorOf: (design: number) => string): HTMLElement {
  const totals = comparison.totals;
  const totalRow = (label: string, value: (t: (typeof totals)[number]) => string) =>
    html(
      'tr',
      { class: 'total' },
      html('th', { scope: 'row' }, label),
      ...totals.map((t) => html('td', {}, value(t))),
    );
  return html(
    'table',
    { class: 'report-table', 'data-table': 'comparison' },
    html(
      'thead',
      {},
      html(
        'tr',
        {},
        html('th', { scope: 'col' }, 'failure'),
        ...comparison.designs.map((d, i) =>
          html('th', { scope: 'col' }, html('a', { href: `#${anchorOf(i)}` }, d)),
        ),
      ),
    ),
    html(
      'tbody',
      {},
      ...comparison.rows.map((row) =>
        html(
          'tr',
          { 'data-kind': row.kind },
          html('th', { scope: 'row' }, row.label),
          ...row.cells.map((cell) =>
            html(
              'td',
              {
                class: cell?.cutOff ? 'bad' : undefined,
                title: cell ? `worst: ${cell.worstFailure}` : undefined,
              },
              cellText(cell),
            ),
          ),
        ),
      ),
      totalRow('failures simulated', (t) => formatCount(t.failures)),
      totalRow('single points of failure', (t) =>
        t.singlePointsOfFailure.length === 0
          ? '0'
          : `${t.singlePointsOfFailure.length}: ${t.singlePointsOfFailure.join(', ')}`,
      ),
      totalRow('failures resetting sessions', (t) => formatCount(t.failuresResettingSessions)),
      totalRow('worst outage', (t) => formatDuration(t.worstOutageMs)),
    ),
  );
}

function phaseText(phase: PhaseImpact): string {
  const resets =
    phase.sessionResets === 0
      ? 'no session re-established'
      : `${formatCount(phase.sessionResets)} sessions re-established (${formatCount(phase.flowsReset)} flows)`;
  if (phase.flowsInterrupted === 0) return `no flow interrupted; ${resets}`;
  return `${formatCount(phase.flowsInterrupted)} flows interrupted, the longest outage ${formatDuration(phase.worstOutageMs)}, all delivering again after ${formatDuration(phase.convergenceMs)}; ${resets}`;
}

/** One failure's numbers from the sweep, next to its drawing. */
export function failureFacts(f: FailureResult, run: RunReport | null): HTMLElement {
  const entries: [string, string, string][] = [];
  entries.push([
    'verdict',
    'verdict',
    f.cutOff.length > 0
      ? `${f.singlePointOfFailure ? 'single point of failure: ' : ''}cuts off ${sitesText(f.cutOff)} until it returns`
      : f.stillLosing.length > 0
        ? `some flows of ${sitesText(f.stillLosing)} lose every packet until it returns`
        : 'no site cut off',
  ]);
  entries.push([
    'share hit',
    'share-hit',
    `${formatPercent(shareHit(f))} of the flows lost at least one packet`,
  ]);
  entries.push([`on failure (${formatClock(f.failover.atMs)})`, 'failover', phaseText(f.failover)]);
  if (f.failback)
    entries.push([`on return (${formatClock(f.failback.atMs)})`, 'failback', phaseText(f.failback)]);
  if (run?.peakLosing) {
    entries.push([
      'most flows losing at once',
      'peak',
      `${formatCount(run.peakLosing.flows)} at ${formatClock(run.peakLosing.atMs, true)}`,
    ]);
  }
  entries.push(['BGP sessions dropped', 'bgp', formatCount(f.bgpSessionsDropped)]);
  if (!f.scope.wholeTopology) {
    entries.push([
      'sites simulated',
      'scope',
      `${f.scope.sites.join(', ')} (the failure cannot reach the others: their prefixes do not overlap)`,
    ]);
  }
  return html(
    'dl',
    { class: 'facts', 'data-facts': f.id },
    ...entries.flatMap(([term, key, value]) => [
      html('dt', {}, term),
      html('dd', { 'data-fact': key }, value),
    ]),
  );
}
