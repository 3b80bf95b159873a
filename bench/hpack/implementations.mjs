// The three implementations under test and how to start their worker processes.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildNghttp2Worker } from './build-c.mjs';

const nodeWorker = (file) => [process.execPath, fileURLToPath(new URL(file, import.meta.url))];

function hpackJsMissing() {
  try {
    createRequire(import.meta.url).resolve('hpack.js');
    return null;
  } catch {
    return 'hpack.js is not installed (npm install)';
  }
}

/** Our codec's build; the h2wasm worker imports it. */
export const H2WASM_DIST = new URL('../../dist/hpack.mjs', import.meta.url);

/** @returns {Array<{name: string, command: string[] | null, missing: string | null}>} round order */
export function implementations(outDir) {
  const c = buildNghttp2Worker(fileURLToPath(outDir));
  const impl = (name, command, missing) => ({ name, command: missing ? null : command, missing });
  return [
    impl('h2wasm', nodeWorker('./worker-h2wasm.mjs'),
      existsSync(H2WASM_DIST) ? null : 'dist/hpack.mjs is not built (npm run build)'),
    impl('hpack.js', nodeWorker('./worker-hpackjs.mjs'), hpackJsMissing()),
    impl('nghttp2', [c.bin], c.bin ? null : c.reason),
  ];
}
