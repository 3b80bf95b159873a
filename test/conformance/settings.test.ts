// RFC 9113 §6.5 SETTINGS: format (§6.5.1), defined settings and their ranges (§6.5.2),
// synchronization (§6.5.3).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, SettingId, filler, frame, settingValue } from '../helpers/frames.ts';
import { GET, connectClient, connectServer, destroySessions } from '../helpers/peer.ts';

const test = suite('RFC 9113 §6.5 SETTINGS');
test.after.each(destroySessions);

test('§6.5 SETTINGS is acknowledged with an empty SETTINGS ACK on stream 0', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.MAX_CONCURRENT_STREAMS, 10]]);
  const ack = peer.wantFrame(FrameType.SETTINGS, { ack: true });
  assert.is(ack.length, 0, 'empty');
  assert.is(ack.streamId, 0, 'stream 0');
  assert.is(ack.flags, 1, 'ACK flag only');
  const e = peer.event('settings');
  assert.is(e.settings.maxConcurrentStreams, 10, 'the new value is reported');
});

test('§6.5 an empty SETTINGS is acknowledged too', () => {
  const { peer } = connectServer();
  peer.writeSettings([]);
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.wantNothing();
});

test('§6.5.3 each SETTINGS gets its own ACK, in order', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.HEADER_TABLE_SIZE, 4096]]);
  peer.writeSettings([[SettingId.MAX_HEADER_LIST_SIZE, 100000]]);
  peer.writeSettings([]);
  assert.is(peer.takeFrames(FrameType.SETTINGS, { ack: true }).length, 3, 'three ACKs');
});

test('§6.5 SETTINGS ACK with a payload → connection error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeFrame(FrameType.SETTINGS, 1, 0, [0, 3, 0, 0, 0, 100]);
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 0 });
});

test('§6.5 SETTINGS of a length not a multiple of 6 → connection error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeFrame(FrameType.SETTINGS, 0, 0, [0, 3, 0, 0]);
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 0 });
});

test('§6.5 SETTINGS of 7 octets → connection error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeFrame(FrameType.SETTINGS, 0, 0, [0, 3, 0, 0, 0, 100, 0]);
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 0 });
});

test('§6.5 SETTINGS on a stream other than 0 → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeFrame(FrameType.SETTINGS, 0, 1, []);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.5.2 SETTINGS_ENABLE_PUSH 2 → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.ENABLE_PUSH, 2]]);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.5.2 SETTINGS_ENABLE_PUSH 0 and 1 from a client are accepted', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.ENABLE_PUSH, 0]]);
  peer.writeSettings([[SettingId.ENABLE_PUSH, 1]]);
  assert.is(peer.takeFrames(FrameType.SETTINGS, { ack: true }).length, 2, 'both acknowledged');
  peer.wantNoError();
});

test('§6.5.2 a client Session: SETTINGS_ENABLE_PUSH 1 from the server → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectClient();
  peer.writeSettings([[SettingId.ENABLE_PUSH, 1]]);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.5.2 a client Session: SETTINGS_ENABLE_PUSH 0 from the server is accepted', () => {
  const { peer } = connectClient();
  peer.writeSettings([[SettingId.ENABLE_PUSH, 0]]);
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.wantNoError();
});

test('§6.5.2 SETTINGS_INITIAL_WINDOW_SIZE 2^31 → connection error FLOW_CONTROL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.INITIAL_WINDOW_SIZE, 2147483648]]);
  peer.wantConnectionError(ErrorCode.FLOW_CONTROL_ERROR, { lastStreamId: 0 });
});

test('§6.5.2 SETTINGS_INITIAL_WINDOW_SIZE 2^32−1 → connection error FLOW_CONTROL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.INITIAL_WINDOW_SIZE, 0xffffffff]]);
  peer.wantConnectionError(ErrorCode.FLOW_CONTROL_ERROR, { lastStreamId: 0 });
});

test('§6.5.2 SETTINGS_INITIAL_WINDOW_SIZE 2^31−1 is accepted', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.INITIAL_WINDOW_SIZE, 2147483647]]);
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.wantNoError();
});

test('§6.5.2 SETTINGS_MAX_FRAME_SIZE 16383 (below 2^14) → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.MAX_FRAME_SIZE, 16383]]);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.5.2 SETTINGS_MAX_FRAME_SIZE 0 → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.MAX_FRAME_SIZE, 0]]);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.5.2 SETTINGS_MAX_FRAME_SIZE 2^24 (above 2^24−1) → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.MAX_FRAME_SIZE, 16777216]]);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.5.2 SETTINGS_MAX_FRAME_SIZE 2^14 and 2^24−1 (the bounds) are accepted', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.MAX_FRAME_SIZE, 16384]]);
  peer.writeSettings([[SettingId.MAX_FRAME_SIZE, 16777215]]);
  assert.is(peer.takeFrames(FrameType.SETTINGS, { ack: true }).length, 2, 'both acknowledged');
  peer.wantNoError();
});

test('§6.5.2 a client Session: SETTINGS_MAX_FRAME_SIZE out of range from the server → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectClient();
  peer.writeSettings([[SettingId.MAX_FRAME_SIZE, 16383]]);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.5.2 unknown setting identifiers are ignored (and acknowledged)', () => {
  const { peer } = connectServer();
  peer.writeSettings([[0x00, 1], [0x07, 1], [0x0a, 99], [0xffff, 0xffffffff]]);
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.wantNoError();
});

test('§6.5.2 SETTINGS_MAX_CONCURRENT_STREAMS 0 and SETTINGS_MAX_HEADER_LIST_SIZE 0 are legal values', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.MAX_CONCURRENT_STREAMS, 0], [SettingId.MAX_HEADER_LIST_SIZE, 0], [SettingId.HEADER_TABLE_SIZE, 0]]);
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.wantNoError();
});

test('RFC 9218 §2.1 SETTINGS_NO_RFC7540_PRIORITIES 2 → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeSettings([[SettingId.NO_RFC7540_PRIORITIES, 2]]);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('RFC 9218 §2.1 SETTINGS_NO_RFC7540_PRIORITIES 1 in the preface is accepted', () => {
  const { peer } = connectServer({ peer: { settings: [[SettingId.NO_RFC7540_PRIORITIES, 1]] } });
  peer.writeHeaders(1, GET, { endStream: true });
  peer.event('request', (e) => e.streamId === 1);
  peer.wantNoError();
});

test('§6.5.3 values are processed in order: the last value of a repeated setting wins', () => {
  // INITIAL_WINDOW_SIZE 10 then 300: the server may send 300 octets of a response, not 10.
  const { server, peer } = connectServer();
  peer.writeSettings([[SettingId.INITIAL_WINDOW_SIZE, 10], [SettingId.INITIAL_WINDOW_SIZE, 300]]);
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, [[':status', '200']]);
  server.data(1, filler(1000), { endStream: true });
  peer.wantHeaders(1);
  const { body } = peer.readBody(1, { untilEnd: false });
  assert.is(body.length, 300, 'octets sent within a stream window of 300');
});

test('§6.5.3 our SETTINGS: the ACK from the peer is reported as settings-ack', () => {
  const { server, peer } = connectServer();
  server.settings({ maxConcurrentStreams: 7 });
  const f = peer.wantFrame(FrameType.SETTINGS, { ack: false });
  assert.is(settingValue(f, SettingId.MAX_CONCURRENT_STREAMS), 7, 'MAX_CONCURRENT_STREAMS sent');
  peer.noEvent('settings-ack');
  peer.writeSettingsAck();
  const e = peer.event('settings-ack');
  assert.is(e.settings.maxConcurrentStreams, 7, 'the acknowledged settings');
});

test('§6.5 the server preface SETTINGS carries the configured settings', () => {
  const { peer } = connectServer({ server: { settings: { maxConcurrentStreams: 42, initialWindowSize: 100000, maxFrameSize: 20000 } } });
  const f = peer.received[0];
  assert.is(f.type, FrameType.SETTINGS);
  assert.is(settingValue(f, SettingId.MAX_CONCURRENT_STREAMS), 42, 'MAX_CONCURRENT_STREAMS');
  assert.is(settingValue(f, SettingId.INITIAL_WINDOW_SIZE), 100000, 'INITIAL_WINDOW_SIZE');
  assert.is(settingValue(f, SettingId.MAX_FRAME_SIZE), 20000, 'MAX_FRAME_SIZE');
});

test('§6.5 SETTINGS is a connection frame: a padded-looking flag set does not matter', () => {
  const { peer } = connectServer();
  peer.writeRaw(frame(FrameType.SETTINGS, 0x08, 0, [0, 3, 0, 0, 0, 5]));
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.wantNoError();
});

test.run();
