// `h2wasm relay` on its own (no browser needed): started from bin/ as users start it, driven
// from Node by a `ws` WebSocket client carrying our fetch (the WebSocket transport), to our
// node:http2 API server on h2c. Also: one TCP connection per WebSocket, a text message closes
// with 1003, an unreachable target closes with 1011, bad arguments exit 2.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import http2 from '../../bindings/node/index.ts';
import { createFetch, responseTrailers } from '../../bindings/fetch/index.ts';
import { fromWebSocket, type WebSocketLike } from '../../bindings/transport/index.ts';
import { scoped, within, type Scope } from '../interop/helpers/util.ts';
import { HOST, ROOT, distMissing, freePort, relay } from './lib.ts';

const test = suite('browser: h2wasm relay');

// `ws` ships no types: the few members used here.
interface NodeWs extends WebSocketLike {
  on(event: 'close', fn: (code: number) => void): void;
  once(event: 'open' | 'error', fn: (arg?: unknown) => void): void;
  send(data: string | ArrayBuffer | ArrayBufferView): void;
  terminate(): void;
}
const WebSocket: new (url: string) => NodeWs = (await import(String('ws'))).default;

async function nodeServer(s: Scope): Promise<{ port: number; connections: () => number }> {
  const server = http2.createServer();
  let connections = 0;
  server.on('session', () => { connections++; });
  server.on('stream', (stream, headers) => {
    stream.respond({ ':status': 200, 'content-type': 'text/plain' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-path': String(headers[':path']) }));
    stream.end('x'.repeat(100_000)); // several DATA frames, several WebSocket messages back
  });
  await new Promise<void>((r) => server.listen(0, HOST, () => r()));
  s.defer(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

/** Resolves with the close code of a WebSocket. */
const closeCode = (ws: NodeWs) => new Promise<number>((r) => ws.on('close', (code) => r(code)));

const missing = distMissing(['dist/cli.mjs']);
if (missing) {
  test('the command line is built', () => assert.unreachable(missing));
} else {
  test('fetch over a Node WebSocket through the relay: bodies, trailers, one TCP connection per WebSocket', scoped(async (s) => {
    const srv = await nodeServer(s);
    const r = await relay(s, `${HOST}:${srv.port}`);
    for (const round of [1, 2]) {
      const fetch = createFetch({ connect: () => fromWebSocket(new WebSocket(r.url)) });
      try {
        const [a, b] = await Promise.all([fetch(`http://${HOST}:${srv.port}/a`), fetch(`http://${HOST}:${srv.port}/b`)]);
        assert.is(a.status, 200);
        assert.is((await a.text()).length, 100_000);
        assert.equal([...await responseTrailers(a)], [['x-path', '/a']]);
        assert.is((await b.text()).length, 100_000);
        assert.equal([...await responseTrailers(b)], [['x-path', '/b']]);
      } finally {
        await fetch.close();
      }
      // Both requests shared one WebSocket, so one TCP connection to the server.
      assert.is(srv.connections(), round);
    }
    assert.match(r.child.out(), /relay #1: 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+/);
  }, 30_000));

  test('a text message closes with 1003; an unreachable target with 1011', scoped(async (s) => {
    const srv = net.createServer((c) => c.on('error', () => {}));
    await new Promise<void>((ok) => srv.listen(0, HOST, () => ok()));
    s.defer(() => new Promise<void>((ok) => srv.close(() => ok())));
    const r = await relay(s, `${HOST}:${(srv.address() as AddressInfo).port}`);
    const ws = new WebSocket(r.url);
    s.defer(() => ws.terminate());
    await new Promise((ok, fail) => { ws.once('open', ok); ws.once('error', fail); });
    const code = closeCode(ws);
    ws.send('not bytes');
    assert.is(await within(code, 5000, 'the relay to close'), 1003);

    const dead = await freePort(); // nothing listens there
    const r2 = await relay(s, `${HOST}:${dead}`);
    const ws2 = new WebSocket(r2.url);
    s.defer(() => ws2.terminate());
    assert.is(await within(closeCode(ws2), 5000, 'the relay to close'), 1011);
  }, 20_000));

  test('bad arguments exit 2 with a message', () => {
    const bin = join(ROOT, 'bin', 'h2wasm.mjs');
    const noTo = spawnSync(process.execPath, [bin, 'relay', '--listen', '0'], { encoding: 'utf8', timeout: 10_000 });
    assert.is(noTo.status, 2);
    assert.match(noTo.stderr, /relay needs --to HOST:PORT/);
    const badTo = spawnSync(process.execPath, [bin, 'relay', '--to', 'nowhere'], { encoding: 'utf8', timeout: 10_000 });
    assert.is(badTo.status, 2);
    assert.match(badTo.stderr, /bad --to nowhere/);
  });
}

test.run();
