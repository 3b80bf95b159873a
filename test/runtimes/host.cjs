// Host for CommonJS: `require('h2wasm/hpack')` from the installed package (the "require"
// condition of package.json "exports"), then the same checks and output as host.mjs.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const MARK = '@@h2wasm-';
const emit = (kind, value) => console.log(`${MARK}${kind} ${JSON.stringify(value)}`);

function runtime() {
  if (globalThis.Bun) return `bun ${globalThis.Bun.version} (require)`;
  return `node ${process.version} (require)`;
}

async function main() {
  const started = performance.now();
  let resolved = null;
  let hpack = null;
  try {
    resolved = require.resolve('h2wasm/hpack');
    hpack = require('h2wasm/hpack');
    emit('check', { name: "require('h2wasm/hpack')", ok: true, error: null });
  } catch (err) {
    emit('check', { name: "require('h2wasm/hpack')", ok: false, error: String((err && err.stack) || err) });
  }
  if (hpack) {
    const { runChecks } = await import('./checks.mjs');
    const data = JSON.parse(readFileSync(join(__dirname, 'data.json'), 'utf8'));
    for (const result of runChecks(hpack, data)) emit('check', result);
  }
  let ours = null;
  try {
    ours = require('h2wasm');
    emit('check', { name: "require('h2wasm')", ok: true, error: null });
  } catch (err) {
    emit('check', { name: "require('h2wasm')", ok: false, error: String((err && err.stack) || err) });
  }
  if (ours) {
    const { runNodeApiChecks } = await import('./node-api.mjs');
    for (const result of await runNodeApiChecks(ours)) emit('check', result);
  }
  emit('done', { runtime: runtime(), resolved, ms: Math.round(performance.now() - started) });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
