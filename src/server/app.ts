import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  formatIssue,
  formatPath,
  loadTopology,
  summarizeTopology,
  type TopologyIssue,
} from '../model/index.ts';
import type { WebAsset } from './assets.ts';
import { isAllowedHost, isAllowedOrigin, readBodyLimited, SECURITY_HEADERS } from './security.ts';
import type { DesignEntry, DesignList, ValidateIssue, ValidateResponse } from './wire.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface WebServerOptions {
  /** URL path → file, a fixed set: nothing else is ever served. */
  readonly assets: ReadonlyMap<string, WebAsset>;
  readonly designs: () => Promise<readonly DesignEntry[]>;
  readonly maxBodyBytes?: number;
}

/**
 * The HTTP server behind `vwan-ha serve`: the bundled page, the list of designs,
 * and a validation endpoint for scripts. Every request must name a loopback host;
 * there is no CORS, no directory listing and no path ever reaches the file system.
 */
export function createWebServer(options: WebServerOptions): Server {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const server = createServer((request, response) => {
    const port = (server.address() as AddressInfo | null)?.port ?? 0;
    handle(request, response, port, options, maxBodyBytes).catch((thrown: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain', `internal error: ${String(thrown)}\n`);
      else response.destroy();
    });
  });
  return server;
}

/** Listens on 127.0.0.1 (never all interfaces) and resolves with the address to print. */
export function listenLoopback(server: Server, port: number): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      const address = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${address.port}/`, port: address.port });
    });
  });
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  port: number,
  options: WebServerOptions,
  maxBodyBytes: number,
): Promise<void> {
  if (!isAllowedHost(request.headers.host, port)) {
    send(
      response,
      403,
      'text/plain',
      'refused: vwan-ha answers only requests addressed to 127.0.0.1 or localhost (Host header)\n',
    );
    return;
  }
  const pathname = pathOf(request.url);
  const method = request.method ?? 'GET';

  if (pathname === '/api/validate') {
    if (method !== 'POST') return methodNotAllowed(response, 'POST');
    if (!isAllowedOrigin(headerText(request.headers.origin), port)) {
      send(response, 403, 'text/plain', 'refused: cross-origin request\n');
      return;
    }
    const body = await readBodyLimited(request, maxBodyBytes);
    if (!body.ok) {
      send(response, body.status, 'text/plain', `refused: ${body.reason}\n`, { Connection: 'close' });
      return;
    }
    sendJson(response, 200, validate(body.text));
    return;
  }

  if (pathname === '/api/designs') {
    if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, 'GET, HEAD');
    const list: DesignList = { designs: await options.designs() };
    sendJson(response, 200, list, method === 'HEAD');
    return;
  }

  const asset = pathname === undefined ? undefined : options.assets.get(pathname);
  if (asset === undefined) {
    send(response, 404, 'text/plain', 'not found\n');
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(response, 'GET, HEAD');
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': asset.contentType,
    'Content-Length': asset.body.length,
  });
  response.end(method === 'HEAD' ? undefined : asset.body);
}

/** The path of the request target, undecoded; undefined for anything but an origin-form path. */
function pathOf(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith('/')) return undefined;
  const end = target.search(/[?#]/);
  return end < 0 ? target : target.slice(0, end);
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function validate(text: string): ValidateResponse {
  const result = loadTopology(text);
  const issue = (i: TopologyIssue): ValidateIssue => ({
    path: formatPath(i.path),
    message: i.message,
    ...(i.line !== undefined ? { line: i.line } : {}),
    ...(i.column !== undefined ? { column: i.column } : {}),
    text: formatIssue(i),
  });
  return result.ok
    ? {
        ok: true,
        summary: summarizeTopology(result.topology),
        errors: [],
        warnings: result.warnings.map(issue),
      }
    : { ok: false, errors: result.errors.map(issue), warnings: result.warnings.map(issue) };
}

function methodNotAllowed(response: ServerResponse, allow: string): void {
  send(response, 405, 'text/plain', 'method not allowed\n', { Allow: allow });
}

function sendJson(response: ServerResponse, status: number, value: unknown, headOnly = false): void {
  const body = Buffer.from(JSON.stringify(value));
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
  });
  response.end(headOnly ? undefined : body);
}

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  text: string,
  extra: Record<string, string> = {},
): void {
  const body = Buffer.from(text);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    ...extra,
    'Content-Type': `${contentType}; charset=utf-8`,
    'Content-Length': body.length,
  });
  response.end(body);
}
