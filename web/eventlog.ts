import { html } from './dom.ts';
import { formatClock } from './format.ts';
import { KIND_COLOR, KIND_LABEL, type NotableEvent, type NotableKind } from './trace-events.ts';

/**
 * The notable events as a list of buttons: click (or Enter) moves the clock to
 * that moment. Events after the current moment (a recorded future) are dimmed;
 * the warm-up, when tunnels and BGP first come up, is hidden unless asked for.
 */
export class EventLog {
  private readonly list: HTMLOListElement;
  private readonly filter: HTMLSelectElement;
  private readonly warmup: HTMLInputElement;
  private signature = '';

  constructor(
    private readonly container: HTMLElement,
    private readonly onSeek: (atMs: number) => void,
  ) {
    this.filter = html(
      'select',
      { 'aria-label': 'show events of kind', 'data-control': 'log-filter' },
      html('option', { value: 'all' }, 'all events'),
      ...(Object.keys(KIND_LABEL) as NotableKind[]).map((kind) =>
        html('option', { value: kind }, KIND_LABEL[kind]),
      ),
    );
    this.warmup = html('input', { type: 'checkbox', 'data-control': 'log-warmup' });
    this.list = html('ol', { class: 'event-log', 'aria-label': 'events; activate one to jump there' });
    container.replaceChildren(
      html(
        'div',
        { class: 'log-tools' },
        this.filter,
        html('label', { class: 'inline' }, this.warmup, ' warm-up'),
      ),
      this.list,
    );
    this.filter.addEventListener('change', () => this.rerender());
    this.warmup.addEventListener('change', () => this.rerender());
  }

  private events: readonly NotableEvent[] = [];
  private now = 0;
  private follow = false;

  update(events: readonly NotableEvent[], nowMs: number, follow: boolean): void {
    this.events = events;
    this.now = nowMs;
    this.follow = follow;
    const past = events.filter((e) => e.atMs <= nowMs).length;
    const signature = `${events.length}/${past}/${this.filter.value}/${this.warmup.checked}`;
    if (signature === this.signature) return;
    this.rerender();
  }

  private rerender(): void {
    const kind = this.filter.value;
    const shown = this.events.filter(
      (e) => (kind === 'all' || e.kind === kind) && (this.warmup.checked || e.atMs >= 0),
    );
    const past = this.events.filter((e) => e.atMs <= this.now).length;
    this.signature = `${this.events.length}/${past}/${this.filter.value}/${this.warmup.checked}`;
    let current: HTMLElement | undefined;
    const items = shown.map((event) => {
      const future = event.atMs > this.now;
      const button = html(
        'button',
        {
          type: 'button',
          class: `log-entry${future ? ' future' : ''}`,
          'data-kind': event.kind,
          'data-at-ms': event.atMs,
          title: `jump to ${formatClock(event.atMs, true)}`,
        },
        html('span', { class: 'log-time' }, formatClock(event.atMs, true)),
        html(
          'span',
          { class: 'log-kind', style: `background:${KIND_COLOR[event.kind]}` },
          KIND_LABEL[event.kind],
        ),
        html('span', { class: 'log-text' }, event.text),
      );
      button.addEventListener('click', () => this.onSeek(Math.max(0, event.atMs)));
      const item = html('li', {}, button);
      if (!future) current = item;
      return item;
    });
    if (items.length === 0) items.push(html('li', { class: 'log-empty' }, 'no events yet'));
    this.list.replaceChildren(...items);
    if (this.follow && current) current.scrollIntoView({ block: 'nearest' });
    this.container.dataset.entries = String(shown.length);
  }
}
