/**
 * `npm run fuzz:ike [-- --histories 100000 --seed 1 --seconds 600 --modes pair,hostile]`:
 * random event histories against two IKE endpoints and against one endpoint
 * with a hostile peer (fuzz/ike/harness.ts says what is checked), printing
 * throughput, coverage and every finding with its shrunk history (saved to
 * fuzz/corpus/ike/found-*.txt, JSON to replay with `runHistory`). Then a flood:
 * what one endpoint costs per input while N half-open SAs from a flood of
 * IKE_SA_INIT requests are held (the core alone, no checks). Exits 1 when a
 * core threw.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fingerprint } from '../fuzz/bytes.ts';
import { slug } from '../fuzz/corpus-file.ts';
import type { IkeMode } from '../fuzz/ike/events.ts';
import { fuzzIke } from '../fuzz/ike/fuzzer.ts';
import { IkeEndpoint } from '../src/protocols/ike/endpoint.ts';
import { Rng } from '../src/sim/rng.ts';
import { machineLine } from './machine.ts';

const ROOT = join(import.meta.dirname, '..');
const FINDINGS_DIR = join(ROOT, 'fuzz', 'corpus', 'ike');
const MB = 1024 * 1024;

const { values } = parseArgs({
  options: {
    histories: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '1' },
    seconds: { type: 'string' },
    modes: { type: 'string', default: 'pair,hostile' },
    'max-events': { type: 'string', default: '60' },
  },
});

const gc = (globalThis as { gc?: () => void }).gc;
const heapMiB = (): number => {
  gc?.();
  return Math.round(process.memoryUsage().heapUsed / MB);
};

console.log(machineLine());
const histories = Number(values.histories);
const seed = Number(values.seed);
const modes = values.modes.split(',') as IkeMode[];
console.log(
  `fuzz:ike seed ${seed}, up to ${histories.toLocaleString('en-US')} histories (${modes.join(' and ')}, up to ${values['max-events']} events each); heap ${heapMiB()} MiB`,
);
const stats = fuzzIke({
  histories,
  seed,
  modes,
  maxEvents: Number(values['max-events']),
  ...(values.seconds === undefined ? {} : { maxMs: Number(values.seconds) * 1000 }),
  now: () => performance.now(),
  onProgress: (progress) =>
    console.log(
      `  ${progress.histories.toLocaleString('en-US').padStart(9)} histories  ${Math.round(progress.histories / (progress.elapsedMs / 1000))}/s  ${Math.round(progress.inputs / (progress.elapsedMs / 1000)).toLocaleString('en-US')} inputs/s  findings ${[...progress.findings.values()].reduce((n, f) => n + f.count, 0)}  state sets ${progress.summaries.size}  heap ${heapMiB()} MiB`,
    ),
});

console.log('');
console.log(
  `histories: ${stats.histories.toLocaleString('en-US')} in ${(stats.elapsedMs / 1000).toFixed(1)} s = ${Math.round(stats.histories / (stats.elapsedMs / 1000))}/s; ${stats.inputs.toLocaleString('en-US')} inputs handled = ${Math.round(stats.inputs / (stats.elapsedMs / 1000)).toLocaleString('en-US')}/s`,
);
for (const [mode, t] of Object.entries(stats.perMode)) {
  if (t.histories === 0) continue;
  console.log(
    `${mode.padEnd(8)} ${t.histories.toLocaleString('en-US')} histories, ${t.inputs.toLocaleString('en-US')} inputs, ${(t.simulatedMs / 3_600_000).toLocaleString('en-US', { maximumFractionDigits: 0 })} simulated hours${mode === 'pair' ? `, ${t.converged.toLocaleString('en-US')} came back up after settling` : ''}`,
  );
}
console.log(
  `coverage: ${stats.summaries.size} distinct sets of SA states visited; at most ${stats.maxSas} IKE SAs and ${stats.maxChildren} CHILD SAs at one end; ${stats.determinismChecks.toLocaleString('en-US')} histories run twice for determinism, ${stats.fastPathChecks.toLocaleString('en-US')} with ESP reported in the timer inputs run again with it before them`,
);
const exceptions = [...stats.findings.values()].filter((f) => f.violation.kind === 'exception');
console.log(`exceptions: ${exceptions.reduce((n, f) => n + f.count, 0)}`);
console.log('\nfindings (mode, kind and shape: count — shrunk history):');
if (stats.findings.size === 0) console.log('  none');
mkdirSync(FINDINGS_DIR, { recursive: true });
for (const [key, finding] of stats.findings) {
  const text = JSON.stringify({
    finding: finding.violation.kind,
    detail: finding.violation.detail,
    history: finding.history,
  });
  const file = join(
    FINDINGS_DIR,
    `found-${slug(key, 60)}-${fingerprint(new TextEncoder().encode(text))}.txt`,
  );
  writeFileSync(file, `${text}\n`);
  console.log(`  ${key}: ${finding.count}`);
  console.log(`    ${finding.violation.side} at ${finding.violation.atMs} ms: ${finding.violation.detail}`);
  console.log(`    ${finding.history.events.length} events after shrinking: ${file}`);
}

// The flood: the core alone, a new half-open SA per IKE_SA_INIT, timing the inputs as the table grows.
console.log(
  '\nIKE_SA_INIT flood against one endpoint, one request per ms (the core alone; half-open SAs live 30 s):',
);
for (const count of [1_000, 2_000, 5_000]) {
  const endpoint = new IkeEndpoint({ name: 'IN_0', mode: 'Default', rng: new Rng(1) });
  endpoint.handle(0, { kind: 'start' });
  const started = performance.now();
  let last = started;
  for (let i = 0; i < count; i++) {
    endpoint.handle(i, {
      kind: 'message',
      message: {
        exchange: 'IKE_SA_INIT',
        isResponse: false,
        fromOriginalInitiator: true,
        initiatorSpi: i + 1,
        responderSpi: 0,
        messageId: 0,
        payloads: [{ type: 'nonce', nonce: i }],
      },
    });
    if (i === count - 1001) last = performance.now();
  }
  const lastThousandMs = performance.now() - last;
  const total = performance.now() - started;
  console.log(
    `  ${count.toLocaleString('en-US')} requests: ${total.toFixed(0)} ms in all; the last 1,000 took ${lastThousandMs.toFixed(0)} ms (${lastThousandMs.toFixed(0)} µs each) with ${endpoint.snapshot().ikeSas.length.toLocaleString('en-US')} SAs held`,
  );
}

process.exitCode = exceptions.length > 0 ? 1 : 0;
