import type { DirectionSummary } from '../src/report/metrics.ts';
import { html } from './dom.ts';
import { formatClock, formatCount, formatDuration, formatPercent } from './format.ts';
import type { ActionOutcome } from './outcomes.ts';

/**
 * The numbers `vwan-ha simulate` prints, for the run so far: per direction the
 * flows hit, outages, packets lost, sessions re-established, path changes; then
 * each of the user's actions with how long traffic took to settle after it.
 */
const ROWS: readonly {
  readonly label: string;
  readonly key: string;
  readonly value: (s: DirectionSummary) => string;
}[] = [
  {
    label: 'flows hit',
    key: 'flows-hit',
    value: (s) => `${formatCount(s.flowsHit)} / ${formatCount(s.flows)} (${formatPercent(s.shareHit)})`,
  },
  { label: 'worst outage', key: 'worst-outage', value: (s) => formatDuration(s.worstOutageMs) },
  {
    label: 'outage per hit flow (median)',
    key: 'median-outage',
    value: (s) => formatDuration(s.medianOutageMs),
  },
  {
    label: 'packets lost',
    key: 'packets-lost',
    value: (s) => `${formatCount(s.packetsLost)} of ${formatCount(s.packetsSent)}`,
  },
  {
    label: 'sessions re-established',
    key: 'session-resets',
    value: (s) => `${formatCount(s.sessionResets)} (${formatCount(s.flowsReset)} flows)`,
  },
  { label: 'path changes', key: 'path-changes', value: (s) => formatCount(s.pathChanges) },
];

/**
 * Without `onSeek` (the HTML report: a finished run, no clock to move) the
 * outcomes are plain text instead of buttons.
 */
export function renderResults(
  container: HTMLElement,
  summary: { toSite: DirectionSummary; toAzure: DirectionSummary },
  outcomes: readonly ActionOutcome[],
  onSeek?: (atMs: number) => void,
  outcomesTitle = 'per action: convergence',
): void {
  const table = html(
    'table',
    { class: 'results' },
    html(
      'thead',
      {},
      html(
        'tr',
        {},
        html('th', {}, ''),
        html('th', { scope: 'col' }, 'Azure → site'),
        html('th', { scope: 'col' }, 'site → Azure'),
      ),
    ),
    html(
      'tbody',
      {},
      ...ROWS.map((row) =>
        html(
          'tr',
          { 'data-metric': row.key },
          html('th', { scope: 'row' }, row.label),
          html('td', { 'data-direction': 'toSite' }, row.value(summary.toSite)),
          html('td', { 'data-direction': 'toAzure' }, row.value(summary.toAzure)),
        ),
      ),
    ),
  );
  const events = html('ol', { class: 'outcomes' });
  if (outcomes.length === 0) events.append(html('li', { class: 'log-empty' }, 'no failure injected yet'));
  for (const outcome of outcomes) {
    const effect =
      outcome.flowsInterrupted === 0
        ? 'no flow interrupted'
        : outcome.ongoing
          ? `${formatCount(outcome.flowsInterrupted)} flows interrupted, still converging (${formatDuration(outcome.convergenceMs)} so far)`
          : `${formatCount(outcome.flowsInterrupted)} flows interrupted, all delivering again after ${formatDuration(outcome.convergenceMs)}`;
    const entry = html(
      onSeek ? 'button' : 'div',
      { type: onSeek ? 'button' : undefined, class: 'log-entry', 'data-at-ms': outcome.atMs },
      html('span', { class: 'log-time' }, formatClock(outcome.atMs, true)),
      html('span', { class: 'log-text' }, html('strong', {}, outcome.description), html('br'), effect),
    );
    if (onSeek) entry.addEventListener('click', () => onSeek(outcome.atMs));
    events.append(
      html(
        'li',
        {
          'data-outcome': outcome.description,
          'data-flows-interrupted': outcome.flowsInterrupted,
          'data-convergence-ms': outcome.convergenceMs,
          'data-ongoing': String(outcome.ongoing),
        },
        entry,
      ),
    );
  }
  container.replaceChildren(table, html('h3', {}, outcomesTitle), events);
  container.dataset.flowsHitToSite = String(summary.toSite.flowsHit);
  container.dataset.flowsHitToAzure = String(summary.toAzure.flowsHit);
  container.dataset.sessionResetsToSite = String(summary.toSite.sessionResets);
  container.dataset.sessionResetsToAzure = String(summary.toAzure.sessionResets);
}
