// DESIGN.md limits: advertised SETTINGS_MAX_CONCURRENT_STREAMS (default 100); the extra
// stream draws RST_STREAM REFUSED_STREAM (RFC 9113 §5.1.2, §8.7: safe to retry), and the
// connection goes on.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, SettingId, concat, headersFrame, parseFrames, settingValue } from '../helpers/frames.ts';
import { connectServer, destroySessions, newSession } from '../helpers/peer.ts';
import { GET_BLOCK } from './blocks.ts';

const test = suite('limit: MAX_CONCURRENT_STREAMS');
test.after.each(destroySessions);

const ids = (n: number, first = 1): number[] => Array.from({ length: n }, (_, i) => first + 2 * i);
const OK: Array<[string, string]> = [[':status', '200']];

test('100 concurrent streams are served; the 101st is refused with REFUSED_STREAM', () => {
  const { server, peer } = connectServer({ server: { settings: { maxConcurrentStreams: 100 } } });
  assert.is(peer.sessionSetting(SettingId.MAX_CONCURRENT_STREAMS), 100, 'the limit is advertised');
  const open = ids(100);
  for (const id of open) peer.writeHeaders(id, GET_BLOCK, { endStream: true });
  assert.is(peer.eventsOf('request').length, 100);
  peer.wantNoError();
  assert.is(server.state.openStreams, 100, 'half-closed (remote) streams count (§5.1.2)');

  peer.writeHeaders(201, GET_BLOCK, { endStream: true });
  peer.wantStreamError(201, ErrorCode.REFUSED_STREAM);
  peer.noEvent('request', (e) => e.streamId === 201);

  // The 100 are answered in full.
  const body = new TextEncoder().encode('ok');
  for (const id of open) {
    server.respond(id, OK);
    server.data(id, body, { endStream: true });
  }
  for (const id of open) {
    const h = peer.wantHeaders(id);
    assert.equal(h.headers, OK);
    assert.equal([...peer.readBody(id).body], [...body]);
  }
  assert.is(server.state.openStreams, 0);

  // Closed streams free their slots.
  peer.writeHeaders(203, GET_BLOCK, { endStream: true });
  peer.event('request', (e) => e.streamId === 203);
});

test('a small limit (2): closing or resetting a stream frees its slot', () => {
  const { server, peer } = connectServer({ server: { settings: { maxConcurrentStreams: 2 } } });
  peer.writeHeaders(1, GET_BLOCK, { endStream: true });
  peer.writeHeaders(3, GET_BLOCK); // open: the body is still to come
  peer.writeHeaders(5, GET_BLOCK, { endStream: true });
  peer.wantStreamError(5, ErrorCode.REFUSED_STREAM);

  server.respond(1, OK, { endStream: true });
  peer.wantHeaders(1, { endStream: true });
  peer.writeHeaders(7, GET_BLOCK, { endStream: true });
  peer.event('request', (e) => e.streamId === 7);

  peer.writeHeaders(9, GET_BLOCK, { endStream: true });
  peer.wantStreamError(9, ErrorCode.REFUSED_STREAM);
  peer.writeRstStream(3, ErrorCode.CANCEL);
  peer.writeHeaders(11, GET_BLOCK, { endStream: true });
  peer.event('request', (e) => e.streamId === 11);
  assert.is(server.state.openStreams, 2);
});

test('refused streams do not count: after many refusals the limit still admits exactly its share', () => {
  const { server, peer } = connectServer({ server: { settings: { maxConcurrentStreams: 3 } } });
  for (const id of ids(3)) peer.writeHeaders(id, GET_BLOCK, { endStream: true });
  for (const id of ids(5, 7)) {
    peer.writeHeaders(id, GET_BLOCK, { endStream: true });
    peer.wantStreamError(id, ErrorCode.REFUSED_STREAM);
  }
  for (const id of ids(3)) server.respond(id, OK, { endStream: true });
  for (const id of ids(3)) peer.wantHeaders(id);
  for (const id of ids(3, 17)) peer.writeHeaders(id, GET_BLOCK, { endStream: true });
  assert.is(peer.eventsOf('request').length, 6);
  peer.writeHeaders(23, GET_BLOCK, { endStream: true });
  peer.wantStreamError(23, ErrorCode.REFUSED_STREAM);
});

test('the advertised limit binds from the preface on, before the client acknowledges it', () => {
  // RFC 9113 §5.1.2 speaks of the "advertised" limit; a client that never sends SETTINGS ACK
  // must not get unlimited streams (nghttp2 refuses against the pending value too).
  const { peer } = connectServer({ server: { settings: { maxConcurrentStreams: 100 } }, handshake: false });
  peer.wantFrame(FrameType.SETTINGS, { ack: false });
  for (const id of ids(100)) peer.writeHeaders(id, GET_BLOCK, { endStream: true });
  assert.is(peer.eventsOf('request').length, 100);
  peer.writeHeaders(201, GET_BLOCK, { endStream: true });
  peer.wantRstStream(201, ErrorCode.REFUSED_STREAM);
  peer.noEvent('request', (e) => e.streamId === 201);
});

test('default (DESIGN.md): a server advertises MAX_CONCURRENT_STREAMS 100 and refuses the 101st', () => {
  const server = newSession({ role: 'server' });
  const preface = parseFrames(concat(...server.pull()));
  assert.is(preface[0].type, FrameType.SETTINGS);
  assert.is(settingValue(preface[0], SettingId.MAX_CONCURRENT_STREAMS), 100, 'SETTINGS_MAX_CONCURRENT_STREAMS in the preface');
  // 101 requests in one chunk, after the client preface and the ACK of the server's SETTINGS.
  const { peer } = connectServer();
  const burst = concat(...ids(101).map((id) => headersFrame(id, GET_BLOCK, { endStream: true })));
  peer.writeRaw(burst, '101 GET requests');
  assert.is(peer.eventsOf('request').length, 100);
  peer.wantRstStream(201, ErrorCode.REFUSED_STREAM);
});

test.run();
