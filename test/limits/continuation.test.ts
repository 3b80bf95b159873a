// DESIGN.md limits: CONTINUATION frames per field block (default 8); the next one is a
// connection error ENHANCE_YOUR_CALM (the CONTINUATION flood, CVE-2024-27316 and kin). A block
// of HEADERS + 8 CONTINUATION frames is still one ordinary request.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, concat, continuationFrame, headersFrame, pushPromiseFrame } from '../helpers/frames.ts';
import { connectClient, connectServer, destroySessions, type ScriptedPeer } from '../helpers/peer.ts';
import { GET_BLOCK, POST_BLOCK, indexed, literal } from './blocks.ts';

const test = suite('limit: CONTINUATION frames per block');
test.after.each(destroySessions);

/** A request block long enough to cut into many pieces. */
const LONG_GET = concat(GET_BLOCK, literal('x-a', 'a'.repeat(40)), literal('x-b', 'b'.repeat(40)));

/** HEADERS (or another opening frame) then `continuations` CONTINUATION frames carrying `block`. */
function fragmented(streamId: number, block: Uint8Array, continuations: number, endStream: boolean): Uint8Array {
  const pieces = continuations + 1;
  const size = Math.ceil(block.length / pieces);
  const parts = Array.from({ length: pieces }, (_, i) => block.subarray(i * size, (i + 1) * size));
  return concat(
    headersFrame(streamId, parts[0], { endStream, endHeaders: continuations === 0 }),
    ...parts.slice(1).map((p, i) => continuationFrame(streamId, p, { endHeaders: i === continuations - 1 })),
  );
}

function noGoAway(peer: ScriptedPeer): void {
  assert.is(peer.takeFrame(FrameType.GOAWAY), undefined, 'no GOAWAY yet');
}

test('HEADERS + 8 CONTINUATION frames are one ordinary request', () => {
  const { peer } = connectServer();
  peer.writeRaw(fragmented(1, LONG_GET, 8, true), 'HEADERS + 8 CONTINUATION');
  const e = peer.event('request', (x) => x.streamId === 1);
  assert.equal(e.headers.at(-1), ['x-b', 'b'.repeat(40)]);
  peer.wantNoError();
});

test('the 9th CONTINUATION: GOAWAY ENHANCE_YOUR_CALM naming the last request processed', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET_BLOCK, { endStream: true });
  peer.event('request', (x) => x.streamId === 1);
  peer.writeRaw(fragmented(3, LONG_GET, 9, true), 'HEADERS + 9 CONTINUATION');
  peer.noEvent('request', (x) => x.streamId === 3);
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 1 });
});

test('empty CONTINUATION frames count: 8 are tolerated, the 9th is ENHANCE_YOUR_CALM', () => {
  const { peer } = connectServer();
  peer.writeRaw(headersFrame(1, GET_BLOCK.subarray(0, 2), { endHeaders: false }));
  for (let i = 0; i < 8; i++) peer.writeRaw(continuationFrame(1, new Uint8Array(0), { endHeaders: false }));
  noGoAway(peer);
  peer.writeRaw(continuationFrame(1, new Uint8Array(0), { endHeaders: false }));
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
});

test('a flood of 100000 empty CONTINUATION frames in one chunk stops at the 9th', () => {
  const { server, peer } = connectServer();
  const one = continuationFrame(1, new Uint8Array(0), { endHeaders: false });
  const flood = new Uint8Array(one.length * 100000);
  for (let at = 0; at < flood.length; at += one.length) flood.set(one, at);
  const t = performance.now();
  peer.writeRaw(concat(headersFrame(1, GET_BLOCK.subarray(0, 2), { endHeaders: false }), flood), 'HEADERS + 100000 empty CONTINUATION');
  assert.ok(performance.now() - t < 5000, 'the flood is cut short, not processed');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
  assert.ok(server.state.memory < 4 << 20, `memory stays bounded (${server.state.memory})`);
});

test('the count starts again with each block', () => {
  const { peer } = connectServer();
  for (const id of [1, 3, 5, 7]) peer.writeRaw(fragmented(id, LONG_GET, 8, true));
  assert.is(peer.eventsOf('request').length, 4);
  peer.wantNoError();
});

test('trailers: HEADERS + 9 CONTINUATION is ENHANCE_YOUR_CALM too', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST_BLOCK);
  peer.writeData(1, 'body');
  const trailers = concat(literal('x-checksum', 'c'.repeat(60)), literal('x-status', 's'.repeat(60)));
  peer.writeRaw(fragmented(1, trailers, 9, true), 'trailers in HEADERS + 9 CONTINUATION');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 1 });
});

test('a custom maxContinuationFrames (2): HEADERS + 2 pass, HEADERS + 3 do not', () => {
  const { peer } = connectServer({ server: { limits: { maxContinuationFrames: 2 } } });
  peer.writeRaw(fragmented(1, LONG_GET, 2, true));
  peer.event('request', (x) => x.streamId === 1);
  peer.writeRaw(fragmented(3, LONG_GET, 3, true));
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 1 });
});

test('client: PUSH_PROMISE + 9 CONTINUATION is ENHANCE_YOUR_CALM', () => {
  const { client, peer } = connectClient();
  const id = client.request([[':method', 'GET'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/']], { endStream: true });
  peer.flush();
  const block = LONG_GET;
  const size = Math.ceil(block.length / 10);
  const parts = Array.from({ length: 10 }, (_, i) => block.subarray(i * size, (i + 1) * size));
  peer.writeRaw(concat(
    pushPromiseFrame(id, 2, parts[0], { endHeaders: false }),
    ...parts.slice(1).map((p, i) => continuationFrame(id, p, { endHeaders: i === 8 })),
  ), 'PUSH_PROMISE + 9 CONTINUATION');
  peer.noEvent('push');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM);
});

test('client: a response in HEADERS + 8 CONTINUATION is accepted', () => {
  const { client, peer } = connectClient();
  const id = client.request([[':method', 'GET'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/']], { endStream: true });
  peer.flush();
  peer.writeRaw(fragmented(id, concat(indexed(8), literal('x-a', 'a'.repeat(80))), 8, true));
  peer.event('response', (x) => x.streamId === id);
  peer.wantNoError();
});

test.run();
