import uPlot from 'uplot';
import type { Direction } from '../src/dataplane/flow.ts';
import { html } from './dom.ts';
import { formatClock } from './format.ts';
import { type TunnelLayout, tunnelColor } from './layout.ts';
import type { Sample } from './playback.ts';
import { KIND_COLOR, type NotableEvent } from './trace-events.ts';

/**
 * Flows delivering and losing per tunnel over virtual time, one chart per
 * direction (uPlot), with a marker for each notable event, the current moment as
 * a black line and the recorded future (after a scrub back) greyed. A click on a
 * chart moves the clock there.
 */

const DIRECTIONS: readonly { readonly key: Direction; readonly title: string }[] = [
  { key: 'toSite', title: 'Azure → site: flows per tunnel' },
  { key: 'toAzure', title: 'site → Azure: flows per tunnel' },
];

const LOSING_FILL = 'rgba(200, 30, 30, 0.14)';

export interface TimelineOptions {
  /** Charts with one key share a cursor: a page with several timelines gives each its own. */
  readonly syncKey?: string;
  /** What the black line marks, in the legend and the window choice (default: now). */
  readonly momentName?: string;
}

interface View {
  readonly now: number;
  readonly horizon: number;
  readonly markers: readonly NotableEvent[];
}

export class Timeline {
  private readonly charts: uPlot[] = [];
  private readonly legend: HTMLElement;
  private readonly windowSelect: HTMLSelectElement;
  /** Seconds shown around now, or the whole run. */
  private windowSeconds: number | undefined;
  private readonly observer: ResizeObserver;
  private view: View = { now: 0, horizon: 0, markers: [] };
  private lastSampleCount = -1;

  /**
   * Without `onSeek` the charts are a record to read (the HTML report): no click
   * to move a clock, and the black line is `options.momentName`.
   */
  constructor(
    private readonly container: HTMLElement,
    tunnels: readonly TunnelLayout[],
    private readonly onSeek?: (atMs: number) => void,
    options: TimelineOptions = {},
  ) {
    const moment = options.momentName ?? 'now';
    this.windowSelect = html(
      'select',
      { 'aria-label': 'time window of the charts', 'data-control': 'chart-window' },
      html('option', { value: '0' }, 'the whole run'),
      html('option', { value: '600' }, `10 min around ${moment}`),
      html('option', { value: '120' }, `2 min around ${moment}`),
    );
    this.legend = html(
      'div',
      { class: 'chart-legend' },
      ...tunnels.map((tunnel) =>
        html(
          'span',
          { 'data-legend-tunnel': tunnel.id },
          html('i', { class: 'swatch', style: `border-color:${tunnelColor(tunnel.color)}` }),
          `${tunnel.id} delivering`,
          html('i', { class: 'swatch dashed', style: `border-color:${tunnelColor(tunnel.color)}` }),
          'losing',
        ),
      ),
      html(
        'span',
        {},
        html('i', { class: 'swatch dashed', style: 'border-color:#c81e1e' }),
        'no tunnel, losing',
      ),
      html(
        'span',
        {},
        html('i', { class: 'swatch', style: 'border-color:#000' }),
        onSeek ? 'now (click a chart to jump)' : moment,
      ),
      html('label', { class: 'inline' }, 'show ', this.windowSelect),
    );
    this.windowSelect.addEventListener('change', () => {
      this.windowSeconds = Number(this.windowSelect.value) || undefined;
      for (const chart of this.charts) chart.setScale('x', this.xRange());
    });
    container.replaceChildren(this.legend);
    const sync = uPlot.sync(options.syncKey ?? 'vwan-timeline');
    for (const direction of DIRECTIONS) {
      const holder = html('div', { class: 'chart', 'data-chart': direction.key });
      container.append(holder);
      const chart = new uPlot(this.options(direction, tunnels, sync.key), [[]], holder);
      const seek = this.onSeek;
      if (seek) {
        chart.over.addEventListener('click', () => {
          const left = chart.cursor.left ?? -1;
          if (left >= 0) seek(Math.max(0, Math.round(chart.posToVal(left, 'x') * 1000)));
        });
        chart.over.title = 'click to move the clock here';
      }
      this.charts.push(chart);
    }
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(container);
  }

  destroy(): void {
    this.observer.disconnect();
    for (const chart of this.charts) chart.destroy();
    this.charts.length = 0;
  }

  update(samples: readonly Sample[], view: View): void {
    this.view = view;
    if (samples.length !== this.lastSampleCount) {
      this.lastSampleCount = samples.length;
      DIRECTIONS.forEach((direction, index) => {
        this.charts[index]?.setData(dataFor(samples, direction.key));
      });
      let peakToSite = 0;
      let peakToAzure = 0;
      for (const s of samples) {
        peakToSite = Math.max(peakToSite, losingOf(s, 'toSite'));
        peakToAzure = Math.max(peakToAzure, losingOf(s, 'toAzure'));
      }
      this.container.dataset.samples = String(samples.length);
      this.container.dataset.peakLosingToSite = String(peakToSite);
      this.container.dataset.peakLosingToAzure = String(peakToAzure);
    } else if (this.windowSeconds !== undefined) {
      for (const chart of this.charts) chart.setScale('x', this.xRange());
    } else {
      for (const chart of this.charts) chart.redraw(false, false);
    }
    this.container.dataset.markers = String(view.markers.length);
    this.container.dataset.nowMs = String(view.now);
  }

  /** The x scale: the whole run (at least a minute), or a window with now at three quarters. */
  private xRange(dataMax = this.view.horizon / 1000): { min: number; max: number } {
    if (this.windowSeconds === undefined) {
      return { min: 0, max: Math.max(60, dataMax, this.view.horizon / 1000) };
    }
    const min = Math.max(0, this.view.now / 1000 - this.windowSeconds * 0.75);
    return { min, max: min + this.windowSeconds };
  }

  private resize(): void {
    const style = getComputedStyle(this.container);
    const inner =
      this.container.clientHeight -
      Number.parseFloat(style.paddingTop) -
      Number.parseFloat(style.paddingBottom);
    const width = Math.max(
      320,
      Math.floor(this.container.clientWidth - Number.parseFloat(style.paddingLeft) * 2),
    );
    for (const chart of this.charts) {
      const title = chart.root.querySelector<HTMLElement>('.u-title')?.offsetHeight ?? 20;
      const height = Math.floor((inner - this.legend.offsetHeight) / DIRECTIONS.length - title - 2);
      chart.setSize({ width, height: Math.max(90, height) });
    }
  }

  private options(
    direction: (typeof DIRECTIONS)[number],
    tunnels: readonly TunnelLayout[],
    syncKey: string,
  ): uPlot.Options {
    const series: uPlot.Series[] = [
      { label: 'time', value: (_u, v) => (v == null ? '' : formatClock(v * 1000)) },
    ];
    for (const tunnel of tunnels) {
      const color = tunnelColor(tunnel.color);
      series.push(
        { label: `${tunnel.id} delivering`, stroke: color, width: 2, points: { show: false } },
        {
          label: `${tunnel.id} losing`,
          stroke: color,
          width: 2,
          dash: [6, 4],
          fill: LOSING_FILL,
          points: { show: false },
        },
      );
    }
    series.push({
      label: 'no tunnel, losing',
      stroke: '#c81e1e',
      width: 2,
      dash: [2, 3],
      fill: LOSING_FILL,
      points: { show: false },
    });
    const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 14;
    const font = `${Math.round(rem * 0.8)}px system-ui, sans-serif`;
    return {
      title: direction.title,
      width: 800,
      height: 150,
      series,
      legend: { show: false },
      cursor: { sync: { key: syncKey }, drag: { x: false, y: false } },
      scales: {
        x: {
          time: false,
          range: (_u, _min, max) => {
            const range = this.xRange(max ?? 0);
            return [range.min, range.max];
          },
        },
        y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil((max ?? 0) * 1.1))] },
      },
      axes: [
        {
          values: (_u, splits) => splits.map((v) => formatClock(v * 1000)),
          stroke: '#333',
          font,
          size: Math.round(rem * 2.2),
        },
        {
          label: 'flows',
          stroke: '#333',
          font,
          labelFont: font,
          size: Math.round(rem * 3.2),
          labelSize: Math.round(rem * 1.2),
        },
      ],
      hooks: { draw: [(u) => drawOverlay(u, this.view)] },
    };
  }
}

function losingOf(sample: Sample, direction: Direction): number {
  let losing = sample.unrouted[direction];
  for (const t of sample.tunnels) losing += t[direction].losing;
  return losing;
}

function dataFor(samples: readonly Sample[], direction: Direction): uPlot.AlignedData {
  const x = samples.map((s) => s.atMs / 1000);
  const columns: number[][] = [];
  const tunnelCount = samples[0]?.tunnels.length ?? 0;
  for (let i = 0; i < tunnelCount; i++) {
    columns.push(samples.map((s) => s.tunnels[i]?.[direction].delivering ?? 0));
    columns.push(samples.map((s) => s.tunnels[i]?.[direction].losing ?? 0));
  }
  columns.push(samples.map((s) => s.unrouted[direction]));
  return [x, ...columns];
}

/** Event markers, the recorded future and the current moment, over the plot (canvas pixels). */
function drawOverlay(u: uPlot, view: View): void {
  const { ctx } = u;
  const { top, height, left, width } = u.bbox;
  const x = (seconds: number) => u.valToPos(seconds, 'x', true);
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  const nowX = x(view.now / 1000);
  if (view.horizon > view.now) {
    ctx.fillStyle = 'rgba(120, 120, 120, 0.14)';
    ctx.fillRect(nowX, top, x(view.horizon / 1000) - nowX, height);
  }
  const ratio = window.devicePixelRatio || 1;
  for (const marker of view.markers) {
    if (marker.atMs < 0) continue;
    const mx = Math.round(x(marker.atMs / 1000)) + 0.5;
    ctx.strokeStyle = KIND_COLOR[marker.kind];
    ctx.globalAlpha = marker.atMs > view.now ? 0.35 : 0.85;
    ctx.lineWidth = (marker.kind === 'action' ? 2 : 1) * ratio;
    ctx.setLineDash(marker.kind === 'action' ? [] : [3 * ratio, 3 * ratio]);
    ctx.beginPath();
    ctx.moveTo(mx, top);
    ctx.lineTo(mx, top + height);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = KIND_COLOR[marker.kind];
    ctx.beginPath();
    ctx.moveTo(mx - 4 * ratio, top);
    ctx.lineTo(mx + 4 * ratio, top);
    ctx.lineTo(mx, top + 6 * ratio);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  ctx.strokeStyle = '#000000';
  ctx.lineWidth = 2 * ratio;
  ctx.beginPath();
  ctx.moveTo(nowX, top);
  ctx.lineTo(nowX, top + height);
  ctx.stroke();
  ctx.restore();
}
