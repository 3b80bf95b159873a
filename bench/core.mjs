// HTTP/2 session benchmark: h2wasm/core (two sans-IO Sessions; the chunks of one pull() go
// into the peer's receive() as one buffer) against node:http2 (client and server joined by an
// in-memory Duplex pair), in this one process, rounds interleaved, medians reported.
//
//   exchanges  N GET request/response exchanges (body `hello world`), 100 streams at a time
//   transfer   one GET with a 256 MiB response body, received chunks checked by SHA-256
//
// Figures are per second of process CPU time (user + system: GC threads count), which a
// busy machine disturbs less than wall time; wall-clock figures are printed beside them.
// Both implementations use their default settings for the exchanges, and the same receive
// windows for the transfer (stream 16 MiB, connection 64 MiB, frames of 16 KiB).
//
// Usage: node bench/core.mjs [--rounds N] [--quick] [--json] [--exchanges N] [--mib N]
//   --rounds N   rounds (default 5)     --quick   1 round, 20,000 exchanges, 32 MiB
//   --json       exactly one JSON object on stdout; progress and the table go to stderr
import { createHash, randomFillSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseOptions } from './core/options.mjs';
import { nodeExchanges, nodeTransfer } from './core/node-http2.mjs';
import { h2wasmExchanges, h2wasmTransfer } from './core/h2wasm.mjs';

const log = (s) => process.stderr.write(`${s}\n`);
let opts;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (err) {
  log(err.message);
  process.exit(err.help ? 0 : 2);
}

// The built package, as users get it (run `npm run build` first). Without it, node:http2
// still runs and the h2wasm figures are null (exit code 1).
const DIST = new URL('../dist/core.mjs', import.meta.url);
const notes = [];
let Session = null;
if (existsSync(DIST)) ({ Session } = await import(DIST.href));
else notes.push('dist/core.mjs is not built (npm run build): h2wasm not run');

// A full collection before each timed run, so one run's garbage is not the next one's cost.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const TRANSFER_SETTINGS = { initialWindowSize: 16 << 20 };
const TRANSFER_CONNECTION_WINDOW = 64 << 20;

const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };
async function timed(fn) {
  gc();
  const wall0 = performance.now();
  const cpu0 = cpuNow();
  const value = await fn();
  return { cpu: cpuNow() - cpu0, wall: performance.now() - wall0, value };
}

const sha256 = (chunks) => {
  const h = createHash('sha256');
  for (const c of chunks) h.update(c);
  return h.digest('hex');
};

log(`preparing a ${opts.mib} MiB body`);
const body = randomFillSync(Buffer.allocUnsafe(opts.mib << 20));
const bodyHash = sha256([body]);

const runs = {
  h2wasm: {
    exchanges: (n) => timed(() => h2wasmExchanges(Session, n, opts.concurrency)),
    transfer: (b) => timed(() => h2wasmTransfer(Session, b, { settings: TRANSFER_SETTINGS, connectionWindow: TRANSFER_CONNECTION_WINDOW })),
  },
  'node:http2': {
    exchanges: (n) => timed(() => nodeExchanges(n, opts.concurrency)),
    transfer: (b) => timed(async () => (await nodeTransfer(b, TRANSFER_SETTINGS, TRANSFER_CONNECTION_WINDOW)).chunks),
  },
};
if (!Session) delete runs.h2wasm;
const names = Object.keys(runs);

const samples = {};
for (const name of ['h2wasm', 'node:http2']) samples[name] = { exchanges: [], exchangesWall: [], transfer: [], transferWall: [] };
let failed = false;

// Warm-up, untimed: JIT tiers, the WASM instance, node:http2's native state.
log('warming up');
for (const name of names) {
  try {
    await runs[name].exchanges(Math.min(10_000, opts.exchanges));
    await runs[name].transfer(body.subarray(0, 8 << 20));
  } catch (err) {
    log(`  ${name} failed while warming up: ${err.stack ?? err}`);
    failed = true;
  }
}

for (let round = 1; round <= opts.rounds && !failed; round++) {
  // Alternate the order so neither implementation always runs on a freshly collected heap.
  const order = round % 2 ? names : [...names].reverse();
  for (const name of order) {
    log(`round ${round}/${opts.rounds}: ${name} exchanges`);
    try {
      const r = await runs[name].exchanges(opts.exchanges);
      samples[name].exchanges.push(opts.exchanges / (r.cpu / 1e3));
      samples[name].exchangesWall.push(opts.exchanges / (r.wall / 1e3));
      log(`  ${fmt(opts.exchanges / (r.cpu / 1e3))} exchanges/s (wall ${fmt(opts.exchanges / (r.wall / 1e3))})`);
    } catch (err) {
      log(`  ${name} exchanges failed: ${err.stack ?? err}`);
      failed = true;
    }
  }
  for (const name of order) {
    log(`round ${round}/${opts.rounds}: ${name} transfer of ${opts.mib} MiB`);
    try {
      const r = await runs[name].transfer(body);
      const hash = sha256(r.value);
      if (hash !== bodyHash) throw new Error(`received body hash ${hash}, sent ${bodyHash}`);
      samples[name].transfer.push(body.length / 1e6 / (r.cpu / 1e3));
      samples[name].transferWall.push(body.length / 1e6 / (r.wall / 1e3));
      log(`  ${fmt(body.length / 1e6 / (r.cpu / 1e3))} MB/s (wall ${fmt(body.length / 1e6 / (r.wall / 1e3))}), hash ok`);
    } catch (err) {
      log(`  ${name} transfer failed: ${err.stack ?? err}`);
      failed = true;
    }
  }
}

function median(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function fmt(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2);
}
const spread = (xs) => (xs.length > 1 ? `${fmt(Math.min(...xs))}..${fmt(Math.max(...xs))}` : '');
const round2 = (x) => (x === null ? null : Math.round(x * 100) / 100);

const med = {};
for (const name of Object.keys(samples)) {
  med[name] = {};
  for (const k of Object.keys(samples[name])) med[name][k] = failed ? null : median(samples[name][k]);
}
const ratio = (k) => (med.h2wasm[k] && med['node:http2'][k] ? med.h2wasm[k] / med['node:http2'][k] : null);

const result = {
  exchanges_per_s: { h2wasm: round2(med.h2wasm.exchanges), 'node:http2': round2(med['node:http2'].exchanges) },
  mb_per_s: { h2wasm: round2(med.h2wasm.transfer), 'node:http2': round2(med['node:http2'].transfer) },
};

const lines = [
  `h2wasm/core vs node:http2, ${opts.rounds} round(s), medians per CPU second (spread; wall clock)`,
  `  exchanges: ${opts.exchanges.toLocaleString('en-US')} GETs, ${opts.concurrency} streams at a time, 11-octet bodies`,
  `  transfer:  one ${opts.mib} MiB response body (MB = 10^6 octets), checked by SHA-256`,
  '',
  `  ${'figure'.padEnd(16)}${'h2wasm'.padStart(14)}${'node:http2'.padStart(14)}${'ratio'.padStart(9)}   target`,
  `  ${'exchanges/s'.padEnd(16)}${fmt(med.h2wasm.exchanges).padStart(14)}${fmt(med['node:http2'].exchanges).padStart(14)}${(fmt(ratio('exchanges')) + '×').padStart(9)}   ≥ 3×  ${mark(ratio('exchanges'), 3)}`,
  `  ${'  wall'.padEnd(16)}${fmt(med.h2wasm.exchangesWall).padStart(14)}${fmt(med['node:http2'].exchangesWall).padStart(14)}${(fmt(ratio('exchangesWall')) + '×').padStart(9)}`,
  `  ${'MB/s'.padEnd(16)}${fmt(med.h2wasm.transfer).padStart(14)}${fmt(med['node:http2'].transfer).padStart(14)}${(fmt(ratio('transfer')) + '×').padStart(9)}   ≥ 1×  ${mark(ratio('transfer'), 1)}`,
  `  ${'  wall'.padEnd(16)}${fmt(med.h2wasm.transferWall).padStart(14)}${fmt(med['node:http2'].transferWall).padStart(14)}${(fmt(ratio('transferWall')) + '×').padStart(9)}`,
  '',
  ...Object.entries(samples).filter(([, x]) => x.exchanges.length > 1)
    .map(([name, x]) => `  spread over rounds, ${name}: ${spread(x.exchanges)} exchanges/s, ${spread(x.transfer)} MB/s`),
];
if (failed) lines.push('  FAILED: see the messages above; figures are null');
for (const n of notes) lines.push(`  note: ${n}`);
function mark(r, target) {
  if (r === null) return '';
  return r >= target ? 'met' : 'NOT met';
}

if (opts.json) {
  log(lines.join('\n'));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  process.stdout.write(`${lines.join('\n')}\n`);
}
process.exitCode = failed || !Session ? 1 : 0;
