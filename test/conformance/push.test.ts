// RFC 9113 §8.4 server push and §6.6 PUSH_PROMISE, both directions.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, SettingId, concat, continuationFrame, pushPromiseFrame } from '../helpers/frames.ts';
import { GET, connectClient, connectServer, destroySessions, req, type Headers } from '../helpers/peer.ts';

const test = suite('RFC 9113 §8.4 server push');
test.after.each(destroySessions);

const OK: Headers = [[':status', '200']];
const PUSHED: Headers = req({ ':path': '/style.css' });

// ---------------------------------------------------------------- a server Session receiving

test('§8.4 a server receiving PUSH_PROMISE → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, req({ ':method': 'POST' }));
  peer.writePushPromise(1, 2, PUSHED);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 1 });
});

// ---------------------------------------------------------------- a server Session pushing

test('§8.4 push(): PUSH_PROMISE on the request stream promising an even stream, then the response on it', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  const promised = server.push(1, PUSHED);
  assert.is(promised, 2, 'the first server stream is 2');
  server.respond(promised, OK);
  server.data(promised, new TextEncoder().encode('body{}'), { endStream: true });
  server.respond(1, OK, { endStream: true });
  const pp = peer.wantFrame(FrameType.PUSH_PROMISE, { streamId: 1 });
  assert.is(pp.promisedStreamId, 2, 'promised stream id');
  assert.equal(pp.headers, PUSHED, 'promised request');
  const h = peer.wantHeaders(2);
  assert.ok(h.index > pp.index, '§8.4.2: the pushed response follows its PUSH_PROMISE');
  assert.is(new TextDecoder().decode(peer.readBody(2).body), 'body{}');
  peer.wantHeaders(1, { endStream: true });
});

test('§5.1.1 pushed streams use even, increasing identifiers', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  const ids = [server.push(1, PUSHED), server.push(1, req({ ':path': '/app.js' }))];
  assert.equal(ids, [2, 4], 'promised ids');
  const pps = peer.takeFrames(FrameType.PUSH_PROMISE);
  assert.equal(pps.map((f) => f.promisedStreamId), [2, 4], 'on the wire');
});

test('§8.4 the server does not push when the client set SETTINGS_ENABLE_PUSH 0', () => {
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.ENABLE_PUSH, 0]] } });
  peer.writeHeaders(1, GET, { endStream: true });
  try {
    server.push(1, PUSHED);
  } catch {
    // refusing the call keeps the rule
  }
  assert.is(peer.takeFrames(FrameType.PUSH_PROMISE).length, 0, 'no PUSH_PROMISE');
});

test('§6.6 the server pushes only on an open or half-closed (remote) stream', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, OK, { endStream: true }); // stream 1 closed
  try {
    server.push(1, PUSHED);
  } catch {
    // refusing the call keeps the rule
  }
  assert.is(peer.takeFrames(FrameType.PUSH_PROMISE).length, 0, 'no PUSH_PROMISE on a closed stream');
});

test('§8.4.2 the client may reset a promised stream; the server sends nothing more on it', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  const promised = server.push(1, PUSHED);
  peer.wantFrame(FrameType.PUSH_PROMISE);
  peer.writeRstStream(promised, ErrorCode.CANCEL);
  try {
    server.respond(promised, OK);
    server.data(promised, new Uint8Array(10), { endStream: true });
  } catch {
    // the stream is gone: refusing is fine
  }
  peer.flush(); // the peer fails on HEADERS or DATA for the reset stream
  peer.wantNoError();
});

test('§6.8 the server opens no pushed stream after the client\'s GOAWAY', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeGoAway(0, ErrorCode.NO_ERROR);
  peer.event('goaway');
  try {
    server.push(1, PUSHED);
  } catch {
    // refusing the call keeps the rule
  }
  assert.is(peer.takeFrames(FrameType.PUSH_PROMISE).length, 0, 'no PUSH_PROMISE after GOAWAY');
  server.respond(1, OK, { endStream: true }); // stream 1 (≤ nothing initiated by us) still completes
  peer.wantHeaders(1, { endStream: true });
});

test('§8.4.1 the server pushes only on client-initiated streams (not on a pushed stream)', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  const promised = server.push(1, PUSHED);
  server.respond(promised, OK);
  try {
    server.push(promised, req({ ':path': '/nested.css' }));
  } catch {
    // refusing the call keeps the rule
  }
  const pps = peer.takeFrames(FrameType.PUSH_PROMISE);
  assert.equal(pps.map((f) => f.streamId), [1], 'PUSH_PROMISE only on stream 1');
});

test('§5.1 reserved (local): DATA from the client on a promised stream → connection error PROTOCOL_ERROR', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  const promised = server.push(1, PUSHED);
  peer.wantFrame(FrameType.PUSH_PROMISE);
  peer.writeData(promised, 'not allowed');
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 1 });
});

test('§5.1 reserved (local): HEADERS from the client on a promised stream → connection error PROTOCOL_ERROR', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  const promised = server.push(1, PUSHED);
  peer.wantFrame(FrameType.PUSH_PROMISE);
  peer.writeHeaders(promised, GET, { endStream: true });
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 1 });
  peer.noEvent('request', (e) => e.streamId === promised);
});

test('§5.1 reserved (local): WINDOW_UPDATE and PRIORITY on a promised stream are accepted', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  const promised = server.push(1, PUSHED);
  peer.wantFrame(FrameType.PUSH_PROMISE);
  peer.writeWindowUpdate(promised, 1000);
  peer.writePriority(promised, { dependency: 1, weight: 5 });
  peer.wantAlive();
  peer.wantNoError();
  server.respond(promised, OK, { endStream: true });
  peer.wantHeaders(promised, { endStream: true });
});

test('§5.1 a pushed stream is half-closed (remote) for the server: client DATA on it → stream error STREAM_CLOSED', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  const promised = server.push(1, PUSHED);
  server.respond(promised, OK);
  peer.wantHeaders(promised);
  peer.writeData(promised, 'not allowed');
  peer.wantStreamError(promised, ErrorCode.STREAM_CLOSED);
});

// ---------------------------------------------------------------- a client Session receiving

test('§8.4 a client Session reports a PUSH_PROMISE and the pushed response', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writePushPromise(id, 2, PUSHED);
  const e = peer.event('push');
  assert.is(e.streamId, id, 'associated stream');
  assert.is(e.promisedStreamId, 2, 'promised stream');
  assert.equal(e.headers, PUSHED, 'promised request');
  assert.is(client.streamState(2).state, 'reserved-remote', 'state of the promised stream');
  peer.writeHeaders(2, OK);
  peer.event('response', (x) => x.streamId === 2);
  assert.is(client.streamState(2).state, 'half-closed-local', 'after the pushed HEADERS');
  peer.writeData(2, 'pushed', { endStream: true });
  assert.is(new TextDecoder().decode(peer.bodyOf(2)), 'pushed');
  peer.writeHeaders(id, OK, { endStream: true });
  peer.wantNoError();
});

test('§6.6 a PUSH_PROMISE split over CONTINUATION is one field block', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  const block = peer.encoder.encode(PUSHED);
  peer.writeRaw(concat(pushPromiseFrame(id, 2, block.subarray(0, 4), { endHeaders: false }), continuationFrame(id, block.subarray(4))));
  const e = peer.event('push');
  assert.equal(e.headers, PUSHED, 'promised request');
});

test('§6.5.2 a client that set SETTINGS_ENABLE_PUSH 0 (acknowledged) receiving PUSH_PROMISE → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient({ client: { settings: { enablePush: false } } });
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writePushPromise(id, 2, PUSHED);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
  peer.noEvent('push');
});

test('§6.6 PUSH_PROMISE on stream 0 → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writePushPromise(0, 2, PUSHED);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.6 PUSH_PROMISE promising an odd (client) stream id → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writePushPromise(id, 3, PUSHED);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.6 PUSH_PROMISE promising a stream already promised → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writePushPromise(id, 2, PUSHED);
  peer.writePushPromise(id, 2, req({ ':path': '/other.css' }));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 2 });
});

test('§5.1.1 PUSH_PROMISE promising a lower stream id than one already promised → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writePushPromise(id, 4, PUSHED);
  peer.writePushPromise(id, 2, req({ ':path': '/other.css' }));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 4 });
});

test('§6.6 PUSH_PROMISE on a closed stream (not reset by the client) → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writeHeaders(id, OK, { endStream: true }); // closed
  peer.writePushPromise(id, 2, PUSHED);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.6 PUSH_PROMISE on a stream the client reset is handled, not a connection error', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  client.reset(id, ErrorCode.CANCEL);
  peer.wantRstStream(id, ErrorCode.CANCEL);
  peer.writePushPromise(id, 2, PUSHED); // sent before the server saw the RST_STREAM
  peer.wantAlive();
  const goaway = peer.received.find((f) => f.type === FrameType.GOAWAY);
  assert.is(goaway, undefined, 'no GOAWAY');
});

test('§5.1 reserved (remote): DATA before the pushed HEADERS → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writePushPromise(id, 2, PUSHED);
  peer.writeData(2, 'too early');
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 2 });
});

test('§8.4.1 a promised request with an unsafe method (POST) → stream error PROTOCOL_ERROR on the promised stream', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writePushPromise(id, 2, req({ ':method': 'POST' }));
  peer.wantStreamError(2, ErrorCode.PROTOCOL_ERROR);
  peer.noEvent('push');
});

test('§8.4.1 a promised request missing :path → stream error PROTOCOL_ERROR on the promised stream', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writePushPromise(id, 2, req({ ':path': null }));
  peer.wantStreamError(2, ErrorCode.PROTOCOL_ERROR);
  peer.noEvent('push');
});

test.run();
