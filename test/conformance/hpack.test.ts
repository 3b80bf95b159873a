// RFC 9113 §4.3 field section compression: decoding errors are connection errors of type
// COMPRESSION_ERROR, and every field block is decoded (even for streams being discarded) so
// that the compression state stays in step. Blocks are built by hand (RFC 7541 §6).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, SettingId, settingsFrame } from '../helpers/frames.ts';
import { block, huffStr, incremental, indexed, sizeUpdate, str, withoutIndexing, type Bytes } from '../helpers/hpack-wire.ts';
import { GET, connectClient, connectServer, destroySessions, type Headers } from '../helpers/peer.ts';

const test = suite('RFC 9113 §4.3 field section compression');
test.after.each(destroySessions);

// GET https://example.com/ with static-table references and a literal that leaves the
// dynamic table alone (RFC 7541 Appendix A: 2 = :method GET, 7 = :scheme https, 4 = :path /,
// 1 = :authority).
const GET_FIELDS: Bytes[] = [indexed(2), indexed(7), indexed(4), withoutIndexing(1, 'example.com')];

const has = (headers: Headers, name: string, value: string): boolean => headers.some(([n, v]) => n === name && v === value);

test('§4.3 an index beyond the static and dynamic tables → connection error COMPRESSION_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, block(...GET_FIELDS, indexed(70)), { endStream: true });
  peer.wantConnectionError(ErrorCode.COMPRESSION_ERROR, { lastStreamId: [0, 1] });
  peer.noEvent('request');
});

test('§4.3 index 0 → connection error COMPRESSION_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, block(...GET_FIELDS, [0x80]), { endStream: true });
  peer.wantConnectionError(ErrorCode.COMPRESSION_ERROR, { lastStreamId: [0, 1] });
});

test('§4.3 a field block ending inside a string literal → connection error COMPRESSION_ERROR', () => {
  const { peer } = connectServer();
  // A literal whose value says 10 octets and has 3.
  peer.writeHeaders(1, block(...GET_FIELDS, [0x00, ...str('x-a'), 0x0a, 0x61, 0x62, 0x63]), { endStream: true });
  peer.wantConnectionError(ErrorCode.COMPRESSION_ERROR, { lastStreamId: [0, 1] });
});

test('§4.3 an integer over 2^31−1 in a field block → connection error COMPRESSION_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, block(...GET_FIELDS, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]), { endStream: true });
  peer.wantConnectionError(ErrorCode.COMPRESSION_ERROR, { lastStreamId: [0, 1] });
});

test('§4.3 a Huffman string padded with more than 7 bits (EOS) → connection error COMPRESSION_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, block(...GET_FIELDS, [0x00, ...str('x-a'), ...huffStr([0xff, 0xff, 0xff, 0xff])]), { endStream: true });
  peer.wantConnectionError(ErrorCode.COMPRESSION_ERROR, { lastStreamId: [0, 1] });
});

test('§4.3.1 a table size update above SETTINGS_HEADER_TABLE_SIZE (4096) → connection error COMPRESSION_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, block(sizeUpdate(4097), ...GET_FIELDS), { endStream: true });
  peer.wantConnectionError(ErrorCode.COMPRESSION_ERROR, { lastStreamId: [0, 1] });
});

test('§4.3.1 a table size update after a field line → connection error COMPRESSION_ERROR (RFC 7541 §4.2)', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, block(...GET_FIELDS, sizeUpdate(100)), { endStream: true });
  peer.wantConnectionError(ErrorCode.COMPRESSION_ERROR, { lastStreamId: [0, 1] });
});

test('§4.3.1 a table size update at the start of a block, within the limit, is accepted', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, block(sizeUpdate(0), sizeUpdate(1024), ...GET_FIELDS), { endStream: true });
  peer.event('request', (e) => e.streamId === 1);
  peer.wantNoError();
});

test('§4.3 a field block split across HEADERS and CONTINUATION frames inside a string decodes whole', () => {
  const { peer } = connectServer();
  const fields: Headers = [[':method', 'GET'], [':scheme', 'https'], [':path', '/'], [':authority', 'example.com'], ['x-long-name-for-splitting', 'a value long enough to be cut in two']];
  peer.writeHeaders(1, block(...GET_FIELDS, withoutIndexing('x-long-name-for-splitting', 'a value long enough to be cut in two')), { endStream: true, fragments: 16 }); // 5 frames: within the CONTINUATION limit of DESIGN.md
  const e = peer.event('request', (x) => x.streamId === 1);
  assert.equal(e.headers, fields, 'decoded header list');
  assert.is(e.endStream, true, 'END_STREAM on the HEADERS applies');
});

test('§4.3.1 the dynamic table carries over from one field block to the next', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, block(...GET_FIELDS, incremental('x-custom', 'remembered')), { endStream: true });
  peer.writeHeaders(3, block(...GET_FIELDS, indexed(62)), { endStream: true });
  const e = peer.event('request', (x) => x.streamId === 3);
  assert.ok(has(e.headers, 'x-custom', 'remembered'), `stream 3 has x-custom from the dynamic table: ${JSON.stringify(e.headers)}`);
});

test('§4.3 a field block on a stream the server has reset is still decoded (the table stays in step)', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, block(indexed(3), indexed(7), indexed(4), withoutIndexing(1, 'example.com'))); // POST, open
  server.reset(1, ErrorCode.CANCEL);
  peer.wantRstStream(1, ErrorCode.CANCEL);
  // Trailers the client sent before it saw the RST_STREAM; they add an entry to the table.
  peer.writeHeaders(1, block(incremental('x-trailer', 't1')), { endStream: true });
  peer.writeHeaders(3, block(...GET_FIELDS, indexed(62)), { endStream: true });
  const e = peer.event('request', (x) => x.streamId === 3);
  assert.ok(has(e.headers, 'x-trailer', 't1'), `stream 3 refers to the entry the discarded block added: ${JSON.stringify(e.headers)}`);
  assert.is(peer.received.filter((f) => f.type === FrameType.GOAWAY).length, 0, 'no GOAWAY');
});

test('§4.3.1 SETTINGS_HEADER_TABLE_SIZE 0 from the client: the server encoder keeps no dynamic entries', () => {
  // Our decoder is bounded to 0 octets: a reference to a dynamic entry fails to decode.
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.HEADER_TABLE_SIZE, 0]] } });
  for (const id of [1, 3, 5]) {
    peer.writeHeaders(id, GET, { endStream: true });
    server.respond(id, [[':status', '200'], ['x-repeated', 'same value every time'], ['content-type', 'text/plain']], { endStream: true });
    const h = peer.wantHeaders(id, { endStream: true });
    assert.ok(has(h.headers, 'x-repeated', 'same value every time'), `response ${id}`);
  }
  assert.is(peer.decoder.tableSize, 0, 'nothing was added to our table');
});

test('§4.3.1 after the server lowers SETTINGS_HEADER_TABLE_SIZE below the table\'s size, a block without a size update → COMPRESSION_ERROR', () => {
  const { server, peer } = connectServer();
  // Put an entry in the server's decoder table (the encoder indexes x-fill incrementally).
  peer.writeHeaders(1, block(...GET_FIELDS, incremental('x-fill', 'entry in the dynamic table')), { endStream: true });
  server.settings({ headerTableSize: 0 });
  peer.wantFrame(FrameType.SETTINGS, { ack: false });
  peer.writeRaw(settingsFrame([], { ack: true }));
  peer.event('settings-ack');
  // The table holds more than 0 octets: this block had to start with a size update ≤ 0.
  peer.writeHeaders(3, block(...GET_FIELDS), { endStream: true });
  peer.wantConnectionError(ErrorCode.COMPRESSION_ERROR, { lastStreamId: [1, 3] });
  peer.noEvent('request', (e) => e.streamId === 3);
});

test('§4.3.1 after the server lowers SETTINGS_HEADER_TABLE_SIZE, a block starting with the size update is accepted', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, block(...GET_FIELDS, incremental('x-fill', 'entry in the dynamic table')), { endStream: true });
  server.settings({ headerTableSize: 0 });
  peer.wantFrame(FrameType.SETTINGS, { ack: false });
  peer.writeRaw(settingsFrame([], { ack: true }));
  peer.writeHeaders(3, block(sizeUpdate(0), ...GET_FIELDS), { endStream: true });
  peer.event('request', (e) => e.streamId === 3);
  peer.wantNoError();
});

test('§4.3 a client Session: an undecodable response field block → connection error COMPRESSION_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writeHeaders(id, block(indexed(8), indexed(70)), { endStream: true });
  peer.wantConnectionError(ErrorCode.COMPRESSION_ERROR, { lastStreamId: 0 });
  peer.noEvent('response');
});

test('§4.3 a client Session decodes responses that use the dynamic table', () => {
  const { client, peer } = connectClient();
  const a = client.request(GET, { endStream: true });
  peer.writeHeaders(a, block(indexed(8), incremental('x-server', 'h2wasm-test')), { endStream: true });
  const b = client.request(GET, { endStream: true });
  peer.writeHeaders(b, block(indexed(8), indexed(62)), { endStream: true });
  const e = peer.event('response', (x) => x.streamId === b);
  assert.ok(has(e.headers, 'x-server', 'h2wasm-test'), JSON.stringify(e.headers));
});

test.run();
