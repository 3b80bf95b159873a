// Against node:http2 (nghttp2) over TCP: a node:http2 client calling our serve, and our fetch
// calling a node:http2 server — bodies, trailers and resets both ways.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { serve, createFetch, requestTrailers, responseTrailers, withTrailers, type H2Server } from '../../bindings/fetch/index.ts';
import { nodeClient, nodeRequest, nodeServer, C } from '../interop/helpers/node-peers.ts';
import { testCerts } from '../helpers/certs.ts';
import http2 from 'node:http2';
import { HOST, MiB, body, digest, hashing, scoped, sha256, sleep, until, within, type Scope } from './helpers/pair.ts';

const test = suite('fetch: against node:http2');

async function ourServer(s: Scope, handler: (r: Request) => Response | Promise<Response>): Promise<H2Server> {
  const server = serve(handler, { port: 0, hostname: HOST });
  await server.ready;
  s.defer(() => server.shutdown());
  return server;
}

function ourFetch(s: Scope) {
  const f = createFetch();
  s.defer(() => f.close());
  return f;
}

// ---------------------------------------------------------------- node:http2 client → our serve

test('node:http2 client → serve: GET, and a 4 MiB POST echoed with trailers both ways', scoped(async (s) => {
  const SIZE = 4 * MiB;
  const server = await ourServer(s, async (req) => {
    if (req.method === 'GET') return new Response(`hello ${new URL(req.url).pathname} ${req.headers.get('x-from')}`, { headers: { 'x-server': 'h2wasm' } });
    const h = hashing();
    const t = requestTrailers(req);
    return withTrailers(new Response(req.body!.pipeThrough(h.transform)), async () => ({
      'x-sha256': h.hash(), 'x-client-trailer': (await t).get('x-client') ?? 'missing',
    }));
  });
  const nc = await nodeClient(s, server.port!);
  const get = await nodeRequest(nc, { ':path': '/hi', 'x-from': 'node' });
  assert.is(get.status, 200);
  assert.is(get.headers['x-server'], 'h2wasm');
  assert.is(get.hash, sha256(Buffer.from('hello /hi node')));
  const post = await within(nodeRequest(nc, { ':method': 'POST', ':path': '/echo' }, body(SIZE), { trailers: { 'x-client': 'yes' } }), 15_000, 'the echo');
  assert.is(post.error, null);
  assert.is(post.octets, SIZE);
  assert.is(post.hash, sha256(body(SIZE)));
  assert.is(post.trailers?.['x-sha256'], sha256(body(SIZE)));
  assert.is(post.trailers?.['x-client-trailer'], 'yes');
  assert.equal(nc.troubles, []);
}));

test("node:http2 client cancels → the server's request.signal aborts", scoped(async (s) => {
  let aborted: unknown = null;
  let started = false;
  const server = await ourServer(s, (req) => {
    started = true;
    req.signal.addEventListener('abort', () => { aborted = req.signal.reason; });
    return new Response(new ReadableStream({ pull: (c) => sleep(10).then(() => c.enqueue(new Uint8Array(100))) }));
  });
  const nc = await nodeClient(s, server.port!);
  const req = nc.client.request({ ':path': '/forever' });
  req.on('error', () => {});
  await once(req, 'response');
  await until(() => started, 5000, 'the handler');
  req.close(C.NGHTTP2_CANCEL);
  await until(() => aborted !== null, 5000, 'request.signal to abort');
  assert.is((aborted as Error).name, 'AbortError');
  assert.match((aborted as Error).message, /code 8/);
}));

// ---------------------------------------------------------------- our fetch → node:http2 server

test('fetch → node:http2 server: a 4 MiB streamed POST with request trailers; response trailers', scoped(async (s) => {
  const SIZE = 4 * MiB;
  let clientTrailer: unknown = null;
  const ns = await nodeServer(s, (stream, headers) => {
    const h = createHash('sha256');
    let n = 0;
    stream.on('data', (c: Buffer) => { h.update(c); n += c.length; });
    stream.on('trailers', (t) => { clientTrailer = t['x-client']; });
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'text/plain', 'x-method': String(headers[':method']) }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-octets': String(n) }));
      stream.end(h.digest('hex'));
    });
  });
  const f = ourFetch(s);
  const src = new ReadableStream<Uint8Array>({
    start(c) { for (let at = 0; at < SIZE; at += MiB) c.enqueue(body(SIZE).subarray(at, at + MiB)); c.close(); },
  });
  const r = await f(`http://${HOST}:${ns.port}/up`, { method: 'POST', body: src, duplex: 'half', trailers: { 'x-client': 'sent' } } as RequestInit);
  assert.is(r.status, 200);
  assert.is(r.headers.get('x-method'), 'POST');
  assert.is(await r.text(), sha256(body(SIZE)));
  assert.is((await responseTrailers(r)).get('x-octets'), String(SIZE));
  assert.is(clientTrailer, 'sent');
  assert.equal(ns.troubles, []);
}));

test('fetch → node:http2 server: a 16 MiB download by sha256', scoped(async (s) => {
  const SIZE = 16 * MiB;
  const ns = await nodeServer(s, (stream) => { stream.respond({ ':status': 200 }); stream.end(body(SIZE)); });
  const f = ourFetch(s);
  const r = await f(`http://${HOST}:${ns.port}/big`);
  const got = await digest(r.body);
  assert.is(got.octets, SIZE);
  assert.is(got.hash, sha256(body(SIZE)));
}, 30_000));

test('fetch → node:http2 server: a reset before the response rejects the fetch; after it, the body read', scoped(async (s) => {
  const ns = await nodeServer(s, (stream, headers) => {
    if (headers[':path'] === '/before') { stream.close(C.NGHTTP2_INTERNAL_ERROR); return; }
    stream.respond({ ':status': 200 });
    stream.write(Buffer.alloc(1000));
    stream.on('error', () => {});
    // (close(code) would end the stream cleanly first; destroy(error) resets it: INTERNAL_ERROR.)
    setTimeout(() => stream.destroy(new Error('gone')), 20);
  });
  ns.troubles.length = 0;
  const f = ourFetch(s);
  const err = await f(`http://${HOST}:${ns.port}/before`).then(() => null, (e) => e);
  assert.instance(err, TypeError);
  assert.match(String(err.cause?.message), /code 2\b/);
  const r = await f(`http://${HOST}:${ns.port}/after`);
  assert.is(r.status, 200);
  const err2 = await r.arrayBuffer().then(() => null, (e) => e);
  assert.instance(err2, TypeError);
  assert.match(String(err2.cause?.message), /code 2\b/);
}));

test('fetch abort → the node:http2 server sees RST_STREAM CANCEL', scoped(async (s) => {
  const codes: number[] = [];
  const ns = await nodeServer(s, (stream) => {
    stream.on('close', () => codes.push(stream.rstCode));
    stream.on('error', () => {});
    stream.respond({ ':status': 200 });
    const t = setInterval(() => { if (!stream.destroyed) stream.write(Buffer.alloc(100)); }, 10);
    stream.on('close', () => clearInterval(t));
  });
  const f = ourFetch(s);
  const ac = new AbortController();
  const r = await f(`http://${HOST}:${ns.port}/stream`, { signal: ac.signal });
  const reader = r.body!.getReader();
  await reader.read();
  ac.abort();
  const err = await (async () => { for (;;) if ((await reader.read()).done) return null; })().catch((e) => e);
  assert.is(err?.name, 'AbortError');
  await until(() => codes.length > 0, 5000, 'the server stream to close');
  assert.equal(codes, [C.NGHTTP2_CANCEL]);
}));

// ---------------------------------------------------------------- TLS (ALPN h2)

test('TLS: serve({ tls }) ↔ fetch(https://localhost) and ↔ a node:http2 secure client', scoped(async (s) => {
  const certs = testCerts();
  const server = serve((req) => new Response(`secure ${new URL(req.url).protocol} ${req.method}`), {
    port: 0, hostname: HOST, tls: { key: certs.key, cert: certs.cert },
  });
  await server.ready;
  s.defer(() => server.shutdown());
  const f = createFetch({ tls: { ca: certs.ca } });
  s.defer(() => f.close());
  const r = await f(`https://localhost:${server.port}/`, { method: 'POST', body: 'x' });
  assert.is(await r.text(), 'secure https: POST');
  // Without the CA the handshake fails and so does the fetch.
  const bad = createFetch();
  s.defer(() => bad.close());
  const err = await bad(`https://localhost:${server.port}/`).then(() => null, (e) => e);
  assert.instance(err, TypeError);
  const client = http2.connect(`https://localhost:${server.port}`, { ca: certs.ca });
  s.defer(() => client.destroy());
  client.on('error', () => {});
  const req = client.request({ ':path': '/n' });
  let text = '';
  req.on('data', (c: Buffer) => { text += c; });
  await once(req, 'end');
  assert.is(text, 'secure https: GET');
}));

test.run();
