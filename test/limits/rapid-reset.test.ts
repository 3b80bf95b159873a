// DESIGN.md limits: the peer's RST_STREAM rate (Rapid Reset, CVE-2023-44487) is a token bucket,
// burst 1000, refill 33/s; past it, GOAWAY ENHANCE_YOUR_CALM. Bursts are fed in one chunk, which
// the session reads at one instant, so nothing here depends on the clock except the refill test,
// which only needs "at least this much time has passed".
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, concat, headersFrame, rstStreamFrame } from '../helpers/frames.ts';
import { connectServer as connectPeer, destroySessions, type ScriptedPeer } from '../helpers/peer.ts';
import { GET_BLOCK } from './blocks.ts';

const test = suite('limit: rapid reset');
test.after.each(destroySessions);

/**
 * Bursts are written in one chunk: the session reads them at one instant, so the bucket cannot
 * refill in between (H2WASM_CONFORMANCE_SPLIT, which splits every write, is turned off here).
 */
function connectServer(options: Parameters<typeof connectPeer>[0] = {}): ReturnType<typeof connectPeer> {
  const pair = connectPeer(options);
  pair.peer.split = undefined;
  return pair;
}

/** `n` pairs of HEADERS (a whole GET) + RST_STREAM CANCEL on new streams from `first`, one chunk. */
function cancelled(n: number, first = 1): Uint8Array {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const id = first + 2 * i;
    frames.push(headersFrame(id, GET_BLOCK, { endStream: true }), rstStreamFrame(id, ErrorCode.CANCEL));
  }
  return concat(...frames);
}

const lastId = (n: number, first = 1): number => first + 2 * (n - 1);

async function atLeast(ms: number): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < ms) await new Promise((r) => setTimeout(r, ms));
}

function cancelBurst(peer: ScriptedPeer, n: number, first = 1): void {
  peer.writeRaw(cancelled(n, first), `${n} × (HEADERS + RST_STREAM) from stream ${first}`);
}

test('resetBurst 10: 10 cancelled requests in a burst pass', () => {
  const { server, peer } = connectServer({ server: { limits: { resetBurst: 10 } } });
  cancelBurst(peer, 10);
  assert.is(peer.eventsOf('reset').length, 10);
  peer.wantNoError();
  assert.is(server.state.closed, false);
});

test('resetBurst 10: the 11th reset in a burst draws GOAWAY ENHANCE_YOUR_CALM', () => {
  const { peer } = connectServer({ server: { limits: { resetBurst: 10 } } });
  cancelBurst(peer, 11);
  // Stream 21 was opened (its request reported) before its RST_STREAM: it counts as processed.
  peer.event('request', (e) => e.streamId === 21);
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 21 });
});

test('resetBurst 10, rate 1/s: resets spread over many reads in well under a second still trip it', () => {
  const { peer } = connectServer({ server: { limits: { resetBurst: 10, resetRate: 1 } } });
  const start = performance.now();
  for (let i = 0; i < 11; i++) cancelBurst(peer, 1, 1 + 2 * i);
  if (performance.now() - start > 900) return; // a very slow machine: the bucket refilled legitimately
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 21 });
});

test('the bucket refills (rate 1000/s) but never above its burst', async () => {
  const { peer } = connectServer({ server: { limits: { resetBurst: 10, resetRate: 1000 } } });
  cancelBurst(peer, 10, 1);
  await atLeast(50); // ≥ 50 tokens' worth: full again
  cancelBurst(peer, 10, 21);
  await atLeast(50);
  peer.wantNoError();
  assert.is(peer.eventsOf('reset').length, 20);
  cancelBurst(peer, 11, 41); // a full bucket holds 10, not 60
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: lastId(11, 41) });
});

test('default: 1000 cancelled requests in one burst pass', () => {
  const { peer } = connectServer();
  cancelBurst(peer, 1000);
  assert.is(peer.eventsOf('reset').length, 1000);
  peer.wantNoError();
});

test('default: 1001 HEADERS + RST_STREAM in one burst draw GOAWAY ENHANCE_YOUR_CALM', () => {
  const { peer } = connectServer();
  cancelBurst(peer, 1001);
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: lastId(1001) });
});

test('default: a gRPC-style burst of 500 cancellations passes, and requests go on', () => {
  const { server, peer } = connectServer();
  cancelBurst(peer, 500);
  peer.wantNoError();
  peer.writeHeaders(1001, GET_BLOCK, { endStream: true });
  peer.event('request', (e) => e.streamId === 1001);
  server.respond(1001, [[':status', '200']], { endStream: true });
  peer.wantHeaders(1001, { endStream: true });
});

test('resets of streams that are already closed are not charged', () => {
  // A client cancelling just after the response completed is ordinary; the stream is closed,
  // the RST_STREAM is ignored (RFC 9113 §5.1 "closed") and costs no token.
  const { server, peer } = connectServer({ server: { limits: { resetBurst: 3 } } });
  for (let i = 0; i < 10; i++) {
    const id = 1 + 2 * i;
    peer.writeHeaders(id, GET_BLOCK, { endStream: true });
    server.respond(id, [[':status', '204']], { endStream: true });
    peer.wantHeaders(id);
    peer.writeRstStream(id, ErrorCode.CANCEL);
  }
  peer.wantNoError();
});

test.run();
