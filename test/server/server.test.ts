import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebServer, listenLoopback } from '../../src/server/app.ts';
import { loadWebAssets } from '../../src/server/assets.ts';
import { listDesigns, titleOf } from '../../src/server/designs.ts';
import { isAllowedHost, isAllowedOrigin } from '../../src/server/security.ts';
import type { DesignList, ValidateResponse } from '../../src/server/wire.ts';

const LIMIT = 64 * 1024;
const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

let server: ReturnType<typeof createWebServer>;
let port = 0;
let scratch = '';

/** A request with exactly this target and these headers: node's client sends the path as given, `..` and all. */
function send(
  path: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    chunks?: Buffer[];
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { Host: `127.0.0.1:${port}`, ...options.headers },
        setHost: false,
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (chunk: Buffer) => parts.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.chunks) {
      for (const chunk of options.chunks) req.write(chunk);
      req.end();
    } else req.end(options.body);
  });
}

/** Raw bytes on a socket, for requests node's client would not write (no Host, odd request targets). */
function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    const parts: Buffer[] = [];
    socket.on('data', (chunk) => parts.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'vwan-ha-server-'));
  const built = join(scratch, 'built');
  await import('node:fs/promises').then((fs) => fs.mkdir(built));
  for (const name of ['index.html', 'app.js', 'app.css', 'favicon.svg']) {
    await writeFile(join(built, name), `contents of ${name}`);
  }
  // Files next to the built page that must never be served.
  await writeFile(join(scratch, 'secret.txt'), 'TOP SECRET');
  await writeFile(join(built, 'app.js.map'), 'SOURCE MAP');
  const given = join(scratch, 'my-site.yaml');
  await writeFile(given, '# my branch\nvirtualHub: {}\n');
  const assets = await loadWebAssets(built);
  server = createWebServer({
    assets,
    designs: () => listDesigns(EXAMPLES, [given, join(scratch, 'gone.yaml')]),
    maxBodyBytes: LIMIT,
  });
  port = (await listenLoopback(server, 0)).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(scratch, { recursive: true, force: true });
});

describe('vwan-ha serve: loopback only', () => {
  it('listens on 127.0.0.1, not on every interface', () => {
    const address = server.address() as AddressInfo;
    expect(address.address).toBe('127.0.0.1');
  });

  it('answers requests addressed to 127.0.0.1 or localhost on its port', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'localhost',
      '127.0.0.1',
      `LOCALHOST:${port}`,
    ]) {
      const reply = await send('/', { headers: { Host: host } });
      expect(reply.status, host).toBe(200);
      expect(reply.body).toBe('contents of index.html');
    }
  });

  it('refuses a rebound DNS name, another port or a look-alike host (DNS rebinding)', async () => {
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1.evil.example:${port}`,
      `localhost.evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      `localhost:${port}@evil.example`,
      `[::1]:${port}`,
      `0.0.0.0:${port}`,
      `127.0.0.2:${port}`,
    ]) {
      const reply = await send('/api/designs', { headers: { Host: host } });
      expect(reply.status, host).toBe(403);
      expect(reply.body).not.toContain('designs');
    }
  });

  it('refuses a request without a Host header', async () => {
    const reply = await raw('GET / HTTP/1.0\r\n\r\n');
    expect(reply).toMatch(/^HTTP\/1\.[01] 403/);
    expect(reply).not.toContain('contents of index.html');
  });

  it('the Host rule, case by case', () => {
    expect(isAllowedHost('127.0.0.1:8740', 8740)).toBe(true);
    expect(isAllowedHost('localhost', 8740)).toBe(true);
    expect(isAllowedHost('localhost:8741', 8740)).toBe(false);
    expect(isAllowedHost(undefined, 8740)).toBe(false);
    expect(isAllowedHost('', 8740)).toBe(false);
    expect(isAllowedHost('127.0.0.1:', 8740)).toBe(false);
    expect(isAllowedOrigin(undefined, 8740)).toBe(true);
    expect(isAllowedOrigin('http://localhost:8740', 8740)).toBe(true);
    expect(isAllowedOrigin('https://localhost:8740', 8740)).toBe(false);
    expect(isAllowedOrigin('http://evil.example', 8740)).toBe(false);
    expect(isAllowedOrigin('null', 8740)).toBe(false);
  });
});

describe('vwan-ha serve: a fixed set of files, no traversal', () => {
  it('serves the page, its script, stylesheet and icon with their types', async () => {
    const expected: Record<string, string> = {
      '/': 'text/html',
      '/index.html': 'text/html',
      '/app.js': 'text/javascript',
      '/app.css': 'text/css',
      '/favicon.svg': 'image/svg+xml',
      '/app.js?v=2': 'text/javascript',
    };
    for (const [path, type] of Object.entries(expected)) {
      const reply = await send(path);
      expect(reply.status, path).toBe(200);
      expect(String(reply.headers['content-type'])).toContain(type);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(String(reply.headers['content-security-policy'])).toContain("default-src 'none'");
    }
  });

  it('answers 404 to every path outside the set, however it is spelled', async () => {
    const attempts = [
      '/../secret.txt',
      '/../../package.json',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/app.js/../../secret.txt',
      '/./app.js',
      '//etc/passwd',
      '/..\\secret.txt',
      '/secret.txt',
      '/app.js.map',
      '/web/main.ts',
      '/src/server/app.ts',
      '/examples/bgp-active-active.yaml',
      '/package.json',
      '/.git/config',
      '/index.html%00.js',
      '/APP.JS',
      '/app.js/',
    ];
    for (const path of attempts) {
      const reply = await send(path);
      expect(reply.status, path).toBe(404);
      expect(reply.body, path).toBe('not found\n');
    }
  });

  it('a request target that is not a path (absolute form, asterisk) reaches no file', async () => {
    for (const target of [`http://127.0.0.1:${port}/../secret.txt`, '*', 'secret.txt']) {
      const reply = await raw(
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
      );
      expect(reply, target).toMatch(/^HTTP\/1\.1 (400|404)/);
      expect(reply).not.toContain('TOP SECRET');
    }
  });

  it('only GET and HEAD on files; no other method', async () => {
    expect((await send('/app.js', { method: 'PUT', body: 'x' })).status).toBe(405);
    expect((await send('/', { method: 'DELETE' })).status).toBe(405);
    const head = await send('/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

describe('vwan-ha serve: no CORS', () => {
  it('sends no Access-Control-* header, even to a request with an Origin', async () => {
    const replies = [
      await send('/api/designs', { headers: { Origin: 'http://evil.example' } }),
      await send('/', { headers: { Origin: 'http://evil.example' } }),
      await send('/api/validate', {
        method: 'OPTIONS',
        headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
      }),
    ];
    for (const reply of replies) {
      for (const name of Object.keys(reply.headers)) expect(name).not.toMatch(/^access-control-/);
    }
    expect(replies[2]?.status).toBe(405);
  });

  it('refuses a POST from another origin', async () => {
    const reply = await send('/api/validate', {
      method: 'POST',
      headers: { Origin: 'http://evil.example', 'Content-Type': 'text/plain' },
      body: 'virtualHub: {}',
    });
    expect(reply.status).toBe(403);
  });
});

describe('vwan-ha serve: body size limit on POST /api/validate', () => {
  it('validates a topology within the limit, with the CLI verdict', async () => {
    const text = await import('node:fs/promises').then((fs) =>
      fs.readFile(join(EXAMPLES, 'static-single-tunnel.yaml'), 'utf8'),
    );
    const reply = await send('/api/validate', { method: 'POST', body: text });
    expect(reply.status).toBe(200);
    const verdict = JSON.parse(reply.body) as ValidateResponse;
    expect(verdict.ok).toBe(true);
    expect(verdict.summary).toMatch(/^hub hub-weu, 2 instances/);
    expect(verdict.warnings.length).toBeGreaterThan(0);
  });

  it('points each error at its field and line', async () => {
    const reply = await send('/api/validate', {
      method: 'POST',
      headers: { Origin: `http://localhost:${port}` },
      body: 'virtualHub:\n  name: hub\n  addressPrefix: 10.0.0.1/24\n',
    });
    const verdict = JSON.parse(reply.body) as ValidateResponse;
    expect(verdict.ok).toBe(false);
    const cidr = verdict.errors.find((e) => e.path === 'virtualHub.addressPrefix');
    expect(cidr?.line).toBe(3);
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const reply = await raw(
      `POST /api/validate HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: ${LIMIT + 1}\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 413/);
    expect(reply).toContain('larger than 65,536 bytes');
  });

  it('refuses a chunked body that grows past the limit', async () => {
    const chunk = Buffer.alloc(16 * 1024, 'a');
    const reply = await send('/api/validate', {
      method: 'POST',
      headers: { 'Transfer-Encoding': 'chunked' },
      chunks: [chunk, chunk, chunk, chunk, chunk, chunk],
    });
    expect(reply.status).toBe(413);
    // The server is still fine afterwards.
    expect((await send('/')).status).toBe(200);
  });

  it('accepts a body of exactly the limit', async () => {
    const reply = await send('/api/validate', { method: 'POST', body: Buffer.alloc(LIMIT, ' ') });
    expect(reply.status).toBe(200);
  });
});

describe('vwan-ha serve: the designs', () => {
  it('lists the given files first, then the seven seed designs, with their text', async () => {
    const reply = await send('/api/designs');
    expect(reply.status).toBe(200);
    expect(String(reply.headers['content-type'])).toContain('application/json');
    const { designs } = JSON.parse(reply.body) as DesignList;
    expect(designs.map((d) => d.id)).toEqual([
      'file:0',
      'file:1',
      'example:bgp-active-active',
      'example:bgp-two-devices',
      'example:static-dual-tunnel',
      'example:static-dual-two-devices',
      'example:static-single-tunnel',
      'example:static-single-two-devices',
      'example:static-single-two-tunnels',
    ]);
    expect(designs[0]).toMatchObject({ name: 'my-site.yaml', title: 'my branch', source: 'file' });
    expect(designs[0]?.text).toContain('virtualHub');
    expect(designs[1]?.readError).toMatch(/cannot read .*gone\.yaml \(ENOENT\)/);
    expect(designs[2]?.title).toBe('Configuration 1: BGP-based configuration');
    expect(designs[2]?.text).toContain('hub-weu-vpngw');
  });

  it('a design title is the first comment, without the "Seed design:" prefix', () => {
    expect(titleOf('# Seed design: "Configuration 2: Static-based configuration"\nvirtualHub: {}')).toBe(
      'Configuration 2: Static-based configuration',
    );
    expect(titleOf('\n#\n# my lab\n')).toBe('my lab');
    expect(titleOf('virtualHub: {}\n# later')).toBeUndefined();
  });
});
