// DESIGN.md limits: queued PING/SETTINGS acknowledgements (default 1000). A peer that makes us
// queue ACKs faster than we write them (it never reads: the PING/SETTINGS floods of
// CVE-2019-9512 and CVE-2019-9515) gets GOAWAY ENHANCE_YOUR_CALM. The Session counts the ACKs
// queued since the last pull(): every test here feeds its frames without pulling in between.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, concat, pingFrame, settingsFrame } from '../helpers/frames.ts';
import { connectClient, connectServer, destroySessions } from '../helpers/peer.ts';
import { GET_BLOCK } from './blocks.ts';

const test = suite('limit: queued PING/SETTINGS acknowledgements');
test.after.each(destroySessions);

const pings = (n: number, from = 0): Uint8Array =>
  concat(...Array.from({ length: n }, (_, i) => pingFrame(Uint8Array.of(0, 0, 0, 0, (from + i) >>> 24, (from + i) >>> 16, (from + i) >>> 8, from + i))));
const emptySettings = (n: number): Uint8Array => concat(...Array.from({ length: n }, () => settingsFrame([])));

test('1000 PINGs without a pull are all answered', () => {
  const { peer } = connectServer();
  peer.writeRaw(pings(1000), '1000 PING');
  assert.is(peer.takeFrames(FrameType.PING, { ack: true }).length, 1000);
  peer.wantNoError();
});

test('the 1001st PING without a pull draws GOAWAY ENHANCE_YOUR_CALM', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET_BLOCK);
  peer.writeRaw(pings(1001), '1001 PING');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 1 });
});

test('the count spans reads: 1001 PINGs fed in 11 receive() calls without a pull', () => {
  const { peer } = connectServer();
  peer.split = 17 * 100; // 100 PING frames per receive()
  peer.writeRaw(pings(1001), '1001 PING in 11 reads');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
});

test('a pull empties the count: 5 × 800 PINGs with pulls in between are all answered', () => {
  const { peer } = connectServer();
  for (let i = 0; i < 5; i++) peer.writeRaw(pings(800, i * 800), `800 PING (round ${i})`); // writeRaw pulls first
  assert.is(peer.takeFrames(FrameType.PING, { ack: true }).length, 4000);
  peer.wantNoError();
});

test('SETTINGS acknowledgements count: 1001 empty SETTINGS draw GOAWAY ENHANCE_YOUR_CALM', () => {
  const { peer } = connectServer();
  peer.writeRaw(emptySettings(1000), '1000 SETTINGS');
  assert.is(peer.takeFrames(FrameType.SETTINGS, { ack: true }).length, 1000);
  peer.wantNoError();
  peer.writeRaw(emptySettings(1001), '1001 SETTINGS');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
});

test('PING and SETTINGS share the count: 600 + 401', () => {
  const { peer } = connectServer();
  peer.writeRaw(concat(pings(600), emptySettings(401)), '600 PING + 401 SETTINGS');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
});

test('a custom maxQueuedAcks (5): 5 pass, the 6th does not', () => {
  const { peer } = connectServer({ server: { limits: { maxQueuedAcks: 5 } } });
  peer.writeRaw(pings(5), '5 PING');
  assert.is(peer.takeFrames(FrameType.PING, { ack: true }).length, 5);
  peer.writeRaw(pings(6), '6 PING');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
});

test('PING ACKs from the peer (answers to our PINGs) are not acknowledgements we queue', () => {
  const { server, peer } = connectServer({ server: { limits: { maxQueuedAcks: 5 } } });
  const payload = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  server.ping(payload);
  peer.flush();
  peer.writeRaw(concat(...Array.from({ length: 50 }, () => pingFrame(payload, { ack: true }))), '50 PING ACK');
  peer.wantNoError();
  peer.wantAlive();
});

test('client role: a server flooding PINGs is cut off the same way', () => {
  const { peer } = connectClient({ client: { limits: { maxQueuedAcks: 100 } } });
  peer.writeRaw(pings(101), '101 PING');
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
});

test.run();
