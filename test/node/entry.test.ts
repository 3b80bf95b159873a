// The module surface of the node:http2 API: the same names as node:http2 (plus the classes),
// the default export holding all of them, and performServerHandshake over a connected socket.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import net from 'node:net';
import { once } from 'node:events';
import ours, * as named from '../../bindings/node/index.ts';

const COMPAT_NEXT_ISSUE = new Set(['Http2ServerRequest', 'Http2ServerResponse']);

test('every export of node:http2 (but the compatibility classes) is here, named and on the default export', () => {
  for (const name of Object.keys(http2)) {
    if (COMPAT_NEXT_ISSUE.has(name)) continue;
    assert.is(typeof (named as Record<string, unknown>)[name], typeof (http2 as Record<string, unknown>)[name], name);
    assert.is((ours as Record<string, unknown>)[name], (named as Record<string, unknown>)[name], `default.${name}`);
  }
  assert.equal(Object.keys(ours.constants).sort(), Object.keys(http2.constants).sort());
  assert.is(ours.sensitiveHeaders, named.sensitiveHeaders);
  assert.is(typeof ours.sensitiveHeaders, 'symbol');
});

test('performServerHandshake: a server session over an accepted socket answers a node:http2 client', async () => {
  const sessions: unknown[] = [];
  const tcp = net.createServer((socket) => {
    const session = ours.performServerHandshake(socket);
    sessions.push(session);
    assert.instance(session, named.ServerHttp2Session);
    session.on('stream', (stream: any, headers: any) => {
      stream.respond({ ':status': 200 });
      stream.end(`handshaken ${headers[':path']}`);
    });
  });
  tcp.listen(0, '127.0.0.1');
  await once(tcp, 'listening');
  const client = http2.connect(`http://127.0.0.1:${(tcp.address() as net.AddressInfo).port}`);
  try {
    const req = client.request({ ':path': '/hs' });
    const chunks: Buffer[] = [];
    req.on('data', (d) => chunks.push(d));
    const [headers] = await once(req, 'response');
    await once(req, 'end');
    assert.is(headers[':status'], 200);
    assert.is(Buffer.concat(chunks).toString(), 'handshaken /hs');
    assert.is(sessions.length, 1);
  } finally {
    client.close();
    await new Promise((r) => tcp.close(r));
  }
});

test.run();
