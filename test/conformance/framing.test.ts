// RFC 9113 §4.1 frame format, §4.2 frame size, §5.5 extensibility (unknown frames, settings,
// error codes) and the extension frames the engine knows (RFC 7838, RFC 8336, RFC 9218).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ErrorCode, Flag, FrameType, SettingId, altsvcFrame, concat, continuationFrame, equalBytes, filler, frame,
  headersFrame, originFrame, settingValue, windowUpdateFrame,
} from '../helpers/frames.ts';
import { block, indexed, withoutIndexing } from '../helpers/hpack-wire.ts';
import { GET, connectClient, connectServer, destroySessions } from '../helpers/peer.ts';

const test = suite('RFC 9113 §4 framing, §5.5 extensions');
test.after.each(destroySessions);

const UNKNOWN_TYPE = 0xfa;

/** A GET field block of more than 17000 octets (raw literals, no table change). */
function largeBlock(): Uint8Array {
  return block(indexed(2), indexed(7), indexed(4), withoutIndexing(1, 'example.com'), withoutIndexing('x-large', 'a'.repeat(17000)));
}

// ---------------------------------------------------------------- §4.1

test('§4.1 a frame of unknown type on stream 0 is ignored', () => {
  const { peer } = connectServer();
  peer.writeFrame(UNKNOWN_TYPE, 0xff, 0, 'opaque extension payload');
  peer.wantAlive();
  peer.wantNoError();
  peer.wantNothing();
});

test('§4.1 a frame of unknown type on an open stream is ignored; the stream carries on', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [[':method', 'POST'], ...GET.slice(1)]);
  peer.writeFrame(UNKNOWN_TYPE, 0, 1, 'x');
  peer.writeData(1, 'body', { endStream: true });
  assert.is(new TextDecoder().decode(peer.bodyOf(1)), 'body');
  peer.event('stream-end', (e) => e.streamId === 1);
  peer.wantNoError();
});

test('§5.1 a frame of unknown type on an idle stream is ignored and does not open it', () => {
  const { peer } = connectServer();
  peer.writeFrame(UNKNOWN_TYPE, 0, 7, 'x');
  // Had stream 7 been opened, stream 1 would now be a decreasing identifier (§5.1.1).
  peer.writeHeaders(1, GET, { endStream: true });
  peer.event('request', (e) => e.streamId === 1);
  peer.wantNoError();
});

test('§4.1 unused flags on PING are ignored; the ACK carries the ACK flag only', () => {
  const { peer } = connectServer();
  const payload = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  peer.writePing(payload, { flags: 0xfe });
  peer.wantPingAck(payload); // checks flags === ACK
});

test('§4.1 unused flags on HEADERS are ignored', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true, flags: 0x02 | 0x10 | 0x40 | 0x80 });
  const e = peer.event('request', (x) => x.streamId === 1);
  assert.is(e.endStream, true, 'END_STREAM still seen');
  peer.wantNoError();
});

test('§4.1 unused flags on DATA are ignored', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [[':method', 'POST'], ...GET.slice(1)]);
  peer.writeData(1, 'abc', { endStream: true, flags: 0xf6 });
  assert.is(new TextDecoder().decode(peer.bodyOf(1)), 'abc');
  peer.wantNoError();
});

test('§4.1 unused flags on SETTINGS (all but ACK) are ignored: it is still acknowledged', () => {
  const { peer } = connectServer();
  peer.writeFrame(FrameType.SETTINGS, 0xfe, 0, new Uint8Array(0));
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.wantNoError();
});

test('§4.1 the reserved bit of the stream identifier is ignored on receipt', () => {
  const { server, peer } = connectServer();
  peer.writeRaw(headersFrame(1, peer.encoder.encode(GET), { endStream: true, reserved: true }));
  peer.event('request', (e) => e.streamId === 1);
  server.respond(1, [[':status', '200']], { endStream: true });
  // The peer checks every frame it receives has the reserved bit unset.
  peer.wantHeaders(1, { endStream: true });
  peer.wantNoError();
});

test('§6.9 the reserved bit of a WINDOW_UPDATE increment is ignored: +1000 with it set is +1000', () => {
  const { server, peer } = connectServer();
  peer.writeRaw(windowUpdateFrame(0, 1000, { reservedIncrementBit: true }));
  peer.wantNoError();
  peer.wantAlive();
  assert.is(server.state.remoteWindowSize, 65535 + 1000, 'connection send window');
});

test('§6.9 the reserved bit of a WINDOW_UPDATE increment is ignored: 0 with it set is still 0 → PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeRaw(windowUpdateFrame(0, 0, { reservedIncrementBit: true }));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

// ---------------------------------------------------------------- §4.2

test('§4.2 DATA of exactly 16384 octets (the initial SETTINGS_MAX_FRAME_SIZE) is accepted', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [[':method', 'POST'], ...GET.slice(1)]);
  const body = filler(16384);
  peer.writeData(1, body, { endStream: true });
  assert.ok(equalBytes(peer.bodyOf(1), body), 'the 16384 octets arrive');
  peer.wantNoError();
});

test('§4.2 DATA of 16385 octets, over SETTINGS_MAX_FRAME_SIZE → FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [[':method', 'POST'], ...GET.slice(1)]);
  peer.writeData(1, 16385, { endStream: true });
  // A DATA frame is about one stream, but it also moves the connection window: §4.2 lets
  // either scope carry the error; the code must be FRAME_SIZE_ERROR.
  peer.wantError(1, [
    { scope: 'stream', code: ErrorCode.FRAME_SIZE_ERROR },
    { scope: 'connection', code: ErrorCode.FRAME_SIZE_ERROR },
  ]);
  peer.noEvent('data');
});

test('§4.2 HEADERS over SETTINGS_MAX_FRAME_SIZE → connection error FRAME_SIZE_ERROR (it carries a field block)', () => {
  const { peer } = connectServer();
  const block = largeBlock();
  assert.ok(block.length > 16384, 'the block is larger than 16384 octets');
  peer.writeRaw(headersFrame(1, block, { endStream: true }));
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 0 });
  peer.noEvent('request');
});

test('§4.2 CONTINUATION over SETTINGS_MAX_FRAME_SIZE → connection error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  const block = largeBlock();
  peer.writeRaw(concat(headersFrame(1, block.subarray(0, 100), { endStream: true, endHeaders: false }), continuationFrame(1, block.subarray(100))));
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 0 });
  peer.noEvent('request');
});

test('§4.2 frames up to the SETTINGS_MAX_FRAME_SIZE the server advertised are accepted', () => {
  const { peer } = connectServer({ server: { settings: { maxFrameSize: 32768 } } });
  assert.is(peer.sessionSetting(SettingId.MAX_FRAME_SIZE), 32768, 'the server advertised 32768');
  peer.writeHeaders(1, [[':method', 'POST'], ...GET.slice(1)]);
  const body = filler(20000);
  peer.writeData(1, body, { endStream: true });
  assert.ok(equalBytes(peer.bodyOf(1), body), 'the 20000-octet frame is accepted');
  peer.wantNoError();
});

test('§4.2 the server never sends frames over our SETTINGS_MAX_FRAME_SIZE (16384 by default)', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  const body = filler(40000);
  server.respond(1, [[':status', '200']]);
  server.data(1, body, { endStream: true });
  peer.wantHeaders(1);
  const { body: got, frames } = peer.readBody(1);
  assert.ok(equalBytes(got, body), 'the body arrives whole');
  assert.ok(frames.length >= 3, `40000 octets need at least 3 DATA frames of 16384, got ${frames.length}`);
  for (const f of frames) assert.ok(f.length <= 16384, `a DATA frame of ${f.length} octets`);
});

test('§4.2 after we advertise SETTINGS_MAX_FRAME_SIZE 32768, frames stay within it', () => {
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.MAX_FRAME_SIZE, 32768], [SettingId.INITIAL_WINDOW_SIZE, 1 << 20]] } });
  peer.writeWindowUpdate(0, 1 << 20);
  peer.writeHeaders(1, GET, { endStream: true });
  const body = filler(100000);
  server.respond(1, [[':status', '200']]);
  server.data(1, body, { endStream: true });
  peer.wantHeaders(1);
  const { body: got, frames } = peer.readBody(1);
  assert.ok(equalBytes(got, body), 'the body arrives whole');
  for (const f of frames) assert.ok(f.length <= 32768, `a DATA frame of ${f.length} octets`);
});

// ---------------------------------------------------------------- §5.5

test('§5.5 an unknown frame type inside a field block → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  const block = peer.encoder.encode(GET);
  peer.writeRaw(concat(
    headersFrame(1, block.subarray(0, 3), { endStream: true, endHeaders: false }),
    frame(UNKNOWN_TYPE, 0, 1, 'x'),
    continuationFrame(1, block.subarray(3)),
  ));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: [0, 1] });
  peer.noEvent('request');
});

test('§5.5 an unknown frame type on stream 0 inside a field block → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  const block = peer.encoder.encode(GET);
  peer.writeRaw(concat(
    headersFrame(1, block.subarray(0, 3), { endStream: true, endHeaders: false }),
    frame(UNKNOWN_TYPE, 0, 0, 'x'),
    continuationFrame(1, block.subarray(3)),
  ));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: [0, 1] });
});

test('§5.5 an unknown SETTINGS identifier is ignored and the SETTINGS acknowledged', () => {
  const { peer } = connectServer();
  peer.writeSettings([[0xff00, 12345], [0x0a, 1]]);
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.wantNoError();
});

test('§7 an unknown error code in RST_STREAM triggers nothing special', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [[':method', 'POST'], ...GET.slice(1)]);
  peer.writeRstStream(1, 0xdead);
  const e = peer.event('reset', (x) => x.streamId === 1);
  assert.is(e.code, 0xdead, 'the code is reported as it came');
  peer.wantAlive();
  peer.wantNoError();
});

test('§7 an unknown error code in GOAWAY triggers nothing special', () => {
  const { peer } = connectServer();
  peer.writeGoAway(0, 0xbeef, 'bye');
  const e = peer.event('goaway');
  assert.is(e.code, 0xbeef, 'code');
  assert.is(e.lastStreamId, 0, 'last stream id');
  peer.wantNothing({ ignore: [FrameType.GOAWAY] });
  peer.noEvent('error');
});

test('§5.5 RFC 7838 ALTSVC sent to a server is ignored', () => {
  const { peer } = connectServer();
  peer.writeRaw(altsvcFrame(0, 'https://example.com', 'h2=":443"'));
  peer.wantAlive();
  peer.wantNoError();
});

test('§5.5 RFC 8336 ORIGIN sent to a server is ignored', () => {
  const { peer } = connectServer();
  peer.writeRaw(originFrame(['https://example.com']));
  peer.wantAlive();
  peer.wantNoError();
});

test('RFC 9218 §7.1 PRIORITY_UPDATE from the client is reported', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [[':method', 'POST'], ...GET.slice(1)]);
  peer.writePriorityUpdate(1, 'u=1, i');
  const e = peer.event('priority-update');
  assert.is(e.streamId, 1, 'prioritized stream');
  assert.is(e.value, 'u=1, i', 'field value');
  peer.wantNoError();
});

test('RFC 9218 §7.1 PRIORITY_UPDATE for an idle stream is accepted (a request may follow)', () => {
  const { peer } = connectServer();
  peer.writePriorityUpdate(1, 'u=0');
  peer.writeHeaders(1, GET, { endStream: true });
  peer.event('request', (e) => e.streamId === 1);
  peer.wantNoError();
});

test('RFC 9218 §7.1 PRIORITY_UPDATE on a stream other than 0 → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [[':method', 'POST'], ...GET.slice(1)]);
  peer.writePriorityUpdate(1, 'u=1', { streamId: 1 });
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 1 });
});

test('RFC 9218 §7.1 PRIORITY_UPDATE naming stream 0 → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writePriorityUpdate(0, 'u=1');
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('RFC 9218 §7.1 a client receiving PRIORITY_UPDATE → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writePriorityUpdate(id, 'u=1');
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§4.1 every frame a server Session sends in an exchange has the reserved bit and unused flags unset', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, [[':status', '200'], ['content-type', 'text/plain']]);
  server.data(1, filler(100), { endStream: true });
  server.ping(Uint8Array.from([9, 9, 9, 9, 9, 9, 9, 9]));
  const frames = peer.flush();
  assert.ok(frames.length >= 3, 'HEADERS, DATA and PING were sent');
  for (const f of frames) assert.is(f.reserved, false, 'reserved bit');
  const ping = frames.find((f) => f.type === FrameType.PING)!;
  assert.is(ping.flags, 0, 'a PING request has no flags');
  assert.ok(frames.some((f) => f.type === FrameType.DATA && f.flags === Flag.END_STREAM), 'DATA carries END_STREAM only');
  assert.is(settingValue(peer.received[0], SettingId.ENABLE_PUSH) ?? 0, 0, 'a server never sets ENABLE_PUSH to 1');
});

test.run();
