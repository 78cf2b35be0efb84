import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/server/build-web.ts';
import { attributesOf, CHROMIUM, SCREENSHOTS } from './harness.ts';

// The HTML report of `vwan-ha sweep/advise/compare --html`, opened from disk in
// chromium with every network request refused: one file must draw everything.

interface SweepJson {
  readonly failures: readonly { readonly id: string; readonly singlePointOfFailure: boolean }[];
}

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)('node', ['bin/vwan-ha.js', ...args], {
    cwd: PROJECT_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
}

let scratch: string;
let browser: Browser;
let context: BrowserContext;
const requests: string[] = [];
const refused: string[] = [];
const pageErrors: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'vwan-ha-report-'));
  await mkdir(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({
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
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, offline: true });
  context.on('request', (request) => requests.push(request.url()));
  // Networking blocked: anything that is not the file itself is refused, and recorded.
  await context.route(
    (url) => url.protocol !== 'file:' && url.protocol !== 'data:',
    (route) => {
      refused.push(route.request().url());
      return route.abort();
    },
  );
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function openReport(file: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') pageErrors.push(message.text());
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

/** Every chart canvas, with its rendered size. */
function canvases(page: Page, timeline: string): Promise<{ width: number; height: number }[]> {
  return page.$$eval(`[data-timeline="${timeline}"] canvas`, (elements) =>
    elements.map((e) => {
      const box = e.getBoundingClientRect();
      return { width: box.width, height: box.height };
    }),
  );
}

async function checkReport(page: Page, sweep: SweepJson, findings: number): Promise<void> {
  const ids = sweep.failures.map((f) => f.id);
  // The topology in normal operation, then one drawing per failure, in the sweep's order.
  expect(await page.locator('svg[data-drawing="normal"]').count()).toBe(1);
  expect(await page.locator('svg[data-drawing="normal"] [data-tunnel]').count()).toBeGreaterThan(0);
  expect(
    await page.$$eval('svg[data-drawing="failure"]', (svgs) => svgs.map((s) => s.getAttribute('data-run'))),
  ).toEqual(ids);
  for (const svg of await page.locator('svg[data-drawing]').all()) {
    expect(await svg.locator('[data-instance]').count()).toBeGreaterThanOrEqual(2);
    const box = await svg.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(600);
  }
  // Two charts per failure, drawn (canvas with a size), 601 samples (0:00 to 10:00).
  for (const id of ids) {
    const sizes = await canvases(page, id);
    expect(sizes.length, id).toBe(2);
    for (const size of sizes) {
      expect(size.width, id).toBeGreaterThan(300);
      expect(size.height, id).toBeGreaterThan(80);
    }
    expect((await attributesOf(page, `[data-timeline="${id}"]`)).samples).toBe('601');
  }
  // The tables: one sweep row per failure, one advice row per finding.
  expect(
    await page.$$eval('table[data-table="sweep"] tbody tr', (rows) =>
      rows.map((r) => r.getAttribute('data-failure')),
    ),
  ).toEqual(ids);
  expect(await page.locator('table[data-table="advice"] tbody tr').count()).toBe(findings);
  const spofs = sweep.failures.filter((f) => f.singlePointOfFailure).map((f) => f.id);
  expect(
    await page.$$eval('section[data-flag="spof"]', (sections) =>
      sections.map((s) => s.getAttribute('data-failure')),
    ),
  ).toEqual(spofs);
}

describe('HTML report: static single tunnel (sweep --html)', () => {
  let page: Page;
  let sweep: SweepJson;

  beforeAll(async () => {
    const file = join(scratch, 'static-single-tunnel.html');
    const written = await cli('sweep', 'examples/static-single-tunnel.yaml', '--html', file);
    expect(written.stderr).toMatch(
      /^wrote .*static-single-tunnel\.html: HTML report, \d+ KiB, 7 failures drawn\n$/,
    );
    sweep = JSON.parse(
      (await cli('sweep', 'examples/static-single-tunnel.yaml', '--json')).stdout,
    ) as SweepJson;
    const advice = JSON.parse(
      (await cli('advise', 'examples/static-single-tunnel.yaml', '--json')).stdout,
    ) as {
      findings: unknown[];
    };
    page = await openReport(file);
    await checkReport(page, sweep, advice.findings.length);
  });

  it('draws normal operation: one tunnel from IN_0 carrying every flow both ways', async () => {
    const tunnel = await attributesOf(
      page,
      'svg[data-drawing="normal"] [data-tunnel="branch1-isp1-conn@IN_0"]',
    );
    expect(tunnel.state).toBe('up');
    expect(tunnel['carried-by']).toBe('IN_0');
    expect(Number(tunnel['share-to-site'])).toBe(1);
    expect(Number(tunnel['share-to-azure'])).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-static-single-tunnel.png') });
  });

  it('IN_0 planned: drawn just before IN_0 returns, its public IP and the tunnel on IN_1, sessions reset twice', async () => {
    const section = '[data-failure="IN_0 planned"]';
    const drawing = `svg[data-run="IN_0 planned"]`;
    expect((await attributesOf(page, drawing))['moment-ms']).toBe('299000');
    const tunnel = await attributesOf(page, `${drawing} [data-tunnel="branch1-isp1-conn@IN_0"]`);
    expect(tunnel['carried-by']).toBe('IN_1');
    expect(tunnel.moved).toBe('true');
    expect(Number(tunnel['share-to-site'])).toBe(1);
    expect((await attributesOf(page, `${drawing} [data-instance="IN_1"]`))['holds-ips']).toContain(
      '20.50.1.10',
    );
    expect(await page.textContent(`section${section} [data-fact="failover"]`)).toContain(
      '80 sessions re-established',
    );
    expect(await page.textContent(`section${section} [data-fact="failback"]`)).toContain(
      '80 sessions re-established',
    );
  });

  it('the device failure is a single point of failure: the device drawn failed, every flow losing, the chart shows it', async () => {
    const drawing = 'svg[data-run="device branch1-fw1"]';
    expect((await attributesOf(page, `${drawing} [data-device="branch1-fw1"]`)).alive).toBe('false');
    const timeline = await attributesOf(page, '[data-timeline="device branch1-fw1"]');
    expect(Number(timeline['peak-losing-to-site'])).toBe(40);
    expect(Number(timeline['peak-losing-to-azure'])).toBe(40);
    expect(
      await page.textContent('section[data-failure="device branch1-fw1"] [data-fact="verdict"]'),
    ).toContain('single point of failure');
    await page.locator('section[data-failure="device branch1-fw1"]').screenshot({
      path: join(SCREENSHOTS, 'report-static-single-tunnel-device.png'),
    });
    await page.locator('section[data-failure="IN_0 planned"]').screenshot({
      path: join(SCREENSHOTS, 'report-static-single-tunnel-in0-planned.png'),
    });
    await page.screenshot({
      path: join(SCREENSHOTS, 'report-static-single-tunnel-full.png'),
      fullPage: true,
    });
  });

  it('a tunnel reset is drawn at its worst moment', async () => {
    const drawing = await attributesOf(page, 'svg[data-run="tunnel branch1-isp1-conn@IN_0"]');
    expect(drawing['moment-rule']).toBe('worst');
    expect(Number(drawing['moment-ms'])).toBeGreaterThanOrEqual(60_000);
  });
});

describe('HTML report: BGP with two devices (advise --html)', () => {
  let page: Page;

  beforeAll(async () => {
    const file = join(scratch, 'bgp-two-devices.html');
    const written = await cli('advise', 'examples/bgp-two-devices.yaml', '--html', file);
    expect(written.stderr).toMatch(/12 failures drawn\n$/);
    const sweep = JSON.parse(
      (await cli('sweep', 'examples/bgp-two-devices.yaml', '--json')).stdout,
    ) as SweepJson;
    const advice = JSON.parse((await cli('advise', 'examples/bgp-two-devices.yaml', '--json')).stdout) as {
      findings: unknown[];
    };
    page = await openReport(file);
    await checkReport(page, sweep, advice.findings.length);
  });

  it('normal operation: four tunnels up, four BGP sessions Established', async () => {
    const normal = 'svg[data-drawing="normal"]';
    expect(await page.locator(`${normal} [data-tunnel][data-state="up"]`).count()).toBe(4);
    expect(await page.locator(`${normal} [data-session][data-state="established"]`).count()).toBe(4);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-bgp-two-devices.png') });
  });

  it('IN_0 unplanned: drawn crashed before it returns, its tunnels down, IN_1 carrying everything', async () => {
    const drawing = 'svg[data-run="IN_0 unplanned"]';
    expect((await attributesOf(page, `${drawing} [data-instance="IN_0"]`)).state).toBe('crashed');
    const tunnels = await page.$$eval(`${drawing} [data-tunnel]`, (elements) =>
      elements.map((e) => ({
        id: e.getAttribute('data-tunnel') ?? '',
        state: e.getAttribute('data-state'),
        toSite: Number(e.getAttribute('data-share-to-site')),
      })),
    );
    expect(tunnels).toHaveLength(4);
    for (const t of tunnels) {
      if (t.id.endsWith('@IN_0')) expect(t, t.id).toMatchObject({ state: 'down', toSite: 0 });
    }
    const onIn1 = tunnels.filter((t) => t.id.endsWith('@IN_1')).reduce((sum, t) => sum + t.toSite, 0);
    expect(onIn1).toBeCloseTo(1, 6);
    await page.locator('section[data-failure="IN_0 unplanned"]').screenshot({
      path: join(SCREENSHOTS, 'report-bgp-two-devices-in0-unplanned.png'),
    });
  });

  it('has no single point of failure, and says so', async () => {
    expect(await page.getAttribute('.verdict', 'data-spofs')).toBe('0');
  });
});

describe('HTML report: compare --html', () => {
  it('the comparison table and each design with its drawings', async () => {
    const file = join(scratch, 'compare.html');
    await cli(
      'compare',
      'examples/static-single-tunnel.yaml',
      'examples/bgp-two-devices.yaml',
      '--html',
      file,
    );
    const page = await openReport(file);
    expect(await page.locator('table[data-table="comparison"] tbody tr[data-kind]').count()).toBe(5);
    expect(
      await page.$$eval('section[data-design]', (s) => s.map((e) => e.getAttribute('data-design'))),
    ).toEqual(['static-single-tunnel', 'bgp-two-devices']);
    expect(await page.locator('svg[data-drawing="normal"]').count()).toBe(2);
    expect(await page.locator('svg[data-drawing="failure"]').count()).toBe(7 + 12);
    expect(await page.locator('table[data-table="advice"]').count()).toBe(2);
    await page.screenshot({ path: join(SCREENSHOTS, 'report-compare.png') });
  });
});

describe('HTML report: offline and clean', () => {
  it('no request left the file, nothing was refused, no error or warning on the console (CSP included)', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith('file://') && !url.startsWith('data:'))).toEqual([]);
    expect(refused).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
