import type { IncomingMessage } from 'node:http';

/**
 * The server listens on the loopback address only, and answers only requests
 * addressed to it by a loopback name. A web page elsewhere can point its own
 * hostname at 127.0.0.1 (DNS rebinding) and then talk to us as same-origin; its
 * requests still carry its hostname in Host, and are refused here.
 */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost']);

/** `127.0.0.1`, `localhost`, optionally with `:<port>` equal to the port we listen on. */
export function isAllowedHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const match = /^([^:]+)(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  if (!match) return false;
  const [, name, portText] = match;
  if (name === undefined || !LOOPBACK_NAMES.has(name)) return false;
  return portText === undefined || Number(portText) === port;
}

/**
 * A POST from another origin (a form on a web page, say) is refused: browsers send
 * Origin with every POST, so its absence means a non-browser client such as curl.
 */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && isAllowedHost(url.host, port);
}

export type BodyResult =
  | { readonly ok: true; readonly text: string }
  | { readonly ok: false; readonly status: 400 | 413; readonly reason: string };

/**
 * Reads a request body of at most `limitBytes`. A declared Content-Length over the
 * limit is refused before a byte is read; a body that grows past it (chunked) is
 * refused as soon as it does, and the rest is not buffered.
 */
export function readBodyLimited(request: IncomingMessage, limitBytes: number): Promise<BodyResult> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    return Promise.resolve({ ok: false, status: 413, reason: tooLarge(limitBytes) });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      request.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        chunks.length = 0;
        // Stop buffering; whatever else arrives is discarded while the refusal is sent.
        request.resume();
        settle({ ok: false, status: 413, reason: tooLarge(limitBytes) });
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = new TextDecoder('utf-8', { fatal: true });
      try {
        settle({ ok: true, text: text.decode(body) });
      } catch {
        settle({ ok: false, status: 400, reason: 'the body is not UTF-8 text' });
      }
    });
    request.on('error', () =>
      settle({ ok: false, status: 400, reason: 'the request body could not be read' }),
    );
  });
}

function tooLarge(limitBytes: number): string {
  return `the body is larger than ${limitBytes.toLocaleString('en-US')} bytes`;
}

/** Sent with every response: no framing, no sniffing, nothing loaded from elsewhere. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};
