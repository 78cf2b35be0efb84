/**
 * Line and column of an issue's JSON path in the input text, so a message reads
 * `vpnconfig.json:14:9: [0].vpnSiteConfiguration.Name: …`. Uses the yaml parser's
 * node ranges (JSON is YAML 1.2); a file it cannot parse just gets no positions.
 * Platform-free.
 */
import { LineCounter, parseDocument } from 'yaml';
import { formatPath } from '../model/index.ts';
import { offsetOf } from '../model/source-position.ts';
import type { ImportIssue } from './reader.ts';

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
