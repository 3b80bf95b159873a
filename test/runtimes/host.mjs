// Host for Node (ESM import), Deno and Bun: imports h2wasm/hpack and h2wasm from the installed package
// (node_modules, through package.json "exports"), reads data.json the runtime's own way, runs
// checks.mjs and prints one line per result for run.mjs: `@@h2wasm-check <json>`, then a
// closing `@@h2wasm-done <json>`.
import { runChecks } from './checks.mjs';

const MARK = '@@h2wasm-';
const emit = (kind, value) => console.log(`${MARK}${kind} ${JSON.stringify(value)}`);

function runtime() {
  if (globalThis.Deno) return `deno ${globalThis.Deno.version.deno}`;
  if (globalThis.Bun) return `bun ${globalThis.Bun.version}`;
  return `node ${globalThis.process?.version}`;
}

async function readText(url) {
  if (globalThis.Deno) return globalThis.Deno.readTextFile(url);
  if (globalThis.Bun) return globalThis.Bun.file(url).text();
  const { readFile } = await import('node:fs/promises');
  return readFile(url, 'utf8');
}

const started = performance.now();
let resolved = null;
try {
  resolved = import.meta.resolve('h2wasm/hpack');
} catch (err) {
  resolved = `(import.meta.resolve failed: ${err?.message ?? err})`;
}

let hpack = null;
try {
  hpack = await import('h2wasm/hpack');
  emit('check', { name: "import 'h2wasm/hpack'", ok: true, error: null });
} catch (err) {
  emit('check', { name: "import 'h2wasm/hpack'", ok: false, error: String(err?.stack ?? err) });
}

if (hpack) {
  const data = JSON.parse(await readText(new URL('./data.json', import.meta.url)));
  for (const result of runChecks(hpack, data)) emit('check', result);
}
// The root entry: the node:http2 API (Node, Deno, Bun).
let ours = null;
try {
  ours = await import('h2wasm');
  emit('check', { name: "import 'h2wasm'", ok: true, error: null });
} catch (err) {
  emit('check', { name: "import 'h2wasm'", ok: false, error: String(err?.stack ?? err) });
}
if (ours) {
  const { runNodeApiChecks } = await import('./node-api.mjs');
  for (const result of await runNodeApiChecks(ours)) emit('check', result);
}
emit('done', { runtime: runtime(), resolved, ms: Math.round(performance.now() - started) });
