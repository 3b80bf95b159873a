// node:http2 Core API, stream and server members: checked by what a node:http2 peer sees, by our
// frame trace, and, for argument checks, against node:http2's own errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import ours from '../../bindings/node/index.ts';
import { testCerts } from '../helpers/certs.ts';

type Server = net.Server & { close(cb?: () => void): unknown };
const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
const closeServer = (s: Server) => new Promise<void>((r) => s.close(() => r()));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const once = <T = any>(e: NodeJS.EventEmitter, name: string) => new Promise<T>((r) => e.once(name, (...a: any[]) => r((a.length > 1 ? a : a[0]) as T)));

function thrown(fn: () => unknown): unknown {
  try { fn(); return 'no error'; } catch (e) {
    const err = e as Error & { code?: string };
    return { code: err.code, name: err.name, message: err.message };
  }
}

test('stream.priority(): Node\'s checks; a client stream sends PRIORITY_UPDATE (RFC 9218); state.weight as Node 20 reports', async () => {
  const ns = http2.createServer();
  const held: http2.ServerHttp2Stream[] = [];
  ns.on('stream', (s) => held.push(s));
  const port = await listen(ns as unknown as Server);
  const client: any = ours.connect(`http://127.0.0.1:${port}`);
  const nodeClient = http2.connect(`http://127.0.0.1:${port}`);
  await Promise.all([once(client, 'connect'), once(nodeClient, 'connect')]);
  const sent: Array<{ type: number; payload: Uint8Array }> = [];
  client.core.observe((f: any) => { if (f.direction === 'send') sent.push(f); });
  const req = client.request({ ':path': '/', ':method': 'POST' });
  const theirs = nodeClient.request({ ':path': '/', ':method': 'POST' });
  await once(req, 'ready');
  for (const bad of [null, 'x', { weight: 'x' }, { parent: -1 }, { parent: 'x' }, { exclusive: 1 }, { silent: 'no' }]) {
    assert.equal(thrown(() => req.priority(bad)), thrown(() => theirs.priority(bad as any)), JSON.stringify(bad));
  }
  req.priority({ weight: 256 });
  req.priority({ weight: 16, exclusive: true });
  req.priority({ weight: 1, silent: true }); // silent: nothing on the wire
  await sleep(20);
  const updates = sent.filter((f) => f.type === 0x10).map((f) => [Buffer.from(f.payload).readUInt32BE(0), Buffer.from(f.payload).subarray(4).toString()]);
  assert.equal(updates, [[1, 'u=0'], [1, 'u=3']]);
  assert.is(sent.filter((f) => f.type === 0x2).length, 0, 'no RFC 7540 PRIORITY frames');
  while (held.length < 2) await sleep(5);
  const st = req.state;
  const nodeSt = theirs.state;
  assert.equal([st.weight, st.sumDependencyWeight], [1, 0], 'the last weight set, silent or not');
  assert.equal([nodeSt.weight, nodeSt.sumDependencyWeight], [16, 0]);
  const child = client.request({ ':path': '/', ':method': 'POST' });
  child.priority({ parent: req.id, weight: 10, silent: true });
  theirs.priority({ weight: 1, silent: true });
  assert.is(req.state.sumDependencyWeight, 10);
  assert.equal([req.state.weight, theirs.state.weight], [1, 1]);
  child.close();
  assert.equal(Object.keys(st).sort(), Object.keys(nodeSt).sort());
  assert.is(st.state, http2.constants.NGHTTP2_STREAM_STATE_OPEN);
  req.close();
  theirs.close();
  held.forEach((s) => s.close());
  await once(req, 'close');
  assert.throws(() => req.priority({}), (e: any) => e.code === 'ERR_HTTP2_INVALID_STREAM');
  nodeClient.destroy();
  client.destroy();
  await closeServer(ns as unknown as Server);
});

test('stream.setTimeout: \'timeout\' when the stream is idle, DATA restarts it, 0 disarms; errors as Node', async () => {
  const ns = http2.createServer();
  ns.on('stream', (s) => {
    s.respond();
    let n = 0;
    const tick = setInterval(() => { s.write('x'); if (++n === 6) { clearInterval(tick); } }, 30);
    s.on('close', () => clearInterval(tick));
  });
  const port = await listen(ns as unknown as Server);
  const client: any = ours.connect(`http://127.0.0.1:${port}`);
  const nodeClient = http2.connect(`http://127.0.0.1:${port}`);
  const req = client.request({ ':path': '/' });
  req.resume();
  const start = Date.now();
  let fired = 0;
  const timedOut = new Promise<void>((r) => req.setTimeout(100, () => { fired++; r(); }));
  await timedOut;
  // DATA every 30 ms for 180 ms kept it alive; then 100 ms of quiet
  assert.ok(Date.now() - start >= 250, `timed out after ${Date.now() - start} ms`);
  assert.is(fired, 1);
  const cb = () => { fired++; };
  req.setTimeout(30, cb);
  req.setTimeout(0, cb);
  await sleep(80);
  assert.is(fired, 1);
  const theirs = nodeClient.request({ ':path': '/' });
  theirs.resume();
  for (const args of [[-1], ['1'], [1, 'x'], [Infinity]]) assert.equal(thrown(() => req.setTimeout(...args)), thrown(() => (theirs as any).setTimeout(...args)), String(args));
  req.close();
  theirs.close();
  nodeClient.destroy();
  client.destroy();
  await closeServer(ns as unknown as Server);
});

test('frameError on a stream whose HEADERS cannot go out (over maxSendHeaderBlockLength), as Node', async () => {
  const ns = http2.createServer();
  ns.on('stream', (s) => { s.respond(); s.end(); });
  const port = await listen(ns as unknown as Server);
  const client: any = ours.connect(`http://127.0.0.1:${port}`, { maxSendHeaderBlockLength: 1000 } as any);
  const nodeClient = http2.connect(`http://127.0.0.1:${port}`, { maxSendHeaderBlockLength: 1000 });
  const big = { ':path': '/', 'x-big': 'a'.repeat(2000) };
  const mine = client.request(big);
  const theirs = nodeClient.request(big);
  mine.on('error', () => {});
  theirs.on('error', () => {});
  const closed = Promise.all([once(mine, 'close'), once(theirs, 'close')]);
  const [a, b] = await Promise.all([once<any[]>(mine, 'frameError'), once<any[]>(theirs, 'frameError')]);
  assert.equal(a, b, '(type, code, id) as Node');
  await closed;
  assert.is(mine.rstCode, theirs.rstCode);
  nodeClient.destroy();
  client.destroy();
  await closeServer(ns as unknown as Server);
});

test('server.setTimeout(ms, cb): \'timeout\' with the idle session; without a listener the session is destroyed', async () => {
  const server: any = ours.createServer().on('stream', (s: any) => { s.respond(); s.end('ok'); });
  assert.is(server.timeout, 0);
  const timedOut: any[] = [];
  assert.is(server.setTimeout(80, (session: any) => { timedOut.push(session); session.close(); }), server);
  const sessions: any[] = [];
  server.on('session', (s: any) => sessions.push(s));
  const port = await listen(server);
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const closed = once(client, 'close');
  const req = client.request({ ':path': '/' });
  req.resume();
  await once(req, 'close');
  await closed;
  assert.is(timedOut.length, 1);
  assert.is(timedOut[0], sessions[0]);
  // no listener: destroyed
  server.removeAllListeners('timeout');
  const c2 = http2.connect(`http://127.0.0.1:${port}`);
  c2.on('error', () => {});
  const t0 = Date.now();
  await once(c2, 'close');
  assert.ok(Date.now() - t0 >= 60);
  assert.ok(sessions[1].destroyed);
  await closeServer(server);
});

test('server.updateSettings(): new sessions advertise the settings; checks as Node\'s', async () => {
  const server: any = ours.createServer({ settings: { maxConcurrentStreams: 50 } });
  server.on('stream', (s: any) => { s.respond(); s.end(); });
  const port = await listen(server);
  const c1 = http2.connect(`http://127.0.0.1:${port}`);
  const s1 = await once<any>(c1, 'remoteSettings');
  assert.is(s1.maxConcurrentStreams, 50);
  server.updateSettings({ initialWindowSize: 12345 });
  const c2 = http2.connect(`http://127.0.0.1:${port}`);
  const s2 = await once<any>(c2, 'remoteSettings');
  assert.is(s2.initialWindowSize, 12345);
  assert.is(s2.maxConcurrentStreams, 50, 'earlier settings stay');
  const nodeServer = http2.createServer();
  for (const bad of [null, 'x', { maxFrameSize: 10 }, { enablePush: 'yes' }, { initialWindowSize: 2 ** 31 }]) {
    assert.equal(thrown(() => server.updateSettings(bad)), thrown(() => nodeServer.updateSettings(bad as any)), JSON.stringify(bad));
  }
  c1.destroy();
  c2.destroy();
  await closeServer(server);
});

test('server.close(cb): no new connections; open sessions go on (as Node), cb once they end', async () => {
  const server: any = ours.createServer().on('stream', (s: any) => { s.respond(); s.end('ok'); });
  const port = await listen(server);
  const client = http2.connect(`http://127.0.0.1:${port}`);
  await once(client, 'connect');
  let closed = false;
  server.close(() => { closed = true; });
  const refused = await new Promise<string>((r) => { const s = net.connect(port, '127.0.0.1'); s.on('error', (e: any) => r(e.code)); s.on('connect', () => { s.destroy(); r('connected'); }); });
  assert.is(refused, 'ECONNREFUSED');
  const req = client.request({ ':path': '/' });
  let body = '';
  req.on('data', (d) => { body += d; });
  await once(req, 'end');
  assert.is(body, 'ok', 'the open session still serves requests');
  assert.is(closed, false);
  client.close();
  for (let i = 0; i < 100 && !closed; i++) await sleep(10);
  assert.ok(closed, 'cb after the last session ended');
});

test('\'streamError\': a stream reset by the peer with an error code, forwarded with the stream; \'sessionError\' for a broken connection', async () => {
  const server: any = ours.createServer().on('stream', (s: any) => { s.respond(); s.write('partial'); });
  const errors: any[] = [];
  server.on('streamError', (err: any, stream: any) => errors.push([err.code, stream.destroyed, stream.rstCode]));
  const sessionErrors: any[] = [];
  server.on('sessionError', (err: any, session: any) => sessionErrors.push([err.code, session.constructor.name]));
  const port = await listen(server);
  const client = http2.connect(`http://127.0.0.1:${port}`);
  const req = client.request({ ':path': '/' });
  req.on('error', () => {});
  await once(req, 'data');
  req.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  for (let i = 0; i < 100 && !errors.length; i++) await sleep(10);
  assert.equal(errors, [['ERR_HTTP2_STREAM_ERROR', true, http2.constants.NGHTTP2_INTERNAL_ERROR]]);
  client.destroy();
  // a peer that is not HTTP/2 at all
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => {});
  sock.resume();
  sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n' + 'x'.repeat(100));
  await once(sock, 'close');
  for (let i = 0; i < 100 && !sessionErrors.length; i++) await sleep(10);
  assert.is(sessionErrors.length, 1);
  assert.is(sessionErrors[0][1], 'ServerHttp2Session');
  await closeServer(server);
});

test('\'unknownProtocol\': emitted with the socket; unhandled, the client gets Node\'s 403 and the socket goes; unknownProtocolTimeout checked as Node', async () => {
  const { ca, cert, key } = testCerts();
  const server: any = ours.createSecureServer({ cert, key, unknownProtocolTimeout: 300 } as any);
  const port = await listen(server);
  // a client offering no ALPN at all (one offering only http/1.1 fails the handshake, in Node too)
  const h1 = () => tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca });
  // no listener: a 403 in HTTP/1.0 form, then the end of the connection
  const a = h1();
  let text = '';
  a.on('data', (d) => { text += d; });
  await once(a, 'close');
  assert.ok(text.startsWith('HTTP/1.0 403 Forbidden\r\n'), text);
  assert.ok(text.includes('Missing ALPN Protocol, expected `h2` to be available.'));
  // a listener gets the socket and decides
  const got = once<tls.TLSSocket>(server, 'unknownProtocol');
  const b = h1();
  b.on('error', () => {});
  const sock = await got;
  assert.is(sock.alpnProtocol, false);
  sock.end('handled');
  let bt = '';
  b.on('data', (d) => { bt += d; });
  await once(b, 'close');
  assert.is(bt, 'handled');
  for (const bad of ['1', -1, 1.5]) {
    assert.equal(thrown(() => ours.createSecureServer({ cert, key, unknownProtocolTimeout: bad } as any)),
      thrown(() => http2.createSecureServer({ cert, key, unknownProtocolTimeout: bad as any })), String(bad));
  }
  await closeServer(server);
});

test('pushStream after the client\'s GOAWAY: answered through the callback, never thrown, as Node', async () => {
  const outcome = async (impl: any) => {
    const server = impl.createServer();
    const port = await listen(server as unknown as Server);
    const got = new Promise<string>((resolve) => {
      server.on('stream', (stream: any) => {
        stream.on('error', () => {});
        stream.session.once('goaway', () => {
          try {
            stream.pushStream({ ':path': '/pushed' }, (err: any, pushed: any) => {
              pushed?.on('error', () => {}); // node:http2 gives the stream, which the client then refuses
              resolve(err ? `callback with ${err.code ?? err.constructor.name}` : 'callback with a pushed stream');
            });
          } catch (e) {
            resolve(`threw ${(e as { code?: string }).code}`);
          }
        });
      });
    });
    const client = http2.connect(`http://127.0.0.1:${port}`);
    client.on('error', () => {});
    const req = client.request({ ':path': '/' });
    req.on('error', () => {});
    await once(client, 'remoteSettings');
    await sleep(20);
    client.goaway();
    const r = await Promise.race([got, sleep(3000).then(() => 'nothing')]);
    client.destroy();
    await closeServer(server);
    return r;
  };
  const theirs = await outcome(http2);
  const mine = await outcome(ours);
  // node:http2 promises the stream and the client refuses it; the core refuses to promise one
  // after a GOAWAY (RFC 9113 §6.8) and says so in the callback.
  assert.is(theirs, 'callback with a pushed stream');
  assert.is(mine, 'callback with ERR_HTTP2_GOAWAY_SESSION');
});

test.run();
