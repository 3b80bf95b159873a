// CONNECT (RFC 9113 §8.5): a TCP tunnel to an echo server, through node:http2 and through
// our Session, in both directions.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import net from 'node:net';
import http2 from 'node:http2';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { HOST, KiB, MiB, body, echoServer, scoped, sha256, sleep, within } from './helpers/util.ts';
import { C, nodeClient, nodeServer } from './helpers/node-peers.ts';
import { ourClient, ourServer, type SocketSession, type StreamRecord } from './helpers/socket-session.ts';

const test = suite('interop: CONNECT tunnels');

const SIZE = MiB + 123;

test('our client CONNECTs through node:http2 to a TCP echo server', scoped(async (s) => {
  const echo = await echoServer(s);
  const upstreams: net.Socket[] = [];
  s.defer(() => upstreams.forEach((u) => u.destroy()));
  const ns = await nodeServer(s, (stream, headers) => {
    if (headers[':method'] !== 'CONNECT') { stream.close(C.NGHTTP2_PROTOCOL_ERROR); return; }
    const [host, port] = String(headers[':authority']).split(':');
    const up = net.connect(Number(port), host, () => {
      stream.respond({ ':status': 200 });
      up.pipe(stream);
      stream.pipe(up);
    });
    upstreams.push(up);
    up.on('error', () => stream.close(C.NGHTTP2_CONNECT_ERROR));
  });
  const conn = await ourClient(s, ns.port);
  const r = conn.request([[':method', 'CONNECT'], [':authority', `${HOST}:${echo}`]]);
  await conn.waitFor((e) => e.type === 'response' && e.streamId === r.id, 5000, 'the CONNECT response');
  assert.is(r.status, 200);
  conn.data(r.id, body(SIZE));
  await within((async () => { while (r.octets < SIZE && !r.reset && !conn.closed) await sleep(2); })(), 10_000, 'the echo');
  conn.data(r.id, new Uint8Array(0), { endStream: true });
  await within(r.done, 5000, 'the tunnel to close');
  assert.ok(r.ended, r.describe());
  assert.is(r.octets, SIZE);
  assert.is(r.digest(), sha256(body(SIZE)));
  assert.equal(conn.problems(), '');
  assert.equal(ns.troubles, []);
}));

test('node:http2 client CONNECTs through our server to a TCP echo server', scoped(async (s) => {
  const echo = await echoServer(s);
  const upstreams: net.Socket[] = [];
  s.defer(() => upstreams.forEach((u) => u.destroy()));
  const tunnel = (r: StreamRecord, c: SocketSession) => {
    const method = r.header(':method');
    if (method !== 'CONNECT' || r.header(':path') !== undefined || r.header(':scheme') !== undefined) {
      c.respond(r.id, [[':status', '400']], { endStream: true });
      return;
    }
    const [host, port] = r.header(':authority')!.split(':');
    const up = net.connect(Number(port), host, () => {
      c.respond(r.id, [[':status', '200']]);
      up.on('data', (chunk: Buffer) => c.data(r.id, chunk));
      up.on('end', () => c.data(r.id, new Uint8Array(0), { endStream: true }));
    });
    upstreams.push(up);
    up.on('error', () => c.reset(r.id, 0xa /* CONNECT_ERROR */));
    // Tunnel bytes from the client: written upstream; the client's END_STREAM half-closes it.
    r.onData = (bytes) => up.write(bytes);
    r.done.then(() => { if (r.ended) up.end(); else up.destroy(); });
  };
  const srv = await ourServer(s, { onRequest: tunnel });
  const nc = await nodeClient(s, srv.port);
  const req = nc.client.request({ ':method': 'CONNECT', ':authority': `${HOST}:${echo}` });
  const h = createHash('sha256');
  let octets = 0;
  req.on('data', (c: Buffer) => { octets += c.length; h.update(c); });
  const [headers] = await within(once(req, 'response'), 5000, 'the CONNECT response');
  assert.is(headers[':status'], 200);
  req.end(body(SIZE));
  await within(once(req, 'end'), 10_000, 'the tunnel to close');
  assert.is(octets, SIZE);
  assert.is(h.digest('hex'), sha256(body(SIZE)));
  assert.equal(srv.conns[0]!.problems(), '');
  assert.equal(nc.troubles, []);
}));

test.run();
