// node:http2 Core API on h2wasm, checked against node:http2 itself over real sockets:
// each test drives one side with Node's own implementation (nghttp2 inside).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import net from 'node:net';
import { createHash } from 'node:crypto';
import ours from '../../bindings/node/index.ts';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
type Server = net.Server & { close(cb?: () => void): unknown };
const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
const closeServer = (s: Server) => new Promise<void>((r) => s.close(() => r()));

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
  });
}

test('our server ↔ node:http2 client: GET and a 3 MB POST by hash, response headers as Node sends them', async () => {
  const server = ours.createServer().on('stream', (stream: any, headers: any) => {
    assert.is(Object.getPrototypeOf(headers), null);
    collect(stream).then((body) => {
      stream.respond({ ':status': 200, 'Content-Type': 'text/plain', 'x-got': body.length });
      stream.end(`${headers[':method']} ${headers[':path']} ${sha(body)}`);
    });
  }) as unknown as Server;
  const port = await listen(server);
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const get = client.request({ ':path': '/a' });
  const [getBody, getHeaders] = await Promise.all([collect(get), new Promise<any>((r) => get.on('response', r))]);
  assert.is(getHeaders[':status'], 200);
  assert.is(getHeaders['content-type'], 'text/plain');
  assert.ok(getHeaders.date, 'a date header by default');
  assert.is(getBody.toString(), `GET /a ${sha(Buffer.alloc(0))}`);
  const body = Buffer.alloc(3_000_000, 7);
  const post = client.request({ ':method': 'POST', ':path': '/b' });
  post.end(body);
  const postBody = await collect(post);
  assert.is(postBody.toString(), `POST /b ${sha(body)}`);
  client.close();
  await closeServer(server);
});

test('our server: respond({endStream}) puts END_STREAM on HEADERS; waitForTrailers sends trailers after the body', async () => {
  const server = ours.createServer().on('stream', (stream: any, headers: any) => {
    if (headers[':path'] === '/empty') { stream.respond({ ':status': 204 }, { endStream: true }); return; }
    stream.respond({ ':status': 200 }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'abc' }));
    stream.end('body');
  }) as unknown as Server;
  const port = await listen(server);
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const empty = client.request({ ':path': '/empty' });
  const flags = await new Promise<number>((r) => empty.on('response', (_h, f) => r(f)));
  assert.is(flags & http2.constants.NGHTTP2_FLAG_END_STREAM, http2.constants.NGHTTP2_FLAG_END_STREAM);
  const req = client.request({ ':path': '/t' });
  const trailers = new Promise<any>((r) => req.on('trailers', r));
  assert.is((await collect(req)).toString(), 'body');
  assert.is((await trailers)['x-checksum'], 'abc');
  client.close();
  await closeServer(server);
});

test('our client ↔ node:http2 server: request, response event, body, trailers, and close()', async () => {
  const ns = http2.createServer();
  ns.on('stream', (stream, headers) => {
    stream.respond({ ':status': 201, 'x-path': String(headers[':path']) }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-t': '1' }));
    stream.end('hello');
  });
  const port = await listen(ns as unknown as Server);
  const client = ours.connect(`http://127.0.0.1:${port}`);
  await new Promise((r) => client.once('connect', r));
  const req = client.request({ ':path': '/hello' });
  const response = new Promise<any>((r) => req.on('response', r));
  const trailers = new Promise<any>((r) => req.on('trailers', r));
  assert.is((await collect(req)).toString(), 'hello');
  const headers = await response;
  assert.is(headers[':status'], 201);
  assert.is(headers['x-path'], '/hello');
  assert.is((await trailers)['x-t'], '1');
  await new Promise<void>((r) => client.close(() => r()));
  assert.ok(client.closed && client.destroyed);
  await closeServer(ns as unknown as Server);
});

test('ping() returns the payload and a duration; settings() fires localSettings on ACK and the peer sees the value', async () => {
  let peerSettings: any = null;
  const ns = http2.createServer();
  ns.on('session', (s) => s.on('remoteSettings', (st) => { peerSettings = st; }));
  const port = await listen(ns as unknown as Server);
  const client = ours.connect(`http://127.0.0.1:${port}`);
  const payload = Buffer.from('12345678');
  const [err, duration, echoed] = await new Promise<any[]>((r) => client.ping(payload, (...a: any[]) => r(a)));
  assert.is(err, null);
  assert.ok(duration >= 0);
  assert.ok(Buffer.from(echoed).equals(payload));
  const acked = new Promise<any>((r) => client.once('localSettings', r));
  client.settings({ initialWindowSize: 1 << 20 });
  assert.is((await acked).initialWindowSize, 1 << 20);
  assert.is(client.localSettings.initialWindowSize, 1 << 20);
  assert.is(peerSettings?.initialWindowSize, 1 << 20);
  assert.throws(() => client.settings({ maxFrameSize: 10 }), (e: any) => e.code === 'ERR_HTTP2_INVALID_SETTING_VALUE');
  assert.throws(() => client.ping(Buffer.alloc(3), () => {}), (e: any) => e.code === 'ERR_HTTP2_PING_LENGTH');
  client.close();
  await closeServer(ns as unknown as Server);
});

test('stream.close(code) resets with that code and node sees it; the session goes on', async () => {
  let seen: number | undefined;
  const ns = http2.createServer();
  ns.on('stream', (stream) => {
    stream.on('close', () => { seen = stream.rstCode; });
    stream.respond({ ':status': 200 });
    stream.write('partial');
  });
  const port = await listen(ns as unknown as Server);
  const client = ours.connect(`http://127.0.0.1:${port}`);
  const req = client.request({ ':path': '/' });
  await new Promise((r) => req.once('data', r));
  req.close(http2.constants.NGHTTP2_CANCEL);
  await new Promise((r) => req.on('close', r));
  assert.is(req.rstCode, http2.constants.NGHTTP2_CANCEL);
  await new Promise((r) => setTimeout(r, 50));
  assert.is(seen, http2.constants.NGHTTP2_CANCEL);
  const again = client.request({ ':path': '/' });
  await new Promise((r) => again.once('response', r));
  again.close();
  client.close();
  await closeServer(ns as unknown as Server);
});

test('pushStream from our server reaches node:http2\'s client as a pushed stream', async () => {
  const server = ours.createServer().on('stream', (stream: any) => {
    stream.pushStream({ ':path': '/style.css' }, (err: Error | null, push: any, headers: any) => {
      assert.is(err, null);
      assert.is(headers[':path'], '/style.css');
      push.respond({ ':status': 200, 'content-type': 'text/css' });
      push.end('body{}');
      stream.respond({ ':status': 200 });
      stream.end('<html>');
    });
  }) as unknown as Server;
  const port = await listen(server);
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const pushed = new Promise<[any, any, string]>((resolve) => {
    client.on('stream', (push, requestHeaders) => {
      push.on('push', (responseHeaders) => { collect(push).then((b) => resolve([requestHeaders, responseHeaders, b.toString()])); });
    });
  });
  const req = client.request({ ':path': '/' });
  assert.is((await collect(req)).toString(), '<html>');
  const [requestHeaders, responseHeaders, body] = await pushed;
  assert.is(requestHeaders[':path'], '/style.css');
  assert.is(responseHeaders[':status'], 200);
  assert.is(body, 'body{}');
  client.close();
  await closeServer(server);
});

test('node:http2\'s server push reaches our client: session \'stream\' then the stream\'s \'push\'', async () => {
  const ns = http2.createServer();
  ns.on('stream', (stream) => {
    stream.pushStream({ ':path': '/app.js' }, (err, push) => {
      assert.is(err, null);
      push.respond({ ':status': 200 });
      push.end('js');
      stream.respond({ ':status': 200 });
      stream.end('page');
    });
  });
  const port = await listen(ns as unknown as Server);
  const client = ours.connect(`http://127.0.0.1:${port}`);
  const pushed = new Promise<[any, any, string]>((resolve) => {
    client.on('stream', (push: any, requestHeaders: any) => {
      push.on('push', (responseHeaders: any) => { collect(push).then((b) => resolve([requestHeaders, responseHeaders, b.toString()])); });
    });
  });
  const req = client.request({ ':path': '/' });
  assert.is((await collect(req)).toString(), 'page');
  const [requestHeaders, responseHeaders, body] = await pushed;
  assert.is(requestHeaders[':path'], '/app.js');
  assert.is(responseHeaders[':status'], 200);
  assert.is(body, 'js');
  client.close();
  await closeServer(ns as unknown as Server);
});

test('respondWithFile: content-length, the bytes by hash, a range, statCheck cancelling, onError for a missing file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'h2wasm-node-'));
  const file = join(dir, 'data.bin');
  const data = Buffer.alloc(5_000_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  writeFileSync(file, data);
  const server = ours.createServer().on('stream', (stream: any, headers: any) => {
    const path = headers[':path'];
    if (path === '/whole') stream.respondWithFile(file, { 'content-type': 'application/octet-stream' });
    else if (path === '/range') stream.respondWithFile(file, {}, { offset: 1000, length: 5000 });
    else if (path === '/304') stream.respondWithFile(file, {}, { statCheck: () => { stream.respond({ ':status': 304 }, { endStream: true }); return false; } });
    else stream.respondWithFile(join(dir, 'missing'), {}, { onError: (err: any) => { stream.respond({ ':status': err.code === 'ENOENT' ? 404 : 500 }, { endStream: true }); } });
  }) as unknown as Server;
  const port = await listen(server);
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const get = async (path: string) => {
    const req = client.request({ ':path': path });
    const headers = new Promise<any>((r) => req.on('response', r));
    const body = await collect(req);
    return { headers: await headers, body };
  };
  const whole = await get('/whole');
  assert.is(whole.headers['content-length'], String(data.length));
  assert.is(sha(whole.body), sha(data));
  const range = await get('/range');
  assert.is(range.headers['content-length'], '5000');
  assert.ok(range.body.equals(data.subarray(1000, 6000)));
  assert.is((await get('/304')).headers[':status'], 304);
  assert.is((await get('/missing')).headers[':status'], 404);
  client.close();
  await closeServer(server);
  rmSync(dir, { recursive: true, force: true });
});

test.run();
