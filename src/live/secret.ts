/**
 * The lab's pre-shared key, kept out of everything but the 0600 swanctl.conf files.
 *
 * A `Secret` holds its value in a private field: `JSON.stringify`, `String()`,
 * `util.inspect` (console.log), and test diffs all see `[hidden]`, so a plan that is
 * logged, printed or serialised by mistake carries no key. Only `reveal()` gives the
 * value, and only the config renderers call it.
 *
 * As a second line, a process registers the real key (`registerSecret`) and every text
 * the lab prints — command errors (which quote a command's output), CLI output, `--json`
 * — goes through `redactSecrets`, which replaces the key, raw or hex-encoded (as
 * swanctl.conf writes it), with `[hidden]`.
 */
import { inspect } from 'node:util';

export const HIDDEN = '[hidden]';

/** Keys shorter than this are not redacted from output: they would mask ordinary words. */
export const MIN_REDACTED_LENGTH = 8;

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The key itself: for rendering the 0600 swanctl.conf, nothing else. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return HIDDEN;
  }

  toJSON(): string {
    return HIDDEN;
  }

  [inspect.custom](): string {
    return HIDDEN;
  }
}

const registered = new Set<string>();

/** Every form in which `value` could show up in a text: as it is, and hex-encoded (swanctl.conf's `0x…`). */
function formsOf(value: string): string[] {
  const hex = Buffer.from(value, 'utf8').toString('hex');
  return [value, hex, hex.toUpperCase()];
}

/** From now on `redactSecrets` hides `value` (ignored when shorter than MIN_REDACTED_LENGTH). */
export function registerSecret(value: Secret | string): void {
  const text = typeof value === 'string' ? value : value.reveal();
  if (text.length < MIN_REDACTED_LENGTH) return;
  for (const form of formsOf(text)) registered.add(form);
}

/** `text` with every registered secret replaced by `[hidden]`. */
export function redactSecrets(text: string): string {
  let out = text;
  // Longest first: the hex form contains no raw form, but a raw key may contain another key.
  for (const form of [...registered].sort((a, b) => b.length - a.length)) {
    if (out.includes(form)) out = out.split(form).join(HIDDEN);
  }
  return out;
}

/** For tests: forget every registered secret. */
export function clearRegisteredSecrets(): void {
  registered.clear();
}
