// Padding of sent frames (limits.paddingStrategy, node:http2's PADDING_STRATEGY_*): HEADERS and
// DATA carry it, CONTINUATION never does, and DATA padding counts against flow control (§6.1).
// The scripted peer checks every frame against the sender's rules (windows included).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Flag, FrameType, filler, equalBytes } from '../helpers/frames.ts';
import { GET, connectServer, destroySessions } from '../helpers/peer.ts';

const test = suite('padding of sent frames');
test.after.each(destroySessions);

const NONE = 0, ALIGNED = 1, MAX = 2;
const padLengthOf = (f: { flags: number; payload: Uint8Array }) => (f.flags & Flag.PADDED ? f.payload[0] + 1 : 0);

function exchange(strategy: number, body: Uint8Array, headers: Array<[string, string]> = [[':status', '200']]) {
  const { server, peer } = connectServer({ server: { role: 'server', limits: { paddingStrategy: strategy } } });
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, headers);
  server.data(1, body, { endStream: true });
  const frames = peer.flush();
  const head = frames.find((f) => f.type === FrameType.HEADERS && f.streamId === 1)!;
  const { body: got, frames: data } = peer.readBody(1);
  assert.ok(equalBytes(got, body), 'the body arrives whole once the padding is stripped');
  return { head, data, peer };
}

test('ALIGNED: every HEADERS and DATA frame is a multiple of 8 octets, header included', () => {
  for (const size of [1, 7, 100, 20_000]) {
    const { head, data } = exchange(ALIGNED, filler(size));
    assert.equal(head.headers, [[':status', '200']]);
    for (const f of [head, ...data.filter((d) => d.length > 0)]) {
      if (f.length === 16384) { assert.is(padLengthOf(f), 0, 'a full frame has no room for padding'); continue; }
      assert.is((9 + f.length) % 8, 0, `frame type ${f.type} of ${f.length} octets for a ${size}-octet body`);
      assert.ok(padLengthOf(f) <= 8);
    }
    if (size === 20_000) assert.ok(padLengthOf(data[data.length - 1]) > 0, 'the short last frame is padded');
  }
});

test('MAX: 256 octets of padding (Pad Length 255) where the frame size allows, less where it does not', () => {
  const { head, data } = exchange(MAX, filler(20_000));
  assert.is(padLengthOf(head), 256);
  assert.is(head.payload[0], 255);
  // The first DATA frame fills SETTINGS_MAX_FRAME_SIZE with data: no room left for padding.
  assert.is(data[0].length, 16384);
  assert.is(padLengthOf(data[0]), 0);
  const last = data[data.length - 1];
  assert.is(padLengthOf(last), 256);
  assert.is(last.length, 20_000 - 16384 + 256);
});

test('MAX: padding is flow-controlled (§6.1), so it only fills what the windows leave', () => {
  const { data } = exchange(MAX, filler(65_400));
  const last = data[data.length - 1];
  assert.ok(last.flags & Flag.END_STREAM, 'padding never holds the body back');
  assert.is(padLengthOf(last), 65_535 - 65_400, 'the last frame is padded up to the end of the 65,535-octet window');
  assert.is(data.reduce((n, f) => n + f.length, 0), 65_535);
});

test('NONE (the default): no frame is padded', () => {
  const { head, data } = exchange(NONE, filler(20_000));
  assert.is(head.flags & Flag.PADDED, 0);
  for (const f of data) assert.is(f.flags & Flag.PADDED, 0);
});

test('a field block over the frame size: HEADERS padded (when it has room), CONTINUATION never', () => {
  const big: Array<[string, string]> = [[':status', '200'], ['x-a', Buffer.from(filler(24_000)).toString('base64')]];
  const { server, peer } = connectServer({ server: { role: 'server', limits: { paddingStrategy: MAX } } });
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, big, { endStream: true });
  const frames = peer.flush();
  const conts = frames.filter((f) => f.type === FrameType.CONTINUATION);
  assert.ok(conts.length >= 1);
  const head = frames.find((f) => f.type === FrameType.HEADERS)!;
  assert.equal(head.headers, big);
  assert.is(head.length, 16384, 'the first frame is full of the block: no room for padding');
});

test.run();
