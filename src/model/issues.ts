/**
 * A problem found in a topology file: errors reject it, warnings let it through.
 * Issues are values (STYLE.md): each names the field path in the input file and,
 * when the text came from a file, the line and column of that field.
 */

export type PathSegment = string | number;
export type IssuePath = readonly PathSegment[];

export interface TopologyIssue {
  readonly severity: 'error' | 'warning';
  /** Field path in the input, e.g. ['vpnSites', 1, 'devices', 0, 'name']; empty for the whole file. */
  readonly path: IssuePath;
  /** What is wrong and what would be accepted. */
  readonly message: string;
  /** 1-based position of the field in the source text, when known. */
  readonly line?: number;
  readonly column?: number;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `vpnSites[1].devices[0].name` — the way a user points at a field. */
export function formatPath(path: IssuePath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/**
 * One line per issue: `[source:]line:column: path: message`, each part present
 * when known. Severity is left to the caller (a CLI prefixes it).
 */
export function formatIssue(issue: TopologyIssue, source?: string): string {
  const parts: string[] = [];
  const where = issue.line !== undefined ? `${issue.line}:${issue.column ?? 1}` : undefined;
  if (source !== undefined && where !== undefined) parts.push(`${source}:${where}`);
  else if (source !== undefined) parts.push(source);
  else if (where !== undefined) parts.push(where);
  if (issue.path.length > 0) parts.push(formatPath(issue.path));
  parts.push(issue.message);
  return parts.join(': ');
}

export function error(path: IssuePath, message: string): TopologyIssue {
  return { severity: 'error', path, message };
}

export function warning(path: IssuePath, message: string): TopologyIssue {
  return { severity: 'warning', path, message };
}
