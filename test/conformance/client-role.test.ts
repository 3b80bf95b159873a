// The connection-level rules of RFC 9113 §4–§6 again, with a client Session receiving them
// from a scripted server: the same rules hold in both roles, whatever code paths each takes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ErrorCode, Flag, FrameType, SettingId, concat, continuationFrame, dataFrame, frame, headersFrame, pingFrame,
  priorityFrame, settingsFrame, windowUpdateFrame,
} from '../helpers/frames.ts';
import { block, indexed, withoutIndexing } from '../helpers/hpack-wire.ts';
import { GET, connectClient, destroySessions, req } from '../helpers/peer.ts';

const test = suite('RFC 9113 §4–§6 with a client Session');
test.after.each(destroySessions);

const MAX = 2147483647;
const OK: Array<[string, string]> = [[':status', '200']];

/** A client Session with one request (stream 1) sent and waiting for its response. */
function waiting() {
  const c = connectClient();
  const id = c.client.request(GET, { endStream: true });
  c.peer.wantHeaders(id);
  return { ...c, id };
}

const connectionErrors: Array<[string, (id: number) => Uint8Array, number]> = [
  ['§6.1 DATA on stream 0', () => dataFrame(0, 'x'), ErrorCode.PROTOCOL_ERROR],
  ['§6.2 HEADERS on stream 0', () => headersFrame(0, new Uint8Array([0x88]), { endStream: true }), ErrorCode.PROTOCOL_ERROR],
  ['§6.3 PRIORITY on stream 0', () => priorityFrame(0, { dependency: 1 }), ErrorCode.PROTOCOL_ERROR],
  ['§6.4 RST_STREAM on stream 0', () => frame(FrameType.RST_STREAM, 0, 0, [0, 0, 0, 8]), ErrorCode.PROTOCOL_ERROR],
  ['§6.4 RST_STREAM on an idle stream', () => frame(FrameType.RST_STREAM, 0, 5, [0, 0, 0, 8]), ErrorCode.PROTOCOL_ERROR],
  ['§6.4 RST_STREAM of 3 octets', (id) => frame(FrameType.RST_STREAM, 0, id, [0, 0, 8]), ErrorCode.FRAME_SIZE_ERROR],
  ['§6.5 SETTINGS ACK with a payload', () => frame(FrameType.SETTINGS, Flag.ACK, 0, [0, 3, 0, 0, 0, 1]), ErrorCode.FRAME_SIZE_ERROR],
  ['§6.5 SETTINGS of 5 octets', () => frame(FrameType.SETTINGS, 0, 0, [0, 3, 0, 0, 0]), ErrorCode.FRAME_SIZE_ERROR],
  ['§6.5 SETTINGS on a stream', (id) => frame(FrameType.SETTINGS, 0, id, []), ErrorCode.PROTOCOL_ERROR],
  ['§6.5.2 SETTINGS_ENABLE_PUSH 2', () => settingsFrame([[SettingId.ENABLE_PUSH, 2]]), ErrorCode.PROTOCOL_ERROR],
  ['§6.5.2 SETTINGS_INITIAL_WINDOW_SIZE 2^31', () => settingsFrame([[SettingId.INITIAL_WINDOW_SIZE, 2 ** 31]]), ErrorCode.FLOW_CONTROL_ERROR],
  ['§6.5.2 SETTINGS_MAX_FRAME_SIZE 2^24', () => settingsFrame([[SettingId.MAX_FRAME_SIZE, 2 ** 24]]), ErrorCode.PROTOCOL_ERROR],
  ['§6.7 PING of 7 octets', () => pingFrame(new Uint8Array(7)), ErrorCode.FRAME_SIZE_ERROR],
  ['§6.7 PING on a stream', (id) => frame(FrameType.PING, 0, id, new Uint8Array(8)), ErrorCode.PROTOCOL_ERROR],
  ['§6.8 GOAWAY on a stream', (id) => frame(FrameType.GOAWAY, 0, id, new Uint8Array(8)), ErrorCode.PROTOCOL_ERROR],
  ['§6.9 WINDOW_UPDATE of 0 on the connection', () => windowUpdateFrame(0, 0), ErrorCode.PROTOCOL_ERROR],
  ['§6.9 WINDOW_UPDATE of 3 octets', () => frame(FrameType.WINDOW_UPDATE, 0, 0, [0, 0, 1]), ErrorCode.FRAME_SIZE_ERROR],
  ['§6.9.1 a connection window above 2^31−1', () => windowUpdateFrame(0, MAX), ErrorCode.FLOW_CONTROL_ERROR],
  ['§6.10 CONTINUATION without HEADERS', (id) => continuationFrame(id, new Uint8Array([0x88])), ErrorCode.PROTOCOL_ERROR],
  ['§6.10 PING inside a response field block', (id) => concat(headersFrame(id, new Uint8Array([0x88]), { endHeaders: false }), pingFrame(new Uint8Array(8)), continuationFrame(id, new Uint8Array(0))), ErrorCode.PROTOCOL_ERROR],
  ['§4.2 a response HEADERS over SETTINGS_MAX_FRAME_SIZE', (id) => headersFrame(id, block(indexed(8), withoutIndexing('x-a', 'a'.repeat(16900)))), ErrorCode.FRAME_SIZE_ERROR],
];

for (const [what, build, code] of connectionErrors) {
  test(`${what} → connection error ${Object.keys(ErrorCode).find((k) => ErrorCode[k as keyof typeof ErrorCode] === code)} (client Session)`, () => {
    const { peer, id } = waiting();
    peer.writeRaw(build(id));
    peer.wantConnectionError(code, { lastStreamId: 0 });
    peer.noEvent('response');
  });
}

test('§6.9 WINDOW_UPDATE of 0 on a stream → stream error PROTOCOL_ERROR (client Session)', () => {
  const { client, peer } = connectClient();
  const id = client.request(req({ ':method': 'POST' }));
  peer.wantHeaders(id);
  peer.writeWindowUpdate(id, 0);
  peer.wantStreamError(id, ErrorCode.PROTOCOL_ERROR);
});

test('§6.9.1 a stream window above 2^31−1 → stream error FLOW_CONTROL_ERROR (client Session)', () => {
  const { client, peer } = connectClient();
  const id = client.request(req({ ':method': 'POST' }));
  peer.wantHeaders(id);
  peer.writeWindowUpdate(id, MAX);
  peer.wantStreamError(id, ErrorCode.FLOW_CONTROL_ERROR);
});

test('§5.1 half-closed (remote) on the client: DATA after the response ended → STREAM_CLOSED', () => {
  const { client, peer } = connectClient();
  const id = client.request(req({ ':method': 'POST' }));
  peer.wantHeaders(id);
  peer.writeHeaders(id, OK, { endStream: true });
  peer.writeData(id, 'late');
  peer.wantStreamError(id, ErrorCode.STREAM_CLOSED);
});

test('§6.9.1 a client Session: response DATA beyond the window it advertised → FLOW_CONTROL_ERROR', () => {
  const { client, peer } = connectClient({ client: { settings: { initialWindowSize: 100 } } });
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writeHeaders(id, OK);
  peer.writeData(id, 100);
  peer.flush();
  peer.writeData(id, peer.sendWindow(id) + 1);
  peer.wantError(id, [
    { scope: 'stream', code: ErrorCode.FLOW_CONTROL_ERROR },
    { scope: 'connection', code: ErrorCode.FLOW_CONTROL_ERROR },
  ]);
});

test('§4.1 a client Session ignores unknown frame types and unused flags', () => {
  const { peer, id } = waiting();
  peer.writeFrame(0xfa, 0xff, 0, 'x');
  peer.writeFrame(0xfa, 0, id, 'y');
  peer.writeHeaders(id, OK, { endStream: true, flags: 0x02 | 0x40 });
  peer.event('response', (e) => e.streamId === id);
  peer.wantNoError();
});

test('§6.5 a client Session acknowledges each server SETTINGS and applies it', () => {
  const { client, peer } = connectClient();
  peer.writeSettings([[SettingId.INITIAL_WINDOW_SIZE, 10]]);
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  const id = client.request(req({ ':method': 'POST' }));
  client.data(id, new Uint8Array(50), { endStream: true });
  peer.wantHeaders(id);
  assert.is(peer.readBody(id, { untilEnd: false }).body.length, 10, 'the request body keeps to a window of 10');
});

test('§8.2.2 a client Session never sends connection-specific fields: request() with one throws or drops it', () => {
  const { client, peer } = connectClient();
  let id = 0;
  try {
    id = client.request([...GET, ['transfer-encoding', 'chunked']], { endStream: true });
  } catch {
    return;
  }
  const h = peer.wantHeaders(id);
  assert.ok(!h.headers.some(([n]) => n === 'transfer-encoding'), `sent ${JSON.stringify(h.headers)}`);
});

test('§8.3 a client Session never sends a request without :method: request() throws or sends nothing', () => {
  const { client, peer } = connectClient();
  try {
    client.request([[':scheme', 'https'], [':path', '/']], { endStream: true });
  } catch {
    return;
  }
  assert.is(peer.takeFrames(FrameType.HEADERS).length, 0, 'no malformed request on the wire');
});

test.run();
