/**
 * One worker thread of the sweep pool (sweep-pool.ts): receives the topologies
 * once, then failure scenarios one at a time, and answers each with its
 * measurement from the platform-free `measureFailure` — the very function the
 * in-process sweep calls, so results do not depend on where they ran.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type MeasureOptions, measureFailure } from '../analysis/sweep.ts';
import type { WorkerInit, WorkerReply, WorkerRequest } from './sweep-pool.ts';

const port = parentPort;
if (!port) throw new Error('sweep-worker.ts runs only as a worker thread');
const init = workerData as WorkerInit;
const measure: MeasureOptions = { timing: init.timing };

port.on('message', (request: WorkerRequest) => {
  const topology = init.topologies[request.design];
  const reply: WorkerReply = topology
    ? { kind: 'done', index: request.index, measurement: measureFailure(topology, request.failure, measure) }
    : { kind: 'failed', index: request.index, message: `no design ${request.design}` };
  port.postMessage(reply);
});
port.postMessage({ kind: 'ready' } satisfies WorkerReply);
