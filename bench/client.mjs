// Client benchmark: 100,000 GETs over one session with 100 in flight against nghttpd (h2c,
// a 11-octet file), node:http2's client against h2wasm's (the built package), each run in its
// own process on CPU 1 with nghttpd on CPU 0 where `taskset` exists. Interleaved rounds, medians.
//
// Usage: node bench/client.mjs [--rounds N] [--quick] [--json]
import { runClientBench } from './client/bench.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const roundsAt = args.indexOf('--rounds');
const result = await runClientBench({
  rounds: roundsAt >= 0 ? Number(args[roundsAt + 1]) : quick ? 2 : 5,
  requests: quick ? 20_000 : 100_000,
  log: (s) => process.stderr.write(`${s}\n`),
});
const m = result;
process.stderr.write(`\nclient req/s  h2wasm ${m.h2wasm}  node:http2 ${m['node:http2']}  ratio ${(m.h2wasm / m['node:http2']).toFixed(2)}×\n`);
if (args.includes('--json')) process.stdout.write(JSON.stringify({ req_per_s: { client: result } }) + '\n');
