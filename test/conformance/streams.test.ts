// RFC 9113 §5.1 stream states, §5.1.1 stream identifiers, §5.1.2 concurrency, §5.4 error
// handling, played against a server Session (and a client Session where the rule is the
// client's).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, SettingId, concat, continuationFrame, dataFrame, headersFrame } from '../helpers/frames.ts';
import { GET, connectClient, connectServer, destroySessions, req } from '../helpers/peer.ts';

const test = suite('RFC 9113 §5 streams');
test.after.each(destroySessions);

const POST = req({ ':method': 'POST' });
const OK: Array<[string, string]> = [[':status', '200']];

// ---------------------------------------------------------------- §5.1 idle

test('§5.1 idle: DATA on an idle stream → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeData(1, 'x', { endStream: true });
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§5.1 idle: RST_STREAM on an idle stream → connection error PROTOCOL_ERROR (§6.4)', () => {
  const { peer } = connectServer();
  peer.writeRstStream(1, ErrorCode.CANCEL);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§5.1 idle: WINDOW_UPDATE on an idle stream → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeWindowUpdate(1, 100);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§5.1 idle: CONTINUATION on an idle stream → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeContinuation(1, GET);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§5.1 idle: DATA on an idle stream above an open one → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeData(3, 'x');
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 1 });
});

test('§5.1 idle: PRIORITY on an idle stream is accepted and does not open it', () => {
  const { peer } = connectServer();
  peer.writePriority(5, { dependency: 0, weight: 200 });
  peer.writeHeaders(1, GET, { endStream: true }); // not a decreasing identifier: 5 is still idle
  peer.event('request', (e) => e.streamId === 1);
  peer.writeHeaders(5, GET, { endStream: true });
  peer.event('request', (e) => e.streamId === 5);
  peer.wantNoError();
});

test('§5.1 HEADERS opens a stream: open, then half-closed (remote) on END_STREAM, then closed', () => {
  const { server, peer } = connectServer();
  assert.is(server.streamState(1).state, 'idle', 'before');
  peer.writeHeaders(1, POST);
  assert.is(server.streamState(1).state, 'open', 'after HEADERS');
  peer.writeData(1, 'x', { endStream: true });
  assert.is(server.streamState(1).state, 'half-closed-remote', 'after END_STREAM');
  server.respond(1, OK, { endStream: true });
  peer.wantHeaders(1, { endStream: true });
  assert.is(server.streamState(1).state, 'closed', 'after both END_STREAM');
});

test('§5.1 HEADERS with END_STREAM opens the stream straight into half-closed (remote)', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  assert.is(server.streamState(1).state, 'half-closed-remote', 'state');
  const e = peer.event('request', (x) => x.streamId === 1);
  assert.is(e.endStream, true, 'request endStream');
});

// ---------------------------------------------------------------- §5.1 half-closed (remote)

test('§5.1 half-closed (remote): DATA → stream error STREAM_CLOSED', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeData(1, 'late');
  peer.wantStreamError(1, ErrorCode.STREAM_CLOSED);
  peer.noEvent('data');
});

test('§5.1 half-closed (remote): HEADERS → stream error STREAM_CLOSED', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeHeaders(1, [['x-trailer', 'late']], { endStream: true });
  peer.wantStreamError(1, ErrorCode.STREAM_CLOSED);
  peer.noEvent('trailers');
});

test('§5.1 half-closed (remote): CONTINUATION → STREAM_CLOSED stream error or PROTOCOL_ERROR connection error', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeContinuation(1, [['x-a', 'b']]);
  // §6.10 (no HEADERS without END_HEADERS before it) and §5.1 (half-closed) both apply.
  peer.wantError(1, [
    { scope: 'stream', code: ErrorCode.STREAM_CLOSED },
    { scope: 'connection', code: ErrorCode.PROTOCOL_ERROR },
  ]);
});

test('§5.1 half-closed (remote): WINDOW_UPDATE, PRIORITY and RST_STREAM are accepted', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeWindowUpdate(1, 1000);
  peer.writePriority(1, { dependency: 0, weight: 10 });
  peer.wantNoError();
  peer.writeRstStream(1, ErrorCode.CANCEL);
  peer.event('reset', (e) => e.streamId === 1 && e.code === ErrorCode.CANCEL);
  peer.wantAlive();
  peer.wantNoError();
});

test('§5.1 half-closed (remote): the server can still send HEADERS and DATA', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, OK);
  server.data(1, new Uint8Array([1, 2, 3]), { endStream: true });
  peer.wantHeaders(1, { endStream: false });
  assert.equal(Array.from(peer.readBody(1).body), [1, 2, 3], 'body');
});

// ---------------------------------------------------------------- §5.1 half-closed (local)

test('§5.1 half-closed (local): after the server ends its side, the client may still send DATA', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, POST);
  server.respond(1, OK, { endStream: true });
  peer.wantHeaders(1, { endStream: true });
  assert.is(server.streamState(1).state, 'half-closed-local', 'state');
  peer.writeData(1, 'still sending', { endStream: true });
  assert.is(new TextDecoder().decode(peer.bodyOf(1)), 'still sending', 'data received');
  assert.is(server.streamState(1).state, 'closed', 'state after END_STREAM');
  peer.wantNoError();
});

// ---------------------------------------------------------------- §5.1 closed

function closedStream() {
  const c = connectServer();
  c.peer.writeHeaders(1, GET, { endStream: true });
  c.server.respond(1, OK, { endStream: true });
  c.peer.wantHeaders(1, { endStream: true });
  return c;
}

test('§5.1 closed (both END_STREAM): DATA → STREAM_CLOSED (stream error, or connection error)', () => {
  const { peer } = closedStream();
  peer.writeData(1, 'x');
  // §6.1: stream error STREAM_CLOSED; §5.1 "closed": MAY be a connection error STREAM_CLOSED.
  peer.wantError(1, [
    { scope: 'stream', code: ErrorCode.STREAM_CLOSED },
    { scope: 'connection', code: ErrorCode.STREAM_CLOSED },
  ]);
  peer.noEvent('data');
});

test('§5.1 closed (both END_STREAM): HEADERS → connection error (STREAM_CLOSED or PROTOCOL_ERROR)', () => {
  const { peer } = closedStream();
  peer.writeHeaders(1, GET, { endStream: true });
  // §5.1 "closed": MAY be a connection error STREAM_CLOSED; §5.1.1: a reused identifier is a
  // connection error PROTOCOL_ERROR. Either way not a new request.
  peer.wantError(1, [
    { scope: 'connection', code: ErrorCode.STREAM_CLOSED },
    { scope: 'connection', code: ErrorCode.PROTOCOL_ERROR },
  ]);
  assert.is(peer.eventsOf('request').length, 1, 'no second request on stream 1');
});

test('§5.1 closed: WINDOW_UPDATE and RST_STREAM right after the server closed the stream are accepted', () => {
  const { peer } = closedStream();
  peer.writeWindowUpdate(1, 500);
  peer.writeRstStream(1, ErrorCode.CANCEL);
  peer.wantAlive();
  peer.wantNoError(); // and no RST_STREAM in answer (§5.4.2)
});

test('§5.1 closed: PRIORITY on a closed stream is accepted', () => {
  const { peer } = closedStream();
  peer.writePriority(1, { dependency: 0, weight: 1 });
  peer.wantAlive();
  peer.wantNoError();
});

test('§5.1 closed (the client sent RST_STREAM): DATA afterwards → STREAM_CLOSED', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeRstStream(1, ErrorCode.CANCEL);
  peer.writeData(1, 'x');
  peer.wantError(1, [
    { scope: 'stream', code: ErrorCode.STREAM_CLOSED },
    { scope: 'connection', code: ErrorCode.STREAM_CLOSED },
  ]);
  peer.noEvent('data');
});

test('§5.1 closed (the client sent RST_STREAM): HEADERS afterwards → STREAM_CLOSED (or connection PROTOCOL_ERROR)', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeRstStream(1, ErrorCode.CANCEL);
  peer.writeHeaders(1, [['x-trailer', 'late']], { endStream: true });
  peer.wantError(1, [
    { scope: 'stream', code: ErrorCode.STREAM_CLOSED },
    { scope: 'connection', code: ErrorCode.STREAM_CLOSED },
    { scope: 'connection', code: ErrorCode.PROTOCOL_ERROR },
  ]);
  peer.noEvent('trailers');
});

test('§5.1 closed (the server sent RST_STREAM): frames already in flight are discarded without error', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, POST);
  server.reset(1, ErrorCode.CANCEL);
  peer.wantRstStream(1, ErrorCode.CANCEL);
  peer.writeData(1, 'in flight');
  peer.writeHeaders(1, [['x-trailer', 'in flight']], { endStream: true });
  peer.noEvent('data');
  peer.noEvent('trailers');
  peer.wantAlive();
  const goaway = peer.received.find((f) => f.type === FrameType.GOAWAY);
  assert.is(goaway, undefined, 'no connection error');
});

test('§6.4 after the client resets a stream the server sends nothing more on it (and no RST_STREAM back)', () => {
  // Our window of 0 holds the server's body back; the reset must drop it.
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.INITIAL_WINDOW_SIZE, 0]] } });
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, OK);
  server.data(1, new Uint8Array(100), { endStream: true });
  peer.wantHeaders(1);
  peer.writeRstStream(1, ErrorCode.CANCEL);
  peer.event('reset', (e) => e.streamId === 1);
  peer.writeSettings([[SettingId.INITIAL_WINDOW_SIZE, 65535]]); // would release the body
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.wantNothing({ ignore: [FrameType.WINDOW_UPDATE] }); // the peer also fails on DATA[1] here
});

// ---------------------------------------------------------------- §5.1.1

test('§5.1.1 a client-initiated stream with an even identifier → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(2, GET, { endStream: true });
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
  peer.noEvent('request');
});

test('§5.1.1 a stream identifier lower than one already opened → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(5, GET, { endStream: true });
  peer.writeHeaders(3, GET, { endStream: true });
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 5 });
  peer.noEvent('request', (e) => e.streamId === 3);
});

test('§5.1.1 skipped identifiers are closed: DATA on stream 3 after stream 5 opened is an error', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(5, POST);
  assert.is(server.streamState(3).state, 'closed', 'stream 3 closed when 5 opened');
  peer.writeData(3, 'x');
  peer.wantError(3, [
    { scope: 'stream', code: ErrorCode.STREAM_CLOSED },
    { scope: 'connection', code: ErrorCode.STREAM_CLOSED },
    { scope: 'connection', code: ErrorCode.PROTOCOL_ERROR },
  ]);
  peer.noEvent('data');
});

test('§5.1.1 a client Session opens streams with odd, increasing identifiers', () => {
  const { client, peer } = connectClient();
  const ids = [client.request(GET, { endStream: true }), client.request(GET, { endStream: true }), client.request(GET, { endStream: true })];
  assert.equal(ids, [1, 3, 5], 'identifiers');
  const frames = peer.takeFrames(FrameType.HEADERS);
  assert.equal(frames.map((f) => f.streamId), [1, 3, 5], 'HEADERS frames in order');
});

test('§5.1.1 a client Session never reuses or wraps identifiers past 2^31−1', () => {
  const { client, peer } = connectClient({ client: { firstStreamId: 2147483647 } });
  assert.is(client.request(GET, { endStream: true }), 2147483647, 'the last identifier');
  let threw = false;
  try {
    client.request(GET, { endStream: true });
  } catch {
    threw = true;
  }
  const frames = peer.takeFrames(FrameType.HEADERS);
  assert.equal(frames.map((f) => f.streamId), [2147483647], 'only the one request went out');
  assert.ok(threw, 'a request with no identifier left throws');
});

test('§5.1 a client Session: HEADERS on an idle server-initiated (even) stream → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writeHeaders(2, OK, { endStream: true });
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
  peer.noEvent('response', (e) => e.streamId === 2);
});

test('§5.1.1 a client Session: HEADERS on a client stream it never opened → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writeHeaders(id + 2, OK, { endStream: true });
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
  peer.noEvent('response', (e) => e.streamId === id + 2);
});

test('§5.1 a client Session: DATA on an idle stream → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectClient();
  peer.writeData(1, 'x', { endStream: true });
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

// ---------------------------------------------------------------- §5.1.2

test('§5.1.2 a stream over SETTINGS_MAX_CONCURRENT_STREAMS → stream error REFUSED_STREAM', () => {
  const { peer } = connectServer({ server: { settings: { maxConcurrentStreams: 1 } } });
  assert.is(peer.sessionSetting(SettingId.MAX_CONCURRENT_STREAMS), 1, 'advertised limit');
  peer.writeHeaders(1, POST);
  peer.writeHeaders(3, GET, { endStream: true });
  // §5.1.2 allows PROTOCOL_ERROR or REFUSED_STREAM; DESIGN.md chose REFUSED_STREAM (retry-safe, §8.7).
  peer.wantStreamError(3, ErrorCode.REFUSED_STREAM);
  peer.noEvent('request', (e) => e.streamId === 3);
  peer.writeData(1, 'stream 1 is unaffected', { endStream: true });
  assert.is(new TextDecoder().decode(peer.bodyOf(1)), 'stream 1 is unaffected');
});

test('§5.1.2 half-closed (remote) streams count toward the limit', () => {
  const { peer } = connectServer({ server: { settings: { maxConcurrentStreams: 1 } } });
  peer.writeHeaders(1, GET, { endStream: true }); // half-closed (remote) until the server answers
  peer.writeHeaders(3, GET, { endStream: true });
  peer.wantStreamError(3, ErrorCode.REFUSED_STREAM);
});

test('§5.1.2 once a stream closes, a new one is accepted; the refused stream\'s field block was still decoded', () => {
  // Incremental indexing for every field: each block changes the server's table.
  const { server, peer } = connectServer({ server: { settings: { maxConcurrentStreams: 1 } }, peer: { encoder: { indexing: 'all' } } });
  peer.writeHeaders(1, POST);
  peer.writeHeaders(3, [...GET, ['x-refused', 'indexed while refused']], { endStream: true });
  peer.wantStreamError(3, ErrorCode.REFUSED_STREAM);
  peer.writeData(1, '', { endStream: true });
  server.respond(1, OK, { endStream: true });
  peer.wantHeaders(1, { endStream: true });
  // Our encoder now refers to the entry stream 3 added.
  peer.writeHeaders(5, [...GET, ['x-refused', 'indexed while refused']], { endStream: true });
  const e = peer.event('request', (x) => x.streamId === 5);
  assert.ok(e.headers.some(([n, v]: [string, string]) => n === 'x-refused' && v === 'indexed while refused'), JSON.stringify(e.headers));
});

test('§5.1.2 a client Session never opens more streams than the server allows', () => {
  const { client, peer } = connectClient({ peer: { settings: [[SettingId.MAX_CONCURRENT_STREAMS, 1]] } });
  client.request(GET, { endStream: true });
  try {
    client.request(GET, { endStream: true });
  } catch {
    // refusing the call is one way to keep the limit
  }
  const frames = peer.takeFrames(FrameType.HEADERS);
  assert.is(frames.length, 1, `HEADERS frames sent while 1 stream is allowed: ${frames.map((f) => f.streamId)}`);
});

test('§5.1.2 a client Session honours SETTINGS_MAX_CONCURRENT_STREAMS 0', () => {
  const { client, peer } = connectClient({ peer: { settings: [[SettingId.MAX_CONCURRENT_STREAMS, 0]] } });
  try {
    client.request(GET, { endStream: true });
  } catch {
    // refusing the call keeps the limit too
  }
  assert.is(peer.takeFrames(FrameType.HEADERS).length, 0, 'no HEADERS');
});

// ---------------------------------------------------------------- §5.4

test('§5.4.1 GOAWAY carries the last stream the server received (3 after streams 1 and 3)', () => {
  const { server, peer } = connectServer();
  for (const id of [1, 3]) {
    peer.writeHeaders(id, GET, { endStream: true });
    server.respond(id, OK, { endStream: true });
  }
  peer.writeFrame(FrameType.PING, 0, 1, new Uint8Array(8)); // PING on a stream: a connection error
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 3 });
});

test('§5.4.1 an open stream counts as received: GOAWAY last stream id 1', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeFrame(FrameType.SETTINGS, 0, 1, new Uint8Array(0));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 1 });
});

test('§5.4.2 a stream error leaves the other streams working', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeHeaders(3, [...GET, ['X-Upper', 'malformed']], { endStream: true });
  peer.wantStreamError(3, ErrorCode.PROTOCOL_ERROR);
  peer.writeData(1, 'fine', { endStream: true });
  assert.is(new TextDecoder().decode(peer.bodyOf(1)), 'fine');
  server.respond(1, OK, { endStream: true });
  peer.wantHeaders(1, { endStream: true });
  peer.writeHeaders(5, GET, { endStream: true });
  peer.event('request', (e) => e.streamId === 5);
});

test('§5.4.2 the server never answers a RST_STREAM with a RST_STREAM', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeRstStream(1, ErrorCode.INTERNAL_ERROR);
  peer.writeHeaders(3, GET, { endStream: true });
  peer.writeRstStream(3, ErrorCode.CANCEL);
  peer.wantAlive();
  assert.is(peer.takeFrames(FrameType.RST_STREAM).length, 0, 'no RST_STREAM');
});

test('§5.4.1 after a connection error the session reads nothing more', () => {
  const { peer } = connectServer();
  peer.writeRaw(concat(
    dataFrame(0, 'x'), // DATA on stream 0: connection error
    headersFrame(1, peer.encoder.encode(GET), { endStream: true, endHeaders: false }),
    continuationFrame(1, new Uint8Array(0)),
  ));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
  peer.noEvent('request');
});

test('§5.4.1 an application GOAWAY with an error code names the last stream received', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeHeaders(3, POST);
  server.goaway(ErrorCode.INTERNAL_ERROR);
  const g = peer.wantGoAway(ErrorCode.INTERNAL_ERROR, { lastStreamId: 3 });
  assert.is(g.lastStreamId, 3);
});

test.run();
