/**
 * What the server sends the page, as plain JSON. Platform-free: the page imports
 * these types, the server produces them.
 */

/** One topology the page can open: an example design or a file given on the command line. */
export interface DesignEntry {
  /** Stable within one server run: `example:<file stem>` or `file:<index>`. */
  readonly id: string;
  /** The file's name, e.g. `bgp-active-active.yaml`. */
  readonly name: string;
  /** The seed design it reproduces (from the file's first comment), or its name. */
  readonly title: string;
  readonly source: 'example' | 'file';
  /** As given on the command line for files; `examples/<name>` for examples. */
  readonly path: string;
  /** The file's text; empty when it could not be read (see readError). */
  readonly text: string;
  readonly readError?: string;
}

export interface DesignList {
  readonly designs: readonly DesignEntry[];
}

/** `POST /api/validate`: the same verdict as `vwan-ha validate --json`. */
export interface ValidateResponse {
  readonly ok: boolean;
  readonly summary?: string;
  readonly errors: readonly ValidateIssue[];
  readonly warnings: readonly ValidateIssue[];
}

export interface ValidateIssue {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
  /** One line, `line:column: path: message`, as the CLI prints it. */
  readonly text: string;
}
