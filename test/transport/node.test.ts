// The node:net / node:tls adapter (bindings/transport/node.ts): a slow reader holds the writer
// back with bounded memory, and HTTP/2 (connectSession on both ends) runs over TCP and over TLS
// with ALPN h2.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import tls from 'node:tls';
import { connectNode, listenNode, type NodeSocketTransport } from '../../bindings/transport/node.ts';
import type { Listener, Transport } from '../../bindings/transport/types.ts';
import { testCerts } from '../helpers/certs.ts';
import { KiB, MiB } from './lib/bytes.ts';
import { closeBoth, h2Exchange } from './lib/h2.ts';
import { pump } from './lib/pump.ts';
import { scoped, type Scope } from './lib/node-util.ts';

const test = suite('transport: node:net and node:tls');

/** A listener and one connected pair (client, server side), all closed at the end. */
async function pair(s: Scope, secure: boolean): Promise<[NodeSocketTransport, Transport, Listener]> {
  const certs = secure ? testCerts() : undefined;
  const listener = await listenNode(certs ? { tls: { cert: certs.cert, key: certs.key } } : {});
  s.defer(() => listener.close());
  const accepted = listener.accept();
  const client = await connectNode({ port: listener.port, host: 'localhost', tls: certs ? { ca: certs.ca } : undefined });
  const server = await accepted;
  s.defer(() => closeBoth(client, server));
  return [client, server, listener];
}

test('TCP: 64 MiB to a slow reader: the writer waits, its queue stays bounded, the bytes arrive intact', scoped(async (s) => {
  const [client, server] = await pair(s, false);
  const chunk = 64 * KiB;
  const r = await pump(client, server, { total: 64 * MiB, chunk, pauseEvery: 4 * MiB, pauseMs: 40 });
  assert.is(r.received, 64 * MiB);
  assert.is(r.receivedHash, r.sentHash);
  assert.ok(r.pauses >= 15, `the reader paused (${r.pauses})`);
  assert.ok(r.waits > 0, `the writer was told to wait (${r.waits})`);
  // Node refuses past writableHighWaterMark: at most one more chunk sits in its buffer.
  const bound = client.socket.writableHighWaterMark + chunk;
  assert.ok(r.maxQueued <= bound, `queued at most ${bound} bytes, saw ${r.maxQueued}`);
}));

test('TLS: 32 MiB server → client with a slow client: bounded and intact; ALPN h2 on both ends', scoped(async (s) => {
  const [client, server] = await pair(s, true);
  assert.is(client.alpnProtocol, 'h2');
  assert.is(server.alpnProtocol, 'h2');
  const chunk = 32 * KiB;
  const r = await pump(server, client, { total: 32 * MiB, chunk, pauseEvery: 2 * MiB, pauseMs: 40 });
  assert.is(r.receivedHash, r.sentHash);
  assert.ok(r.waits > 0, `the writer was told to wait (${r.waits})`);
  const bound = (server as NodeSocketTransport).socket.writableHighWaterMark + chunk;
  assert.ok(r.maxQueued <= bound, `queued at most ${bound} bytes, saw ${r.maxQueued}`);
}));

for (const secure of [false, true]) {
  test(`HTTP/2 over ${secure ? 'TLS (ALPN h2)' : 'TCP'}: a 4 MiB echo with a slow client, connectSession on both ends`, scoped(async (s) => {
    const [client, server] = await pair(s, secure);
    const r = await h2Exchange(client, server, { body: 4 * MiB, slowMs: 3 });
    assert.is(r.method, 'POST');
    assert.is(r.path, '/echo');
    assert.is(r.status, '200');
    assert.is(r.serverHash, r.sentHash, 'the server got the request body intact');
    assert.is(r.echoHash, r.sentHash, 'the client got the echo intact');
    // The server holds no more than its receive window: the slow client slowed the upload down.
    assert.ok(r.maxServerHeld <= r.serverWindow, `server held ${r.maxServerHeld} > window ${r.serverWindow}`);
    // Transport queues stay far below the body: flow control and write() → false bound them.
    assert.ok(r.maxServerQueued < 512 * KiB && r.maxClientQueued < 512 * KiB, `queued ${r.maxClientQueued} / ${r.maxServerQueued}`);
    if (secure) {
      assert.is(r.clientAlpn, 'h2');
      assert.is(r.serverAlpn, 'h2');
    }
  }));
}

test('connectNode refuses a TLS server that does not pick h2', scoped(async (s) => {
  const certs = testCerts();
  const server = tls.createServer({ cert: certs.cert, key: certs.key, ALPNProtocols: ['http/1.1'] }, (c) => c.destroy());
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.defer(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as { port: number }).port;
  try {
    const t = await connectNode({ port, host: 'localhost', tls: { ca: certs.ca } });
    t.close();
    assert.unreachable('connected without h2');
  } catch (e) {
    assert.instance(e, Error);
    assert.not.match((e as Error).message, /connected without h2/);
  }
}));

test('bytes sent before the server side listens for data are kept; close() flushes then ends', scoped(async (s) => {
  const [client, server] = await pair(s, false);
  client.write(new TextEncoder().encode('early '));
  client.write(new TextEncoder().encode('bytes'));
  client.close();
  await new Promise((r) => setTimeout(r, 50)); // they arrive while nobody listens
  const got: Uint8Array[] = [];
  const closed = new Promise<Error | undefined>((r) => server.on('close', r));
  server.on('data', (c) => got.push(c));
  assert.is(await closed, undefined, 'a clean close');
  assert.is(Buffer.concat(got).toString(), 'early bytes');
  assert.ok(client.closed && server.closed);
  assert.not.ok(client.write(new Uint8Array(1)), 'no writes after close');
}));

test.run();
