// node:http2 Core API, session members: each checked by what a node:http2 peer sees (its events
// and its state) or by our frame trace, and, for argument checks, against node:http2's own errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import net from 'node:net';
import { spawn } from 'node:child_process';
import ours from '../../bindings/node/index.ts';
import { testCerts } from '../helpers/certs.ts';

type Server = net.Server & { close(cb?: () => void): unknown };
const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
const closeServer = (s: Server) => new Promise<void>((r) => s.close(() => r()));
const once = <T = any>(e: NodeJS.EventEmitter, name: string) => new Promise<T>((r) => e.once(name, (...a: any[]) => r((a.length > 1 ? a : a[0]) as T)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const closeSession = (s: any) => new Promise<void>((r) => { if (s.destroyed) r(); else { s.once('close', () => r()); s.close(); } });

/** The error a call throws, as { code, name, message }, or 'no error'. */
function thrown(fn: () => unknown): unknown {
  try { fn(); return 'no error'; } catch (e) {
    const err = e as Error & { code?: string };
    return { code: err.code, name: err.name, message: err.message };
  }
}

/** A node:http2 server that records each session, answering every request with 200 'ok' unless told. */
async function nodeServer(onStream?: (s: http2.ServerHttp2Stream, h: http2.IncomingHttpHeaders) => void) {
  const server = http2.createServer();
  const sessions: http2.ServerHttp2Session[] = [];
  server.on('session', (s) => sessions.push(s));
  server.on('stream', onStream ?? ((s) => { s.respond({ ':status': 200 }); s.end('ok'); }));
  const port = await listen(server as unknown as Server);
  return { server, sessions, port, url: `http://127.0.0.1:${port}` };
}

/** Our server; `sessions` fills as node clients connect. */
async function ourServer(onStream?: (s: any, h: any) => void, options: object = {}) {
  const server: any = ours.createServer(options as any);
  const sessions: any[] = [];
  server.on('session', (s: any) => { sessions.push(s); s.once('connect', (...a: any[]) => { s.connectArgs = a; }); });
  server.on('stream', onStream ?? ((s: any) => { s.respond({ ':status': 200 }); s.end('ok'); }));
  const port = await listen(server);
  return { server, sessions, port, url: `http://127.0.0.1:${port}` };
}

async function get(client: any, path = '/') {
  const req = client.request({ ':path': path });
  req.resume();
  await once(req, 'close');
  return req;
}

test('connect: (session, socket) on our client and on our server session; ready on a request with its id', async () => {
  const ns = await nodeServer();
  const client: any = ours.connect(ns.url);
  const [session, socket] = await once<any[]>(client, 'connect');
  assert.is(session, client);
  assert.ok(socket instanceof net.Socket);
  assert.is(socket.remotePort, ns.port);
  const req = client.request({ ':path': '/' });
  assert.is(await once(req, 'ready'), undefined);
  assert.is(req.id, 1);
  req.resume();
  await once(req, 'close');
  await closeSession(client);
  await closeServer(ns.server as unknown as Server);

  const os = await ourServer();
  const nc = http2.connect(os.url);
  await once(nc, 'connect');
  while (!os.sessions.length) await sleep(5);
  while (!os.sessions[0].connectArgs) await sleep(5);
  const [s, sock] = os.sessions[0].connectArgs;
  assert.is(s, os.sessions[0]);
  assert.is(sock.remotePort, (nc.socket as net.Socket).localPort);
  await closeSession(nc);
  await closeServer(os.server);
});

test('settings(): the node peer\'s remoteSettings shows it; localSettings fires on ACK, with the callback', async () => {
  const ns = await nodeServer();
  const client: any = ours.connect(ns.url);
  await once(client, 'connect');
  while (!ns.sessions.length) await sleep(5);
  const peerSaw = new Promise<any>((r) => ns.sessions[0].on('remoteSettings', (st) => { if (st.maxConcurrentStreams === 77) r(st); }));
  const event = new Promise<any>((r) => client.on('localSettings', (st: any) => { if (st.maxConcurrentStreams === 77) r(st); }));
  const [err, settings, duration] = await new Promise<any[]>((r) => client.settings({ maxConcurrentStreams: 77, initialWindowSize: 100000 }, (...a: any[]) => r(a)));
  assert.is(err, null);
  assert.is(settings.maxConcurrentStreams, 77);
  assert.type(duration, 'number');
  assert.is((await event).initialWindowSize, 100000);
  assert.is((await peerSaw).initialWindowSize, 100000);
  assert.is(ns.sessions[0].remoteSettings.maxConcurrentStreams, 77);
  assert.is(client.pendingSettingsAck, false);
  assert.equal(thrown(() => client.settings({ enablePush: 1 })), thrown(() => ns.sessions[0].settings({ enablePush: 1 } as any)));
  assert.equal(thrown(() => client.settings({}, 'x')), thrown(() => ns.sessions[0].settings({}, 'x' as any)));
  await closeSession(client);
  await closeServer(ns.server as unknown as Server);
});

test('ping(): the node peer gets the payload; the callback has the same payload and a duration', async () => {
  const ns = await nodeServer();
  const client: any = ours.connect(ns.url);
  await once(client, 'connect');
  while (!ns.sessions.length) await sleep(5);
  const peer = once<Buffer>(ns.sessions[0], 'ping');
  const [err, duration, payload] = await new Promise<any[]>((r) => client.ping(Buffer.from('h2wasm!!'), (...a: any[]) => r(a)));
  assert.is(err, null);
  assert.ok(duration >= 0 && duration < 5000);
  assert.is(Buffer.from(payload).toString(), 'h2wasm!!');
  assert.is((await peer).toString(), 'h2wasm!!');
  // and the other way: the node peer pings us, we answer and emit 'ping'
  const ours2 = once<Buffer>(client, 'ping');
  const back = await new Promise<any[]>((r) => ns.sessions[0].ping(Buffer.from('fromnode'), (...a) => r(a)));
  assert.is(back[0], null);
  assert.is((await ours2).toString(), 'fromnode');
  assert.equal(thrown(() => client.ping(Buffer.alloc(4), () => {})), thrown(() => ns.sessions[0].ping(Buffer.alloc(4), () => {})));
  assert.equal(thrown(() => client.ping(Buffer.alloc(8))), thrown(() => (ns.sessions[0] as any).ping(Buffer.alloc(8))));
  await closeSession(client);
  await closeServer(ns.server as unknown as Server);
});

test('setLocalWindowSize(): the node peer gets a WINDOW_UPDATE (its remoteWindowSize); state shows it', async () => {
  const ns = await nodeServer();
  const client: any = ours.connect(ns.url);
  await once(client, 'connect');
  await get(client);
  const peer = ns.sessions[0];
  assert.is(peer.state.remoteWindowSize, 65535 - 2); // the 'ok' body
  client.setLocalWindowSize(1 << 20);
  assert.is(client.state.effectiveLocalWindowSize, 1 << 20);
  for (let i = 0; i < 100 && peer.state.remoteWindowSize! <= 65535; i++) await sleep(5);
  // the window is 1 MiB less what we received and have not yet given back (as nghttp2 counts it)
  assert.is(peer.state.remoteWindowSize, client.state.localWindowSize);
  assert.ok(peer.state.remoteWindowSize! >= (1 << 20) - 2);
  for (const bad of [-1, 2 ** 31, 1.5, '10']) {
    assert.equal(thrown(() => client.setLocalWindowSize(bad)), thrown(() => peer.setLocalWindowSize(bad as number)), String(bad));
  }
  await closeSession(client);
  await closeServer(ns.server as unknown as Server);
});

test('state: the fields Node reports, with values that follow the connection', async () => {
  const ns = await nodeServer();
  const client: any = ours.connect(ns.url);
  assert.equal(client.state, {}, 'still connecting: {} as in Node');
  await once(client, 'connect');
  const nodeClient = http2.connect(ns.url);
  await once(nodeClient, 'connect');
  await get(client);
  await get(nodeClient);
  assert.equal(Object.keys(client.state).sort(), Object.keys(nodeClient.state).sort());
  const st = client.state;
  assert.is(st.nextStreamID, 3);
  assert.is(st.lastProcStreamID, 0);
  assert.is(st.effectiveLocalWindowSize, 65535);
  assert.is(st.remoteWindowSize, 65535);
  assert.is(st.outboundQueueSize, 0);
  // the 2 octets of 'ok' were taken by the reader: either returned already, or counted as received
  assert.is(st.localWindowSize + st.effectiveRecvDataLength, 65535);
  const os = await ourServer();
  const nc = http2.connect(os.url);
  await get(nc);
  await get(nc);
  assert.is(os.sessions[0].state.lastProcStreamID, 3);
  assert.is(os.sessions[0].state.nextStreamID, 2);
  assert.is(os.sessions[0].state.remoteWindowSize, 65535 - 4);
  await Promise.all([closeSession(client), closeSession(nodeClient), closeSession(nc)]);
  assert.equal(client.state, {}, 'destroyed: {}');
  await closeServer(ns.server as unknown as Server);
  await closeServer(os.server);
});

test('goaway(code, lastStreamID, opaqueData): the node peer\'s \'goaway\' event has all three', async () => {
  const held: any[] = [];
  // Stream 3 is above the GOAWAY's last stream: it fails as refused (an 'error', as in Node).
  const os = await ourServer((s) => { s.on('error', () => {}); held.push(s); });
  const nc = http2.connect(os.url);
  const reqs = [nc.request({ ':path': '/1' }), nc.request({ ':path': '/2' })];
  reqs.forEach((r) => r.on('error', () => {}));
  while (held.length < 2) await sleep(5);
  const seen = once<any[]>(nc, 'goaway');
  os.sessions[0].goaway(http2.constants.NGHTTP2_NO_ERROR, 1, Buffer.from('bye'));
  const [code, last, data] = await seen;
  assert.is(code, 0);
  assert.is(last, 1);
  assert.is(Buffer.from(data).toString(), 'bye');
  assert.is(held[1].rstCode, http2.constants.NGHTTP2_REFUSED_STREAM);
  held.forEach((s) => { if (!s.destroyed) { s.respond(); s.end(); } });
  nc.destroy();
  // default lastStreamID: the last stream we processed; a code other than NO_ERROR reaches the peer
  const nc2 = http2.connect(os.url);
  nc2.on('error', () => {});
  const r = nc2.request({ ':path': '/3' });
  r.on('error', () => {});
  while (held.length < 3) await sleep(5);
  const seen2 = once<any[]>(nc2, 'goaway');
  os.sessions[1].goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
  const [code2, last2, data2] = await seen2;
  assert.is(code2, http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
  assert.is(last2, 1);
  assert.is(data2, undefined, 'no opaque data: undefined, as Node gives it');
  nc2.destroy();
  const ns = await nodeServer();
  const c: any = ours.connect(ns.url);
  const n = http2.connect(ns.url);
  await Promise.all([once(c, 'connect'), once(n, 'connect')]);
  for (const args of [['x'], [0, 'x'], [0, 0, 'x']]) assert.equal(thrown(() => c.goaway(...args)), thrown(() => (n as any).goaway(...args)), String(args));
  c.destroy();
  n.destroy();
  await closeServer(ns.server as unknown as Server);
  await closeServer(os.server);
});

test('close(callback): GOAWAY to the peer, the callback on close; after close() a callback is not kept', async () => {
  const ns = await nodeServer();
  const client: any = ours.connect(ns.url);
  await once(client, 'connect');
  while (!ns.sessions.length) await sleep(5);
  const peerGoaway = once<any[]>(ns.sessions[0], 'goaway');
  let calls = 0;
  let late = 0;
  const closed = new Promise<void>((r) => client.close(() => { calls++; r(); }));
  assert.ok(client.closed);
  client.close(() => { late++; });
  assert.throws(() => client.request({}), (e: any) => e.code === 'ERR_HTTP2_GOAWAY_SESSION');
  await closed;
  assert.is((await peerGoaway)[0], 0);
  await sleep(10);
  assert.is(calls, 1);
  assert.is(late, 0);
  assert.ok(client.destroyed);
  await closeServer(ns.server as unknown as Server);
});

test('session.setTimeout: \'timeout\' when no frame moves; frames restart it; 0 disarms', async () => {
  const ns = await nodeServer();
  const client: any = ours.connect(ns.url);
  await once(client, 'connect');
  await get(client);
  let fired = 0;
  const start = Date.now();
  const t = new Promise<void>((r) => client.setTimeout(120, () => { fired++; r(); }));
  assert.is(client.timeout, 120);
  // pings every 40 ms for 300 ms: frames both ways, so no timeout
  let lastFrame = 0;
  while (Date.now() - start < 300) { await new Promise((r) => client.ping(r)); lastFrame = Date.now(); await sleep(40); }
  assert.is(fired, 0);
  await t;
  const quiet = Date.now() - lastFrame;
  assert.ok(quiet >= 115, `fired only after 120 ms of quiet (after ${quiet} ms)`);
  assert.is(fired, 1);
  let again = 0;
  const cb = () => { again++; };
  client.setTimeout(60, cb);
  client.setTimeout(0, cb);
  await sleep(150);
  assert.is(again, 0);
  const n = http2.connect(ns.url);
  assert.equal(thrown(() => client.setTimeout(-1)), thrown(() => n.setTimeout(-1)));
  assert.equal(thrown(() => client.setTimeout('1')), thrown(() => n.setTimeout('1' as any)));
  assert.equal(thrown(() => client.setTimeout(1, 'x')), thrown(() => n.setTimeout(1, 'x' as any)));
  n.destroy();
  await closeSession(client);
  await closeServer(ns.server as unknown as Server);
});

test('socket: a Proxy as Node\'s: I/O throws ERR_HTTP2_NO_SOCKET_MANIPULATION, setTimeout is the session\'s, the rest is the socket\'s', async () => {
  const ns = await nodeServer();
  const client: any = ours.connect(ns.url);
  const nodeClient = http2.connect(ns.url);
  await Promise.all([once(client, 'connect'), once(nodeClient, 'connect')]);
  const sock: any = client.socket;
  for (const name of ['pause', 'resume', 'read', 'write', 'end', 'destroy', 'emit', 'setEncoding', 'setKeepAlive', 'setNoDelay']) {
    const mine = thrown(() => sock[name]);
    assert.equal(mine, thrown(() => (nodeClient.socket as any)[name]), name);
    assert.equal((mine as any).code, 'ERR_HTTP2_NO_SOCKET_MANIPULATION');
    assert.equal(thrown(() => { sock[name] = 1; }), thrown(() => { (nodeClient.socket as any)[name] = 1; }), name);
  }
  assert.ok(client.socket instanceof net.Socket, "the Proxy has the socket's prototype");
  assert.is(sock.remotePort, ns.port);
  assert.is(sock.remoteAddress, '127.0.0.1');
  assert.type(sock.address, 'function');
  assert.is(sock.address().port, sock.localPort);
  sock.setTimeout(5000);
  assert.is(client.timeout, 5000, 'socket.setTimeout is session.setTimeout');
  sock.setTimeout(0);
  sock.customField = 42;
  assert.is(client._socket.customField, 42, 'other properties are set on the socket');
  assert.is(client.socket, sock, 'one Proxy per session');
  nodeClient.destroy();
  client.destroy();
  await closeServer(ns.server as unknown as Server);
});

test('ref()/unref(): an unref\'d client session lets its process exit; a ref\'d one keeps it alive', async () => {
  const ns = await nodeServer();
  const index = new URL('../../bindings/node/index.ts', import.meta.url).href;
  const run = (unref: boolean) => new Promise<{ exited: boolean; out: string }>((resolve) => {
    const code = `import h2 from ${JSON.stringify(index)};
      const c = h2.connect(${JSON.stringify(ns.url)});
      c.on('connect', () => { c.ping(() => { console.log('pinged'); ${unref ? 'c.unref(); c.ref(); c.unref();' : 'c.unref(); c.ref();'} }); });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    let exited = false;
    child.on('exit', () => { exited = true; });
    // after the ping: give an unref'd child time to leave, then stop the other
    const stop = setInterval(() => {
      if (exited) { clearInterval(stop); resolve({ exited: true, out }); return; }
      if (out.includes('pinged') && Date.now() - started > 2500) { clearInterval(stop); child.kill(); child.once('exit', () => resolve({ exited: false, out })); }
    }, 50);
    const started = Date.now();
  });
  const [released, kept] = await Promise.all([run(true), run(false)]);
  assert.ok(released.out.includes('pinged') && released.exited, 'unref: exits by itself');
  assert.ok(kept.out.includes('pinged') && !kept.exited, 'ref: still running');
  for (const s of ns.sessions) s.destroy();
  await closeServer(ns.server as unknown as Server);
});

test('altsvc(): the node client\'s \'altsvc\' event (origin form and stream form); errors as Node\'s', async () => {
  let stream: any;
  const os = await ourServer((s) => { stream = s; });
  const nc = http2.connect(os.url);
  const got: any[] = [];
  nc.on('altsvc', (...a) => got.push(a));
  const req = nc.request({ ':path': '/' });
  while (!stream) await sleep(5);
  const session = os.sessions[0];
  session.altsvc('h2=":8000"', 'https://example.org:8111/some/path');
  session.altsvc('h3=":443"; ma=60', new URL('https://example.com'));
  session.altsvc('clear', { origin: 'https://a.test' });
  session.altsvc('h2="alt.example:443"', stream.id);
  while (got.length < 4) await sleep(5);
  assert.equal(got, [
    ['h2=":8000"', 'https://example.org:8111', 0],
    ['h3=":443"; ma=60', 'https://example.com', 0],
    ['clear', 'https://a.test', 0],
    ['h2="alt.example:443"', '', 1],
  ]);
  // errors: the same code, class and message as a node:http2 server session
  const ns = await nodeServer(() => {});
  const n = http2.connect(ns.url);
  await once(n, 'connect');
  while (!ns.sessions.length) await sleep(5);
  const theirs = ns.sessions[0];
  const cases: any[][] = [
    ['h2=":8000"', 'not a url'], ['h2=":8000"', 'file:///x'], ['h2=":8000"', 0], ['h2=":8000"', -1], ['h2=":8000"', 1.5],
    ['h2=":8000"', 2 ** 32], ['h2=":8000"', true], ['h2=":8000"', null], ['h2=":8000"', { origin: '' }], ['h2=":8000"', { origin: 'null' }],
    ['h2=":8000"', {}], [1, 'https://a.test'], ['bad\\value', 'https://a.test'], ['ü\u0100', 'https://a.test'],
    ['x'.repeat(16382 - 'https://a.test'.length + 1), 'https://a.test'], ['x'.repeat(16382 - 'https://a.test'.length), 'https://a.test'],
  ];
  for (const args of cases) {
    assert.equal(thrown(() => session.altsvc(...args)), thrown(() => (theirs as any).altsvc(...args)), JSON.stringify(args).slice(0, 60));
  }
  assert.equal((thrown(() => session.altsvc('x', 'file:///x')) as any).code, 'ERR_HTTP2_ALTSVC_INVALID_ORIGIN');
  assert.equal((thrown(() => session.altsvc('x'.repeat(16383))) as any).code, 'ERR_HTTP2_ALTSVC_LENGTH');
  assert.equal((thrown(() => session.altsvc('x', true)) as any).code, 'ERR_INVALID_ARG_TYPE');
  stream.respond();
  stream.end();
  req.resume();
  await once(req, 'close');
  n.destroy();
  await closeSession(nc);
  await closeServer(ns.server as unknown as Server);
  await closeServer(os.server);
});

test('origin() over TLS: the node client\'s \'origin\' event and originSet; our client\'s originSet follows ORIGIN frames', async () => {
  const { ca, cert, key } = testCerts();
  const server: any = ours.createSecureServer({ cert, key });
  server.on('stream', (s: any) => { s.respond(); s.end(); });
  server.on('session', (s: any) => s.origin('https://a.test', new URL('https://b.test:8443/x'), { origin: 'https://c.test' }));
  const port = await listen(server);
  const nc = http2.connect(`https://localhost:${port}`, { ca });
  const [origins] = [await once<string[]>(nc, 'origin')];
  assert.equal(origins, ['https://a.test', 'https://b.test:8443', 'https://c.test']);
  assert.equal(nc.originSet, [`https://localhost:${port}`, 'https://a.test', 'https://b.test:8443', 'https://c.test']);
  nc.close();
  // our client against a node:http2 TLS server
  const ns = http2.createSecureServer({ cert, key });
  ns.on('session', (s) => s.once('remoteSettings', () => s.origin('https://x.test', 'https://y.test:444')));
  const nport = await listen(ns as unknown as Server);
  const client: any = ours.connect(`https://localhost:${nport}`, { ca });
  await once(client, 'connect');
  assert.equal(client.originSet, [`https://localhost:${nport}`], 'the connected origin first, as Node');
  const got = await once<string[]>(client, 'origin');
  assert.equal(got, ['https://x.test', 'https://y.test:444']);
  assert.equal(client.originSet, [`https://localhost:${nport}`, 'https://x.test', 'https://y.test:444']);
  await closeSession(client);
  assert.is(client.originSet, undefined, 'destroyed: undefined');
  // errors as node:http2's
  const plain = await ourServer();
  const nn = http2.connect(plain.url);
  await once(nn, 'connect');
  while (!plain.sessions.length) await sleep(5);
  const nodeS = http2.createServer();
  const nodeSessions: any[] = [];
  nodeS.on('session', (s) => nodeSessions.push(s));
  const p2 = await listen(nodeS as unknown as Server);
  const nn2 = http2.connect(`http://127.0.0.1:${p2}`);
  await once(nn2, 'connect');
  while (!nodeSessions.length) await sleep(5);
  const cases: any[][] = [['file:///x'], ['not a url'], [1], [null], [{ origin: 2 }], ['https://a.test', 'file:///y'], [{ origin: 'null' }],
    Array.from({ length: 800 }, (_, i) => `https://host${i}.example`)];
  for (const args of cases) {
    assert.equal(thrown(() => plain.sessions[0].origin(...args)), thrown(() => nodeSessions[0].origin(...args)), JSON.stringify(args).slice(0, 40));
  }
  assert.equal((thrown(() => plain.sessions[0].origin('file:///x')) as any).code, 'ERR_HTTP2_INVALID_ORIGIN');
  assert.equal((thrown(() => plain.sessions[0].origin(...cases[cases.length - 1])) as any).code, 'ERR_HTTP2_ORIGIN_LENGTH');
  assert.is(plain.sessions[0].originSet, undefined, 'h2c: undefined, as Node');
  nn.destroy();
  nn2.destroy();
  await closeServer(plain.server);
  await closeServer(nodeS as unknown as Server);
  await closeServer(ns as unknown as Server);
  await closeServer(server);
});

test.run();
