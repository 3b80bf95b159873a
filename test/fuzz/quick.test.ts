// The quick fuzz run of `npm test`: fixed seeds, so it is the same inputs every time (a few
// seconds), over the server and client receive paths and the HPACK decoder; then every saved
// regression case (corpus/regressions/, written by `npm run fuzz`) is replayed.
// Oracle and generators: lib/oracle.ts, lib/gen.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, frame, goawayFrame, rstStreamFrame, parseFrames } from '../helpers/frames.ts';
import { MAX_WASM_GROWTH, fuzz, loadRegressions, type Found } from './lib/run.ts';
import { checkOutput, reached, runInput } from './lib/oracle.ts';
import { loadSeeds } from './lib/gen.ts';

const test = suite('fuzz: quick run (fixed seeds)');

const SEEDS = [0x5eed0001, 0x5eed0002];
const INPUTS_PER_SEED = 4000; // about 1.5 s each

test('the recorded conversations replay cleanly, whole and byte by byte', () => {
  const seeds = loadSeeds();
  assert.ok(seeds.some((s) => s.role === 'server') && seeds.some((s) => s.role === 'client'), 'seeds for both roles');
  for (const s of seeds) {
    assert.is(runInput(s.role, s.chunks), null, s.name);
    const bytes = s.chunks.flatMap((c) => Array.from(c, (b) => Uint8Array.of(b)));
    assert.is(runInput(s.role, bytes.slice(0, 2000)), null, `${s.name}, one octet per receive()`);
  }
});

test('seeded inputs: no trap, no throw, no hang, bounded memory, clean rejections', () => {
  reached.clear();
  const found: Found[] = [];
  let inputs = 0;
  for (const seed of SEEDS) {
    const stats = fuzz({ seed, maxInputs: INPUTS_PER_SEED, deadline: performance.now() + 20_000, onFound: (f) => { found.push(f); } });
    inputs += stats.inputs;
    assert.ok(stats.memoryGrowth <= MAX_WASM_GROWTH, `WebAssembly memory grew ${stats.memoryGrowth} octets`);
  }
  const first = found[0];
  assert.ok(!first, first && `${found.length} failing input(s); first: seed ${first.seed} input ${first.index} (${first.target}, ${first.strategy}): ${first.failure.kind}: ${first.failure.message}\n(npm run fuzz -- --replay ${first.seed}:${first.index} saves it as a regression case)`);
  assert.ok(inputs >= SEEDS.length * 500, `ran ${inputs} inputs`);
  // The inputs get past the framing: requests and responses are delivered and every kind of
  // rejection is met, so the oracle is not only ever looking at a preface error.
  for (const k of ['server request', 'server data', 'client response', 'client push', 'client data', 'client goaway', 'hpack ok',
    'server error connection header block could not be decompressed', 'server error stream malformed message (RFC 9113 §8)',
    'client error connection frame size is invalid', 'hpack ERR_HPACK_INVALID_HUFFMAN', 'hpack ERR_HPACK_TABLE_SIZE_UPDATE']) {
    assert.ok((reached.get(k) ?? 0) > 0, `no input reached "${k}"`);
  }
});

test('every saved regression case passes', () => {
  for (const r of loadRegressions()) {
    if (r.target === 'hpack-diff') continue; // hpack-diff.test.ts replays those
    const f = runInput(r.target, r.chunks);
    assert.is(f, null, `${r.name}: ${f?.kind}: ${f?.message}`);
  }
});

test('the output check catches what it is meant to', () => {
  const err = { type: 'error' as const, scope: 'connection' as const, streamId: 0, code: ErrorCode.PROTOCOL_ERROR, reason: 'x', local: true };
  const goaway = parseFrames(goawayFrame(0, ErrorCode.PROTOCOL_ERROR));
  const ping = parseFrames(frame(FrameType.PING, 0, 0, new Uint8Array(8)));
  assert.is(checkOutput(goaway, [err]), null, 'GOAWAY for a reported connection error');
  assert.match(checkOutput(goaway, [])?.message ?? '', /without a connection 'error' event/);
  assert.match(checkOutput([...goaway, ...ping], [err])?.message ?? '', /after an error GOAWAY/);
  assert.match(checkOutput([], [err])?.message ?? '', /no GOAWAY sent/);
  assert.match(checkOutput(parseFrames(rstStreamFrame(1, 0x99)), [])?.message ?? '', /RST_STREAM/);
});

test.run();
