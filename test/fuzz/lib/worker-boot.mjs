// Entry of the fuzz worker thread (scripts/fuzz.mjs): loads tsx in this thread, then the TypeScript.
// Does nothing on the main thread (uvu imports every script under test/fuzz).
import { isMainThread } from 'node:worker_threads';

if (!isMainThread) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./worker.mts');
}
