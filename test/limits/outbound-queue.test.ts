// DESIGN.md limits: outbound frames queued (default 10000). A peer that makes us queue frames
// faster than they are written gets GOAWAY ENHANCE_YOUR_CALM (nghttp2's "too many outbound
// frames", the reaction to CVE-2019-9512/9515-style floods whatever frame they provoke). The
// queue is what accumulated since the last pull(); the ACK limit is raised here so that it is
// the queue limit that speaks.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, concat, headersFrame, pingFrame } from '../helpers/frames.ts';
import { connectServer, destroySessions } from '../helpers/peer.ts';
import { GET_BLOCK } from './blocks.ts';

const test = suite('limit: outbound frames queued');
test.after.each(destroySessions);

const pings = (n: number): Uint8Array => concat(...Array.from({ length: n }, (_, i) => pingFrame(Uint8Array.of(0, 0, 0, 0, 0, 0, i >> 8, i))));

test('maxQueuedFrames 50: 40 frames provoked without a pull are fine', () => {
  const { peer } = connectServer({ server: { limits: { maxQueuedFrames: 50, maxQueuedAcks: 100000 } } });
  peer.writeRaw(pings(40), '40 PING');
  assert.is(peer.takeFrames(FrameType.PING, { ack: true }).length, 40);
  peer.wantNoError();
});

test('maxQueuedFrames 50: 60 frames provoked without a pull draw GOAWAY ENHANCE_YOUR_CALM', () => {
  const { peer } = connectServer({ server: { limits: { maxQueuedFrames: 50, maxQueuedAcks: 100000 } } });
  peer.writeHeaders(1, GET_BLOCK);
  peer.writeRaw(pings(60), '60 PING');
  peer.takeFrames(FrameType.PING, { ack: true }); // (keeps a failure message short)
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 1 });
});

test('default: 10001 frames provoked without a pull draw GOAWAY ENHANCE_YOUR_CALM', () => {
  const { peer } = connectServer({ server: { limits: { maxQueuedAcks: 100000 } } });
  peer.writeRaw(pings(10001), '10001 PING');
  peer.takeFrames(FrameType.PING, { ack: true }); // (keeps a failure message short)
  peer.wantConnectionError(ErrorCode.ENHANCE_YOUR_CALM, { lastStreamId: 0 });
});

test('default: a server answering 1000 requests in one turn stays under the queue limit', () => {
  const { server, peer } = connectServer({ server: { settings: { maxConcurrentStreams: 1000 } } });
  const ids = Array.from({ length: 1000 }, (_, i) => 1 + 2 * i);
  peer.writeRaw(concat(...ids.map((id) => headersFrame(id, GET_BLOCK, { endStream: true }))), '1000 GET');
  for (const id of ids) server.respond(id, [[':status', '200']], { endStream: true });
  peer.flush();
  assert.is(peer.takeFrames(FrameType.HEADERS).length, 1000);
  peer.wantNoError();
});

test.run();
