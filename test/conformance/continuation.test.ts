// RFC 9113 §6.10 CONTINUATION and §4.3 "field blocks MUST be transmitted as a contiguous
// sequence of frames, with no interleaved frames of any other type or from any other stream".
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ErrorCode, concat, continuationFrame, dataFrame, headersFrame, pingFrame, priorityFrame, rstStreamFrame,
  settingsFrame, windowUpdateFrame,
} from '../helpers/frames.ts';
import { GET, connectClient, connectServer, destroySessions, req, type ScriptedClient } from '../helpers/peer.ts';

const test = suite('RFC 9113 §6.10 CONTINUATION');
test.after.each(destroySessions);

const POST = req({ ':method': 'POST' });

/** HEADERS[1] without END_HEADERS carrying the first 3 octets of a GET block; returns the rest. */
function openBlock(peer: ScriptedClient): { head: Uint8Array; rest: Uint8Array } {
  const block = peer.encoder.encode(GET);
  return { head: headersFrame(1, block.subarray(0, 3), { endStream: true, endHeaders: false }), rest: block.subarray(3) };
}

test('§6.10 HEADERS + CONTINUATION + CONTINUATION make one field block', () => {
  const { peer } = connectServer();
  const block = peer.encoder.encode([...GET, ['x-a', 'one'], ['x-b', 'two']]);
  const third = Math.ceil(block.length / 3);
  peer.writeRaw(concat(
    headersFrame(1, block.subarray(0, third), { endStream: true, endHeaders: false }),
    continuationFrame(1, block.subarray(third, 2 * third), { endHeaders: false }),
    continuationFrame(1, block.subarray(2 * third)),
  ));
  const e = peer.event('request', (x) => x.streamId === 1);
  assert.equal(e.headers, [...GET, ['x-a', 'one'], ['x-b', 'two']], 'headers');
  assert.is(e.endStream, true, 'END_STREAM of the HEADERS frame applies');
  peer.wantNoError();
});

test('§6.10 an empty CONTINUATION ending the block is fine', () => {
  const { peer } = connectServer();
  const block = peer.encoder.encode(GET);
  peer.writeRaw(concat(headersFrame(1, block, { endStream: true, endHeaders: false }), continuationFrame(1, new Uint8Array(0))));
  peer.event('request', (x) => x.streamId === 1);
  peer.wantNoError();
});

test('§6.10 CONTINUATION with no HEADERS before it (after a complete block) → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeContinuation(1, [['x-a', 'b']]);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 1 });
});

test('§6.10 CONTINUATION after a CONTINUATION that ended the block → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  const { head, rest } = openBlock(peer);
  peer.writeRaw(concat(head, continuationFrame(1, rest), continuationFrame(1, new Uint8Array(0))));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 1 });
});

test('§6.10 CONTINUATION on stream 0 → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  const { head, rest } = openBlock(peer);
  peer.writeRaw(concat(head, continuationFrame(0, rest)));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: [0, 1] });
  peer.noEvent('request');
});

test('§6.10 CONTINUATION on another stream → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  const { head, rest } = openBlock(peer);
  peer.writeRaw(concat(head, continuationFrame(3, rest)));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: [0, 1] });
  peer.noEvent('request');
});

const interleaved: Array<[string, Uint8Array]> = [
  ['DATA on the same stream', dataFrame(1, 'x')],
  ['HEADERS on the same stream', headersFrame(1, new Uint8Array([0x82]), { endHeaders: false })],
  ['HEADERS on another stream', headersFrame(3, new Uint8Array([0x82, 0x87, 0x84]), { endStream: true })],
  ['PRIORITY on the same stream', priorityFrame(1, { dependency: 0, weight: 1 })],
  ['PRIORITY on another stream', priorityFrame(3, { dependency: 0, weight: 1 })],
  ['RST_STREAM on the same stream', rstStreamFrame(1, ErrorCode.CANCEL)],
  ['SETTINGS', settingsFrame([])],
  ['PING', pingFrame(new Uint8Array(8))],
  ['WINDOW_UPDATE on the connection', windowUpdateFrame(0, 1)],
];

for (const [what, bytes] of interleaved) {
  test(`§6.10 ${what} between HEADERS and its CONTINUATION → connection error PROTOCOL_ERROR`, () => {
    const { peer } = connectServer();
    const { head, rest } = openBlock(peer);
    peer.writeRaw(concat(head, bytes, continuationFrame(1, rest)));
    peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: [0, 1] });
    peer.noEvent('request');
    peer.noEvent('ping');
  });
}

test('§6.10 the field block may end after HEADERS arrived in one receive and CONTINUATION in a later one', () => {
  const { peer } = connectServer();
  const { head, rest } = openBlock(peer);
  peer.writeRaw(head);
  peer.noEvent('request');
  peer.writeRaw(continuationFrame(1, rest));
  peer.event('request', (x) => x.streamId === 1);
});

test('§6.10 a client Session: DATA inside a response field block → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  const block = peer.encoder.encode([[':status', '200'], ['content-type', 'text/plain']]);
  peer.writeRaw(concat(headersFrame(id, block.subarray(0, 2), { endHeaders: false }), dataFrame(id, 'x'), continuationFrame(id, block.subarray(2))));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
  peer.noEvent('response');
});

test('§6.10 a client Session: a response field block in HEADERS + CONTINUATION', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  const block = peer.encoder.encode([[':status', '200'], ['content-type', 'text/plain'], ['x-long', 'y'.repeat(50)]]);
  peer.writeRaw(concat(headersFrame(id, block.subarray(0, 5), { endHeaders: false, endStream: true }), continuationFrame(id, block.subarray(5))));
  const e = peer.event('response', (x) => x.streamId === id);
  assert.is(e.endStream, true, 'END_STREAM');
  assert.equal(e.headers[0], [':status', '200'], ':status');
});

test.run();
