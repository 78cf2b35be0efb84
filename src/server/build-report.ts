/**
 * The HTML report as one self-contained file (docs/REPORT.md): the page's script
 * (web/report.ts with the UI's drawing, chart and results modules and uPlot,
 * bundled and minified by esbuild), its stylesheet and the report's data, all
 * inline — nothing is fetched, so it opens from disk without a network. A
 * Content-Security-Policy allows exactly the file's own script and stylesheet
 * (by hash) and nothing else. No clock, no machine, no path of this checkout goes
 * into the file: the same data gives the same bytes. Node-only.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import type { HtmlReportData } from '../report/html-data.ts';
import { PROJECT_ROOT } from './build-web.ts';

export interface ReportAssets {
  readonly script: string;
  readonly css: string;
  /** The UI's favicon, as a data: URL. */
  readonly icon: string;
}

/**
 * The rules of the UI's style.css the report shares — its custom properties, the
 * drawing, the charts, the results table — rewritten for a page with many
 * drawings (`#drawing x` → `svg.topology-drawing x`). The rest of style.css lays
 * out the interactive app and would fight the report's layout.
 */
const SHARED_SELECTORS: readonly RegExp[] = [
  /^:root$/,
  /^#drawing\s/,
  /^\.chart[\s.]/,
  /^\.chart-legend\b/,
  /^\.swatch\b/,
  /^table\.results\b/,
  /^\.outcomes\b/,
  /^\.log-(entry|time|text|empty)\b/,
];

export function sharedUiRules(styleCss: string): string {
  const rules: string[] = [];
  const source = styleCss.replace(/\/\*[\s\S]*?\*\//g, '');
  for (const match of source.matchAll(/([^{}]+)\{([^{}]*)\}/g)) {
    const selectors = (match[1] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => SHARED_SELECTORS.some((pattern) => pattern.test(s)))
      .map((s) => s.replace(/^#drawing\s/, 'svg.topology-drawing '));
    if (selectors.length > 0) rules.push(`${selectors.join(',\n')} {${match[2] ?? ''}}`);
  }
  if (!rules.some((rule) => rule.startsWith('svg.topology-drawing '))) {
    throw new Error('web/style.css has no "#drawing …" rules: the report would draw unstyled');
  }
  return rules.join('\n');
}

const sharedUiStyles: Plugin = {
  name: 'report-shared-ui-styles',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]web[\\/]style\.css$/ }, async (args) => ({
      contents: sharedUiRules(await readFile(args.path, 'utf8')),
      loader: 'css',
    }));
  },
};

/** Bundles web/report.ts; about a quarter of a second. */
export async function bundleReport(): Promise<ReportAssets> {
  const webDir = join(PROJECT_ROOT, 'web');
  const result = await build({
    entryPoints: { report: join(webDir, 'report.ts') },
    // Nothing is written: the outputs are read from memory and inlined.
    outdir: join(PROJECT_ROOT, 'dist', 'report'),
    write: false,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    tsconfig: join(webDir, 'tsconfig.json'),
    plugins: [sharedUiStyles],
    logLevel: 'silent',
  });
  const output = (extension: string) => {
    const file = result.outputFiles.find((f) => f.path.endsWith(extension));
    if (!file) throw new Error(`the report bundle has no ${extension} output`);
    return file.text;
  };
  const icon = await readFile(join(webDir, 'favicon.svg'), 'utf8');
  return {
    script: output('.js'),
    css: output('.css'),
    icon: `data:image/svg+xml,${encodeURIComponent(icon.trim())}`,
  };
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * JSON safe inside a <script> element: no "<" at all (so no "</script" and no
 * "<!--"), and the two line separators JavaScript once disallowed in strings.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The page: the data, the script and the stylesheet inline, a CSP that allows only them. */
export function reportPage(data: HtmlReportData, assets: ReportAssets): string {
  // A bundle or stylesheet that closed its own element would break the page: a bug, not an input.
  if (/<\/script/i.test(assets.script)) throw new Error('the report script contains "</script"');
  if (/<\/style/i.test(assets.css)) throw new Error('the report stylesheet contains "</style"');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(assets.script)}`,
    `style-src ${sha256(assets.css)}`,
    `style-src-elem ${sha256(assets.css)}`,
    // The chart legend's colour swatches are style attributes (web/timeline.ts); attributes cannot run code.
    "style-src-attr 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light">',
    '<meta name="generator" content="vwan-ha">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<link rel="icon" href="${escapeHtml(assets.icon)}">`,
    `<style>${assets.css}</style>`,
    '</head>',
    '<body>',
    `<main id="report"><h1>${escapeHtml(data.title)}</h1><noscript><p>This report draws its pictures, charts and tables with the JavaScript it carries; allow scripts for this file to see them.</p></noscript></main>`,
    `<script id="report-data" type="application/json">${scriptSafeJson(data)}</script>`,
    `<script>${assets.script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** Bundles the page and puts the data in it. */
export async function buildReportHtml(data: HtmlReportData): Promise<string> {
  return reportPage(data, await bundleReport());
}
