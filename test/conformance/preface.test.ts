// RFC 9113 §3.4: the connection preface of both roles.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CLIENT_PREFACE, ErrorCode, FrameType, concat, goawayFields, headersFrame, latin1, pingFrame, settingsFrame,
} from '../helpers/frames.ts';
import {
  GET, ScriptedClient, ScriptedServer, connectServer, destroySessions, newSession, type ScriptedPeer, type SessionLike,
} from '../helpers/peer.ts';

const test = suite('RFC 9113 §3.4 connection preface');
test.after.each(destroySessions);

/**
 * §3.4: "Clients and servers MUST treat an invalid connection preface as a connection error of
 * type PROTOCOL_ERROR. A GOAWAY frame MAY be omitted in this case": the `error` event is
 * required; a GOAWAY, if sent, carries PROTOCOL_ERROR and last stream id 0; nothing else
 * answers and no stream is opened.
 */
function wantPrefaceError(peer: ScriptedPeer): void {
  peer.flush();
  const e = peer.events.find((x) => x.type === 'error');
  if (!e) peer.fail('an invalid preface must be a connection error: no error event');
  assert.is(e.scope, 'connection', 'error scope');
  assert.is(e.code, ErrorCode.PROTOCOL_ERROR, 'error code');
  const goaway = peer.unread.find((f) => f.type === FrameType.GOAWAY);
  if (goaway) {
    const g = goawayFields(goaway);
    assert.is(g.code, ErrorCode.PROTOCOL_ERROR, 'GOAWAY error code');
    assert.is(g.lastStreamId, 0, 'GOAWAY last stream id');
  }
  const other = peer.unread.filter((f) => f.type !== FrameType.GOAWAY && !(f.type === FrameType.SETTINGS && f.index === 0));
  if (other.length) peer.fail(`an invalid preface must be answered by at most SETTINGS and GOAWAY; got ${other.length} other frames`);
  peer.noEvent('request');
}

test('§3.4 the server connection preface: SETTINGS is the first frame the server sends', () => {
  const server = newSession({ role: 'server' });
  const peer = new ScriptedClient(server as unknown as SessionLike);
  peer.flush();
  assert.ok(peer.received.length > 0, 'the server sent nothing after the client preface');
  const first = peer.received[0];
  assert.is(first.type, FrameType.SETTINGS, 'first frame type');
  assert.is(first.flags & 1, 0, 'the server preface SETTINGS is not an ACK');
  assert.is(first.streamId, 0, 'SETTINGS on stream 0');
});

test('§3.4 the server acknowledges the client preface SETTINGS, after its own SETTINGS', () => {
  const server = newSession({ role: 'server' });
  const peer = new ScriptedClient(server as unknown as SessionLike, { settings: [[0x4, 100000]] });
  const own = peer.wantFrame(FrameType.SETTINGS, { ack: false });
  const ack = peer.wantFrame(FrameType.SETTINGS, { ack: true });
  assert.is(ack.length, 0, 'SETTINGS ACK is empty');
  assert.ok(ack.index > own.index, 'the ACK follows the server preface');
  peer.event('settings');
});

test('§3.4 a server Session sends its SETTINGS even before the client preface arrives', () => {
  const server = newSession({ role: 'server' });
  const peer = new ScriptedClient(server as unknown as SessionLike, { preface: false });
  const f = peer.flush();
  // Sending it first is allowed, not required; if anything was sent, it starts with SETTINGS.
  if (f.length) assert.is(f[0].type, FrameType.SETTINGS, 'first frame type');
  peer.writeRaw(CLIENT_PREFACE, 'client connection preface');
  peer.writeSettings([]);
  peer.handshake();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.event('request', (e) => e.streamId === 1);
});

test('§3.4 the preface and SETTINGS delivered one octet at a time are accepted', () => {
  const { peer } = connectServer({ peer: { split: 1 } });
  peer.writeHeaders(1, GET, { endStream: true });
  peer.event('request', (e) => e.streamId === 1);
  peer.wantNoError();
});

test('§3.4 frames in the same chunk as the preface are processed (no need to wait for the server)', () => {
  const server = newSession({ role: 'server' });
  const peer = new ScriptedClient(server as unknown as SessionLike, { preface: false });
  peer.writeRaw(concat(CLIENT_PREFACE, settingsFrame([]), headersFrame(1, peer.encoder.encode(GET), { endStream: true })), 'preface + SETTINGS + HEADERS[1]');
  peer.event('request', (e) => e.streamId === 1);
  peer.wantFrame(FrameType.SETTINGS, { ack: false });
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.wantNoError();
});

test('§3.4 an HTTP/1.1 request instead of the preface → connection error PROTOCOL_ERROR', () => {
  const server = newSession({ role: 'server' });
  const peer = new ScriptedClient(server as unknown as SessionLike, { preface: false });
  peer.writeRaw(latin1('GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n'), 'an HTTP/1.1 request');
  wantPrefaceError(peer);
});

test('§3.4 the preface with its last octet wrong → connection error PROTOCOL_ERROR', () => {
  const server = newSession({ role: 'server' });
  const peer = new ScriptedClient(server as unknown as SessionLike, { preface: false });
  const bad = CLIENT_PREFACE.slice();
  bad[23] = 0x0b;
  peer.writeRaw(concat(bad, settingsFrame([])), 'preface with octet 24 changed + SETTINGS');
  wantPrefaceError(peer);
});

test('§3.4 the preface magic followed by PING instead of SETTINGS → connection error PROTOCOL_ERROR', () => {
  const server = newSession({ role: 'server' });
  const peer = new ScriptedClient(server as unknown as SessionLike, { preface: false });
  peer.writeRaw(concat(CLIENT_PREFACE, pingFrame(new Uint8Array(8))), 'preface magic + PING');
  wantPrefaceError(peer);
  peer.noEvent('ping');
});

test('§3.4 the preface magic followed by HEADERS instead of SETTINGS → connection error PROTOCOL_ERROR', () => {
  const server = newSession({ role: 'server' });
  const peer = new ScriptedClient(server as unknown as SessionLike, { preface: false });
  peer.writeRaw(concat(CLIENT_PREFACE, headersFrame(1, peer.encoder.encode(GET), { endStream: true })), 'preface magic + HEADERS[1]');
  wantPrefaceError(peer);
});

test('§3.4 a client Session starts with the 24-octet magic followed by a SETTINGS frame', () => {
  const client = newSession({ role: 'client' });
  // ScriptedServer checks the magic octet by octet; SETTINGS must be the first frame after it.
  const peer = new ScriptedServer(client as unknown as SessionLike, { preface: false });
  const frames = peer.flush();
  assert.ok(frames.length > 0, 'the client sent nothing on its first pull');
  assert.is(frames[0].type, FrameType.SETTINGS, 'first frame after the magic');
  assert.is(frames[0].flags & 1, 0, 'not an ACK');
});

test('§3.4 a client Session sends the preface before its first request', () => {
  const client = newSession({ role: 'client' });
  const id = client.request(GET, { endStream: true });
  const peer = new ScriptedServer(client as unknown as SessionLike, { preface: false });
  const frames = peer.flush();
  assert.is(frames[0].type, FrameType.SETTINGS, 'first frame');
  assert.ok(frames.some((f) => f.type === FrameType.HEADERS && f.streamId === id), 'the request follows');
});

test('§3.4 a client Session: the server preface is not SETTINGS (PING first) → connection error PROTOCOL_ERROR', () => {
  const client = newSession({ role: 'client' });
  const peer = new ScriptedServer(client as unknown as SessionLike, { preface: false });
  peer.flush();
  peer.writePing(new Uint8Array(8));
  wantPrefaceError(peer);
  peer.noEvent('ping');
});

test('§3.4 a client Session acknowledges the server preface SETTINGS', () => {
  const client = newSession({ role: 'client' });
  const peer = new ScriptedServer(client as unknown as SessionLike, { settings: [[0x3, 50]] });
  peer.wantFrame(FrameType.SETTINGS, { ack: false });
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  const e = peer.event('settings');
  assert.is(e.settings.maxConcurrentStreams, 50, 'the server settings are reported');
});

test.run();
