// Stream attacks: Rapid Reset, MadeYouReset, reset floods, stream-id abuse, stream exhaustion,
// and the false positive the defaults must avoid: a gRPC-style cancellation burst.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, concat, dataFrame, headersFrame, rstStreamFrame, windowUpdateFrame } from '../helpers/frames.ts';
import { indexed, literalIndexedName } from '../limits/blocks.ts';
import { Attacker, answered, attack, get, post, repeat, stillServes, unreadFlood } from './harness.ts';
import { sleep } from '../interop/helpers/util.ts';

const test = suite('attacks: streams');

test('Rapid Reset: HEADERS + RST_STREAM loops draw GOAWAY ENHANCE_YOUR_CALM', attack('Rapid Reset', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  let id = 1;
  const batch = () => repeat(100, () => { const i = id; id += 2; return concat(headersFrame(i, get('/rr'), { endStream: true }), rstStreamFrame(i, ErrorCode.CANCEL)); });
  const flood = a.flood(batch, 5000, () => a.goaway !== undefined);
  const closeMs = await a.expectGoaway(ErrorCode.ENHANCE_YOUR_CALM);
  await flood;
  return { closeMs, note: `after ${(id - 1) / 2} streams` };
}));

/** The MadeYouReset shapes: a valid request, then a frame that makes the server reset it. */
const MADE_YOU_RESET: Array<[string, (id: number) => Uint8Array, number]> = [
  ['WINDOW_UPDATE 0 on the stream', (id) => concat(headersFrame(id, post('/myr-wu0'), { endStream: false }), windowUpdateFrame(id, 0)), ErrorCode.PROTOCOL_ERROR],
  ['WINDOW_UPDATE overflowing the stream window', (id) => concat(headersFrame(id, post('/myr-wu-max'), { endStream: false }), windowUpdateFrame(id, 0x7fffffff)), ErrorCode.FLOW_CONTROL_ERROR],
  ['DATA after END_STREAM', (id) => concat(headersFrame(id, post('/myr-data'), { endStream: true }), dataFrame(id, 'late')), ErrorCode.STREAM_CLOSED],
  ['trailers with a pseudo-header', (id) => concat(headersFrame(id, post('/myr-trailers'), { endStream: false }), headersFrame(id, indexed(4), { endStream: true })), ErrorCode.PROTOCOL_ERROR],
];

test('MadeYouReset: each shape draws RST_STREAM with its code', attack('MadeYouReset, one of each', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  MADE_YOU_RESET.forEach(([, make], i) => a.write(make(1 + 2 * i)));
  await a.until(() => MADE_YOU_RESET.every((_, i) => a.resets().has(1 + 2 * i)) || a.closed, 3000, 'the resets');
  const got = MADE_YOU_RESET.map(([what], i) => [what, a.resets().get(1 + 2 * i)]);
  assert.equal(got, MADE_YOU_RESET.map(([what, , code]) => [what, code]));
  await stillServes(a, 1 + 2 * MADE_YOU_RESET.length);
}));

test('MadeYouReset loops draw GOAWAY ENHANCE_YOUR_CALM', attack('MadeYouReset, loop', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  let id = 1;
  const batch = () => repeat(50, () => { const i = id; id += 2; return MADE_YOU_RESET[(i >> 1) % MADE_YOU_RESET.length][1](i); });
  const flood = a.flood(batch, 5000, () => a.goaway !== undefined);
  const closeMs = await a.expectGoaway(ErrorCode.ENHANCE_YOUR_CALM);
  await flood;
  return { closeMs, note: `after ${(id - 1) / 2} streams` };
}));

/** A request without :path: malformed (RFC 9113 §8.3.1), each one draws 400 / RST_STREAM. */
const NO_PATH = concat(indexed(2), indexed(6), literalIndexedName(1, 'localhost'));

test('reset flood: invalid requests from a peer that does not read', attack('reset flood, not reading', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  let id = 1;
  return unreadFlood(a, () => repeat(50, () => { const i = id; id += 2; return headersFrame(i, NO_PATH, { endStream: true }); }));
}));

test('stream ids: decreasing, even, zero, and near 2^31-1', attack('stream-id abuse', async ({ s, port }) => {
  const cases: Array<[string, (a: Attacker) => void]> = [
    ['a decreasing id', (a) => a.write(concat(headersFrame(5, get('/ok'), { endStream: true }), headersFrame(3, get('/evil'), { endStream: true })))],
    ['an even id from a client', (a) => a.write(headersFrame(2, get('/evil'), { endStream: true }))],
    ['stream 0', (a) => a.write(headersFrame(0, get('/evil'), { endStream: true }))],
    ['a lower id after 2^31-1', (a) => a.write(concat(headersFrame(0x7fffffff, get('/top'), { endStream: true }), headersFrame(7, get('/evil'), { endStream: true })))],
  ];
  const notes: string[] = [];
  for (const [what, run] of cases) {
    const a = await Attacker.open(s, port);
    run(a);
    notes.push(`${what}: ${await a.expectGoaway(ErrorCode.PROTOCOL_ERROR)} ms`);
  }
  // 2^31-1 itself is a valid id: served; the session can take no further stream.
  const a = await Attacker.open(s, port);
  a.write(headersFrame(0x7ffffffd, get('/high'), { endStream: true }));
  a.write(headersFrame(0x7fffffff, get('/top'), { endStream: true }));
  await answered(a, [0x7ffffffd, 0x7fffffff]);
  assert.is(a.answer(0x7ffffffd), 'status 200');
  assert.is(a.answer(0x7fffffff), 'status 200');
  return { note: notes.join('; ') };
}));

test('stream exhaustion: streams past MAX_CONCURRENT_STREAMS are refused', attack('stream exhaustion (150 open uploads)', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  const ids = Array.from({ length: 150 }, (_, i) => 1 + 2 * i);
  a.write(concat(...ids.map((id) => headersFrame(id, post('/upload'), { endStream: false }))));
  await a.until(() => a.resets().size >= 50 || a.closed, 3000, 'REFUSED_STREAM for the streams past 100');
  const refused = [...a.resets()].filter(([, code]) => code === ErrorCode.REFUSED_STREAM).map(([id]) => id);
  assert.equal(refused, ids.slice(100), 'the streams past the 100th are refused');
  assert.not.ok(a.goaway, 'no GOAWAY');
  // Finishing the open uploads lets new streams in again.
  a.write(concat(...ids.slice(0, 100).map((id) => dataFrame(id, 'x', { endStream: true }))));
  await answered(a, ids.slice(0, 100));
  await stillServes(a, 301);
  return { note: `${refused.length} refused` };
}));

test('defaults raise no false positive: a gRPC-style cancellation burst keeps the connection', attack('gRPC cancellation burst (no false positive)', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  let id = 1;
  // 200 calls opened and cancelled (deadline exceeded) within a few hundred ms, some after a message.
  for (let round = 0; round < 5; round++) {
    const calls = repeat(40, (i) => {
      const sid = id; id += 2;
      return concat(headersFrame(sid, post('/grpc.Service/Call', literalIndexedName(31, 'application/grpc')), { endStream: false }),
        i % 2 ? dataFrame(sid, new Uint8Array(5)) : new Uint8Array(0), rstStreamFrame(sid, ErrorCode.CANCEL));
    });
    a.write(calls);
    await sleep(50);
  }
  await sleep(300);
  assert.not.ok(a.goaway, `no GOAWAY (got ${a.goaway?.code})`);
  assert.not.ok(a.closed, 'the connection stays open');
  await stillServes(a, id);
  assert.is(a.ofType(FrameType.GOAWAY).length, 0);
  return { note: `${(id - 1) / 2} streams cancelled, connection kept` };
}));

test.run();
