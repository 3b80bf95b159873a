#!/usr/bin/env node
// Fuzzes the receive path (server and client Sessions) and the HPACK decoder for as long as
// asked, with random seeds, plus the differential HPACK check against nghttp2 and hpack.js.
// Every failing input is saved under test/fuzz/corpus/regressions/ (quick.test.ts and
// hpack-diff.test.ts replay them in `npm test`). The generators and the oracle are in test/fuzz/lib/.
//
//   npm run fuzz -- --seconds 300            (default 60)
//   npm run fuzz -- --seed 1234              one fixed seed for the first round
//   npm run fuzz -- --replay 1234:567        rerun input 567 of seed 1234 and save it if it fails
//
// Runs under tsx (package.json: node --import tsx scripts/fuzz.mjs). Exit code 1 when anything failed.
import { Worker } from 'node:worker_threads';
import { randomInt } from 'node:crypto';
import { inputOf, saveRegression } from '../test/fuzz/lib/run.ts';
import { runInput } from '../test/fuzz/lib/oracle.ts';
import { hpackBlocks } from '../test/fuzz/lib/gen.ts';
import { Rng, fromHex, inputSeed } from '../test/fuzz/lib/rng.ts';
import {
  buildNghttp2, checkAgainstHpackJs, checkAgainstNghttp2, decodeHpackJs, decodeNghttp2, decodeOurs,
} from '../test/fuzz/lib/hpack-diff.ts';

const ROUND_SECONDS = 10;
const HANG_MS = 10_000; // no new input for this long: the core is stuck on one
const DIFF_CASES = 1000;

function parseArgs(argv) {
  const o = { seconds: 60, seed: undefined, replay: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i] ?? usage(`${a} needs a value`);
    if (a === '--seconds') o.seconds = Number(value());
    else if (a === '--seed') o.seed = Number(value()) >>> 0;
    else if (a === '--replay') o.replay = value();
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  if (!(o.seconds > 0)) usage('--seconds takes a positive number');
  return o;
}

function usage(error) {
  console.error(`${error ? `fuzz: ${error}\n` : ''}usage: npm run fuzz -- [--seconds N] [--seed S] [--replay SEED:INDEX]`);
  process.exit(error ? 2 : 0);
}

const opts = parseArgs(process.argv.slice(2));
let failures = 0;

function report(found, note) {
  failures++;
  const name = saveRegression({ target: found.target, chunks: found.chunks }, found.failure, note);
  console.log(`\nFAIL ${found.target}: ${found.failure.kind}: ${found.failure.message.split('\n')[0]}\n  ${note}\n  saved test/fuzz/corpus/regressions/${name}`);
}

if (opts.replay) {
  const [seed, index] = opts.replay.split(':').map((n) => Number(n) >>> 0);
  const { target, strategy, chunks } = inputOf(seed, index);
  const failure = runInput(target, chunks);
  console.log(`seed ${seed} input ${index}: ${target}, ${strategy}, ${chunks.reduce((n, c) => n + c.length, 0)} octets: ${failure ? `${failure.kind}: ${failure.message}` : 'passes'}`);
  if (failure) report({ target, chunks, failure }, `seed ${seed} input ${index} (${strategy})`);
  process.exit(failure ? 1 : 0);
}

/** One round in a worker; resolves with its stats, or after terminating it on a hang. */
function round(seed, seconds) {
  return new Promise((resolve) => {
    const progress = new SharedArrayBuffer(4);
    const at = new Int32Array(progress);
    Atomics.store(at, 0, -1);
    const worker = new Worker(new URL('../test/fuzz/lib/worker-boot.mjs', import.meta.url), { workerData: { seed, seconds, progress } });
    let last = -1, since = Date.now(), stats = null;
    const watchdog = setInterval(() => {
      const now = Atomics.load(at, 0);
      if (now !== last) { last = now; since = Date.now(); return; }
      if (Date.now() - since < HANG_MS) return;
      clearInterval(watchdog);
      worker.terminate();
      const { target, strategy, chunks } = inputOf(seed, now);
      report({ target, chunks, failure: { kind: 'slow', message: `no progress for ${HANG_MS} ms (a hang)` } }, `seed ${seed} input ${now} (${strategy})`);
    }, 500);
    worker.on('message', (m) => {
      // A slow input is checked again here, after the round: timing in a busy worker is noisy.
      if (m.type === 'found' && m.failure.kind === 'slow') pendingSlow.push(m);
      else if (m.type === 'found') report({ target: m.target, chunks: m.chunks.map(fromHex), failure: m.failure }, `seed ${m.seed} input ${m.index} (${m.strategy})`);
      else if (m.type === 'done') stats = m.stats;
    });
    worker.on('error', (err) => {
      failures++;
      console.log(`\nFAIL the worker of seed ${seed} crashed near input ${Atomics.load(at, 0)}: ${err.stack ?? err}`);
    });
    worker.on('exit', () => { clearInterval(watchdog); resolve(stats); });
  });
}

/** The differential HPACK check on fresh random cases. */
function differential(seed, bin) {
  const cases = Array.from({ length: DIFF_CASES }, (_, i) => ({ tableSize: 4096, blocks: hpackBlocks(new Rng(inputSeed(seed, i))) }));
  const ng = bin ? decodeNghttp2(bin, cases) : null;
  cases.forEach((c, i) => {
    const ours = decodeOurs(c);
    const f = (ng && checkAgainstNghttp2(c, ours, ng[i])) || checkAgainstHpackJs(c, ours, decodeHpackJs(c));
    if (f) report({ target: 'hpack-diff', chunks: c.blocks, failure: { kind: 'diff', message: f } }, `differential seed ${seed} case ${i}`);
  });
  return cases.length;
}

const built = buildNghttp2();
if ('reason' in built) {
  if (process.env.CI === 'true') { console.error(`fuzz: CI=true and the nghttp2 reference cannot be built: ${built.reason}`); process.exit(1); }
  console.log(`fuzz: differential HPACK against hpack.js only (nghttp2: ${built.reason})`);
}
const bin = 'bin' in built ? built.bin : null;

const end = Date.now() + opts.seconds * 1000;
let seed = opts.seed ?? randomInt(2 ** 32);
let inputs = 0, octets = 0, diffCases = 0;
const pendingSlow = [];
try {
  while (Date.now() < end) {
    const seconds = Math.min(ROUND_SECONDS, (end - Date.now()) / 1000);
    if (seconds < 0.5) break;
    const stats = await round(seed, seconds);
    for (const m of pendingSlow.splice(0)) {
      const chunks = m.chunks.map(fromHex);
      const again = runInput(m.target, chunks);
      if (again) report({ target: m.target, chunks, failure: again }, `seed ${m.seed} input ${m.index} (${m.strategy})`);
      else console.log(`\nfuzz: seed ${m.seed} input ${m.index} was slow in the worker (${m.failure.message}) but not when run again: noise`);
    }
    if (stats) { inputs += stats.inputs; octets += stats.octets; }
    diffCases += differential(seed, bin);
    process.stdout.write(`\rfuzz: ${inputs} inputs (${(octets / 1e6).toFixed(1)} MB), ${diffCases} HPACK differential cases, ${failures} failures, last seed ${seed}   `);
    seed = randomInt(2 ** 32);
  }
} finally {
  if ('cleanup' in built) built.cleanup();
}
console.log(`\nfuzz: ${failures ? `${failures} failure(s) saved under test/fuzz/corpus/regressions/` : 'no failures'}`);
process.exitCode = failures ? 1 : 0;
