// The in-memory exchange benchmark of bench/core.mjs, one round, in whichever runtime runs it
// (Node, Deno, Bun), for bench/runtimes.mjs:
//   <runtime> bench/runtimes/exchanges.mjs <n> <concurrency> <h2wasm,own | own,h2wasm> [source]
// h2wasm: two h2wasm/core Sessions joined in memory (bench/core/h2wasm.mjs), from dist/core.mjs
// or with `source` from bindings/core/index.ts; own: the runtime's node:http2 client and server
// over an in-memory Duplex pair (bench/core/node-http2.mjs). An untimed warm-up first, then one
// timed run of each in the given order. Prints one JSON line:
//   {"h2wasm": {"cpu_ms", "wall_ms"} | {"error"}, "own": …}
import process from 'node:process';
import { nodeExchanges } from '../core/node-http2.mjs';
import { h2wasmExchanges } from '../core/h2wasm.mjs';

const [n, concurrency] = process.argv.slice(2, 4).map(Number);
const order = process.argv[4].split(',');
const from = process.argv[5];
const { Session } = await import(from === 'source' ? '../../bindings/core/index.ts' : '../../dist/core.mjs');

// A full collection before each timed run, as bench/core.mjs does (Node: --expose-gc, Deno:
// --v8-flags=--expose-gc, Bun: Bun.gc).
const gc = () => { globalThis.gc?.(); globalThis.Bun?.gc(true); };
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
const within = (p, ms, what) => Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms))]);

const runs = {
  h2wasm: (count) => h2wasmExchanges(Session, count, concurrency),
  own: (count) => nodeExchanges(count, concurrency),
};

const out = {};
const failed = new Set();
for (const name of order) {
  try { await within(Promise.resolve(runs[name](Math.min(10_000, n))), 60_000, `${name} warm-up`); } catch (e) {
    failed.add(name);
    out[name] = { error: `warm-up: ${e?.message ?? e}` };
  }
}
for (const name of order) {
  if (failed.has(name)) continue;
  gc();
  const wall0 = performance.now();
  const cpu0 = cpuNow();
  try {
    await within(Promise.resolve(runs[name](n)), 120_000, name);
    out[name] = { cpu_ms: cpuNow() - cpu0, wall_ms: performance.now() - wall0 };
  } catch (e) {
    out[name] = { error: e?.message ?? String(e) };
  }
}
process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(0)); // a failed node:http2 run can leave handles open
