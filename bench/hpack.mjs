// HPACK benchmark: our codec (core and API), hpack.js and nghttp2's C HPACK on the same
// workload, each in its own worker process, rounds interleaved, CPU-time medians.
// Usage: node bench/hpack.mjs [--rounds N] [--seconds S] [--quick] [--json]  (see README.md)
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseOptions } from './hpack/options.mjs';
import { prepareWorkload } from './hpack/workload.mjs';
import { implementations, H2WASM_DIST } from './hpack/implementations.mjs';
import { verifyAll, same } from './hpack/verify.mjs';
import { runWorker } from './hpack/spawn.mjs';
import { resultObject, formatReport } from './hpack/report.mjs';

const OUT = new URL('./.out/', import.meta.url);
const log = (s) => process.stderr.write(`${s}\n`);

let opts;
try {
  opts = parseOptions(process.argv.slice(2));
} catch (err) {
  log(err.message);
  process.exit(2);
}

log('preparing workload in bench/.out/');
const workload = prepareWorkload(OUT);
const impls = implementations(OUT);
// Others may rebuild dist/ while this runs; figures from mixed builds must be flagged.
const distStamp = () => statSync(H2WASM_DIST, { throwIfNoEntry: false })?.mtimeMs ?? null;
const distAtStart = distStamp();
const notes = [];
for (const i of impls.filter((x) => x.missing)) log(`skipping ${i.name}: ${i.missing}`);

log('verifying every implementation\'s output');
const { failed, encodedBytes } = verifyAll(impls, workload, fileURLToPath(OUT), log);

/** Rate of one figure from one round: workload units per CPU second. */
function rate(figure, f) {
  if (figure === 'huffman') return (workload.expect.huffman.octets * f.passes) / f.cpu / 1e6;
  return (workload.expect[figure].fields * f.passes) / f.cpu;
}

// A round's result counts only if its own pre-timing pass still matches the workload.
function stillCorrect(variant, figure, f) {
  const why = figure === 'encode'
    ? (f.bytes === encodedBytes[variant] ? null
      : `${f.bytes} octets, verified ${encodedBytes[variant]} (was it rebuilt during the run?)`)
    : same(f, workload.expect[figure]);
  if (why) { failed.add(`${variant}/${figure}`); log(`  MISMATCH ${variant}/${figure}: ${why}`); }
  return !why;
}

const samples = {};
const args = ['bench', String(opts.seconds), String(opts.warmup),
  workload.files.decode, workload.files.encode, workload.files.huffman];
for (let round = 1; round <= opts.rounds; round++) {
  for (const impl of impls.filter((i) => i.command)) {
    log(`round ${round}/${opts.rounds}: ${impl.name}`);
    let res;
    try {
      res = runWorker(impl.command, args);
    } catch (err) {
      log(`  ${impl.name} failed: ${err.message}; dropped from later rounds`);
      notes.push(`${impl.name} failed in round ${round}: ${err.message.split('\n')[0]}`);
      impl.command = null;
      continue;
    }
    for (const [variant, figures] of Object.entries(res)) {
      for (const [figure, f] of Object.entries(figures)) {
        if (failed.has(`${variant}/${figure}`) || !stillCorrect(variant, figure, f)) continue;
        ((samples[variant] ??= {})[figure] ??= []).push(rate(figure, f));
      }
    }
  }
}

// Wrong output never reaches the figures: a failed figure is reported as null.
for (const key of failed) {
  const [variant, figure] = key.split('/');
  if (samples[variant]) delete samples[variant][figure];
  if (figure === 'encode') delete encodedBytes[variant];
  notes.push(`${key} produced wrong output: figure omitted`);
}
for (const i of impls.filter((x) => x.missing)) notes.push(`${i.name} skipped: ${i.missing}`);
if (encodedBytes['h2wasm-core'] !== undefined && encodedBytes['h2wasm-core'] !== encodedBytes['h2wasm-api']) {
  notes.push(`h2wasm encodePacked gave ${encodedBytes['h2wasm-core']} octets, encode ${encodedBytes['h2wasm-api']}`);
}

if (distAtStart !== null && distStamp() !== distAtStart) {
  log('WARNING: dist/hpack.mjs changed during the run');
  notes.push('dist/hpack.mjs was rebuilt during the run: h2wasm figures may mix builds');
}

const result = resultObject(samples, encodedBytes);
const report = formatReport(result, samples, { rounds: opts.rounds, seconds: opts.seconds, notes });
if (opts.json) {
  log(report);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  process.stdout.write(`${report}\n`);
}
process.exitCode = failed.size > 0 ? 1 : 0;
