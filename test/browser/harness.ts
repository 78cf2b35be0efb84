import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { createWebServer, listenLoopback } from '../../src/server/app.ts';
import { loadWebAssets } from '../../src/server/assets.ts';
import { buildWeb, PROJECT_ROOT } from '../../src/server/build-web.ts';
import { listDesigns } from '../../src/server/designs.ts';

/** Debian's chromium (scripts/install-browser-deps.sh); a browser is never downloaded. */
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(PROJECT_ROOT, 'artifacts', 'screenshots');

export interface Ui {
  readonly url: string;
  readonly context: BrowserContext;
  /** Every URL the pages requested: the page must work offline, so all are ours. */
  readonly requests: string[];
  readonly pageErrors: string[];
  open(hash?: string, viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Builds the page into a temporary folder, serves it with the real server on a
 * free loopback port, and starts headless chromium with a fresh profile.
 */
export async function startUi(files: readonly string[] = [], scale = 1): Promise<Ui> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/install-browser-deps.sh (apt-get install chromium)`);
  }
  const scratch = await mkdtemp(join(tmpdir(), 'vwan-ha-ui-'));
  const built = await buildWeb({ outDir: join(scratch, 'web') });
  const server: Server = createWebServer({
    assets: await loadWebAssets(built.outDir),
    designs: () => listDesigns(join(PROJECT_ROOT, 'examples'), files),
  });
  const { url } = await listenLoopback(server, 0);
  const profile = join(scratch, 'profile');
  await mkdir(profile);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: scale,
    offline: false,
  });
  const requests: string[] = [];
  const pageErrors: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    url,
    context,
    requests,
    pageErrors,
    async open(hash = '', viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      await page.goto(`${url}${hash}`);
      await page.waitForSelector('body[data-ready="true"]');
      return page;
    },
    async close() {
      await context.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** The drawing's state, as its data-* attributes say. */
export async function tunnels(page: Page): Promise<Record<string, Record<string, string>>> {
  return page.$$eval('[data-tunnel]', (elements) =>
    Object.fromEntries(
      elements.map((e) => [
        e.getAttribute('data-tunnel') ?? '',
        Object.fromEntries([...e.attributes].map((a) => [a.name.replace(/^data-/, ''), a.value])),
      ]),
    ),
  );
}

export async function attributesOf(page: Page, selector: string): Promise<Record<string, string>> {
  return page.$eval(selector, (e) =>
    Object.fromEntries([...e.attributes].map((a) => [a.name.replace(/^data-/, ''), a.value])),
  );
}

export async function nowMs(page: Page): Promise<number> {
  return Number(await page.getAttribute('body', 'data-now-ms'));
}

/** Moves the virtual clock forward with the toolbar's step buttons. */
export async function forward(page: Page, ms: number): Promise<void> {
  const target = (await nowMs(page)) + ms;
  for (const [step, size] of [
    ['60000', 60_000],
    ['10000', 10_000],
    ['1000', 1000],
  ] as const) {
    while ((await nowMs(page)) + size <= target) await page.click(`button[data-step="${step}"]`);
  }
}
