// DESIGN.md limits: session memory (`maxSessionMemory`, default 10 MB). Over it, new streams are
// refused with RST_STREAM REFUSED_STREAM (Node's semantics for its maxSessionMemory option),
// while the connection and the streams already open carry on. `session.state.memory` is the
// figure the limit is checked against.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, concat } from '../helpers/frames.ts';
import { connectServer, destroySessions } from '../helpers/peer.ts';
import { GET_BLOCK, POST_BLOCK, fillerFields } from './blocks.ts';

const test = suite('limit: session memory');
test.after.each(destroySessions);

test('a session over a tiny maxSessionMemory refuses new streams but stays up', () => {
  const { server, peer } = connectServer({ server: { limits: { maxSessionMemory: 1 } } });
  assert.ok(server.state.memory > 1);
  for (const id of [1, 3, 5]) {
    peer.writeHeaders(id, GET_BLOCK, { endStream: true });
    peer.wantStreamError(id, ErrorCode.REFUSED_STREAM); // also checks that a PING is answered
  }
  peer.noEvent('request');
});

test('crossing the limit: streams open before go on, new ones are refused', () => {
  // The figure after a handshake and one small request, measured on a session without a limit.
  const probe = connectServer();
  probe.peer.writeHeaders(1, POST_BLOCK);
  const base = probe.server.state.memory;

  const limit = base + 16384;
  const { server, peer } = connectServer({ server: { limits: { maxSessionMemory: limit } } });
  peer.writeHeaders(1, POST_BLOCK); // an upload under way
  peer.event('request', (e) => e.streamId === 1);
  assert.ok(server.state.memory <= limit, `under the limit so far (${server.state.memory} ≤ ${limit})`);

  // A 48 KB header list grows the session's buffers past the limit (whether or not it is refused itself).
  peer.writeHeaders(3, concat(GET_BLOCK, fillerFields(48000)), { endStream: true, fragments: 16384 });
  assert.ok(server.state.memory > limit, `over the limit now (${server.state.memory} > ${limit})`);
  peer.takeFrame(FrameType.RST_STREAM, { streamId: 3 }); // refused or not: either is fine

  peer.writeHeaders(5, GET_BLOCK, { endStream: true });
  peer.wantStreamError(5, ErrorCode.REFUSED_STREAM);
  peer.noEvent('request', (e) => e.streamId === 5);

  // Stream 1 still receives its body and gets its response.
  peer.writeData(1, 'the rest of the upload', { endStream: true });
  peer.event('stream-end', (e) => e.streamId === 1);
  server.respond(1, [[':status', '201']], { endStream: true });
  peer.wantHeaders(1, { endStream: true });
  peer.wantAlive(); // and no GOAWAY
});

test('default (10 MB): 100 concurrent uploads of 60 KB each are all accepted', () => {
  const { server, peer } = connectServer();
  const ids = Array.from({ length: 100 }, (_, i) => 1 + 2 * i);
  for (const id of ids) peer.writeHeaders(id, POST_BLOCK);
  for (const id of ids) {
    for (let i = 0; i < 4; i++) peer.writeData(id, 15000); // within the default frame size
    server.consume(id, 60000);
  }
  for (const id of ids) peer.writeData(id, '', { endStream: true });
  assert.is(peer.eventsOf('request').length, 100);
  assert.is(peer.eventsOf('stream-end').length, 100);
  peer.wantNoError();
  assert.ok(server.state.memory < 10_000_000, `memory ${server.state.memory}`);
});

test.run();
