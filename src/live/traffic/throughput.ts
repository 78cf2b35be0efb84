/** One bulk TCP stream between two lab hosts (tcp-bulk.ts): Mbit/s through whatever lies between. */
import { createInterface } from 'node:readline';
import { assertIdent, assertIpv4, assertPort } from '../exec.ts';
import type { Lab } from '../netns.ts';
import { nodeScriptArgv } from './node-argv.ts';
import type { TrafficEndpoint } from './runner.ts';

export interface ThroughputResult {
  readonly bytes: number;
  readonly seconds: number;
  readonly mbitPerSecond: number;
}

export async function measureTcpThroughput(
  lab: Lab,
  options: { from: TrafficEndpoint; to: TrafficEndpoint; seconds: number; port?: number },
): Promise<ThroughputResult> {
  const port = String(assertPort(options.port ?? 47100, 'port'));
  const address = assertIpv4(options.to.address);
  if (!(options.seconds > 0 && options.seconds <= 60)) throw new Error(`invalid duration ${options.seconds}`);
  const sink = await lab.spawnAttached({
    name: `tcp-sink-${assertIdent(options.to.name, 'endpoint name')}`,
    netns: options.to.netns,
    argv: nodeScriptArgv('./tcp-bulk.ts', ['sink', address, port]),
  });
  const stderr: string[] = [];
  sink.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const lines = createInterface({ input: sink.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async (timeoutMs: number): Promise<{ event: string; bytes?: number; seconds?: number }> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const line = await Promise.race([
        lines.next(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`tcp sink: no answer within ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
      if (line.done) throw new Error(`tcp sink exited:\n${stderr.join('')}`);
      return JSON.parse(line.value) as { event: string; bytes?: number; seconds?: number };
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    if ((await next(20_000)).event !== 'ready') throw new Error('tcp sink did not start');
    const source = await lab.spawnAttached({
      name: `tcp-source-${assertIdent(options.from.name, 'endpoint name')}`,
      netns: options.from.netns,
      argv: nodeScriptArgv('./tcp-bulk.ts', ['source', address, port, String(options.seconds)]),
    });
    const result = await next(options.seconds * 1000 + 20_000);
    source.kill('SIGKILL');
    if (result.event !== 'result' || result.bytes === undefined || result.seconds === undefined) {
      throw new Error(`tcp sink: ${JSON.stringify(result)}`);
    }
    const mbitPerSecond = result.seconds > 0 ? (result.bytes * 8) / result.seconds / 1e6 : 0;
    return { bytes: result.bytes, seconds: result.seconds, mbitPerSecond };
  } finally {
    sink.kill('SIGKILL');
  }
}
