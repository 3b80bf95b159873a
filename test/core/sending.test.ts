// What a Session sends: field blocks split to the peer's frame size, outgoing message checks
// (RFC 9113 §8.2, §8.3, §8.4, §8.5), settings ranges, and connectSession's error close.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Session, ErrorCode } from '../../bindings/core/index.ts';
import { createMemoryPair, connectSession } from '../../bindings/transport/index.ts';
import { parseFrames, FrameType, Flag } from '../helpers/frames.ts';

const GET: Array<[string, string]> = [[':method', 'GET'], [':scheme', 'https'], [':path', '/'], [':authority', 'example.com']];
const bytesOf = (chunks: Uint8Array[]) => Uint8Array.from(chunks.flatMap((c) => Array.from(c)));

function pair() {
  const client = new Session({ role: 'client' });
  const server = new Session({ role: 'server' });
  const toServer = () => client.pull().flatMap((c) => server.receive(c));
  const toClient = () => server.pull().flatMap((c) => client.receive(c));
  toServer(); toClient(); toServer();
  return { client, server, toServer, toClient };
}

function throwsCode(fn: () => unknown, code: string) {
  try { fn(); } catch (e) { assert.is((e as { code?: string }).code, code); return; }
  assert.unreachable(`expected ${code}`);
}

test('§4.3/§6.10 a field block larger than the peer\'s frame size goes out as HEADERS + CONTINUATION, unbroken', () => {
  const { client, server, toServer } = pair();
  const big = 'x'.repeat(40000);
  const id = client.request([...GET, ['x-big', big]], { endStream: true });
  const wire = bytesOf(client.pull());
  const frames = parseFrames(wire);
  const block = frames.filter((f) => f.streamId === id);
  assert.is(block[0].type, FrameType.HEADERS);
  assert.is(block[0].flags & Flag.END_HEADERS, 0);
  assert.ok(block.length >= 3, 'split into at least three frames at 16384 octets');
  for (const f of block.slice(1)) assert.is(f.type, FrameType.CONTINUATION);
  assert.ok(block.every((f) => f.payload.length <= 16384));
  assert.is(block[block.length - 1].flags & Flag.END_HEADERS, Flag.END_HEADERS);
  // Nothing else sits between the frames of the block (§6.10).
  const first = frames.indexOf(block[0]);
  assert.equal(frames.slice(first, first + block.length), block);
  // And the peer reassembles it.
  const req = server.receive(wire).find((e) => e.type === 'request');
  assert.is((req as { headers: Array<[string, string]> }).headers.find((h) => h[0] === 'x-big')?.[1].length, 40000);
  client.destroy(); server.destroy(); void toServer;
});

test('§8.3 trailers never carry pseudo-headers; responses only :status; pseudo-headers once and first', () => {
  const { client, server, toServer } = pair();
  const id = client.request(GET);
  toServer();
  throwsCode(() => client.trailers(id, [[':path', '/x']]), 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  throwsCode(() => server.respond(id, [[':status', '200'], [':method', 'GET']]), 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  throwsCode(() => server.respond(id, [[':status', '200'], [':status', '204']]), 'ERR_HTTP2_HEADER_SINGLE_VALUE');
  throwsCode(() => client.request([...GET, [':status', '200']]), 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  throwsCode(() => client.request([...GET, [':foo', 'bar']]), 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  throwsCode(() => server.respond(id, [[':status', '99']]), 'ERR_HTTP2_STATUS_INVALID');
  throwsCode(() => server.informational(id, [[':status', '101']]), 'ERR_HTTP2_STATUS_101');
  throwsCode(() => client.request([...GET, ['te', 'gzip']]), 'ERR_HTTP2_INVALID_CONNECTION_HEADERS');
  throwsCode(() => client.request([...GET, ['x', 'a\r\nb']]), 'ERR_INVALID_CHAR');
  // A pseudo-header given after a regular field is moved first, and the peer accepts the request.
  const id2 = client.request([['accept', '*/*'], ...GET], { endStream: true });
  const req = toServer().find((e) => e.type === 'request' && e.streamId === id2);
  assert.ok(req, 'the reordered request arrived');
  assert.equal((req as { headers: Array<[string, string]> }).headers.map((h) => h[0]), [':method', ':scheme', ':path', ':authority', 'accept']);
  client.destroy(); server.destroy();
});

test('§8.4 a server pushes only safe, cacheable requests with an :authority', () => {
  const { client, server, toServer } = pair();
  const id = client.request(GET, { endStream: true });
  toServer();
  throwsCode(() => server.push(id, [[':method', 'POST'], [':scheme', 'https'], [':path', '/p'], [':authority', 'example.com']]), 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  throwsCode(() => server.push(id, [[':method', 'GET'], [':scheme', 'https'], [':path', '/p']]), 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  const promised = server.push(id, [[':method', 'GET'], [':scheme', 'https'], [':path', '/p'], [':authority', 'example.com']]);
  assert.is(promised, 2);
  client.destroy(); server.destroy();
});

test('§8.5 a CONNECT tunnel carries no trailers; extended CONNECT waits for SETTINGS_ENABLE_CONNECT_PROTOCOL', () => {
  const { client, server, toServer, toClient } = pair();
  const id = client.request([[':method', 'CONNECT'], [':authority', 'example.com:443']]);
  toServer();
  server.respond(id, [[':status', '200']]);
  toClient();
  throwsCode(() => client.trailers(id, [['x', 'y']]), 'ERR_HTTP2_INVALID_STREAM');
  throwsCode(() => server.trailers(id, [['x', 'y']]), 'ERR_HTTP2_INVALID_STREAM');
  throwsCode(() => client.request([[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':path', '/chat'], [':authority', 'example.com']]), 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  client.destroy(); server.destroy();
});

test('§6.5.2 settings out of range are refused when the session is made, not sent', () => {
  throwsCode(() => new Session({ role: 'server', settings: { maxFrameSize: 1000 } }), 'ERR_HTTP2_INVALID_SETTING_VALUE');
  throwsCode(() => new Session({ role: 'server', settings: { initialWindowSize: 2 ** 31 } }), 'ERR_HTTP2_INVALID_SETTING_VALUE');
  throwsCode(() => new Session({ role: 'client', settings: { maxFrameSize: 2 ** 24 } }), 'ERR_HTTP2_INVALID_SETTING_VALUE');
  const s = new Session({ role: 'server', settings: { maxFrameSize: 2 ** 24 - 1 } });
  const settings = parseFrames(bytesOf(s.pull()))[0];
  assert.is(settings.type, FrameType.SETTINGS);
  s.destroy();
});

test('§5.4.1 connectSession closes the connection after the GOAWAY of a connection error', async () => {
  const [a, b] = createMemoryPair();
  const server = new Session({ role: 'server' });
  connectSession(server, a, () => {});
  const got: Uint8Array[] = [];
  b.on('data', (c) => got.push(c));
  let closed = false;
  b.on('close', () => { closed = true; });
  b.write(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')); // not the HTTP/2 preface
  await new Promise((r) => setTimeout(r, 20));
  const frames = parseFrames(bytesOf(got));
  const goaway = frames.find((f) => f.type === FrameType.GOAWAY);
  assert.ok(goaway, 'a GOAWAY was sent');
  const code = new DataView(goaway!.payload.buffer, goaway!.payload.byteOffset).getUint32(4);
  assert.is(code, ErrorCode.PROTOCOL_ERROR);
  assert.ok(closed, 'the transport closed');
  server.destroy();
});

test.run();
