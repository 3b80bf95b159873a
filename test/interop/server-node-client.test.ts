// A node:http2 (nghttp2) client against our server Session on a real TCP server.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import { once } from 'node:events';
import { ErrorCode } from '../../bindings/core/index.ts';
import { BODY_SIZES, HOST, KiB, MiB, body, scoped, sha256, sizeName, sleep, within } from './helpers/util.ts';
import { C, nodeClient, nodeRequest, type NodeClient, type NodeResponse } from './helpers/node-peers.ts';
import { ourServer, replacer, type SocketSession, type StreamRecord, type SocketSessionOptions } from './helpers/socket-session.ts';
import { ourRoute, type HashReply } from './helpers/routes.ts';

const test = suite('interop: node:http2 client ↔ our server');

const routed = (r: StreamRecord, conn: SocketSession) => {
  if (!ourRoute(r, conn)) conn.respond(r.id, [[':status', '404']], { endStream: true });
};

/** Our server and a node:http2 client connected to it. */
async function setup(s: Parameters<Parameters<typeof scoped>[0]>[0], opts: SocketSessionOptions = {}, clientOptions: http2.ClientSessionOptions = {}) {
  const srv = await ourServer(s, { onRequest: routed, ...opts });
  const nc = await nodeClient(s, srv.port, clientOptions);
  await within((async () => { while (!srv.conns.length) await sleep(1); })(), 5000, 'our server to accept');
  return { srv, nc, conn: srv.conns[0]! };
}

function clean(conn: SocketSession, nc: NodeClient) {
  assert.equal(conn.problems(), '', 'our server saw errors');
  assert.equal(nc.troubles, [], 'node:http2 client reported trouble');
}

const GET = (path: string) => ({ ':method': 'GET', ':path': path });
const POST = (path: string, extra: http2.OutgoingHttpHeaders = {}) => ({ ':method': 'POST', ':path': path, ...extra });
const closeOf = (p: Promise<any>, what: string, ms = 15_000) => within(p, ms, what);

for (const size of BODY_SIZES) {
  test(`GET, response body of ${sizeName(size)}`, scoped(async (s) => {
    const { conn, nc } = await setup(s);
    const res = await closeOf(nodeRequest(nc, GET(`/bytes/${size}`)), 'the response');
    assert.is(res.error, null, String(res.error) + conn.problems());
    assert.is(res.status, 200);
    assert.is(res.headers['content-length'], String(size));
    assert.is(res.octets, size);
    assert.is(res.hash, sha256(body(size)));
    clean(conn, nc);
  }, 30_000));

  test(`POST, request body of ${sizeName(size)}`, scoped(async (s) => {
    const { conn, nc } = await setup(s);
    let reply = '';
    const res = await closeOf(nodeRequest(nc, POST('/hash'), size ? body(size) : Buffer.alloc(0), {
      onStream: (req) => req.on('data', (c) => { reply += c; }),
    }), 'the response');
    assert.is(res.error, null, String(res.error) + conn.problems());
    assert.is(res.status, 200);
    assert.equal(JSON.parse(reply), { octets: size, hash: sha256(body(size)), trailers: null });
    clean(conn, nc);
  }, 30_000));
}

test('trailers: node:http2 → ours (request body then trailers)', scoped(async (s) => {
  const { conn, nc } = await setup(s);
  let reply = '';
  const res = await closeOf(nodeRequest(nc, POST('/hash'), body(100 * KiB), {
    trailers: { 'x-checksum': sha256(body(100 * KiB)), 'x-note': 'trailer from node' },
    onStream: (req) => req.on('data', (c) => { reply += c; }),
  }), 'the response');
  assert.is(res.status, 200, String(res.error) + conn.problems());
  const parsed: HashReply = JSON.parse(reply);
  assert.equal(parsed, { octets: 100 * KiB, hash: sha256(body(100 * KiB)), trailers: { 'x-checksum': sha256(body(100 * KiB)), 'x-note': 'trailer from node' } });
  clean(conn, nc);
}));

test('trailers: ours → node:http2 (response body then trailers)', scoped(async (s) => {
  const { conn, nc } = await setup(s);
  for (const n of [0, 70 * KiB]) {
    const res = await closeOf(nodeRequest(nc, GET(`/trailers/${n}`)), 'the response');
    assert.is(res.status, 200, String(res.error) + conn.problems());
    assert.is(res.hash, sha256(body(n)));
    assert.is(res.trailers?.['x-checksum'], sha256(body(n)), JSON.stringify(res.trailers));
    assert.is(res.trailers?.['x-octets'], String(n));
  }
  clean(conn, nc);
}));

test('100 concurrent streams', scoped(async (s) => {
  const { conn, nc } = await setup(s);
  await once(nc.client, 'remoteSettings');
  assert.is(nc.client.remoteSettings.maxConcurrentStreams, 100, 'our advertised limit');
  const size = (i: number) => i * 997;
  const all = await closeOf(Promise.all(Array.from({ length: 100 }, (_, i) => nodeRequest(nc, GET(`/bytes/${size(i)}`)))), '100 responses', 20_000);
  all.forEach((res: NodeResponse, i: number) => {
    assert.is(res.status, 200, String(res.error));
    assert.is(res.hash, sha256(body(size(i))));
  });
  clean(conn, nc);
}));

test('1xx: 103 Early Hints before the response', scoped(async (s) => {
  const { conn, nc } = await setup(s, {
    onRequest: (r, c) => {
      c.informational(r.id, [[':status', '103'], ['link', '</style.css>; rel=preload; as=style']]);
      setTimeout(() => { c.respond(r.id, [[':status', '200']]); c.data(r.id, new TextEncoder().encode('after hints'), { endStream: true }); }, 20);
    },
  });
  const res = await closeOf(nodeRequest(nc, GET('/')), 'the response');
  assert.is(res.status, 200, String(res.error) + conn.problems());
  assert.is(res.informational.length, 1);
  assert.is(res.informational[0]![':status'], 103);
  assert.is(res.informational[0]!.link, '</style.css>; rel=preload; as=style');
  clean(conn, nc);
}));

test('1xx: 100-continue: node waits for our 100 before sending its body', scoped(async (s) => {
  let continued = false;
  const { conn, nc } = await setup(s, {
    onRequest: (r, c) => {
      if (r.header('expect') !== '100-continue') { c.respond(r.id, [[':status', '417']], { endStream: true }); return; }
      setTimeout(() => {
        // Nothing of the body may have come before our 100.
        if (r.octets !== 0) { c.respond(r.id, [[':status', '400']], { endStream: true }); return; }
        continued = true;
        c.informational(r.id, [[':status', '100']]);
        routed(r, c);
      }, 50);
    },
  });
  let reply = '';
  const req = nc.client.request(POST('/hash', { expect: '100-continue' }));
  req.on('continue', () => req.end(body(MiB)));
  req.on('data', (ch) => { reply += ch; });
  const [headers] = await closeOf(once(req, 'response'), 'the response');
  assert.is(headers[':status'], 200, conn.problems());
  await closeOf(once(req, 'end'), 'the end of the response');
  assert.ok(continued);
  assert.equal(JSON.parse(reply), { octets: MiB, hash: sha256(body(MiB)), trailers: null });
  clean(conn, nc);
}));

test('server push: our push → node:http2 client stream event', scoped(async (s) => {
  const { conn, nc } = await setup(s, {
    onRequest: (r, c) => {
      const promised = c.push(r.id, [[':method', 'GET'], [':scheme', 'http'], [':authority', 'localhost'], [':path', '/pushed.txt'], ['x-pushed', 'yes']]);
      c.respond(promised, [[':status', '200'], ['content-type', 'text/plain']]);
      c.data(promised, new TextEncoder().encode('pushed body'), { endStream: true });
      c.respond(r.id, [[':status', '200']]);
      c.data(r.id, new TextEncoder().encode('parent body'), { endStream: true });
    },
  });
  const pushed = new Promise<{ request: http2.IncomingHttpHeaders; response: http2.IncomingHttpHeaders; text: string; id: number }>((resolve) => {
    nc.client.on('stream', (stream, requestHeaders) => {
      let t = '';
      let response: http2.IncomingHttpHeaders = {};
      stream.on('push', (h) => { response = h; });
      stream.on('data', (c) => { t += c; });
      stream.on('end', () => resolve({ request: requestHeaders, response, text: t, id: stream.id! }));
    });
  });
  let parent = '';
  const res = await closeOf(nodeRequest(nc, GET('/index.html'), null, { onStream: (req) => req.on('data', (c) => { parent += c; }) }), 'the response');
  assert.is(res.status, 200, String(res.error) + conn.problems());
  assert.is(parent, 'parent body');
  const p = await closeOf(pushed, 'the pushed stream');
  assert.is(p.id % 2, 0);
  assert.is(p.request[':path'], '/pushed.txt');
  assert.is(p.request['x-pushed'], 'yes');
  assert.is(p.response[':status'], 200);
  assert.is(p.text, 'pushed body');
  clean(conn, nc);
}));

test('RST_STREAM from node:http2 client mid-response; the connection goes on', scoped(async (s) => {
  const { conn, nc } = await setup(s);
  let got = 0;
  const res = await closeOf(nodeRequest(nc, GET(`/bytes/${16 * MiB}`), null, {
    onStream: (req) => req.on('data', (c) => {
      got += c.length;
      if (got >= 128 * KiB && !req.closed) req.close(C.NGHTTP2_CANCEL);
    }),
  }), 'the reset stream to close');
  assert.is(res.rstCode, C.NGHTTP2_CANCEL);
  const r = conn.streams.get(1)!;
  await conn.waitFor((e) => e.type === 'reset' && e.streamId === 1, 5000, 'our reset event');
  assert.is(r.reset, ErrorCode.CANCEL, r.describe());
  assert.ok(conn.session.bufferedAmount(1) === 0, 'queued body dropped');
  const next = await closeOf(nodeRequest(nc, GET(`/bytes/${MiB}`)), 'the next response');
  assert.is(next.hash, sha256(body(MiB)), String(next.error));
  assert.equal(conn.problems(), '');
}));

test('RST_STREAM from our server mid-response → node sees the code', scoped(async (s) => {
  const { conn, nc } = await setup(s, {
    onRequest: (r, c) => {
      c.respond(r.id, [[':status', '200'], ['content-length', String(MiB)]]);
      c.data(r.id, body(40 * KiB));
      setTimeout(() => c.reset(r.id, ErrorCode.INTERNAL_ERROR), 30);
    },
  });
  const res = await closeOf(nodeRequest(nc, GET('/')), 'the reset stream');
  assert.is(res.status, 200);
  assert.is(res.octets, 40 * KiB);
  assert.is(res.rstCode, C.NGHTTP2_INTERNAL_ERROR);
  assert.is(res.error?.code, 'ERR_HTTP2_STREAM_ERROR', String(res.error));
  const res2 = await closeOf(nodeRequest(nc, GET('/')), 'the connection goes on');
  assert.is(res2.rstCode, C.NGHTTP2_INTERNAL_ERROR);
  assert.equal(conn.problems(), '');
}));

test('RST_STREAM from our server mid-request-body; node stops sending', scoped(async (s) => {
  const { conn, nc } = await setup(s, {
    onRequest: (r, c) => {
      let sent = false;
      r.onData = () => {
        if (r.octets >= 32 * KiB && !sent) { sent = true; c.reset(r.id, ErrorCode.REFUSED_STREAM); }
      };
    },
  });
  const res = await closeOf(nodeRequest(nc, POST('/upload'), body(16 * MiB)), 'the reset stream');
  assert.is(res.rstCode, C.NGHTTP2_REFUSED_STREAM, String(res.error));
  assert.ok(conn.streams.get(1)!.octets < 16 * MiB);
  assert.equal(conn.problems(), '');
}));

test('RST_STREAM from node:http2 client mid-request-body', scoped(async (s) => {
  const { conn, nc } = await setup(s, { onRequest: () => {} });
  const req = nc.client.request(POST('/upload'));
  req.on('error', () => {});
  // close(code) while writes are still queued sends RST_STREAM alone (with nothing queued,
  // node:http2 would send END_STREAM first).
  req.write(body(16 * MiB));
  const r = await within((async () => { while (!(conn.streams.get(1)?.octets! >= 32 * KiB)) await sleep(2); return conn.streams.get(1)!; })(), 5000, 'our server to read 32 KiB');
  req.close(C.NGHTTP2_CANCEL);
  await within(r.done, 5000, 'our reset event');
  assert.is(r.reset, ErrorCode.CANCEL, r.describe());
  assert.not.ok(r.ended);
  assert.equal(conn.problems(), '');
}));

test('PING both ways', scoped(async (s) => {
  const { conn, nc } = await setup(s);
  const theirs = Buffer.from('nodejs:)');
  const [err, , echoed] = await within(new Promise<any[]>((resolve) => nc.client.ping(theirs, (...a) => resolve(a))), 5000, 'node ping callback');
  assert.is(err, null);
  assert.equal(Buffer.from(echoed), theirs);
  const ev = await conn.waitFor((e) => e.type === 'ping', 1000, 'a ping event');
  assert.equal(Buffer.from(ev.payload), theirs);
  const payload = new TextEncoder().encode('h2wasm!!');
  conn.ping(payload);
  const ack = await conn.waitFor((e) => e.type === 'ping-ack', 5000, 'PING ACK from node');
  assert.equal(Buffer.from(ack.payload), Buffer.from(payload));
  clean(conn, nc);
}));

test('SETTINGS from our server mid-connection: node sends larger frames into a larger window', scoped(async (s) => {
  const { conn, nc } = await setup(s, { observe: true });
  await closeOf(nodeRequest(nc, GET('/bytes/1')), 'a first exchange');
  const remote = once(nc.client, 'remoteSettings');
  conn.settings({ initialWindowSize: 4 * MiB, maxFrameSize: 64 * KiB });
  await conn.waitFor((e) => e.type === 'settings-ack' && e.settings.maxFrameSize === 64 * KiB, 5000, 'SETTINGS ACK');
  await within(remote, 5000, 'node remoteSettings');
  assert.is(nc.client.remoteSettings.initialWindowSize, 4 * MiB);
  assert.is(nc.client.remoteSettings.maxFrameSize, 64 * KiB);
  let reply = '';
  const res = await closeOf(nodeRequest(nc, POST('/hash'), body(16 * MiB), { onStream: (q) => q.on('data', (c) => { reply += c; }) }), 'the upload');
  assert.is(res.status, 200, String(res.error));
  assert.equal(JSON.parse(reply), { octets: 16 * MiB, hash: sha256(body(16 * MiB)), trailers: null });
  clean(conn, nc);
}, 30_000));

test('SETTINGS from node:http2 client mid-connection: we send larger frames, honour a shrunk window', scoped(async (s) => {
  const { conn, nc } = await setup(s, { observe: true });
  await closeOf(nodeRequest(nc, GET('/bytes/1')), 'a first exchange');
  const acked = new Promise((resolve) => nc.client.settings({ maxFrameSize: 64 * KiB, initialWindowSize: 2 * MiB }, resolve));
  const ev = await conn.waitFor((e) => e.type === 'settings' && e.settings.maxFrameSize === 64 * KiB, 5000, 'the new SETTINGS');
  assert.is(ev.settings.initialWindowSize, 2 * MiB);
  await within(acked, 5000, 'node settings ACK');
  const res = await closeOf(nodeRequest(nc, GET(`/bytes/${MiB}`)), 'the download');
  assert.is(res.hash, sha256(body(MiB)), String(res.error));
  const id = Math.max(...conn.streams.keys());
  const isData = (f: any) => f.direction === 'send' && (f.type === 'DATA' || f.type === 0) && f.streamId === id;
  const largest = Math.max(...conn.frames.filter(isData).map((f) => f.length));
  assert.ok(largest > 16 * KiB && largest <= 64 * KiB, `largest DATA frame sent: ${largest}`);

  // Shrink the initial window while our response is under way, then grow it back (§6.9.2).
  let shrunk = false;
  const res2 = await closeOf(nodeRequest(nc, GET(`/bytes/${16 * MiB}`), null, {
    onStream: (req) => req.on('data', () => {
      if (shrunk) return;
      shrunk = true;
      nc.client.settings({ initialWindowSize: 100 });
      setTimeout(() => nc.client.settings({ initialWindowSize: 256 * KiB }), 100);
    }),
  }), 'the second download', 20_000);
  assert.ok(shrunk);
  assert.is(res2.hash, sha256(body(16 * MiB)), String(res2.error) + conn.problems());
  clean(conn, nc);
}, 30_000));

test('GOAWAY from our server (graceful, two-step) with streams in flight: they complete', scoped(async (s) => {
  const held: StreamRecord[] = [];
  const { conn, nc } = await setup(s, {
    onRequest: (r, c) => {
      held.push(r);
      if (held.length < 5) return;
      c.goaway();
      // Answer once the final GOAWAY is out (after the PING round trip), and a bit later.
      setTimeout(() => held.forEach((x) => { c.respond(x.id, [[':status', '200']]); c.data(x.id, body(1000 * x.id), { endStream: true }); }), 100);
    },
  });
  const goaways: number[][] = [];
  nc.client.on('goaway', (code: number, last: number) => goaways.push([code, last]));
  const all = Promise.all(Array.from({ length: 5 }, () => nodeRequest(nc, GET('/slow'))));
  const results = await closeOf(all, 'streams in flight');
  results.forEach((res: NodeResponse, i: number) => {
    assert.is(res.status, 200, String(res.error));
    assert.is(res.hash, sha256(body(1000 * (2 * i + 1))));
  });
  assert.ok(goaways.length >= 1, 'node saw GOAWAY');
  assert.ok(goaways.every(([code]) => code === C.NGHTTP2_NO_ERROR), JSON.stringify(goaways));
  assert.is(goaways[goaways.length - 1]![1], 9, `final last stream id: ${JSON.stringify(goaways)}`);
  // New requests fail on node's side.
  assert.throws(() => nc.client.request(GET('/')), (e: any) => /GOAWAY|closed|destroyed/i.test(`${e.code} ${e.message}`));
  clean(conn, nc);
}));

test('GOAWAY from node:http2 client (close()) with streams in flight: they complete', scoped(async (s) => {
  const held: StreamRecord[] = [];
  const { conn, nc } = await setup(s, {
    onRequest: (r) => { held.push(r); },
  });
  const all = Promise.all(Array.from({ length: 5 }, () => nodeRequest(nc, GET('/slow'))));
  await within((async () => { while (held.length < 5) await sleep(2); })(), 5000, 'our server to see 5 streams');
  nc.client.close();
  const goaway = await conn.waitFor((e) => e.type === 'goaway', 5000, 'GOAWAY from node');
  assert.is(goaway.code, ErrorCode.NO_ERROR);
  for (const x of held) { conn.respond(x.id, [[':status', '200']]); conn.data(x.id, body(x.id), { endStream: true }); }
  const results = await closeOf(all, 'streams in flight');
  results.forEach((res: NodeResponse, i: number) => assert.is(res.hash, sha256(body(2 * i + 1)), String(res.error)));
  await within(conn.closedPromise, 5000, 'node to close the connection');
  clean(conn, nc);
}));

test.run();
