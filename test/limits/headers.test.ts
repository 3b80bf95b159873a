// DESIGN.md limits: the decoded header list (32 octets of overhead per field, RFC 9113 §6.5.2),
// the number of fields and the size of one field — defaults 64 KiB / 128 / 64 KiB. Past one of
// them the request is a stream error: a 431 response (RFC 6585 §5; RFC 9113 §10.5.1) or
// RST_STREAM. The connection survives and HPACK stays in sync: the decoder still applies every
// table insertion of the oversized block, which the next block may reference (RFC 7541 §2.3.2).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, concat } from '../helpers/frames.ts';
import { connectClient, connectServer, destroySessions, type ScriptedPeer } from '../helpers/peer.ts';
import {
  GET_BLOCK, POST_BLOCK, fillerFields, getOfListSize, getWithFieldCount, indexed, literal, literalIndexedName,
} from './blocks.ts';

const test = suite('limit: header list size, field count, field size');
test.after.each(destroySessions);

const KiB64 = 65536;
const FRAGMENT = 16384; // the default SETTINGS_MAX_FRAME_SIZE
/** A field that enters the dynamic table (entry 62 once the block is decoded). */
const MARKER = literal('x-marker', 'in-sync', 'incremental');

/**
 * The server's answer to an oversized request on `streamId`: a 431 response (returns '431') or
 * RST_STREAM (returns 'rst'); the session also reports a stream `error`, and no request.
 */
function wantRefused(peer: ScriptedPeer, streamId: number): '431' | 'rst' {
  peer.flush();
  peer.noEvent('request', (e) => e.streamId === streamId);
  const h = peer.takeFrame(FrameType.HEADERS, { streamId });
  if (h) {
    assert.equal(h.headers, [[':status', '431']], 'the only response to an oversized request is 431');
    assert.ok(h.flags & 0x1, 'the 431 response ends the stream');
    return '431';
  }
  peer.wantFrame(FrameType.RST_STREAM, { streamId });
  return 'rst';
}

/** The connection is alive, no GOAWAY, and HPACK is in sync: entry 62 is the marker. */
function wantInSync(peer: ScriptedPeer, streamId: number): void {
  peer.wantAlive();
  peer.writeHeaders(streamId, concat(GET_BLOCK, indexed(62)), { endStream: true });
  const e = peer.event('request', (x) => x.streamId === streamId);
  assert.equal(e.headers.at(-1), ['x-marker', 'in-sync'], 'the marker inserted by the oversized block decodes');
  assert.is(peer.takeFrame(FrameType.GOAWAY), undefined);
}

// ---------------------------------------------------------------- header list size

test('a header list of exactly 64 KiB (32 octets counted per field) is accepted', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, getOfListSize(KiB64), { endStream: true, fragments: FRAGMENT });
  const e = peer.event('request', (x) => x.streamId === 1);
  const size = e.headers.reduce((n: number, [k, v]: [string, string]) => n + k.length + v.length + 32, 0);
  assert.is(size, KiB64, 'the test built what it meant to');
  peer.wantNoError();
});

test('a header list one octet over 64 KiB: 431 or RST_STREAM; the connection and HPACK survive', () => {
  const { server, peer } = connectServer();
  const block = concat(getOfListSize(KiB64 + 1), MARKER);
  peer.writeHeaders(1, block, { endStream: true, fragments: FRAGMENT });
  wantRefused(peer, 1);
  assert.is(server.state.closed, false);
  wantInSync(peer, 3);
});

test('an oversized list without END_STREAM: the body that follows is not a request, the connection goes on', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, concat(POST_BLOCK, fillerFields(70000), MARKER), { fragments: FRAGMENT });
  wantRefused(peer, 1);
  peer.writeData(1, 'late body', { endStream: true }); // in flight when the server answered
  peer.noEvent('data', (e) => e.streamId === 1);
  wantInSync(peer, 3);
});

test('431 to a complete request is not followed by RST_STREAM on the closed stream (§5.1, §8.1)', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, getOfListSize(KiB64 + 1000), { endStream: true, fragments: FRAGMENT });
  if (wantRefused(peer, 1) === '431') {
    // §8.1 allows RST_STREAM NO_ERROR only while the request is still incomplete; once both
    // sides sent END_STREAM the stream is closed and only PRIORITY may be sent on it (§5.1).
    const rst = peer.takeFrame(FrameType.RST_STREAM, { streamId: 1 });
    assert.is(rst, undefined, 'RST_STREAM after a 431 that closed the stream');
  }
});

test('trailers over the limit are a stream error; HPACK stays in sync', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST_BLOCK);
  peer.writeData(1, 'body');
  peer.writeHeaders(1, concat(fillerFields(70000), MARKER), { endStream: true, fragments: FRAGMENT });
  peer.noEvent('trailers', (e) => e.streamId === 1);
  const h = peer.takeFrame(FrameType.HEADERS, { streamId: 1 });
  if (h) assert.equal(h.headers, [[':status', '431']]);
  else peer.wantFrame(FrameType.RST_STREAM, { streamId: 1 });
  wantInSync(peer, 3);
});

test('a custom maxHeaderListSize (4096) applies the same way', () => {
  const { peer } = connectServer({ server: { limits: { maxHeaderListSize: 4096 } } });
  peer.writeHeaders(1, getOfListSize(4096), { endStream: true });
  peer.event('request', (e) => e.streamId === 1);
  peer.writeHeaders(3, concat(getOfListSize(4097), MARKER), { endStream: true });
  wantRefused(peer, 3);
  wantInSync(peer, 5);
});

test('HPACK past the limit is still decoded: an invalid index in an oversized block is COMPRESSION_ERROR', () => {
  // RFC 7541 §2.3.3: an index beyond the tables is a decoding error, a connection error (RFC 9113 §4.3).
  const { peer } = connectServer();
  peer.writeHeaders(1, GET_BLOCK, { endStream: true });
  peer.writeHeaders(3, concat(fillerFields(70000), GET_BLOCK, indexed(200)), { endStream: true, fragments: FRAGMENT });
  peer.wantConnectionError(ErrorCode.COMPRESSION_ERROR, { lastStreamId: [1, 3] });
});

// ---------------------------------------------------------------- number of fields

test('128 fields are accepted; 129 are refused; HPACK stays in sync', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, getWithFieldCount(128), { endStream: true });
  const e = peer.event('request', (x) => x.streamId === 1);
  assert.is(e.headers.length, 128);
  peer.writeHeaders(3, concat(getWithFieldCount(129), MARKER), { endStream: true });
  wantRefused(peer, 3);
  wantInSync(peer, 5);
});

test('a custom maxHeaderListPairs (10): 10 fields pass, 11 do not', () => {
  const { peer } = connectServer({ server: { limits: { maxHeaderListPairs: 10 } } });
  peer.writeHeaders(1, getWithFieldCount(10), { endStream: true });
  peer.event('request', (x) => x.streamId === 1);
  peer.writeHeaders(3, concat(getWithFieldCount(11), MARKER), { endStream: true });
  wantRefused(peer, 3);
  wantInSync(peer, 5);
});

test('one-octet references to a large table entry are counted as decoded (an HPACK bomb)', () => {
  // 30 references to a 3035-octet entry: 35 fields, 30 octets of block, 91 KB of header list.
  const { peer } = connectServer();
  const refs = new Uint8Array(30).fill(0x80 | 62);
  peer.writeHeaders(1, concat(GET_BLOCK, literal('x-r', 'r'.repeat(3000), 'incremental'), refs), { endStream: true });
  wantRefused(peer, 1);
  peer.wantAlive();
});

// ---------------------------------------------------------------- one field

test('one field over a custom maxHeaderFieldSize (1000) is refused, well under it accepted', () => {
  const { peer } = connectServer({ server: { limits: { maxHeaderFieldSize: 1000 } } });
  peer.writeHeaders(1, concat(GET_BLOCK, literal('x-f', 'v'.repeat(900))), { endStream: true });
  peer.event('request', (x) => x.streamId === 1);
  peer.writeHeaders(3, concat(GET_BLOCK, literal('x-f', 'v'.repeat(1100)), MARKER), { endStream: true });
  wantRefused(peer, 3);
  wantInSync(peer, 5);
});

test('a single 70000-octet field (over the 64 KiB default) is refused; HPACK stays in sync', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, concat(GET_BLOCK, literal('cookie', 'c'.repeat(70000)), MARKER), { endStream: true, fragments: FRAGMENT });
  wantRefused(peer, 1);
  wantInSync(peer, 3);
});

test('an oversized field that is itself indexed empties the table (it does not fit), in step with the peer', () => {
  // RFC 7541 §4.4: an entry larger than the table empties it and is not added. Entry 62 is then
  // the marker inserted after it.
  const { peer } = connectServer();
  peer.writeHeaders(1, concat(GET_BLOCK, literal('x-old', 'old', 'incremental')), { endStream: true });
  peer.event('request', (x) => x.streamId === 1);
  peer.writeHeaders(3, concat(GET_BLOCK, literal('x-huge', 'h'.repeat(70000), 'incremental'), MARKER), { endStream: true, fragments: FRAGMENT });
  wantRefused(peer, 3);
  wantInSync(peer, 5);
  // x-old was evicted: index 63 does not exist any more.
  peer.writeHeaders(7, concat(GET_BLOCK, indexed(63)), { endStream: true });
  peer.wantConnectionError(ErrorCode.COMPRESSION_ERROR);
});

// ---------------------------------------------------------------- ordinary traffic

test('ordinary browser and gRPC requests stay well under the limits', () => {
  const { peer } = connectServer();
  const browser = concat(
    GET_BLOCK,
    literal('user-agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36'),
    literal('accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'),
    literal('accept-language', 'en-US,en;q=0.9'),
    literal('accept-encoding', 'gzip, deflate, br, zstd'),
    literal('cookie', 'session=' + 'x'.repeat(4000)),
    literal('sec-fetch-site', 'none'), literal('sec-fetch-mode', 'navigate'), literal('sec-fetch-dest', 'document'),
    literal('sec-ch-ua', '"Chromium";v="130", "Not?A_Brand";v="99"'), literal('priority', 'u=0, i'),
  );
  peer.writeHeaders(1, browser, { endStream: true });
  peer.event('request', (x) => x.streamId === 1);
  const grpc = concat(
    indexed(3), indexed(7), literalIndexedName(4, '/helloworld.Greeter/SayHello'), literalIndexedName(1, 'example.com'),
    literal('content-type', 'application/grpc'), literal('te', 'trailers'), literal('grpc-timeout', '1S'),
    literal('grpc-accept-encoding', 'identity,deflate,gzip'), literal('user-agent', 'grpc-node-js/1.12.0'),
  );
  peer.writeHeaders(3, grpc);
  peer.event('request', (x) => x.streamId === 3);
  assert.is(peer.eventsOf('request').length, 2);
  peer.wantNoError();
});

// ---------------------------------------------------------------- client side

test('client: a response header list over 64 KiB resets that stream; the next response decodes', () => {
  const { client, peer } = connectClient();
  const get: Array<[string, string]> = [[':method', 'GET'], [':scheme', 'https'], [':authority', 'example.com'], [':path', '/']];
  const a = client.request(get, { endStream: true });
  const b = client.request(get, { endStream: true });
  peer.flush();
  // 8 is ":status: 200".
  peer.writeHeaders(a, concat(indexed(8), fillerFields(70000), MARKER), { endStream: true, fragments: FRAGMENT });
  peer.noEvent('response', (e) => e.streamId === a);
  peer.wantFrame(FrameType.RST_STREAM, { streamId: a });
  peer.event('error', (e) => e.scope === 'stream' && e.streamId === a);
  peer.writeHeaders(b, concat(indexed(8), indexed(62)), { endStream: true });
  const r = peer.event('response', (e) => e.streamId === b);
  assert.equal(r.headers, [[':status', '200'], ['x-marker', 'in-sync']]);
  peer.wantAlive();
});

test.run();
