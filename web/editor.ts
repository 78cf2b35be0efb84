import {
  formatPath,
  type LoadResult,
  loadTopology,
  summarizeTopology,
  type TopologyIssue,
} from '../src/model/index.ts';
import { html } from './dom.ts';

/**
 * The topology as text: paste it, open a file (read in the browser, never
 * uploaded) or edit a design. Validated as you type with the same loader as
 * `vwan-ha validate`; each issue points at its field (path) and line, marked in
 * the gutter, and a click puts the caret there.
 */
export class TopologyEditor {
  readonly element: HTMLElement;
  private readonly textarea: HTMLTextAreaElement;
  private readonly gutter: HTMLElement;
  /** Behind the (transparent) textarea: the lines with issues, highlighted in place. */
  private readonly backdrop: HTMLElement;
  private readonly status: HTMLElement;
  private readonly issues: HTMLOListElement;
  private readonly title: HTMLElement;
  private readonly runButton: HTMLButtonElement;
  private label = 'pasted topology';
  private timer: number | undefined;

  constructor(
    private readonly onRun: (result: Extract<LoadResult, { ok: true }>, label: string) => void,
    private readonly onClose: () => void,
  ) {
    this.title = html('h2', { id: 'editor-title' }, 'Topology');
    const fileInput = html('input', {
      type: 'file',
      accept: '.yaml,.yml,.json,application/json,text/yaml',
      class: 'visually-hidden',
      tabindex: -1,
      id: 'editor-file',
      'data-control': 'open-file',
    });
    fileInput.addEventListener('change', () => {
      const file = fileInput.files?.[0];
      if (file) void this.readFile(file);
      fileInput.value = '';
    });
    const openLabel = html(
      'label',
      { for: 'editor-file', class: 'button', tabindex: 0, role: 'button' },
      'Open file…',
    );
    openLabel.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        fileInput.click();
      }
    });
    this.runButton = html(
      'button',
      { type: 'button', class: 'primary', 'data-control': 'run-topology' },
      'Run this topology',
    );
    this.runButton.addEventListener('click', () => this.run());
    const close = html('button', { type: 'button', 'data-control': 'close-editor' }, 'Close');
    close.addEventListener('click', () => this.onClose());

    this.gutter = html('div', { class: 'gutter', 'aria-hidden': 'true' });
    this.backdrop = html('div', { class: 'backdrop', 'aria-hidden': 'true' });
    this.textarea = html('textarea', {
      spellcheck: 'false',
      wrap: 'off',
      'aria-label': 'topology (YAML or JSON)',
      'aria-describedby': 'editor-status',
      'data-control': 'topology-text',
    });
    this.textarea.addEventListener('input', () => this.scheduleValidation());
    this.textarea.addEventListener('scroll', () => {
      this.gutter.scrollTop = this.textarea.scrollTop;
      this.backdrop.scrollTop = this.textarea.scrollTop;
      this.backdrop.scrollLeft = this.textarea.scrollLeft;
    });
    this.textarea.addEventListener('dragover', (event) => event.preventDefault());
    this.textarea.addEventListener('drop', (event) => {
      const file = event.dataTransfer?.files[0];
      if (!file) return;
      event.preventDefault();
      void this.readFile(file);
    });
    this.status = html('p', { id: 'editor-status', class: 'editor-status', role: 'status' });
    this.issues = html('ol', { class: 'issues', 'aria-label': 'validation issues' });
    this.element = html(
      'section',
      { class: 'editor', 'aria-labelledby': 'editor-title', 'data-panel': 'editor' },
      html(
        'div',
        { class: 'editor-head' },
        this.title,
        html('span', { class: 'spacer' }),
        fileInput,
        openLabel,
        this.runButton,
        close,
      ),
      html(
        'p',
        { class: 'hint' },
        'Paste or type a topology (YAML or JSON, see docs/MODEL.md), open a file, or drop one here. It is checked as you type.',
      ),
      html(
        'div',
        { class: 'editor-grid' },
        this.gutter,
        html('div', { class: 'editor-text' }, this.backdrop, this.textarea),
      ),
      this.status,
      this.issues,
    );
  }

  setText(text: string, label: string): LoadResult {
    this.label = label;
    this.title.textContent = `Topology: ${label}`;
    this.textarea.value = text;
    this.textarea.scrollTop = 0;
    return this.validateNow();
  }

  focus(): void {
    this.textarea.focus();
  }

  private async readFile(file: File): Promise<void> {
    const text = await file.text();
    this.setText(text, file.name);
  }

  private scheduleValidation(): void {
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.validateNow(), 200);
  }

  private run(): void {
    const result = this.validateNow();
    if (result.ok) this.onRun(result, this.label);
  }

  validateNow(): LoadResult {
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = undefined;
    const text = this.textarea.value;
    const result = loadTopology(text);
    const errors = result.ok ? [] : result.errors;
    const warnings = result.warnings;
    this.renderGutter(text, [...errors, ...warnings]);
    this.element.dataset.valid = String(result.ok);
    this.element.dataset.errors = String(errors.length);
    this.element.dataset.warnings = String(warnings.length);
    this.runButton.disabled = !result.ok;
    if (result.ok) {
      this.status.className = 'editor-status ok';
      this.status.textContent = `✓ valid: ${summarizeTopology(result.topology)}${warnings.length > 0 ? ` — ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''}`;
    } else {
      this.status.className = 'editor-status bad';
      this.status.textContent = `✗ ${errors.length} error${errors.length === 1 ? '' : 's'}: fix ${errors.length === 1 ? 'it' : 'them'} to run this topology`;
    }
    this.issues.replaceChildren(...[...errors, ...warnings].map((issue) => this.issueItem(issue)));
    return result;
  }

  private issueItem(issue: TopologyIssue): HTMLLIElement {
    const where =
      issue.line !== undefined
        ? `line ${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''}`
        : 'file';
    const path = formatPath(issue.path);
    const button = html(
      'button',
      { type: 'button', class: `issue issue-${issue.severity}` },
      html('span', { class: 'issue-where' }, where),
      path === '' ? undefined : html('code', { class: 'issue-path' }, path),
      html('span', { class: 'issue-message' }, issue.message),
    );
    button.addEventListener('click', () => this.select(issue.line));
    return html(
      'li',
      {
        'data-severity': issue.severity,
        'data-line': issue.line,
        'data-column': issue.column,
        'data-path': path,
      },
      button,
    );
  }

  /** Puts the caret on a line and scrolls it into view. */
  private select(line: number | undefined): void {
    this.textarea.focus();
    if (line === undefined) return;
    const lines = this.textarea.value.split('\n');
    let start = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) start += (lines[i]?.length ?? 0) + 1;
    const end = start + (lines[line - 1]?.length ?? 0);
    this.textarea.setSelectionRange(start, end);
    const lineHeight = Number.parseFloat(getComputedStyle(this.textarea).lineHeight) || 18;
    this.textarea.scrollTop = Math.max(0, (line - 4) * lineHeight);
  }

  private renderGutter(text: string, issues: readonly TopologyIssue[]): void {
    const byLine = new Map<number, TopologyIssue[]>();
    for (const issue of issues) {
      if (issue.line === undefined) continue;
      const list = byLine.get(issue.line) ?? [];
      list.push(issue);
      byLine.set(issue.line, list);
    }
    const count = text.split('\n').length;
    const rows: HTMLElement[] = [];
    const marked: HTMLElement[] = [];
    for (let line = 1; line <= count; line++) {
      const marks = byLine.get(line);
      const severity = marks?.some((m) => m.severity === 'error') ? 'error' : marks ? 'warning' : undefined;
      rows.push(
        html(
          'div',
          {
            class: severity ? `gutter-line gutter-${severity}` : 'gutter-line',
            title: marks?.map((m) => `${formatPath(m.path)}: ${m.message}`).join('\n'),
            'data-gutter-line': line,
          },
          severity ? `● ${line}` : String(line),
        ),
      );
      marked.push(
        html('div', { class: severity ? `backdrop-line backdrop-${severity}` : 'backdrop-line' }, '\u00a0'),
      );
    }
    this.gutter.replaceChildren(...rows);
    this.backdrop.replaceChildren(...marked);
    this.gutter.scrollTop = this.textarea.scrollTop;
    this.backdrop.scrollTop = this.textarea.scrollTop;
  }
}
