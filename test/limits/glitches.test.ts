// DESIGN.md limits: the "glitch" rate — peer-induced errors (resets we send, empty DATA without
// END_STREAM, PRIORITY floods, invalid headers, zero WINDOW_UPDATE) — is a token bucket, burst
// 1000, refill 33/s; past it, GOAWAY ENHANCE_YOUR_CALM. Each kind is tried alone with a small
// burst (10), a mix shows they share one bucket, and one test runs at the default. Bursts go in
// one chunk (one instant for the session), so no test depends on the clock.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ErrorCode, FrameType, concat, dataFrame, headersFrame, priorityFrame, rstStreamFrame, windowUpdateFrame,
} from '../helpers/frames.ts';
import { connectServer as connectPeer, destroySessions, type ScriptedPeer } from '../helpers/peer.ts';
import { GET_BLOCK, POST_BLOCK, indexed, literal, literalIndexedName } from './blocks.ts';

const test = suite('limit: glitches');
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

const SMALL = { limits: { glitchBurst: 10 } };
const repeat = (n: number, f: (i: number) => Uint8Array): Uint8Array => concat(...Array.from({ length: n }, (_, i) => f(i)));
/** A request without :path (RFC 9113 §8.3.1): malformed, a stream error PROTOCOL_ERROR. */
const NO_PATH = concat(indexed(2), indexed(7), literalIndexedName(1, 'example.com'));

function openUpload(peer: ScriptedPeer, id = 1): void {
  peer.writeHeaders(id, POST_BLOCK);
  peer.event('request', (e) => e.streamId === id);
}

// ---------------------------------------------------------------- empty DATA

test('10 empty DATA frames without END_STREAM are tolerated (glitchBurst 10)', () => {
  const { peer } = connectServer({ server: SMALL });
  openUpload(peer);
  peer.writeRaw(repeat(10, () => dataFrame(1)), '10 empty DATA');
  peer.wantNoError();
  peer.writeData(1, 'the body', { endStream: true });
  peer.event('stream-end', (e) => e.streamId === 1);
});

test('the 11th empty DATA frame draws GOAWAY ENHANCE_YOUR_CALM', () => {
  const { peer } = connectServer({ server: SMALL });
  openUpload(peer);
  peer.writeRaw(repeat(11, () => dataFrame(1)), '11 empty DATA');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 1 });
});

test('empty DATA frames that carry END_STREAM are ordinary, not glitches', () => {
  const { peer } = connectServer({ server: SMALL });
  for (let i = 0; i < 30; i++) {
    peer.writeHeaders(1 + 2 * i, POST_BLOCK);
    peer.writeData(1 + 2 * i, new Uint8Array(0), { endStream: true });
  }
  assert.is(peer.eventsOf('stream-end').length, 30);
  peer.wantNoError();
});

// ---------------------------------------------------------------- PRIORITY

test('PRIORITY for streams that do not exist: 10 tolerated, the 11th is ENHANCE_YOUR_CALM', () => {
  const { peer } = connectServer({ server: SMALL });
  peer.writeHeaders(1, GET_BLOCK, { endStream: true });
  peer.writeRaw(repeat(10, (i) => priorityFrame(101 + 2 * i, { dependency: 0, weight: 15 })), '10 PRIORITY on idle streams');
  peer.wantNoError();
  peer.writeRaw(priorityFrame(201, { dependency: 0 }));
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 1 });
});

test('PRIORITY for streams that exist is not a glitch (reprioritisation)', () => {
  const { peer } = connectServer({ server: SMALL });
  openUpload(peer);
  peer.writeRaw(repeat(200, (i) => priorityFrame(1, { dependency: 0, weight: i & 0xff })), '200 PRIORITY on stream 1');
  peer.wantNoError();
});

test('a Firefox-style priority tree (PRIORITY on 5 idle placeholder streams) passes', () => {
  const { peer } = connectServer({ server: SMALL });
  peer.writeRaw(concat(
    priorityFrame(3, { dependency: 0, weight: 200 }), priorityFrame(5, { dependency: 0, weight: 100 }),
    priorityFrame(7, { dependency: 0, weight: 0 }), priorityFrame(9, { dependency: 7, weight: 0 }),
    priorityFrame(11, { dependency: 3, weight: 0 }),
  ));
  peer.writeHeaders(13, GET_BLOCK, { endStream: true, priority: { dependency: 3, weight: 21 } });
  peer.event('request', (e) => e.streamId === 13);
  peer.wantNoError();
});

// ---------------------------------------------------------------- invalid requests

test('malformed requests drawing RST_STREAM: 10 tolerated, the 11th ends the connection', () => {
  const { peer } = connectServer({ server: SMALL });
  peer.writeRaw(repeat(10, (i) => headersFrame(1 + 2 * i, NO_PATH, { endStream: true })), '10 requests without :path');
  for (let i = 0; i < 10; i++) peer.wantRstStream(1 + 2 * i, ErrorCode.PROTOCOL_ERROR);
  assert.is(peer.takeFrame(FrameType.GOAWAY), undefined, 'no GOAWAY after 10');
  peer.writeRaw(headersFrame(21, NO_PATH, { endStream: true }));
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: [19, 21] });
});

test('zero-increment WINDOW_UPDATE on streams (§6.9: stream errors): the 11th ends the connection', () => {
  const { peer } = connectServer({ server: SMALL });
  const frames = repeat(11, (i) => concat(headersFrame(1 + 2 * i, GET_BLOCK, { endStream: true }), windowUpdateFrame(1 + 2 * i, 0)));
  peer.writeRaw(frames, '11 × (GET + WINDOW_UPDATE 0)');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 21 });
});

test('stream resets the peer provokes (WINDOW_UPDATE overflow, MadeYouReset) are charged too', () => {
  // §6.9.1: a stream window above 2^31−1 is a stream error FLOW_CONTROL_ERROR; each one makes us
  // send RST_STREAM, the shape of CVE-2025-8671.
  const { peer } = connectServer({ server: SMALL });
  const frames = repeat(11, (i) => concat(headersFrame(1 + 2 * i, GET_BLOCK, { endStream: true }), windowUpdateFrame(1 + 2 * i, 0x7fffffff)));
  peer.writeRaw(frames, '11 × (GET + WINDOW_UPDATE 2^31−1)');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 21 });
});

test('REFUSED_STREAM resets we send count as glitches ("resets we send")', () => {
  const { peer } = connectServer({ server: { settings: { maxConcurrentStreams: 1 }, ...SMALL } });
  openUpload(peer, 1);
  peer.writeRaw(repeat(11, (i) => headersFrame(3 + 2 * i, GET_BLOCK, { endStream: true })), '11 requests over MAX_CONCURRENT_STREAMS 1');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: [1, 21, 23] });
});

// ---------------------------------------------------------------- one bucket, defaults

test('the kinds share one bucket: 3 empty DATA + 3 PRIORITY + 3 malformed + 2 zero WINDOW_UPDATE', () => {
  const { peer } = connectServer({ server: SMALL });
  openUpload(peer);
  peer.writeRaw(concat(
    repeat(3, () => dataFrame(1)),
    repeat(3, (i) => priorityFrame(301 + 2 * i, { dependency: 0 })),
    repeat(3, (i) => headersFrame(3 + 2 * i, NO_PATH, { endStream: true })),
  ));
  assert.is(peer.takeFrame(FrameType.GOAWAY), undefined, 'no GOAWAY after 9');
  peer.writeRaw(concat(headersFrame(9, GET_BLOCK, { endStream: true }), windowUpdateFrame(9, 0)));
  assert.is(peer.takeFrame(FrameType.GOAWAY), undefined, 'no GOAWAY after 10');
  peer.writeRaw(concat(headersFrame(11, GET_BLOCK, { endStream: true }), windowUpdateFrame(11, 0)));
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 11 });
});

test('default: 1000 empty DATA frames in a burst pass; 1001 draw GOAWAY ENHANCE_YOUR_CALM', () => {
  {
    const { peer } = connectServer();
    openUpload(peer);
    peer.writeRaw(repeat(1000, () => dataFrame(1)), '1000 empty DATA');
    peer.wantNoError();
    peer.wantAlive();
  }
  const { peer } = connectServer();
  openUpload(peer);
  peer.writeRaw(repeat(1001, () => dataFrame(1)), '1001 empty DATA');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 1 });
});

test('default: 1001 PRIORITY frames on idle streams draw GOAWAY ENHANCE_YOUR_CALM', () => {
  const { peer } = connectServer();
  peer.writeRaw(repeat(1001, (i) => priorityFrame(1001 + 2 * i, { dependency: 0 })), '1001 PRIORITY on idle streams');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
});

test('ordinary traffic is not charged: 300 requests, bodies, trailers, cancellations, PINGs', () => {
  const { server, peer } = connectServer({ server: SMALL });
  for (let i = 0; i < 300; i++) {
    const id = 1 + 2 * i;
    if (i % 3 === 0) {
      peer.writeHeaders(id, GET_BLOCK, { endStream: true });
      server.respond(id, [[':status', '200']], { endStream: true });
    } else if (i % 3 === 1) {
      peer.writeHeaders(id, POST_BLOCK);
      peer.writeData(id, 'x'.repeat(100));
      if (i % 2) peer.writeData(id, new Uint8Array(0), { endStream: true });
      else peer.writeHeaders(id, literal('x-checksum', 'abc'), { endStream: true }); // trailers
      server.respond(id, [[':status', '204']], { endStream: true });
    } else {
      peer.writeHeaders(id, GET_BLOCK, { endStream: true });
      peer.writeRaw(rstStreamFrame(id, ErrorCode.CANCEL));
    }
    if (i % 10 === 0) peer.wantAlive(); // PING, answered
  }
  assert.is(peer.eventsOf('trailers').length, 50);
  peer.wantNoError();
  peer.wantAlive();
});

test.run();
