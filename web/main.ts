import 'uplot/dist/uPlot.min.css';
import './style.css';
import type { LoadResult, Topology } from '../src/model/index.ts';
import type { ScenarioEvent } from '../src/scenario/schema.ts';
import { describeEvent } from '../src/scenario/simulate.ts';
import type { DesignEntry, DesignList } from '../src/server/wire.ts';
import { Controls } from './controls.ts';
import { byId, html } from './dom.ts';
import { renderDrawing } from './drawing.ts';
import { TopologyEditor } from './editor.ts';
import { EventLog } from './eventlog.ts';
import { formatClock } from './format.ts';
import { type Layout, layoutTopology } from './layout.ts';
import { actionOutcomes } from './outcomes.ts';
import { Playback, type RunSettings } from './playback.ts';
import { renderResults } from './results.ts';
import { Timeline } from './timeline.ts';
import { actionEvents, bgpStates, type NotableEvent, notableEvents } from './trace-events.ts';

/** One topology being played: the simulator and the views on it. */
interface Session {
  readonly label: string;
  readonly loaded: Extract<LoadResult, { ok: true }>;
  readonly topology: Topology;
  readonly layout: Layout;
  readonly playback: Playback;
  readonly controls: Controls;
  readonly timeline: Timeline;
  readonly log: EventLog;
}

const SPEEDS = [1, 10, 100, 1000];
/** At most this much real time is simulated per frame, so a stalled tab does not jump ahead. */
const MAX_FRAME_MS = 250;

const elements = {
  design: byId('design', HTMLSelectElement),
  edit: byId('edit', HTMLButtonElement),
  play: byId('play', HTMLButtonElement),
  speed: byId('speed', HTMLSelectElement),
  now: byId('now', HTMLOutputElement),
  scrub: byId('scrub', HTMLInputElement),
  restart: byId('restart', HTMLButtonElement),
  drawing: document.getElementById('drawing') as unknown as SVGSVGElement,
  drawingWrap: byId('drawing-wrap', HTMLDivElement),
  editorHost: byId('editor-host', HTMLDivElement),
  placeholder: byId('placeholder', HTMLParagraphElement),
  timeline: byId('timeline', HTMLDivElement),
  eventLog: byId('event-log', HTMLDivElement),
  controls: byId('controls', HTMLDivElement),
  results: byId('results', HTMLDivElement),
  status: byId('status', HTMLParagraphElement),
  settings: byId('settings', HTMLFormElement),
};

let session: Session | undefined;
let designs: readonly DesignEntry[] = [];
let playing = false;
let lastFrame = 0;
let carryMs = 0;
let lastResultsAt = 0;
let dirty = true;
/** Notable events read so far from one playback's trace (the trace only grows, until a revision drops its future). */
let notableCache:
  | { playback: Playback; revision: number; traceLength: number; events: NotableEvent[] }
  | undefined;
let bgpCache: { playback: Playback; key: string; states: Map<string, string> } | undefined;

const editor = new TopologyEditor(
  (result, label) => {
    closeEditor();
    markEdited(label);
    start(result, label);
  },
  () => closeEditor(),
);
elements.editorHost.append(editor.element);

function settingsFromForm(): RunSettings {
  const data = new FormData(elements.settings);
  const int = (name: string, fallback: number, min: number, max: number) => {
    const value = Number(data.get(name));
    return Number.isInteger(value) && value >= min && value <= max ? value : fallback;
  };
  return {
    seed: int('seed', 1, 0, 0xffffffff),
    traffic: {
      flowsPerPair: int('flowsPerPair', 20, 1, 10_000),
      ratePps: int('ratePps', 10, 1, 1000),
      directions: 'both',
      protocol: 'tcp',
    },
  };
}

function say(message: string): void {
  elements.status.textContent = message;
}

function start(loaded: Extract<LoadResult, { ok: true }>, label: string): void {
  session?.timeline.destroy();
  setPlaying(false);
  const topology = loaded.topology;
  const layout = layoutTopology(topology);
  const playback = new Playback(topology, settingsFromForm());
  const controls = new Controls(elements.controls, layout, (event) => inject(event));
  const timeline = new Timeline(elements.timeline, layout.tunnels, (atMs) => seek(atMs));
  const log = new EventLog(elements.eventLog, (atMs) => seek(atMs));
  session = { label, loaded, topology, layout, playback, controls, timeline, log };
  notableCache = undefined;
  bgpCache = undefined;
  elements.placeholder.hidden = true;
  elements.drawing.style.visibility = 'visible';
  document.body.dataset.design = label;
  document.title = `vwan-ha · ${label}`;
  const warnings = loaded.warnings.length;
  say(
    `${label}: ${playback.flowCount} flows, tunnels and BGP up after the warm-up.${warnings > 0 ? ` ${warnings} warning${warnings === 1 ? '' : 's'} (see Edit · paste · open…).` : ''}`,
  );
  dirty = true;
  render(true);
}

function showInvalid(label: string, result: LoadResult): void {
  session?.timeline.destroy();
  session = undefined;
  setPlaying(false);
  elements.controls.replaceChildren();
  elements.results.replaceChildren();
  elements.eventLog.replaceChildren();
  elements.timeline.replaceChildren();
  elements.drawing.style.visibility = 'hidden';
  elements.placeholder.hidden = false;
  const errors = result.ok ? 0 : result.errors.length;
  elements.placeholder.textContent = `${label} has ${errors} error${errors === 1 ? '' : 's'}; fix them in the editor to run it.`;
  openEditor();
}

function inject(event: ScenarioEvent): void {
  if (!session) return;
  try {
    session.playback.apply(event);
    say(`${formatClock(session.playback.nowMs, true)}: ${describeEvent(event)}`);
  } catch (thrown) {
    say(
      `could not apply ${describeEvent(event)}: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
    );
  }
  dirty = true;
  render(true);
}

function seek(atMs: number): void {
  if (!session) return;
  session.playback.seek(atMs);
  dirty = true;
  render(true);
}

function step(deltaMs: number): void {
  if (!session) return;
  seek(Math.max(0, session.playback.nowMs + deltaMs));
}

function setPlaying(on: boolean): void {
  playing = on && session !== undefined;
  elements.play.textContent = playing ? '❚❚ pause' : '▶ play';
  elements.play.setAttribute('aria-pressed', String(playing));
  document.body.dataset.playing = String(playing);
  if (playing) {
    lastFrame = performance.now();
    carryMs = 0;
    requestAnimationFrame(frame);
  }
}

function frame(time: number): void {
  if (!playing || !session) return;
  const realMs = Math.min(MAX_FRAME_MS, Math.max(0, time - lastFrame));
  lastFrame = time;
  carryMs += realMs * Number(elements.speed.value);
  const whole = Math.floor(carryMs);
  carryMs -= whole;
  if (whole > 0) {
    session.playback.advance(whole);
    dirty = true;
  }
  render(false);
  requestAnimationFrame(frame);
}

function notable(s: Session): NotableEvent[] {
  const trace = s.playback.trace;
  if (
    !notableCache ||
    notableCache.revision !== s.playback.revision ||
    notableCache.playback !== s.playback
  ) {
    notableCache = { playback: s.playback, revision: s.playback.revision, traceLength: 0, events: [] };
  }
  if (trace.length > notableCache.traceLength) {
    notableCache.events.push(...notableEvents(trace, notableCache.traceLength));
    notableCache.traceLength = trace.length;
  }
  // The user's actions first among events of the same millisecond: they cause the rest.
  const merged = [...actionEvents(s.playback.actions), ...notableCache.events];
  return merged.sort(
    (a, b) => a.atMs - b.atMs || (a.kind === 'action' ? -1 : 0) - (b.kind === 'action' ? -1 : 0),
  );
}

function fsmStates(s: Session): Map<string, string> {
  const { playback } = s;
  const key = `${playback.traceNowCount}/${playback.replays}/${playback.revision}`;
  if (!bgpCache || bgpCache.key !== key || bgpCache.playback !== playback) {
    bgpCache = { playback, key, states: bgpStates(playback.trace, playback.traceNowCount) };
  }
  return bgpCache.states;
}

function render(force: boolean): void {
  const s = session;
  if (!s || (!dirty && !force)) return;
  dirty = false;
  const { playback } = s;
  const now = playback.nowMs;
  const snapshot = playback.snapshot();
  renderDrawing(elements.drawing, s.layout, snapshot, fsmStates(s), s.label);
  s.controls.update(snapshot);
  const events = notable(s);
  s.timeline.update(playback.samples, { now, horizon: playback.horizonMs, markers: events });
  s.log.update(events, now, playing);
  elements.now.value = formatClock(now, true);
  elements.now.dataset.nowMs = String(now);
  elements.scrub.max = String(Math.max(60_000, playback.horizonMs));
  elements.scrub.value = String(now);
  elements.scrub.setAttribute('aria-valuetext', formatClock(now, true));
  document.body.dataset.nowMs = String(now);
  const wall = performance.now();
  if (force || !playing || wall - lastResultsAt > 250) {
    lastResultsAt = wall;
    renderResults(
      elements.results,
      playback.summary(),
      actionOutcomes(playback.actions, playback.flowMetrics(), now),
      seek,
    );
  }
}

function openEditor(): void {
  elements.editorHost.hidden = false;
  elements.edit.setAttribute('aria-expanded', 'true');
  editor.focus();
}

function closeEditor(): void {
  elements.editorHost.hidden = true;
  elements.edit.setAttribute('aria-expanded', 'false');
}

function selectDesign(id: string): void {
  const entry = designs.find((d) => d.id === id);
  if (!entry) return;
  elements.design.value = entry.id;
  history.replaceState(null, '', `#design=${encodeURIComponent(entry.id)}`);
  if (entry.readError) {
    say(entry.readError);
  }
  const label = entry.source === 'file' ? entry.path : entry.name;
  const result = editor.setText(entry.text, label);
  if (result.ok) {
    closeEditor();
    start(result, label);
  } else showInvalid(label, result);
}

/** A topology run from the editor shows in the picker as such; picking a design again leaves it. */
function markEdited(label: string): void {
  let option = elements.design.querySelector<HTMLOptionElement>('option[value="edited"]');
  if (!option) {
    option = html('option', { value: 'edited' });
    elements.design.prepend(option);
  }
  option.textContent = `✎ ${label} (from the editor)`;
  elements.design.value = 'edited';
  history.replaceState(null, '', location.pathname);
}

function bindControls(): void {
  elements.play.addEventListener('click', () => setPlaying(!playing));
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-step]')) {
    button.addEventListener('click', () => step(Number(button.dataset.step)));
  }
  elements.scrub.addEventListener('input', () => seek(Number(elements.scrub.value)));
  elements.restart.addEventListener('click', () => {
    if (session) start(session.loaded, session.label);
  });
  elements.design.addEventListener('change', () => {
    if (elements.design.value !== 'edited') selectDesign(elements.design.value);
  });
  elements.edit.addEventListener('click', () => (elements.editorHost.hidden ? openEditor() : closeEditor()));
  elements.settings.addEventListener('submit', (event) => {
    event.preventDefault();
    if (session) start(session.loaded, session.label);
  });
  document.addEventListener('keydown', (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    const tag = target?.tagName ?? '';
    const typing = tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable;
    if (typing) {
      if (event.key === 'Escape' && !elements.editorHost.hidden) closeEditor();
      return;
    }
    const onButton = tag === 'BUTTON' || target?.getAttribute('role') === 'button';
    switch (event.key) {
      case ' ':
        if (onButton) return; // Space presses the focused button.
        event.preventDefault();
        setPlaying(!playing);
        return;
      case 'k':
        setPlaying(!playing);
        return;
      case 'j':
        step(-10_000);
        return;
      case 'l':
        step(10_000);
        return;
      case '.':
        step(1000);
        return;
      case '+':
      case '=':
        changeSpeed(1);
        return;
      case '-':
        changeSpeed(-1);
        return;
      case 'Escape':
        if (!elements.editorHost.hidden) closeEditor();
        return;
      default:
        return;
    }
  });
}

function changeSpeed(direction: number): void {
  const index = SPEEDS.indexOf(Number(elements.speed.value));
  const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, index + direction))] ?? 10;
  elements.speed.value = String(next);
  say(`speed ${next}×`);
}

async function boot(): Promise<void> {
  bindControls();
  try {
    const response = await fetch('/api/designs');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    designs = ((await response.json()) as DesignList).designs;
  } catch (thrown) {
    say(`could not load the designs from the server (${String(thrown)}); paste a topology in the editor`);
    designs = [];
  }
  const groups = new Map<string, HTMLOptGroupElement>();
  for (const entry of designs) {
    const group =
      groups.get(entry.source) ??
      html('optgroup', { label: entry.source === 'file' ? 'your files' : 'seed designs (examples/)' });
    groups.set(entry.source, group);
    group.append(html('option', { value: entry.id, title: entry.path }, `${entry.name} — ${entry.title}`));
  }
  elements.design.replaceChildren(...groups.values());
  document.body.dataset.designs = String(designs.length);
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('design');
  const first =
    designs.find((d) => d.id === fromHash) ??
    designs.find((d) => d.source === 'file') ??
    designs.find((d) => d.id === 'example:bgp-active-active') ??
    designs[0];
  if (first) selectDesign(first.id);
  else openEditor();
  document.body.dataset.ready = 'true';
}

void boot();
