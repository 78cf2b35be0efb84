import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/server/build-web.ts';
import { attributesOf, forward, nowMs, SCREENSHOTS, startUi, tunnels, type Ui } from './harness.ts';

let ui: Ui;

beforeAll(async () => {
  ui = await startUi([join(PROJECT_ROOT, 'test', 'fixtures', 'broken', 'bad-cidr.yaml')]);
});

afterAll(async () => {
  await ui?.close();
});

async function shot(page: Page, name: string): Promise<string> {
  const path = join(SCREENSHOTS, name);
  await page.screenshot({ path });
  return path;
}

/** The data-control of the focused element (the root tsconfig has no DOM types: the page code is a string). */
function focused(page: Page): Promise<string | null> {
  return page.evaluate<string | null>("document.activeElement?.getAttribute('data-control') ?? null");
}

async function peakLosing(page: Page): Promise<{ toSite: number; toAzure: number }> {
  const a = await attributesOf(page, '#timeline');
  return { toSite: Number(a['peak-losing-to-site']), toAzure: Number(a['peak-losing-to-azure']) };
}

describe('web UI: BGP active-active (seed configuration 1)', () => {
  const IN0 = 'branch1-isp1-conn@IN_0';
  const IN1 = 'branch1-isp1-conn@IN_1';
  let page: Page;

  beforeAll(async () => {
    page = await ui.open('#design=example:bgp-active-active');
  });

  it('draws both tunnels up, both BGP sessions Established, traffic shared by ECMP', async () => {
    const drawn = await tunnels(page);
    expect(Object.keys(drawn).sort()).toEqual([IN0, IN1]);
    for (const id of [IN0, IN1]) {
      expect(drawn[id]?.state, id).toBe('up');
      expect(drawn[id]?.['carried-by']).toBe(id.endsWith('IN_0') ? 'IN_0' : 'IN_1');
      expect(Number(drawn[id]?.['share-to-site']), id).toBeGreaterThan(0.2);
      expect(Number(drawn[id]?.['share-to-azure']), id).toBeGreaterThan(0.2);
      expect((await attributesOf(page, `[data-session="${id}"]`)).state).toBe('established');
    }
    expect((await attributesOf(page, '[data-instance="IN_0"]')).state).toBe('up');
    await shot(page, 'bgp-normal.png');
  });

  it('IN_0 fails unplanned: its tunnel is drawn down and all traffic moves to IN_1', async () => {
    await forward(page, 10_000);
    await page.click('button[data-action="fail-unplanned"][data-target="IN_0"]');
    await forward(page, 120_000);
    expect(await nowMs(page)).toBe(130_000);
    expect((await attributesOf(page, '[data-instance="IN_0"]')).state).toBe('crashed');
    const drawn = await tunnels(page);
    expect(drawn[IN0]?.state).toBe('down');
    expect(Number(drawn[IN0]?.['share-to-site'])).toBe(0);
    expect(Number(drawn[IN0]?.['share-to-azure'])).toBe(0);
    expect(drawn[IN1]?.state).toBe('up');
    expect(Number(drawn[IN1]?.['share-to-site'])).toBe(1);
    expect(Number(drawn[IN1]?.['share-to-azure'])).toBe(1);
    // The seed: the tunnel and BGP address do not fail over; IN_1 keeps only its own IP.
    expect((await attributesOf(page, '[data-instance="IN_1"]'))['holds-ips']).toBe('20.50.1.11');
    expect((await attributesOf(page, `[data-session="${IN0}"]`)).state).not.toBe('established');
    expect((await attributesOf(page, `[data-session="${IN1}"]`)).state).toBe('established');
    // The chart saw the outage: IN_0's flows lost packets until the hub and the device moved them.
    const peak = await peakLosing(page);
    expect(peak.toSite).toBeGreaterThan(0);
    expect(peak.toAzure).toBeGreaterThan(0);
    expect(Number((await attributesOf(page, '#timeline')).samples)).toBe(131);
    const results = await attributesOf(page, '#results');
    expect(Number(results['flows-hit-to-site'])).toBe(peak.toSite);
    expect(Number(results['session-resets-to-site'])).toBe(0);
    const outcome = await attributesOf(page, '[data-outcome="IN_0 fails (unplanned)"]');
    expect(Number(outcome['flows-interrupted'])).toBeGreaterThan(0);
    expect(outcome.ongoing).toBe('false');
    // The event log has the story, each entry a button that moves the clock.
    const log = await page.$$eval('.event-log .log-entry', (entries) =>
      entries.map((e) => e.textContent ?? ''),
    );
    expect(log.some((line) => line.includes('IN_0 fails (unplanned)'))).toBe(true);
    expect(log.some((line) => line.includes('dead peer detection'))).toBe(true);
    expect(log.some((line) => line.includes('hub stops using IN_0'))).toBe(true);
    const path = await shot(page, 'bgp-failure.png');
    // The README's screenshot changes only when asked for, so a test run leaves the tree clean.
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      await mkdir(join(PROJECT_ROOT, 'docs', 'images'), { recursive: true });
      await copyFile(path, join(PROJECT_ROOT, 'docs', 'images', 'ui.png'));
    }
  });

  it('scrubbing back replays the same run: before the failure both tunnels are up again, then the same failure', async () => {
    const atFailure = await tunnels(page);
    await page.click('.event-log .log-entry[data-kind="action"]');
    expect(await nowMs(page)).toBe(10_000);
    // Same millisecond as the click: the failure is applied, detection has not happened yet.
    expect((await attributesOf(page, '[data-instance="IN_0"]')).state).toBe('crashed');
    await page.fill('#scrub', '5000');
    await page.dispatchEvent('#scrub', 'input');
    expect(await nowMs(page)).toBe(5000);
    let drawn = await tunnels(page);
    expect(drawn[IN0]?.state).toBe('up');
    expect((await attributesOf(page, '[data-instance="IN_0"]')).state).toBe('up');
    // The recorded future is still there (greyed), and replaying to it gives the very same picture.
    expect(Number((await attributesOf(page, '#timeline')).samples)).toBe(131);
    await forward(page, 125_000);
    drawn = await tunnels(page);
    expect(drawn).toEqual(atFailure);
  });

  it('IN_0 recovers: its tunnel and session come back and traffic fails back to both', async () => {
    await page.click('button[data-action="recover"][data-target="IN_0"]');
    await forward(page, 180_000);
    expect((await attributesOf(page, '[data-instance="IN_0"]')).state).toBe('up');
    const drawn = await tunnels(page);
    expect(drawn[IN0]?.state).toBe('up');
    expect(Number(drawn[IN0]?.['share-to-site'])).toBeGreaterThan(0.2);
    expect(Number(drawn[IN1]?.['share-to-site'])).toBeLessThan(0.8);
    expect(Number(drawn[IN0]?.['share-to-azure'])).toBeGreaterThan(0.2);
    expect((await attributesOf(page, `[data-session="${IN0}"]`)).state).toBe('established');
    // Failing back over an established tunnel costs no session (the seed's active-active claim).
    expect(Number((await attributesOf(page, '#results'))['session-resets-to-site'])).toBe(0);
    await shot(page, 'bgp-failback.png');
  });
});

describe('web UI: static single tunnel (seed configuration 2, single tunnel)', () => {
  const TUNNEL = 'branch1-isp1-conn@IN_0';
  let page: Page;

  beforeAll(async () => {
    page = await ui.open('#design=example:static-single-tunnel');
  });

  it('draws the one tunnel up, on IN_0, carrying all traffic; no BGP', async () => {
    const drawn = await tunnels(page);
    expect(Object.keys(drawn)).toEqual([TUNNEL]);
    expect(drawn[TUNNEL]).toMatchObject({ state: 'up', 'carried-by': 'IN_0', moved: 'false' });
    expect(Number(drawn[TUNNEL]?.['share-to-site'])).toBe(1);
    expect(await page.$$('[data-session]')).toHaveLength(0);
    await shot(page, 'static-single-normal.png');
  });

  it('IN_0 fails unplanned: the public IP moves to IN_1 and the tunnel is rebuilt there', async () => {
    await forward(page, 10_000);
    await page.click('button[data-action="fail-unplanned"][data-target="IN_0"]');
    await forward(page, 20_000);
    // Before the move: the tunnel is down, its IP released, every flow losing.
    let drawn = await tunnels(page);
    expect(drawn[TUNNEL]?.state).not.toBe('up');
    expect((await attributesOf(page, '[data-instance="IN_0"] [data-own-ip]')).held).toBe('false');
    await forward(page, 100_000);
    drawn = await tunnels(page);
    expect(drawn[TUNNEL]).toMatchObject({ state: 'up', 'carried-by': 'IN_1', moved: 'true' });
    expect(Number(drawn[TUNNEL]?.['share-to-site'])).toBe(1);
    expect((await attributesOf(page, '[data-instance="IN_1"]'))['holds-ips']).toBe('20.50.1.10 20.50.1.11');
    const badge = await attributesOf(page, '[data-instance="IN_1"] [data-moved-ip="20.50.1.10"]');
    expect(badge['moved-from']).toBe('IN_0');
    const peak = await peakLosing(page);
    expect(peak).toEqual({ toSite: 40, toAzure: 40 });
    // Every session went through the rebuilt tunnel: re-established once.
    expect(Number((await attributesOf(page, '#results'))['session-resets-to-site'])).toBe(40);
    const log = await page.$$eval('.event-log .log-entry', (entries) =>
      entries.map((e) => e.textContent ?? ''),
    );
    expect(log.some((line) => line.includes('public IP 20.50.1.10 answered by IN_1'))).toBe(true);
    await shot(page, 'static-single-failure.png');
  });

  it('IN_0 recovers: the IP and the tunnel go back to IN_0, every session re-established twice', async () => {
    await page.click('button[data-action="recover"][data-target="IN_0"]');
    await forward(page, 180_000);
    const drawn = await tunnels(page);
    expect(drawn[TUNNEL]).toMatchObject({ state: 'up', 'carried-by': 'IN_0', moved: 'false' });
    expect(await page.$$('[data-moved-ip]')).toHaveLength(0);
    expect((await attributesOf(page, '[data-instance="IN_0"]'))['holds-ips']).toBe('20.50.1.10');
    const results = await attributesOf(page, '#results');
    expect(Number(results['session-resets-to-site'])).toBe(80);
    expect(Number(results['session-resets-to-azure'])).toBe(80);
    await shot(page, 'static-single-failback.png');
  });
});

describe('web UI: your own topology', () => {
  it('a file given on the command line with an error opens in the editor, the error at its field and line', async () => {
    const page = await ui.open('#design=file:0');
    expect(await page.isVisible('[data-panel="editor"]')).toBe(true);
    const editor = await attributesOf(page, '[data-panel="editor"]');
    expect(editor.valid).toBe('false');
    const issue = await page.$eval('.issues li[data-severity="error"]', (li) => ({
      line: li.getAttribute('data-line'),
      path: li.getAttribute('data-path'),
      text: li.textContent,
    }));
    expect(issue.path).toMatch(/addressPrefix|addressPrefixes|addressSpace/);
    expect(Number(issue.line)).toBeGreaterThan(0);
    expect(await page.isVisible(`.gutter-error[data-gutter-line="${issue.line}"]`)).toBe(true);
    expect(await page.isDisabled('[data-control="run-topology"]')).toBe(true);
    await shot(page, 'editor-errors.png');
    await page.close();
  });

  it('pasting a topology validates it as you type, and runs it', async () => {
    const page = await ui.open('#design=example:static-dual-tunnel');
    await page.click('[data-control="edit"]');
    const text = await page.inputValue('[data-control="topology-text"]');
    await page.fill(
      '[data-control="topology-text"]',
      text.replace('addressPrefix: 10.0.0.0/24', 'addressPrefix: 10.0.0.7/24'),
    );
    await page.waitForSelector('[data-panel="editor"][data-valid="false"]');
    const line = text.split('\n').findIndex((l) => l.includes('addressPrefix: 10.0.0.0/24')) + 1;
    const issue = await attributesOf(page, '.issues li[data-severity="error"]');
    expect(issue).toMatchObject({ path: 'virtualHub.addressPrefix', line: String(line) });
    await page.fill('[data-control="topology-text"]', text.replace('name: hub-weu\n', 'name: my-hub\n'));
    await page.waitForSelector('[data-panel="editor"][data-valid="true"]');
    await page.click('[data-control="run-topology"]');
    expect(await page.isVisible('[data-panel="editor"]')).toBe(false);
    expect(await page.textContent('#drawing')).toContain('Virtual hub my-hub');
    expect(Object.keys(await tunnels(page))).toHaveLength(2);
    await page.close();
  });

  it('opening a file reads it in the browser, validates it and runs it', async () => {
    const page = await ui.open('#design=example:bgp-active-active');
    await page.click('[data-control="edit"]');
    await page.setInputFiles(
      '[data-control="open-file"]',
      join(PROJECT_ROOT, 'examples', 'static-dual-two-devices.yaml'),
    );
    await page.waitForSelector('[data-panel="editor"][data-valid="true"]');
    expect(await page.textContent('#editor-title')).toBe('Topology: static-dual-two-devices.yaml');
    await page.click('[data-control="run-topology"]');
    expect(Object.keys(await tunnels(page))).toHaveLength(4);
    expect(await page.inputValue('[data-control="design"]')).toBe('edited');
    await page.close();
  });
});

describe('web UI: clock and keyboard', () => {
  it('Space and K play and pause; buttons are reachable with Tab and pressed with Enter', async () => {
    const page = await ui.open('#design=example:bgp-active-active');
    await page.selectOption('[data-control="speed"]', '1000');
    await page.focus('body');
    await page.keyboard.press('k');
    expect(await page.getAttribute('body', 'data-playing')).toBe('true');
    // Polled from here: the page's CSP (script-src 'self') forbids evaluating a string predicate in it.
    await expect.poll(() => nowMs(page), { timeout: 10_000 }).toBeGreaterThanOrEqual(5000);
    await page.keyboard.press('k');
    expect(await page.getAttribute('body', 'data-playing')).toBe('false');
    const paused = await nowMs(page);
    await page.waitForTimeout(200);
    expect(await nowMs(page)).toBe(paused);
    await page.click('#drawing');
    await page.keyboard.press(' ');
    expect(await page.getAttribute('body', 'data-playing')).toBe('true');
    await page.keyboard.press(' ');
    expect(await page.getAttribute('body', 'data-playing')).toBe('false');
    // Tab from the design picker reaches the editor button, then play.
    await page.focus('[data-control="design"]');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('edit');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('play');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('body', 'data-playing')).toBe('true');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('body', 'data-playing')).toBe('false');
    // A failure button, pressed from the keyboard.
    await page.focus('button[data-action="fail-planned"][data-target="IN_1"]');
    await page.keyboard.press('Enter');
    expect(await page.isDisabled('button[data-action="fail-planned"][data-target="IN_1"]')).toBe(true);
    expect((await attributesOf(page, '[data-instance="IN_1"]')).state).toBe('draining');
    // A click on the chart moves the clock to that moment (here, back to the first quarter).
    const before = await nowMs(page);
    const over = await page.$('[data-chart="toSite"] .u-over');
    const box = await over?.boundingBox();
    if (!box) throw new Error('the chart has no plotting area');
    await page.mouse.click(box.x + box.width / 4, box.y + box.height / 2);
    const after = await nowMs(page);
    expect(after).toBeLessThan(before);
    expect(after).toBeGreaterThan(0);
    expect((await attributesOf(page, '[data-instance="IN_1"]')).state).toBe('up');
    await page.close();
  });
});

describe('web UI: offline and readable', () => {
  it('loads nothing from outside its own server, and throws no error', async () => {
    const origin = new URL(ui.url).origin;
    expect(ui.requests.length).toBeGreaterThan(0);
    expect(ui.requests.filter((url) => !url.startsWith(origin))).toEqual([]);
    expect(ui.pageErrors).toEqual([]);
  });

  it('fits 1280×800 and a 4K screen without horizontal scrolling', async () => {
    for (const [name, viewport] of [
      ['1280x800', { width: 1280, height: 800 }],
      ['4k', { width: 3840, height: 2160 }],
    ] as const) {
      const page = await ui.open('#design=example:bgp-two-devices', viewport);
      await page.click('button[data-action="device-fail"][data-target="branch1-fw1"]');
      await forward(page, 90_000);
      const overflow = await page.evaluate<number>(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      );
      expect(overflow, name).toBeLessThanOrEqual(0);
      const box = await page.$eval('#drawing', (e) => e.getBoundingClientRect().height);
      expect(box, name).toBeGreaterThan(viewport.height * 0.3);
      await shot(page, `bgp-two-devices-${name}.png`);
      await page.close();
    }
  });
});
