// RFC 9113 §8 requirements that MUSTS.md listed as GAP or covered in part: what a Session
// refuses to send (checked on the wire by the scripted peer: the call throws AND nothing goes
// out), field-name validation beyond the minimal checks, Host against :authority, push
// ordering, and CONNECT tunnels. Expectations come from the RFC text.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType } from '../helpers/frames.ts';
import { block, indexed, withoutIndexing } from '../helpers/hpack-wire.ts';
import { GET, connectClient, connectServer, destroySessions, req, type Headers, type ScriptedPeer } from '../helpers/peer.ts';

const test = suite('RFC 9113 §8 gaps');
test.after.each(destroySessions);

const OK: Headers = [[':status', '200']];
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/** `fn` throws (with `code`, when given) and the session sends nothing because of it. */
function refused(peer: ScriptedPeer, fn: () => unknown, what: string, code?: string): void {
  peer.flush();
  const before = peer.received.length;
  let threw: unknown;
  try {
    fn();
  } catch (e) {
    threw = e;
  }
  assert.ok(threw, `${what}: the call throws`);
  if (code) assert.is((threw as { code?: string }).code, code, `${what}: error code`);
  peer.flush();
  const sent = peer.received.slice(before);
  assert.is(sent.length, 0, `${what}: nothing is sent (got ${sent.map((f) => `${f.type}[${f.streamId}]`).join(', ')})`);
}

/** A server Session with request 1 received (GET, END_STREAM). */
function serverWithRequest() {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.event('request');
  return { server, peer };
}

// ---------------------------------------------------------------- §8.1, §8.3: trailers and pseudo-headers we send

test('§8.1 a server Session: trailers() with a pseudo-header field throws and sends nothing', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, req({ ':method': 'POST' }));
  server.respond(1, OK);
  server.data(1, bytes('body'));
  peer.flush();
  refused(peer, () => server.trailers(1, [[':status', '200']]), 'trailers(:status)', 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  refused(peer, () => server.trailers(1, [['x-ok', '1'], [':path', '/']]), 'trailers(x-ok, :path)', 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  server.trailers(1, [['x-checksum', 'abc']]);
  const t = peer.wantHeaders(1, { endStream: true });
  assert.equal(t.headers, [['x-checksum', 'abc']], 'valid trailers still go out afterwards');
});

test('§8.1 a client Session: trailers() with a pseudo-header field throws and sends nothing', () => {
  const { client, peer } = connectClient();
  const id = client.request(req({ ':method': 'POST' }));
  peer.wantHeaders(id);
  refused(peer, () => client.trailers(id, [[':method', 'GET']]), 'trailers(:method)', 'ERR_HTTP2_INVALID_PSEUDOHEADER');
});

test('§8.3 no pseudo-header beyond those defined: respond(:protocol), respond(:foo), push(:foo) throw and send nothing', () => {
  const { server, peer } = serverWithRequest();
  refused(peer, () => server.respond(1, [[':status', '200'], [':protocol', 'websocket']]), 'respond(:protocol)', 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  refused(peer, () => server.respond(1, [[':status', '200'], [':foo', 'x']]), 'respond(:foo)', 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  refused(peer, () => server.push(1, [...req({ ':path': '/p' }), [':foo', 'x']]), 'push(:foo)', 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  server.respond(1, OK, { endStream: true });
  peer.wantHeaders(1, { endStream: true });
});

test('§8.3 request pseudo-headers never in responses: respond(:path), informational(:method) throw and send nothing', () => {
  const { server, peer } = serverWithRequest();
  refused(peer, () => server.respond(1, [[':status', '200'], [':path', '/']]), 'respond(:path)', 'ERR_HTTP2_INVALID_PSEUDOHEADER');
  refused(peer, () => server.informational(1, [[':status', '103'], [':method', 'GET']]), 'informational(:method)', 'ERR_HTTP2_INVALID_PSEUDOHEADER');
});

test('§8.3 response pseudo-headers never in requests: request(:status) throws and sends nothing', () => {
  const { client, peer } = connectClient();
  refused(peer, () => client.request([...GET, [':status', '200']]), 'request(:status)', 'ERR_HTTP2_INVALID_PSEUDOHEADER');
});

test('§8.3 a pseudo-header at most once: request() with :path twice, respond() with :status twice throw and send nothing', () => {
  const { client, peer } = connectClient();
  refused(peer, () => client.request([...GET, [':path', '/other']]), 'request(:path twice)', 'ERR_HTTP2_HEADER_SINGLE_VALUE');
  const s = serverWithRequest();
  refused(s.peer, () => s.server.respond(1, [[':status', '200'], [':status', '200']]), 'respond(:status twice)', 'ERR_HTTP2_HEADER_SINGLE_VALUE');
});

test('§8.3 pseudo-headers first: respond() given :status after a regular field puts it first on the wire', () => {
  const { server, peer } = serverWithRequest();
  server.respond(1, [['content-type', 'text/plain'], [':status', '200']], { endStream: true });
  const h = peer.wantHeaders(1, { endStream: true });
  assert.equal(h.headers.map(([n]) => n), [':status', 'content-type']);
});

// ---------------------------------------------------------------- §8.2 field names we send

test('§8.2 a client Session: request() and trailers() with an uppercase field name throw or lowercase it', () => {
  const { client, peer } = connectClient();
  let id = 0;
  try {
    id = client.request([...GET, ['X-Upper', 'v']]);
  } catch {
    id = 0;
  }
  peer.flush();
  if (id) {
    const h = peer.wantHeaders(id);
    assert.ok(!h.headers.some(([n]) => /[A-Z]/.test(n)), `no uppercase name on the wire: ${JSON.stringify(h.headers)}`);
  } else peer.wantNothing();
  const post = client.request(req({ ':method': 'POST' }));
  peer.wantHeaders(post);
  let sent = true;
  try {
    client.trailers(post, [['X-Trailer', 'v']]);
  } catch {
    sent = false;
  }
  peer.flush();
  if (sent) {
    const t = peer.wantHeaders(post, { endStream: true });
    assert.ok(!t.headers.some(([n]) => /[A-Z]/.test(n)), `no uppercase trailer name on the wire: ${JSON.stringify(t.headers)}`);
  } else peer.wantNothing();
});

test('§8.2.2 request() with te other than "trailers" throws and sends nothing; te: trailers goes out', () => {
  const { client, peer } = connectClient();
  refused(peer, () => client.request([...GET, ['te', 'gzip']]), 'request(te: gzip)', 'ERR_HTTP2_INVALID_CONNECTION_HEADERS');
  const id = client.request([...GET, ['te', 'trailers']], { endStream: true });
  const h = peer.wantHeaders(id);
  assert.ok(h.headers.some(([n, v]) => n === 'te' && v === 'trailers'));
});

// ---------------------------------------------------------------- §8.2.1 field names we receive

for (const name of ['x(y', 'x"y', 'x@y', 'x{y', 'x:y', 'x/y']) {
  test(`§8.2.1 a request field name with a non-token character (${JSON.stringify(name)}) → stream error PROTOCOL_ERROR`, () => {
    const { peer } = connectServer();
    peer.writeHeaders(1, block(indexed(2), indexed(7), indexed(4), withoutIndexing(1, 'example.com'), withoutIndexing(name, 'v')), { endStream: true });
    peer.wantStreamError(1, ErrorCode.PROTOCOL_ERROR);
    peer.noEvent('request');
  });
}

test('§8.2.1 a malformed request is answered with 400 before the reset (an uppercase field name)', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, block(indexed(2), indexed(7), indexed(4), withoutIndexing(1, 'example.com'), withoutIndexing('X-Upper', 'v')), { endStream: true });
  const h = peer.takeFrame(FrameType.HEADERS, { streamId: 1 });
  assert.ok(h, '§8.2.1 (SHOULD): a 400 response precedes the RST_STREAM');
  assert.equal(h!.headers?.find(([n]) => n === ':status'), [':status', '400']);
});

// ---------------------------------------------------------------- §8.3.1 :authority, Host, :path

test('§8.3.1 a client Session: request() with a Host that differs from :authority throws or drops Host', () => {
  const { client, peer } = connectClient();
  let id = 0;
  try {
    id = client.request([...GET, ['host', 'other.example']], { endStream: true });
  } catch {
    id = 0;
  }
  peer.flush();
  if (!id) return peer.wantNothing();
  const h = peer.wantHeaders(id);
  const host = h.headers.find(([n]) => n === 'host');
  assert.ok(!host || host[1] === 'example.com', `§8.3.1: Host MUST NOT differ from :authority (sent ${JSON.stringify(h.headers)})`);
});

test('§8.3.1 a server Session: a request whose Host names another authority than :authority → stream error PROTOCOL_ERROR; the same authority is accepted', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [...GET, ['host', 'example.com']], { endStream: true });
  peer.event('request', (e) => e.streamId === 1);
  peer.writeHeaders(3, [...GET, ['host', 'other.example']], { endStream: true });
  peer.wantStreamError(3, ErrorCode.PROTOCOL_ERROR);
  peer.noEvent('request', (e) => e.streamId === 3);
});

test('§8.3.1 request() with userinfo in :authority for https throws and sends nothing', () => {
  const { client, peer } = connectClient();
  refused(peer, () => client.request(req({ ':authority': 'user:pass@example.com' })), 'request(:authority user:pass@…)');
});

test('§8.3.1 request() with an empty :path for https throws and sends nothing', () => {
  const { client, peer } = connectClient();
  refused(peer, () => client.request(req({ ':path': '' })), 'request(:path "")');
});

// ---------------------------------------------------------------- §8.4 push

test('§8.4.1 push() of an incomplete promised request (no :path, no :scheme) throws and sends nothing', () => {
  const { server, peer } = serverWithRequest();
  refused(peer, () => server.push(1, req({ ':path': null })), 'push(no :path)');
  refused(peer, () => server.push(1, req({ ':scheme': null })), 'push(no :scheme)');
  refused(peer, () => server.push(1, req({ ':authority': null })), 'push(no :authority)');
});

test('§8.4/§8.4.1 push() of an unsafe method (POST, DELETE) throws and sends nothing', () => {
  const { server, peer } = serverWithRequest();
  refused(peer, () => server.push(1, req({ ':method': 'POST' })), 'push(POST)');
  refused(peer, () => server.push(1, req({ ':method': 'DELETE' })), 'push(DELETE)');
});

test('§8.4.1 PUSH_PROMISE goes out before the frames of the associated response submitted after push()', () => {
  const { server, peer } = serverWithRequest();
  server.respond(1, OK);
  server.data(1, bytes('<link rel=stylesheet href=/style.css>'));
  const promised = server.push(1, req({ ':path': '/style.css' }));
  server.data(1, bytes('more html'), { endStream: true });
  peer.flush();
  const pp = peer.wantFrame(FrameType.PUSH_PROMISE, { streamId: 1 });
  assert.is(pp.promisedStreamId, promised);
  const lastData = peer.received.filter((f) => f.type === FrameType.DATA && f.streamId === 1).pop();
  assert.ok(lastData && lastData.index > pp.index, 'the DATA submitted after push() follows the PUSH_PROMISE');
  const s = serverWithRequest();
  const p2 = s.server.push(1, req({ ':path': '/app.js' }));
  s.server.respond(1, OK, { endStream: true });
  const pp2 = s.peer.wantFrame(FrameType.PUSH_PROMISE, { streamId: 1 });
  assert.is(pp2.promisedStreamId, p2);
  assert.ok(s.peer.wantHeaders(1).index > pp2.index, 'a push() before respond(): PUSH_PROMISE first, then the response HEADERS');
});

test('§8.4.1 a client Session never sends PUSH_PROMISE: push() throws and sends nothing', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET);
  peer.wantHeaders(id);
  refused(peer, () => client.push(id, req({ ':path': '/x' })), 'client.push()');
});

// ---------------------------------------------------------------- §8.5 CONNECT

test('§8.5 request() of a CONNECT with :scheme or :path throws and sends nothing', () => {
  const { client, peer } = connectClient();
  refused(peer, () => client.request([[':method', 'CONNECT'], [':authority', 'example.com:443'], [':scheme', 'https']]), 'CONNECT with :scheme');
  refused(peer, () => client.request([[':method', 'CONNECT'], [':authority', 'example.com:443'], [':path', '/']]), 'CONNECT with :path');
  refused(peer, () => client.request([[':method', 'CONNECT']]), 'CONNECT without :authority');
});

test('§8.5 a server Session: HEADERS from the client on an established CONNECT tunnel → stream error', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, [[':method', 'CONNECT'], [':authority', 'example.com:443']]);
  peer.event('request');
  server.respond(1, OK);
  peer.wantHeaders(1);
  peer.writeData(1, 'tunnelled octets');
  peer.writeHeaders(1, [['x-trailer', 'v']], { endStream: true });
  const rst = peer.wantFrame(FrameType.RST_STREAM, { streamId: 1 });
  peer.event('error', (e) => e.scope === 'stream' && e.streamId === 1);
  peer.noEvent('trailers');
  assert.not.ok(peer.received.some((f) => f.type === FrameType.GOAWAY), `a stream error (RST_STREAM ${rst.payload[3]}), not a connection error`);
  peer.wantAlive();
});

test('§8.5 a client Session: HEADERS from the server after the 2xx of a CONNECT → stream error', () => {
  const { client, peer } = connectClient();
  const id = client.request([[':method', 'CONNECT'], [':authority', 'example.com:443']]);
  peer.wantHeaders(id);
  peer.writeHeaders(id, OK);
  peer.event('response');
  peer.writeData(id, 'tunnelled octets');
  peer.writeHeaders(id, [['x-trailer', 'v']], { endStream: true });
  peer.wantFrame(FrameType.RST_STREAM, { streamId: id });
  peer.event('error', (e) => e.scope === 'stream' && e.streamId === id);
  peer.noEvent('trailers');
  peer.wantAlive();
});

test.run();
