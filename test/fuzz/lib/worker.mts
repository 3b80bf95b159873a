// One fuzz round in a worker thread (scripts/fuzz.mjs): a hang in the core cannot be
// interrupted from the same thread, so the main thread watches `progress` and terminates us.
import { parentPort, workerData } from 'node:worker_threads';
import { fuzz } from './run.ts';
import { toHex } from './rng.ts';

const { seed, seconds, progress } = workerData as { seed: number; seconds: number; progress: SharedArrayBuffer };
const at = new Int32Array(progress); // [0]: the input being run
const stats = fuzz({
  seed,
  deadline: performance.now() + seconds * 1000,
  onInput: (i) => { Atomics.store(at, 0, i); },
  onFound: (f) => {
    parentPort!.postMessage({ type: 'found', seed: f.seed, index: f.index, target: f.target, strategy: f.strategy, failure: f.failure, chunks: f.chunks.map(toHex) });
  },
});
parentPort!.postMessage({ type: 'done', stats });
