/**
 * Reading Azure's JSON files with every problem reported against the JSON path in
 * the input (`resources[3].properties.vpnSiteLinks[0].properties.ipAddress`), never
 * as an exception. Azure's REST API matches property names case-insensitively and its
 * own outputs disagree on case (`ipconfigurationId` in bgpPeeringAddresses,
 * `ipConfigurationId` in vpnGatewayCustomBgpAddresses), so lookups here do too.
 * Platform-free.
 */
import { formatPath, type IssuePath } from '../model/index.ts';
import { closest } from '../model/suggest.ts';

export type Json = null | boolean | number | string | readonly Json[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: Json;
}

export type ImportSeverity = 'error' | 'warning' | 'note';

export interface ImportIssue {
  readonly severity: ImportSeverity;
  /** The input file the path belongs to. */
  readonly source: string;
  /** JSON path in that file; empty for the whole file. */
  readonly path: IssuePath;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** A value with where it came from. */
export interface At<T> {
  readonly value: T;
  readonly source: string;
  readonly path: IssuePath;
}

/** Fields whose values are secrets: never quoted in a message. */
const SECRET_FIELDS = new Set(['sharedkey', 'psk', 'sitekey']);

export function isSecretField(key: string): boolean {
  return SECRET_FIELDS.has(key.toLowerCase());
}

export function isJsonObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Longest piece of an input value a message quotes. */
export const QUOTE_LIMIT = 60;

/**
 * A value from the input as a message shows it, unquoted: cut at 60 characters
 * and control characters escaped, so a message never echoes a huge or
 * multi-line value back.
 */
export function shown(text: string, max = QUOTE_LIMIT): string {
  const cut = text.length > max ? `${text.slice(0, max - 3)}...` : text;
  let out = '';
  for (const c of cut) {
    const code = c.charCodeAt(0);
    out +=
      code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029
        ? `\\u${code.toString(16).padStart(4, '0')}`
        : c;
  }
  return out;
}

/** The same, in double quotes. */
export function quoted(text: string): string {
  return JSON.stringify(text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT - 3)}...` : text);
}

/** `a, b, c` — or `a, b, c and 997 more`: names listed in a message, never all of a huge file's. */
export function listed(items: readonly string[], max = 5): string {
  const head = items
    .slice(0, max)
    .map((item) => shown(item))
    .join(', ');
  return items.length > max ? `${head} and ${(items.length - max).toLocaleString('en-US')} more` : head;
}

/** `"abc"`, `42`, `a list`: short and safe; a secret is never shown. */
export function describeJson(value: Json | undefined, secret = false): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (secret) return `a ${typeof value}`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

export class IssueList {
  readonly items: ImportIssue[] = [];
  private readonly seen = new Set<string>();

  /** The same issue at the same place is reported once (a field can be read more than once). */
  add(severity: ImportSeverity, at: { source: string; path: IssuePath }, message: string): void {
    const key = JSON.stringify([severity, at.source, at.path, message]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push({ severity, source: at.source, path: at.path, message });
  }
  error(at: { source: string; path: IssuePath }, message: string): void {
    this.add('error', at, message);
  }
  warning(at: { source: string; path: IssuePath }, message: string): void {
    this.add('warning', at, message);
  }
  note(at: { source: string; path: IssuePath }, message: string): void {
    this.add('note', at, message);
  }
  get errorCount(): number {
    return this.items.filter((issue) => issue.severity === 'error').length;
  }
}

/** Turns an ARM template expression string into its value, or reports why it cannot. */
export type ExpressionEvaluator = (
  text: string,
  at: { source: string; path: IssuePath },
) => { ok: true; value: Json } | { ok: false; error: string };

/** How to treat a field the importer does not know. */
export type UnknownFieldPolicy = 'error' | 'warning';

export class Reader {
  constructor(
    readonly issues: IssueList,
    readonly unknownFields: UnknownFieldPolicy = 'error',
    readonly evaluate?: ExpressionEvaluator,
  ) {}

  /** An ARM template expression (`[concat(...)]`) evaluated; `[[` escapes a literal `[`. */
  resolve(at: At<Json>): At<Json> | undefined {
    const { value } = at;
    if (typeof value !== 'string' || this.evaluate === undefined) return at;
    if (value.startsWith('[[')) return { ...at, value: value.slice(1) };
    if (!(value.startsWith('[') && value.endsWith(']'))) return at;
    const result = this.evaluate(value, at);
    if (!result.ok) {
      this.issues.error(at, result.error);
      return undefined;
    }
    return { ...at, value: result.value };
  }

  /** The field `key` (case-insensitively), its expression evaluated; undefined when absent or null. */
  field(object: At<JsonObject>, key: string): At<Json> | undefined {
    const actual = findKey(object.value, key);
    if (actual === undefined) return undefined;
    const value = object.value[actual];
    if (value === undefined || value === null) return undefined;
    return this.resolve({ value, source: object.source, path: [...object.path, actual] });
  }

  has(object: At<JsonObject>, key: string): boolean {
    return this.field(object, key) !== undefined;
  }

  asObject(at: At<Json>, what: string): At<JsonObject> | undefined {
    const resolved = this.resolve(at);
    if (resolved === undefined) return undefined;
    if (isJsonObject(resolved.value)) return { ...resolved, value: resolved.value };
    this.issues.error(at, `expected ${what} (an object), found ${describeJson(resolved.value)}`);
    return undefined;
  }

  object(object: At<JsonObject>, key: string, what = 'an object'): At<JsonObject> | undefined {
    const at = this.field(object, key);
    return at === undefined ? undefined : this.asObject(at, what);
  }

  requireObject(object: At<JsonObject>, key: string, why: string): At<JsonObject> | undefined {
    const found = this.object(object, key);
    if (found === undefined && !this.has(object, key)) this.missing(object, key, why);
    return found;
  }

  array(object: At<JsonObject>, key: string): At<Json>[] {
    const at = this.field(object, key);
    if (at === undefined) return [];
    if (!Array.isArray(at.value)) {
      this.issues.error(at, `expected a list, found ${describeJson(at.value)}`);
      return [];
    }
    const items: readonly Json[] = at.value;
    const resolved: At<Json>[] = [];
    items.forEach((item, index) => {
      const itemAt = this.resolve({ value: item, source: at.source, path: [...at.path, index] });
      if (itemAt !== undefined) resolved.push(itemAt);
    });
    return resolved;
  }

  string(object: At<JsonObject>, key: string): At<string> | undefined {
    const at = this.field(object, key);
    if (at === undefined) return undefined;
    if (typeof at.value === 'string') return { ...at, value: at.value };
    this.issues.error(at, `expected text, found ${describeJson(at.value, isSecretField(key))}`);
    return undefined;
  }

  requireString(object: At<JsonObject>, key: string, why: string): At<string> | undefined {
    const found = this.string(object, key);
    if (found === undefined && !this.has(object, key)) this.missing(object, key, why);
    return found;
  }

  number(object: At<JsonObject>, key: string): At<number> | undefined {
    const at = this.field(object, key);
    if (at === undefined) return undefined;
    if (typeof at.value === 'number') return { ...at, value: at.value };
    // Azure CLI and the portal sometimes write numbers as text ("65010").
    if (typeof at.value === 'string' && /^-?\d+$/.test(at.value.trim())) {
      return { ...at, value: Number(at.value.trim()) };
    }
    this.issues.error(at, `expected a number, found ${describeJson(at.value)}`);
    return undefined;
  }

  boolean(object: At<JsonObject>, key: string): At<boolean> | undefined {
    const at = this.field(object, key);
    if (at === undefined) return undefined;
    if (typeof at.value === 'boolean') return { ...at, value: at.value };
    if (typeof at.value === 'string' && /^(true|false)$/i.test(at.value)) {
      return { ...at, value: at.value.toLowerCase() === 'true' };
    }
    this.issues.error(at, `expected true or false, found ${describeJson(at.value)}`);
    return undefined;
  }

  /** A list of strings; entries of another type are errors. */
  strings(object: At<JsonObject>, key: string): At<string>[] {
    const out: At<string>[] = [];
    for (const item of this.array(object, key)) {
      if (typeof item.value === 'string') out.push({ ...item, value: item.value });
      else this.issues.error(item, `expected text, found ${describeJson(item.value)}`);
    }
    return out;
  }

  missing(object: At<JsonObject>, key: string, why: string): void {
    this.issues.error(object, `${key} is missing; ${why}`);
  }

  /**
   * Every field of `object` must be one of `known` (case-insensitively). An unknown one
   * is an error naming its path, with a suggestion when one is close — or a warning
   * when the user asked to import files from newer API versions anyway.
   */
  checkFields(object: At<JsonObject>, known: readonly string[], what: string): void {
    const lower = new Set(known.map((key) => key.toLowerCase()));
    for (const key of Object.keys(object.value)) {
      if (lower.has(key.toLowerCase())) continue;
      const guess = closest(key, known);
      const hint = guess === undefined ? '' : `; did you mean "${guess}"?`;
      const at = { source: object.source, path: [...object.path, key] };
      if (this.unknownFields === 'error') {
        this.issues.error(
          at,
          `unknown field in ${what}${hint} (if a newer Azure version added it, rerun with --ignore-unknown to import without it)`,
        );
      } else {
        this.issues.warning(at, `unknown field in ${what}${hint}; not imported`);
      }
    }
  }
}

/** The key of `object` equal to `key` ignoring case, preferring an exact match. */
export function findKey(object: JsonObject, key: string): string | undefined {
  if (Object.hasOwn(object, key)) return key;
  const lower = key.toLowerCase();
  return Object.keys(object).find((candidate) => candidate.toLowerCase() === lower);
}

/** `file: resources[2].name` for messages that point at another place. */
export function where(at: { source: string; path: IssuePath }): string {
  return at.path.length === 0 ? at.source : formatPath(at.path);
}
