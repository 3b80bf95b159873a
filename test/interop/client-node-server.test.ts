// Our client Session, driven over a real TCP socket, against a node:http2 (nghttp2) server.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import { once } from 'node:events';
import { ErrorCode } from '../../bindings/core/index.ts';
import { BODY_SIZES, KiB, MiB, body, scoped, sha256, sizeName, sleep, within } from './helpers/util.ts';
import { C, nodeServer, readAll, type NodeServer } from './helpers/node-peers.ts';
import { ourClient, requestHeaders, replacer, type SocketSession, type StreamRecord } from './helpers/socket-session.ts';
import { nodeRoute, text, type HashReply } from './helpers/routes.ts';

const test = suite('interop: our client ↔ node:http2 server');

/** Nothing went wrong on either side. */
function clean(conn: SocketSession, ns: NodeServer) {
  assert.equal(conn.problems(), '', 'our client saw errors');
  assert.equal(ns.troubles, [], 'node:http2 server reported trouble');
}

const done = (r: StreamRecord, ms = 15_000) => within(r.done, ms, `stream ${r.id} to end`);
const routed = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
  if (!nodeRoute(stream, headers)) { stream.respond({ ':status': 404 }); stream.end(); }
};

for (const size of BODY_SIZES) {
  test(`GET, response body of ${sizeName(size)}`, scoped(async (s) => {
    const ns = await nodeServer(s, routed);
    const conn = await ourClient(s, ns.port);
    const r = conn.request(requestHeaders('GET', `/bytes/${size}`, ns.port), { endStream: true });
    await done(r);
    assert.is(r.status, 200, r.describe() + conn.problems());
    assert.ok(r.ended, r.describe());
    assert.is(r.octets, size);
    assert.is(r.digest(), sha256(body(size)));
    clean(conn, ns);
  }, 30_000));

  test(`POST, request body of ${sizeName(size)}`, scoped(async (s) => {
    const ns = await nodeServer(s, routed);
    const conn = await ourClient(s, ns.port, { keepChunks: true });
    const r = conn.request(requestHeaders('POST', '/hash', ns.port), { endStream: size === 0 });
    if (size) conn.data(r.id, body(size), { endStream: true });
    await done(r);
    assert.is(r.status, 200, r.describe() + conn.problems());
    const reply: HashReply = JSON.parse(text(r));
    assert.equal(reply, { octets: size, hash: sha256(body(size)), trailers: null });
    clean(conn, ns);
  }, 30_000));
}

test('trailers: ours → node:http2 (POST body then trailers)', scoped(async (s) => {
  const ns = await nodeServer(s, routed);
  const conn = await ourClient(s, ns.port, { keepChunks: true });
  const r = conn.request(requestHeaders('POST', '/hash', ns.port));
  conn.data(r.id, body(100 * KiB));
  conn.trailers(r.id, [['x-checksum', sha256(body(100 * KiB))], ['x-note', 'trailer from h2wasm']]);
  await done(r);
  const reply: HashReply = JSON.parse(text(r));
  assert.is(reply.octets, 100 * KiB);
  assert.is(reply.hash, sha256(body(100 * KiB)));
  assert.equal(reply.trailers, { 'x-checksum': sha256(body(100 * KiB)), 'x-note': 'trailer from h2wasm' });
  clean(conn, ns);
}));

test('trailers: node:http2 → ours (response body then trailers)', scoped(async (s) => {
  const ns = await nodeServer(s, routed);
  const conn = await ourClient(s, ns.port);
  for (const n of [0, 70 * KiB]) {
    const r = conn.request(requestHeaders('GET', `/trailers/${n}`, ns.port), { endStream: true });
    await done(r);
    assert.is(r.status, 200, r.describe());
    assert.is(r.octets, n);
    assert.ok(r.ended);
    assert.equal(r.trailers, [['x-checksum', sha256(body(n))], ['x-octets', String(n)]], `trailers after ${n} octets`);
  }
  clean(conn, ns);
}));

test('100 concurrent streams', scoped(async (s) => {
  const ns = await nodeServer(s, routed);
  const conn = await ourClient(s, ns.port);
  // Let node's SETTINGS arrive first, so its limits are known.
  await conn.waitFor((e) => e.type === 'settings', 5000, 'node SETTINGS');
  const size = (i: number) => i * 997;
  const rs = Array.from({ length: 100 }, (_, i) => conn.request(requestHeaders('GET', `/bytes/${size(i)}`, ns.port), { endStream: true }));
  await within(Promise.all(rs.map((r) => r.done)), 20_000, '100 streams');
  rs.forEach((r, i) => {
    assert.is(r.status, 200, r.describe());
    assert.is(r.octets, size(i), r.describe());
    assert.is(r.digest(), sha256(body(size(i))), r.describe());
  });
  assert.is(new Set(rs.map((r) => r.id)).size, 100);
  clean(conn, ns);
}));

test('1xx: 103 Early Hints before the response', scoped(async (s) => {
  const ns = await nodeServer(s, (stream) => {
    stream.additionalHeaders({ ':status': 103, link: '</style.css>; rel=preload; as=style' });
    setTimeout(() => { stream.respond({ ':status': 200 }); stream.end('after hints'); }, 20);
  });
  const conn = await ourClient(s, ns.port, { keepChunks: true });
  const r = conn.request(requestHeaders('GET', '/', ns.port), { endStream: true });
  await done(r);
  assert.equal(r.informational, [[[':status', '103'], ['link', '</style.css>; rel=preload; as=style']]]);
  assert.is(r.status, 200);
  assert.is(text(r), 'after hints');
  const kinds = conn.log.filter((e) => e.streamId === r.id).map((e) => e.type);
  assert.ok(kinds.indexOf('informational') < kinds.indexOf('response'), kinds.join());
  clean(conn, ns);
}));

test('1xx: 100-continue before sending the request body', scoped(async (s) => {
  let sawExpect = '';
  const ns = await nodeServer(s, null, {}, () => {});
  ns.server.removeAllListeners('request');
  ns.server.on('checkContinue', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    sawExpect = String(req.headers.expect);
    res.writeContinue();
    readAll(req).then(({ octets, hash }) => res.end(JSON.stringify({ octets, hash, trailers: null })));
  });
  const conn = await ourClient(s, ns.port, { keepChunks: true });
  const r = conn.request(requestHeaders('POST', '/upload', ns.port, [['expect', '100-continue']]));
  await conn.waitFor((e) => e.type === 'informational' && e.streamId === r.id, 5000, '100 Continue');
  assert.equal(r.informational[0], [[':status', '100']]);
  assert.is(r.octets, 0);
  conn.data(r.id, body(MiB), { endStream: true });
  await done(r);
  assert.is(sawExpect, '100-continue');
  assert.is(r.status, 200, r.describe());
  assert.equal(JSON.parse(text(r)), { octets: MiB, hash: sha256(body(MiB)), trailers: null });
  clean(conn, ns);
}));

test('server push: node:http2 pushStream → our push event', scoped(async (s) => {
  const ns = await nodeServer(s, (stream, headers) => {
    stream.pushStream({ ':path': '/pushed.txt', 'x-pushed': 'yes' }, (err, push) => {
      if (err) { stream.respond({ ':status': 500 }); stream.end(String(err)); return; }
      push.respond({ ':status': 200, 'content-type': 'text/plain' });
      push.end('pushed body');
      stream.respond({ ':status': 200 });
      stream.end('parent body');
    });
  });
  const conn = await ourClient(s, ns.port, { keepChunks: true, session: { settings: { enablePush: true } } });
  const r = conn.request(requestHeaders('GET', '/index.html', ns.port), { endStream: true });
  const ev = await conn.waitFor((e) => e.type === 'push', 5000, 'a push event');
  assert.is(ev.streamId, r.id);
  assert.is(ev.promisedStreamId % 2, 0);
  const h = Object.fromEntries(ev.headers);
  assert.is(h[':path'], '/pushed.txt');
  assert.is(h[':method'], 'GET');
  assert.is(h['x-pushed'], 'yes');
  const p = conn.stream(ev.promisedStreamId);
  await done(p);
  await done(r);
  assert.is(p.status, 200, p.describe());
  assert.is(text(p), 'pushed body');
  assert.is(r.status, 200);
  assert.is(text(r), 'parent body');
  clean(conn, ns);
}));

test('RST_STREAM from our client mid-response; the connection goes on', scoped(async (s) => {
  let closedResolve: (code: number | undefined) => void;
  const closed = new Promise<number | undefined>((resolve) => { closedResolve = resolve; });
  // node:http2 keeps counting the 16 MiB queued on the reset stream against maxSessionMemory
  // (10 MB) and would refuse the next stream with ENHANCE_YOUR_CALM (node ↔ node does the same).
  const ns = await nodeServer(s, (stream, headers) => {
    if (stream.id === 1) stream.on('close', () => closedResolve(stream.rstCode));
    routed(stream, headers);
  }, { maxSessionMemory: 64 });
  const conn = await ourClient(s, ns.port);
  const r = conn.request(requestHeaders('GET', `/bytes/${16 * MiB}`, ns.port), { endStream: true });
  let resetAt = -1;
  r.onData = () => {
    if (resetAt < 0 && r.octets >= 128 * KiB) {
      resetAt = r.octets;
      conn.reset(r.id, ErrorCode.CANCEL);
    }
  };
  const code = await within(closed, 10_000, 'node server stream close');
  assert.is(code, C.NGHTTP2_CANCEL, 'node:http2 server stream rstCode');
  assert.ok(resetAt >= 128 * KiB);
  assert.ok(r.octets < 16 * MiB);
  // DATA still in flight must not break connection flow control: more transfers work.
  const next = conn.request(requestHeaders('GET', `/bytes/${MiB}`, ns.port), { endStream: true });
  await done(next);
  assert.is(next.digest(), sha256(body(MiB)), next.describe());
  clean(conn, ns);
}));

test('RST_STREAM from node:http2 mid-response → our reset event', scoped(async (s) => {
  const ns = await nodeServer(s, (stream) => {
    stream.respond({ ':status': 200, 'content-length': String(MiB) });
    // destroy(err) sends RST_STREAM(INTERNAL_ERROR); close(code) would end the stream first.
    stream.write(body(64 * KiB).subarray(0, 40 * KiB), () => stream.destroy(new Error('reset by the test')));
  });
  const conn = await ourClient(s, ns.port);
  const r = conn.request(requestHeaders('GET', '/', ns.port), { endStream: true });
  await done(r);
  assert.is(r.reset, ErrorCode.INTERNAL_ERROR, r.describe());
  assert.is(r.status, 200);
  assert.not.ok(r.ended);
  assert.ok(r.octets <= 40 * KiB, r.describe());
  const next = conn.request(requestHeaders('GET', '/', ns.port), { endStream: true });
  await done(next);
  assert.is(next.reset, ErrorCode.INTERNAL_ERROR, 'the connection goes on');
  assert.equal(conn.problems(), '');
}));

test('RST_STREAM from our client mid-request-body', scoped(async (s) => {
  let seen = 0;
  let closedResolve: (code: number | undefined) => void;
  const closed = new Promise<number | undefined>((resolve) => { closedResolve = resolve; });
  const ns = await nodeServer(s, (stream) => {
    stream.on('close', () => closedResolve(stream.rstCode));
    stream.on('data', (c: Buffer) => { seen += c.length; });
    stream.on('error', () => {});
  });
  const conn = await ourClient(s, ns.port);
  const r = conn.request(requestHeaders('POST', '/upload', ns.port));
  conn.data(r.id, body(16 * MiB), { endStream: true });
  await within((async () => { while (seen < 32 * KiB) await sleep(2); })(), 5000, 'node to read 32 KiB');
  conn.reset(r.id, ErrorCode.CANCEL);
  assert.is(await within(closed, 5000, 'node stream close'), C.NGHTTP2_CANCEL);
  assert.ok(seen < 16 * MiB);
  assert.is(conn.session.bufferedAmount(r.id), 0, 'queued body octets dropped after reset');
  assert.equal(conn.problems(), '');
}));

test('RST_STREAM from node:http2 mid-request-body; the rest of our body is dropped', scoped(async (s) => {
  const ns = await nodeServer(s, (stream, headers) => {
    if (headers[':path'] !== '/upload') { routed(stream, headers); return; }
    let seen = 0;
    stream.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen >= 32 * KiB && !stream.closed) stream.close(C.NGHTTP2_REFUSED_STREAM);
    });
    stream.on('error', () => {});
  });
  const conn = await ourClient(s, ns.port);
  const r = conn.request(requestHeaders('POST', '/upload', ns.port));
  conn.data(r.id, body(16 * MiB), { endStream: true });
  await done(r);
  assert.is(r.reset, ErrorCode.REFUSED_STREAM, r.describe() + conn.problems());
  assert.is(conn.session.bufferedAmount(r.id), 0, 'queued body octets dropped after reset');
  const next = conn.request(requestHeaders('GET', `/bytes/${MiB}`, ns.port), { endStream: true });
  await done(next);
  assert.is(next.digest(), sha256(body(MiB)), next.describe());
  assert.equal(conn.problems(), '');
}));

test('PING both ways', scoped(async (s) => {
  const ns = await nodeServer(s, routed);
  const conn = await ourClient(s, ns.port);
  const payload = new TextEncoder().encode('h2wasm!!');
  const sent = conn.ping(payload);
  assert.equal(Buffer.from(sent), Buffer.from(payload));
  const ack = await conn.waitFor((e) => e.type === 'ping-ack', 5000, 'PING ACK from node');
  assert.equal(Buffer.from(ack.payload), Buffer.from(payload));
  // node:http2 pings us; we must acknowledge with the same payload.
  const nodeSession = await ns.session();
  const theirs = Buffer.from('nodejs:)');
  const [err, , echoed] = await within(new Promise<any[]>((resolve) => nodeSession.ping(theirs, (...a) => resolve(a))), 5000, 'node ping callback');
  assert.is(err, null);
  assert.equal(Buffer.from(echoed), theirs);
  const ev = await conn.waitFor((e) => e.type === 'ping', 1000, 'a ping event');
  assert.equal(Buffer.from(ev.payload), theirs);
  clean(conn, ns);
}));

test('SETTINGS from our client mid-connection: larger window and frames', scoped(async (s) => {
  const ns = await nodeServer(s, routed);
  const conn = await ourClient(s, ns.port);
  const first = conn.request(requestHeaders('GET', `/bytes/${MiB}`, ns.port), { endStream: true });
  await done(first);
  const nodeSession = await ns.session();
  const remote = once(nodeSession, 'remoteSettings');
  conn.settings({ initialWindowSize: 4 * MiB, maxFrameSize: 128 * KiB });
  await conn.waitFor((e) => e.type === 'settings-ack' && e.settings.maxFrameSize === 128 * KiB, 5000, 'SETTINGS ACK');
  await within(remote, 5000, 'node remoteSettings');
  assert.is(nodeSession.remoteSettings.initialWindowSize, 4 * MiB);
  assert.is(nodeSession.remoteSettings.maxFrameSize, 128 * KiB);
  assert.is(conn.session.localSettings.initialWindowSize, 4 * MiB);
  const r = conn.request(requestHeaders('GET', `/bytes/${16 * MiB}`, ns.port), { endStream: true });
  await done(r);
  assert.is(r.digest(), sha256(body(16 * MiB)), r.describe());
  clean(conn, ns);
}));

test('SETTINGS from node:http2 mid-connection: we send larger frames, honour a shrunk window', scoped(async (s) => {
  const ns = await nodeServer(s, routed);
  const conn = await ourClient(s, ns.port, { keepChunks: true, observe: true });
  await conn.waitFor((e) => e.type === 'settings', 5000, 'node SETTINGS');
  const nodeSession = await ns.session();
  const acked = new Promise((resolve) => nodeSession.settings({ maxFrameSize: 64 * KiB, initialWindowSize: 2 * MiB }, resolve));
  const ev = await conn.waitFor((e) => e.type === 'settings' && e.settings.maxFrameSize === 64 * KiB, 5000, 'the new SETTINGS');
  assert.is(ev.settings.initialWindowSize, 2 * MiB);
  await within(acked, 5000, 'node settings ACK');
  assert.is(conn.session.remoteSettings.maxFrameSize, 64 * KiB);
  const r = conn.request(requestHeaders('POST', '/hash', ns.port));
  conn.data(r.id, body(MiB), { endStream: true });
  await done(r);
  assert.equal(JSON.parse(text(r)), { octets: MiB, hash: sha256(body(MiB)), trailers: null });
  const isData = (f: any) => f.direction === 'send' && (f.type === 'DATA' || f.type === 0) && f.streamId === r.id;
  const largest = Math.max(...conn.frames.filter(isData).map((f) => f.length));
  assert.ok(largest > 16 * KiB && largest <= 64 * KiB, `largest DATA frame sent: ${largest}`);

  // Shrink the initial window while our upload is under way, then grow it back (§6.9.2).
  let shrunk = false;
  const ns2 = await nodeServer(s, (stream, headers) => {
    stream.on('data', () => {
      if (shrunk) return;
      shrunk = true;
      stream.session!.settings({ initialWindowSize: 100 });
      setTimeout(() => stream.session!.settings({ initialWindowSize: 256 * KiB }), 100);
    });
    routed(stream, headers);
  });
  const conn2 = await ourClient(s, ns2.port, { keepChunks: true });
  const r2 = conn2.request(requestHeaders('POST', '/hash', ns2.port));
  conn2.data(r2.id, body(16 * MiB), { endStream: true });
  await done(r2);
  assert.ok(shrunk);
  assert.equal(JSON.parse(text(r2)), { octets: 16 * MiB, hash: sha256(body(16 * MiB)), trailers: null }, r2.describe() + conn2.problems());
  clean(conn, ns);
  clean(conn2, ns2);
}, 30_000));

test('GOAWAY from node:http2 (graceful close) with streams in flight: they complete', scoped(async (s) => {
  const held: http2.ServerHttp2Stream[] = [];
  const ns = await nodeServer(s, (stream) => {
    held.push(stream);
    if (held.length < 5) return;
    stream.session!.close();
    setTimeout(() => held.forEach((x, i) => { x.respond({ ':status': 200 }); x.end(body(1000 * i + 1)); }), 50);
  });
  const conn = await ourClient(s, ns.port);
  const rs = Array.from({ length: 5 }, () => conn.request(requestHeaders('GET', '/slow', ns.port), { endStream: true }));
  const goaway = await conn.waitFor((e) => e.type === 'goaway', 5000, 'GOAWAY');
  assert.is(goaway.code, ErrorCode.NO_ERROR);
  await within(Promise.all(rs.map((r) => r.done)), 5000, 'streams in flight');
  rs.forEach((r, i) => {
    assert.is(r.status, 200, r.describe());
    assert.is(r.digest(), sha256(body(1000 * i + 1)), r.describe());
  });
  assert.ok(rs.every((r) => r.id <= goaway.lastStreamId), `last stream id ${goaway.lastStreamId}`);
  assert.throws(() => conn.session.request(requestHeaders('GET', '/', ns.port), { endStream: true }), undefined, 'no new streams after GOAWAY');
  await within(conn.closedPromise, 5000, 'node to close the connection');
  clean(conn, ns);
}));

test('GOAWAY from node:http2 with a last stream id below some of our streams', scoped(async (s) => {
  const held: http2.ServerHttp2Stream[] = [];
  const ns = await nodeServer(s, (stream) => {
    held.push(stream);
    if (held.length < 5) return;
    const session = stream.session!;
    session.goaway(C.NGHTTP2_NO_ERROR, 5);
    setTimeout(() => held.filter((x) => x.id! <= 5).forEach((x) => { x.respond({ ':status': 200 }); x.end(`stream ${x.id}`); }), 50);
  });
  const conn = await ourClient(s, ns.port, { keepChunks: true });
  const rs = Array.from({ length: 5 }, () => conn.request(requestHeaders('GET', '/slow', ns.port), { endStream: true }));
  assert.equal(rs.map((r) => r.id), [1, 3, 5, 7, 9]);
  const goaway = await conn.waitFor((e) => e.type === 'goaway', 5000, 'GOAWAY');
  assert.is(goaway.lastStreamId, 5);
  await within(Promise.all(rs.slice(0, 3).map((r) => r.done)), 5000, 'streams 1, 3, 5');
  for (const r of rs.slice(0, 3)) assert.is(text(r), `stream ${r.id}`, r.describe());
  // 7 and 9 were not processed: the client must learn that (RFC 9113 §6.8), not wait forever.
  await within(Promise.all(rs.slice(3).map((r) => r.done)), 3000, 'streams 7 and 9 to be failed by the GOAWAY');
  for (const r of rs.slice(3)) {
    assert.is(r.status, null, r.describe());
    assert.ok(r.reset !== null || r.error !== null, r.describe());
    if (r.error) assert.is(r.error.code, ErrorCode.REFUSED_STREAM, r.describe());
  }
  // node:http2 refuses 7 and 9 on its side (stream errors there); nothing else may go wrong.
  assert.equal(ns.troubles.filter((t) => !/stream [79] error: .*REFUSED_STREAM/.test(t)), []);
  assert.equal(conn.failures, []);
  assert.equal(conn.errors.filter((e) => !(e.scope === 'stream' && (e.streamId === 7 || e.streamId === 9))), []);
}));

test('GOAWAY from our client with streams in flight: they complete', scoped(async (s) => {
  const held: http2.ServerHttp2Stream[] = [];
  let nodeGoaway: number[] | null = null;
  const ns = await nodeServer(s, (stream) => {
    held.push(stream);
    if (held.length === 1) stream.session!.on('goaway', (code: number, last: number) => {
      nodeGoaway = [code, last];
      held.forEach((x) => { x.respond({ ':status': 200 }); x.end(`stream ${x.id}`); });
    });
  });
  const conn = await ourClient(s, ns.port, { keepChunks: true });
  const rs = Array.from({ length: 5 }, () => conn.request(requestHeaders('GET', '/slow', ns.port), { endStream: true }));
  await within((async () => { while (held.length < 5) await sleep(2); })(), 5000, 'node to see 5 streams');
  conn.goaway();
  await within(Promise.all(rs.map((r) => r.done)), 5000, 'streams in flight');
  for (const r of rs) assert.is(text(r), `stream ${r.id}`, r.describe());
  assert.is(nodeGoaway![0], C.NGHTTP2_NO_ERROR);
  assert.ok(conn.session.state.goawaySent);
  clean(conn, ns);
}));

test.run();
