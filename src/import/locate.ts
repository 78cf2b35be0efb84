/**
 * Line and column of an issue's JSON path in the input text, so a message reads
 * `vpnconfig.json:14:9: [0].vpnSiteConfiguration.Name: …`. Uses the yaml parser's
 * node ranges (JSON is YAML 1.2); a file it cannot parse just gets no positions.
 * Platform-free.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { formatPath, type IssuePath } from '../model/index.ts';
import type { ImportIssue } from './reader.ts';

function offsetOf(root: unknown, path: IssuePath): number | undefined {
  let node: unknown = root;
  let offset = rangeStart(root);
  for (const [index, segment] of path.entries()) {
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node) && typeof segment === 'string') {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment,
      );
      if (pair !== undefined) {
        next = pair.value;
        keyOffset = rangeStart(pair.key);
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
    }
    if (next === undefined && keyOffset === undefined) return offset;
    const last = index === path.length - 1;
    offset = (last ? keyOffset : undefined) ?? rangeStart(next) ?? keyOffset ?? offset;
    node = next;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as Node).range;
  return Array.isArray(range) ? range[0] : undefined;
}

/** Adds line:column to the issues whose source is `source`. */
export function locateIssues(source: string, text: string, issues: readonly ImportIssue[]): ImportIssue[] {
  const lineCounter = new LineCounter();
  let contents: unknown;
  try {
    const document = parseDocument(text, {
      lineCounter,
      prettyErrors: false,
      uniqueKeys: false,
      logLevel: 'silent',
    });
    if (document.errors.length > 0) return [...issues];
    contents = document.contents;
  } catch {
    return [...issues];
  }
  return issues.map((issue) => {
    if (issue.source !== source || issue.path.length === 0) return issue;
    const offset = offsetOf(contents, issue.path);
    if (offset === undefined) return issue;
    const position = lineCounter.linePos(offset);
    return { ...issue, line: position.line, column: position.col };
  });
}

/** `file:line:column: path: message`, each part present when known. */
export function formatImportIssue(issue: ImportIssue): string {
  const where =
    issue.line === undefined ? issue.source : `${issue.source}:${issue.line}:${issue.column ?? 1}`;
  const path =
    issue.path.length === 0
      ? ''
      : `${issue.source === 'command line' ? issue.path.join(' ') : formatPath(issue.path)}: `;
  return `${where}: ${path}${issue.message}`;
}
