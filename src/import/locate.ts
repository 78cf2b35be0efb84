/**
 * Line and column of an issue's JSON path in the input text, so a message reads
 * `vpnconfig.json:14:9: [0].vpnSiteConfiguration.Name: …`: the key of the last
 * segment when it names an object member, else the value; the deepest existing
 * ancestor when the field is missing (as model/source-position.ts does for YAML).
 * One linear, iterative pass over the JSON text — no parser that recurses, so
 * nesting or size cannot take the process down (the yaml parser used before
 * aborts V8 on deep input, and took 2 s for 4 MB) —; a text that stops being
 * JSON just leaves the rest unlocated. Platform-free.
 */
import { formatPath, type IssuePath, type PathSegment } from '../model/index.ts';
import type { ImportIssue } from './reader.ts';

/** Where a value sits: its start, and its key's when it is an object member (first of duplicate keys). */
interface Place {
  readonly key: number | undefined;
  readonly value: number;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Index after the string starting at `from` (a double quote), or -1 if it never closes. */
function stringEnd(text: string, from: number): number {
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return -1;
}

/** The places of the values at `wanted` paths (keys: `JSON.stringify(path)`), in one pass over the text. */
export function jsonPlaces(text: string, wanted: ReadonlySet<string>): Map<string, Place> {
  const found = new Map<string, Place>();
  const stack: { array: boolean; path: PathSegment[]; index: number }[] = [];
  let path: PathSegment[] = [];
  let keyAt: number | undefined;
  let state: 'value' | 'after' | 'key' | 'firstKey' | 'firstItem' = 'value';
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (state === 'firstItem' || state === 'firstKey') {
      if (c === (state === 'firstItem' ? 0x5d : 0x7d)) {
        stack.pop();
        state = 'after';
        i++;
        continue;
      }
      if (state === 'firstItem' && top !== undefined) {
        path = [...top.path, 0];
        keyAt = undefined;
        state = 'value';
      } else state = 'key';
    }
    if (state === 'key') {
      const end = c === 0x22 ? stringEnd(text, i) : -1;
      if (end < 0 || top === undefined) return found;
      let key: string;
      try {
        key = JSON.parse(text.slice(i, end)) as string;
      } catch {
        return found;
      }
      path = [...top.path, key];
      keyAt = i;
      i = end;
      while (i < text.length && isSpace(text.charCodeAt(i))) i++;
      if (text.charCodeAt(i) !== 0x3a) return found;
      i++;
      state = 'value';
      continue;
    }
    if (state === 'value') {
      const id = JSON.stringify(path);
      if (wanted.has(id) && !found.has(id)) found.set(id, { key: keyAt, value: i });
      if (c === 0x7b || c === 0x5b) {
        stack.push({ array: c === 0x5b, path, index: 0 });
        state = c === 0x5b ? 'firstItem' : 'firstKey';
        i++;
      } else if (c === 0x22) {
        i = stringEnd(text, i);
        if (i < 0) return found;
        state = 'after';
      } else {
        // A number, true, false or null: up to the next delimiter.
        while (i < text.length && !isSpace(text.charCodeAt(i)) && !',]}'.includes(text.charAt(i))) i++;
        state = 'after';
      }
      continue;
    }
    // After a value: a comma, or the end of its container.
    if (top === undefined) return found;
    if (c === 0x2c) {
      i++;
      if (top.array) {
        top.index++;
        path = [...top.path, top.index];
        keyAt = undefined;
        state = 'value';
      } else state = 'key';
    } else if (c === (top.array ? 0x5d : 0x7d)) {
      stack.pop();
      i++;
    } else return found;
  }
  return found;
}

/** Adds line:column to the issues whose source is `source`. */
export function locateIssues(source: string, text: string, issues: readonly ImportIssue[]): ImportIssue[] {
  const mine = issues.filter((issue) => issue.source === source && issue.path.length > 0);
  if (mine.length === 0) return [...issues];
  const wanted = new Set<string>();
  for (const issue of mine)
    for (let n = 0; n <= issue.path.length; n++) wanted.add(JSON.stringify(issue.path.slice(0, n)));
  const places = jsonPlaces(text, wanted);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x0a) lineStarts.push(i + 1);
  const position = (offset: number): { line: number; column: number } => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (lineStarts[low] as number) + 1 };
  };
  return issues.map((issue) => {
    if (issue.source !== source || issue.path.length === 0) return issue;
    for (let n = issue.path.length; n >= 0; n--) {
      const place = places.get(JSON.stringify(issue.path.slice(0, n)));
      if (place === undefined) continue;
      const whole = n === issue.path.length;
      const at = position(whole && place.key !== undefined ? place.key : place.value);
      return { ...issue, ...at };
    }
    return issue;
  });
}

/** Keys longer than this are cut in printed paths: a path names a field, it does not quote the file. */
const PATH_KEY_LIMIT = 60;

function shortPath(path: IssuePath): IssuePath {
  return path.map((segment) =>
    typeof segment === 'string' && segment.length > PATH_KEY_LIMIT
      ? `${segment.slice(0, PATH_KEY_LIMIT - 3)}...`
      : segment,
  );
}

/** `file:line:column: path: message`, each part present when known. */
export function formatImportIssue(issue: ImportIssue): string {
  const where =
    issue.line === undefined ? issue.source : `${issue.source}:${issue.line}:${issue.column ?? 1}`;
  const path =
    issue.path.length === 0
      ? ''
      : `${issue.source === 'command line' ? issue.path.join(' ') : formatPath(shortPath(issue.path))}: `;
  return `${where}: ${path}${issue.message}`;
}
