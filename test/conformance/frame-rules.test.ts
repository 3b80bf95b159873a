// RFC 9113 §6.1 DATA, §6.2 HEADERS, §6.3 PRIORITY, §6.4 RST_STREAM, §6.7 PING, §6.8 GOAWAY:
// the per-frame rules (stream 0, lengths, padding, flags).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, Flag, FrameType, concat, filler, frame, pingFrame } from '../helpers/frames.ts';
import { GET, connectClient, connectServer, destroySessions, req } from '../helpers/peer.ts';

const test = suite('RFC 9113 §6 frame rules');
test.after.each(destroySessions);

const POST = req({ ':method': 'POST' });
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

// ---------------------------------------------------------------- §6.1 DATA

test('§6.1 DATA on stream 0 → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeData(0, 'x');
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.1 padded DATA: the data arrives without Pad Length and padding', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeData(1, 'hello', { padLength: 20 });
  peer.writeData(1, '', { padLength: 0, endStream: true });
  assert.is(text(peer.bodyOf(1)), 'hello', 'body');
  peer.event('stream-end', (e) => e.streamId === 1);
  peer.wantNoError();
});

test('§6.1 PADDED DATA with Pad Length 0: the Pad Length octet is not data', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeData(1, 'ab', { padLength: 0 });
  peer.writeData(1, '', { padLength: 0, endStream: true });
  assert.is(text(peer.bodyOf(1)), 'ab', 'body');
  peer.wantNoError();
});

test('§6.1 DATA whose padding is as long as the payload → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  // Payload: Pad Length = 5, then 4 octets: 5 ≥ 5, the frame's whole length.
  peer.writeFrame(FrameType.DATA, Flag.PADDED | Flag.END_STREAM, 1, [5, 0, 0, 0, 0]);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 1 });
  peer.noEvent('data');
});

test('§6.1 DATA whose padding exceeds the payload → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeFrame(FrameType.DATA, Flag.PADDED, 1, [200, 0x61, 0x62]);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 1 });
});

test('§6.1 padded DATA with no room for its Pad Length → PROTOCOL_ERROR or FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeFrame(FrameType.DATA, Flag.PADDED, 1, []);
  peer.wantError(1, [
    { scope: 'connection', code: ErrorCode.PROTOCOL_ERROR },
    { scope: 'connection', code: ErrorCode.FRAME_SIZE_ERROR },
    { scope: 'stream', code: ErrorCode.FRAME_SIZE_ERROR },
  ]);
});

test('§6.1 the largest legal padding (payload − 1) is accepted', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeFrame(FrameType.DATA, Flag.PADDED | Flag.END_STREAM, 1, [3, 0, 0, 0]);
  peer.event('stream-end', (e) => e.streamId === 1);
  assert.is(peer.bodyOf(1).length, 0, 'no data octets');
  peer.wantNoError();
});

// ---------------------------------------------------------------- §6.2 HEADERS

test('§6.2 HEADERS on stream 0 → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(0, GET, { endStream: true });
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
  peer.noEvent('request');
});

test('§6.2 padded HEADERS: the field block is read without the padding', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true, padLength: 17 });
  const e = peer.event('request', (x) => x.streamId === 1);
  assert.equal(e.headers, GET, 'headers');
  peer.wantNoError();
});

test('§6.2 PADDED HEADERS with Pad Length 0: the Pad Length octet is not part of the field block', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true, padLength: 0 });
  const e = peer.event('request', (x) => x.streamId === 1);
  assert.equal(e.headers, GET, 'headers');
  peer.wantNoError();
});

test('§6.2 HEADERS whose padding is as long as the payload → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  const block = peer.encoder.encode(GET);
  // Pad Length = the whole payload length (1 + block).
  peer.writeFrame(FrameType.HEADERS, Flag.PADDED | Flag.END_HEADERS | Flag.END_STREAM, 1, concat([block.length + 1], block));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: [0, 1] });
  peer.noEvent('request');
});

test('§6.2 HEADERS with the PRIORITY flag: the priority fields are skipped', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true, priority: { exclusive: true, dependency: 0, weight: 255 } });
  const e = peer.event('request', (x) => x.streamId === 1);
  assert.equal(e.headers, GET, 'headers');
  peer.wantNoError();
});

test('§6.2 HEADERS with PRIORITY and PADDED together', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true, padLength: 3, priority: { dependency: 0, weight: 7 } });
  const e = peer.event('request', (x) => x.streamId === 1);
  assert.equal(e.headers, GET, 'headers');
  peer.wantNoError();
});

test('§6.2 HEADERS with the PRIORITY flag but fewer than 5 octets → connection error FRAME_SIZE_ERROR (§4.2)', () => {
  const { peer } = connectServer();
  peer.writeFrame(FrameType.HEADERS, Flag.PRIORITY | Flag.END_HEADERS | Flag.END_STREAM, 1, [0, 0, 0]);
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: [0, 1] });
});

test('RFC 7540 §5.3.1 (kept by RFC 9113 §5.3.2) HEADERS making a stream depend on itself → stream error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true, priority: { dependency: 1, weight: 16 } });
  peer.wantStreamError(1, ErrorCode.PROTOCOL_ERROR);
});

// ---------------------------------------------------------------- §6.3 PRIORITY

test('§6.3 PRIORITY on stream 0 → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writePriority(0, { dependency: 1, weight: 1 });
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.3 PRIORITY of 4 octets on an open stream → stream error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeFrame(FrameType.PRIORITY, 0, 1, [0, 0, 0, 0]);
  peer.wantStreamError(1, ErrorCode.FRAME_SIZE_ERROR);
});

test('§6.3 PRIORITY of 6 octets on an open stream → stream error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeFrame(FrameType.PRIORITY, 0, 1, [0, 0, 0, 0, 16, 0]);
  peer.wantStreamError(1, ErrorCode.FRAME_SIZE_ERROR);
});

test('RFC 7540 §5.3.1 (kept by RFC 9113 §5.3.2) PRIORITY making a stream depend on itself → stream error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writePriority(1, { dependency: 1, weight: 16 });
  peer.wantStreamError(1, ErrorCode.PROTOCOL_ERROR);
});

test('§6.3 PRIORITY on open, idle and closed streams changes no stream state', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writePriority(1, { dependency: 0, weight: 100 });
  peer.writePriority(9, { dependency: 1, weight: 100 });
  assert.is(server.streamState(1).state, 'open', 'stream 1');
  assert.is(server.streamState(9).state, 'idle', 'stream 9');
  peer.wantNoError();
});

// ---------------------------------------------------------------- §6.4 RST_STREAM

test('§6.4 RST_STREAM on stream 0 → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeRaw(frame(FrameType.RST_STREAM, 0, 0, [0, 0, 0, 8]));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.4 RST_STREAM of 3 octets → connection error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeFrame(FrameType.RST_STREAM, 0, 1, [0, 0, 8]);
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 1 });
});

test('§6.4 RST_STREAM of 5 octets → connection error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeFrame(FrameType.RST_STREAM, 0, 1, [0, 0, 0, 8, 0]);
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 1 });
});

test('§6.4 RST_STREAM closes the stream and is reported with its code', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeRstStream(1, ErrorCode.CANCEL);
  const e = peer.event('reset', (x) => x.streamId === 1);
  assert.is(e.code, ErrorCode.CANCEL, 'code');
  assert.is(server.streamState(1).state, 'closed', 'state');
  peer.wantNothing();
});

// ---------------------------------------------------------------- §6.7 PING

test('§6.7 PING is answered by a PING ACK with the same 8 octets', () => {
  const { peer } = connectServer();
  const payload = Uint8Array.from([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);
  peer.writePing(payload);
  const ack = peer.wantPingAck(payload);
  assert.is(ack.streamId, 0, 'stream');
  const e = peer.event('ping');
  assert.equal(Array.from(e.payload), Array.from(payload), 'ping event payload');
});

test('§6.7 a PING ACK is not answered', () => {
  const { peer } = connectServer();
  peer.writePing(filler(8), { ack: true });
  peer.wantNothing();
  peer.wantNoError();
});

test('§6.7 PING of 7 octets → connection error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeRaw(pingFrame(new Uint8Array(7)));
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 0 });
});

test('§6.7 PING of 9 octets → connection error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeRaw(pingFrame(new Uint8Array(9)));
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 0 });
});

test('§6.7 PING ACK of 9 octets → connection error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeRaw(pingFrame(new Uint8Array(9), { ack: true }));
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 0 });
});

test('§6.7 PING on a stream → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeFrame(FrameType.PING, 0, 1, new Uint8Array(8));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.7 session.ping() sends a PING; the ACK is reported as ping-ack', () => {
  const { server, peer } = connectServer();
  const payload = Uint8Array.from([8, 7, 6, 5, 4, 3, 2, 1]);
  server.ping(payload);
  const f = peer.wantFrame(FrameType.PING, { ack: false });
  assert.equal(Array.from(f.payload), Array.from(payload), 'payload');
  assert.is(f.streamId, 0, 'stream');
  peer.writePing(payload, { ack: true });
  const e = peer.event('ping-ack');
  assert.equal(Array.from(e.payload), Array.from(payload), 'ping-ack payload');
  peer.wantNothing();
});

test('§6.7 a client Session answers PING with the same payload', () => {
  const { peer } = connectClient();
  const payload = filler(8, 3);
  peer.writePing(payload);
  peer.wantPingAck(payload);
});

// ---------------------------------------------------------------- §6.8 GOAWAY

test('§6.8 GOAWAY on a stream → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeFrame(FrameType.GOAWAY, 0, 1, [0, 0, 0, 0, 0, 0, 0, 0]);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.8 GOAWAY shorter than 8 octets → connection error FRAME_SIZE_ERROR (§4.2)', () => {
  const { peer } = connectServer();
  peer.writeFrame(FrameType.GOAWAY, 0, 0, [0, 0, 0, 0]);
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 0 });
});

test('§6.8 a GOAWAY from the client is reported with its fields', () => {
  const { peer } = connectServer();
  peer.writeGoAway(0, ErrorCode.NO_ERROR, 'shutting down');
  const e = peer.event('goaway');
  assert.is(e.code, ErrorCode.NO_ERROR, 'code');
  assert.is(e.lastStreamId, 0, 'last stream id');
  assert.is(text(e.debugData), 'shutting down', 'debug data');
  peer.noEvent('error');
});

test('§6.8 a client Session: after GOAWAY it opens no new streams', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writeGoAway(id, ErrorCode.NO_ERROR);
  peer.event('goaway');
  try {
    client.request(GET, { endStream: true });
  } catch {
    // refusing the call is the way to keep the rule
  }
  assert.is(peer.takeFrames(FrameType.HEADERS).length, 0, 'no HEADERS after GOAWAY');
});

test('§6.8 a client Session: the goaway event names the last stream processed; streams below it still complete', () => {
  const { client, peer } = connectClient();
  const a = client.request(GET, { endStream: true });
  const b = client.request(GET, { endStream: true });
  peer.wantHeaders(a);
  peer.wantHeaders(b);
  peer.writeGoAway(a, ErrorCode.NO_ERROR);
  const g = peer.event('goaway');
  assert.is(g.lastStreamId, a, `stream ${b} is above it: not processed, safe to retry`);
  peer.writeHeaders(a, [[':status', '200']], { endStream: true });
  peer.event('response', (e) => e.streamId === a);
  peer.noEvent('error', (e) => e.scope === 'connection' || e.streamId === a);
});

test.run();
