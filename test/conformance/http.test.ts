// RFC 9113 §8: HTTP message framing (§8.1, content-length), field validity (§8.2), pseudo-header
// fields (§8.3), CONNECT (§8.5, RFC 8441). A malformed message is a stream error of type
// PROTOCOL_ERROR (§8.1.1) and never reaches the application as a request or response.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, SettingId } from '../helpers/frames.ts';
import { block, indexed, withoutIndexing } from '../helpers/hpack-wire.ts';
import { GET, connectClient, connectServer, destroySessions, req, type Headers, type ScriptedClient } from '../helpers/peer.ts';

const test = suite('RFC 9113 §8 HTTP semantics');
test.after.each(destroySessions);

const POST = req({ ':method': 'POST' });
const OK: Headers = [[':status', '200']];

/** A block of literals without indexing (RFC 7541 §6.2.2): any octets, and no table change. */
function literalBlock(fields: Headers): Uint8Array {
  return block(...fields.map(([n, v]) => withoutIndexing(n, v)));
}

/** The request is malformed: RST_STREAM PROTOCOL_ERROR, no request event, connection alive. */
function wantMalformedRequest(peer: ScriptedClient, streamId: number): void {
  peer.wantStreamError(streamId, ErrorCode.PROTOCOL_ERROR);
  peer.noEvent('request', (e) => e.streamId === streamId);
}

function malformedRequest(name: string, fields: Headers, options: { endStream?: boolean } = {}): void {
  test(name, () => {
    const { peer } = connectServer();
    peer.writeHeaders(1, literalBlock(fields), { endStream: options.endStream ?? true });
    wantMalformedRequest(peer, 1);
  });
}

function wellFormedRequest(name: string, fields: Headers): void {
  test(name, () => {
    const { peer } = connectServer();
    peer.writeHeaders(1, literalBlock(fields), { endStream: true });
    const e = peer.event('request', (x) => x.streamId === 1);
    assert.equal(e.headers, fields, 'headers as sent');
    peer.wantNoError();
  });
}

// ---------------------------------------------------------------- §8.1 framing, content-length

test('§8.1.1 DATA beyond content-length → stream error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [...POST, ['content-length', '10']]);
  peer.writeData(1, 11, { endStream: true });
  peer.wantStreamError(1, ErrorCode.PROTOCOL_ERROR);
});

test('§8.1.1 DATA beyond content-length over two frames → stream error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [...POST, ['content-length', '10']]);
  peer.writeData(1, 6);
  peer.writeData(1, 6, { endStream: true });
  peer.wantStreamError(1, ErrorCode.PROTOCOL_ERROR);
});

test('§8.1.1 END_STREAM before content-length octets arrived → stream error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [...POST, ['content-length', '10']]);
  peer.writeData(1, 5, { endStream: true });
  peer.wantStreamError(1, ErrorCode.PROTOCOL_ERROR);
  peer.noEvent('stream-end', (e) => e.streamId === 1);
});

test('§8.1.1 HEADERS with END_STREAM and a non-zero content-length → stream error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [...POST, ['content-length', '3']], { endStream: true });
  peer.wantStreamError(1, ErrorCode.PROTOCOL_ERROR);
});

test('§8.1.1 content-length matching the DATA over several frames is fine', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [...POST, ['content-length', '10']]);
  peer.writeData(1, 4);
  peer.writeData(1, 6, { endStream: true });
  assert.is(peer.bodyOf(1).length, 10, 'body');
  peer.event('stream-end', (e) => e.streamId === 1);
  peer.wantNoError();
});

test('§8.1 trailers: HEADERS with END_STREAM after the body are reported as trailers', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [...POST, ['te', 'trailers']]);
  peer.writeData(1, 'body');
  peer.writeHeaders(1, [['x-checksum', 'abc']], { endStream: true });
  const e = peer.event('trailers', (x) => x.streamId === 1);
  assert.equal(e.headers, [['x-checksum', 'abc']], 'trailers');
  peer.event('stream-end', (x) => x.streamId === 1);
  peer.wantNoError();
});

test('§8.1 a second HEADERS without END_STREAM (not trailers) → stream error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeHeaders(1, [['x-not', 'trailers']]);
  peer.wantStreamError(1, ErrorCode.PROTOCOL_ERROR);
});

test('§8.1 trailers with a pseudo-header field → stream error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeData(1, 'body');
  peer.writeHeaders(1, literalBlock([[':path', '/'], ['x-t', '1']]), { endStream: true });
  peer.wantStreamError(1, ErrorCode.PROTOCOL_ERROR);
  peer.noEvent('trailers');
});

// ---------------------------------------------------------------- §8.2 fields

malformedRequest('§8.2 an uppercase field name → stream error PROTOCOL_ERROR', [...GET, ['X-Custom', 'a']]);
malformedRequest('§8.2.1 a field name with a space → stream error PROTOCOL_ERROR', [...GET, ['x custom', 'a']]);
malformedRequest('§8.2.1 a field name with DEL (0x7f) → stream error PROTOCOL_ERROR', [...GET, ['x-\x7f', 'a']]);
malformedRequest('§8.2.1 a field name with an octet above 0x7f → stream error PROTOCOL_ERROR', [...GET, ['x-\xe9', 'a']]);
malformedRequest('§8.2.1 a regular field name with a colon → stream error PROTOCOL_ERROR', [...GET, ['x:y', 'a']]);
malformedRequest('§8.2.1 a field value with CR → stream error PROTOCOL_ERROR', [...GET, ['x-a', 'a\rb']]);
malformedRequest('§8.2.1 a field value with LF → stream error PROTOCOL_ERROR', [...GET, ['x-a', 'a\nb']]);
malformedRequest('§8.2.1 a field value with NUL → stream error PROTOCOL_ERROR', [...GET, ['x-a', 'a\x00b']]);
malformedRequest('§8.2.1 a field value starting with SP → stream error PROTOCOL_ERROR', [...GET, ['x-a', ' a']]);
malformedRequest('§8.2.1 a field value ending with SP → stream error PROTOCOL_ERROR', [...GET, ['x-a', 'a ']]);
malformedRequest('§8.2.1 a field value starting with HTAB → stream error PROTOCOL_ERROR', [...GET, ['x-a', '\ta']]);
malformedRequest('§8.2.1 a field value ending with HTAB → stream error PROTOCOL_ERROR', [...GET, ['x-a', 'a\t']]);
malformedRequest('§8.2.1 a pseudo-header value with CR LF → stream error PROTOCOL_ERROR', req({ ':path': '/a\r\nx-injected: 1' }));
wellFormedRequest('§8.2.1 inner spaces, tabs and octets above 0x7f in values are valid', [...GET, ['x-a', 'a b\tc \xe9'], ['x-empty', '']]);

for (const name of ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']) {
  malformedRequest(`§8.2.2 the connection-specific field "${name}" → stream error PROTOCOL_ERROR`, [...GET, [name, name === 'transfer-encoding' ? 'chunked' : 'close']]);
}
malformedRequest('§8.2.2 te other than "trailers" → stream error PROTOCOL_ERROR', [...GET, ['te', 'gzip']]);
malformedRequest('§8.2.2 te "trailers, gzip" → stream error PROTOCOL_ERROR', [...GET, ['te', 'trailers, gzip']]);
wellFormedRequest('§8.2.2 te "trailers" is allowed', [...GET, ['te', 'trailers']]);

test('§8.2.2 connection-specific fields in a static-table form (transfer-encoding, index 57) → stream error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, block(indexed(2), indexed(7), indexed(4), withoutIndexing(1, 'example.com'), withoutIndexing(57, 'chunked')), { endStream: true });
  wantMalformedRequest(peer, 1);
});

test('§8.2.3 several cookie fields are allowed (and kept)', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, [...GET, ['cookie', 'a=b'], ['cookie', 'c=d']], { endStream: true });
  const e = peer.event('request', (x) => x.streamId === 1);
  const cookies = e.headers.filter(([n]: [string, string]) => n === 'cookie').map(([, v]: [string, string]) => v).join('; ');
  assert.is(cookies, 'a=b; c=d', 'cookie crumbs');
});

// ---------------------------------------------------------------- §8.3 pseudo-header fields

malformedRequest('§8.3.1 a request without :method → stream error PROTOCOL_ERROR', req({ ':method': null }));
malformedRequest('§8.3.1 a request without :scheme → stream error PROTOCOL_ERROR', req({ ':scheme': null }));
malformedRequest('§8.3.1 a request without :path → stream error PROTOCOL_ERROR', req({ ':path': null }));
malformedRequest('§8.3.1 an empty :path for an https URI → stream error PROTOCOL_ERROR', req({ ':path': '' }));
malformedRequest('§8.3 an unknown pseudo-header field → stream error PROTOCOL_ERROR', [...GET, [':foo', 'bar']]);
malformedRequest('§8.3 the response pseudo-header :status in a request → stream error PROTOCOL_ERROR', [...GET, [':status', '200']]);
malformedRequest('§8.3 :method twice → stream error PROTOCOL_ERROR', [...GET, [':method', 'GET']]);
malformedRequest('§8.3 :path twice → stream error PROTOCOL_ERROR', [...GET.slice(0, 3), [':path', '/'], [':path', '/']]);
malformedRequest('§8.3 :scheme twice → stream error PROTOCOL_ERROR', [[':method', 'GET'], [':scheme', 'https'], [':scheme', 'https'], [':path', '/']]);
malformedRequest('§8.3 :authority twice → stream error PROTOCOL_ERROR', [...GET, [':authority', 'example.com']]);
malformedRequest('§8.3 a pseudo-header field after a regular field → stream error PROTOCOL_ERROR', [[':method', 'GET'], [':scheme', 'https'], ['x-a', 'b'], [':path', '/']]);
malformedRequest('§8.2.1 an empty field name (not a token, RFC 9110 §5.1) → stream error PROTOCOL_ERROR', [...GET, ['', 'x']]);
malformedRequest('§8.3 the pseudo-header name ":" alone → stream error PROTOCOL_ERROR', [...GET, [':', 'x']]);
wellFormedRequest('§8.3.1 a request without :authority is valid', [[':method', 'GET'], [':scheme', 'https'], [':path', '/'], ['host', 'example.com']]);
wellFormedRequest('§8.3.1 OPTIONS with :path "*" is valid', req({ ':method': 'OPTIONS', ':path': '*' }));
wellFormedRequest('§8.3.1 :scheme is not limited to http and https', req({ ':scheme': 'ftp' }));

test('§8.3.1 the common static-table forms are recognised (POST, :scheme http/https, :path /index.html)', () => {
  const { peer } = connectServer();
  // RFC 7541 Appendix A: 3 = :method POST, 6 = :scheme http, 5 = :path /index.html, 7 = :scheme https.
  peer.writeHeaders(1, block(indexed(3), indexed(6), indexed(5), withoutIndexing(1, 'example.com')), { endStream: true });
  peer.writeHeaders(3, block(indexed(2), indexed(7), indexed(4), withoutIndexing(1, 'example.com')), { endStream: true });
  const a = peer.event('request', (x) => x.streamId === 1);
  assert.equal(a.headers, [[':method', 'POST'], [':scheme', 'http'], [':path', '/index.html'], [':authority', 'example.com']], 'stream 1');
  const b = peer.event('request', (x) => x.streamId === 3);
  assert.equal(b.headers, [[':method', 'GET'], [':scheme', 'https'], [':path', '/'], [':authority', 'example.com']], 'stream 3');
  peer.wantNoError();
});

// ---------------------------------------------------------------- §8.5 CONNECT

wellFormedRequest('§8.5 CONNECT with :authority only is valid', [[':method', 'CONNECT'], [':authority', 'example.com:443']]);
malformedRequest('§8.5 CONNECT with :scheme → stream error PROTOCOL_ERROR', [[':method', 'CONNECT'], [':scheme', 'https'], [':authority', 'example.com:443']]);
malformedRequest('§8.5 CONNECT with :path → stream error PROTOCOL_ERROR', [[':method', 'CONNECT'], [':authority', 'example.com:443'], [':path', '/']]);
malformedRequest('§8.5 CONNECT without :authority → stream error PROTOCOL_ERROR', [[':method', 'CONNECT']]);
malformedRequest('RFC 8441 §4 :protocol without SETTINGS_ENABLE_CONNECT_PROTOCOL → stream error PROTOCOL_ERROR',
  [[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':path', '/chat'], [':authority', 'example.com']], { endStream: false });

test('RFC 8441 §4 extended CONNECT (:protocol, :scheme, :path) is valid once the server enabled it', () => {
  const { peer } = connectServer({ server: { settings: { enableConnectProtocol: true } } });
  assert.is(peer.sessionSetting(SettingId.ENABLE_CONNECT_PROTOCOL), 1, 'advertised');
  const fields: Headers = [[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':path', '/chat'], [':authority', 'example.com']];
  peer.writeHeaders(1, literalBlock(fields));
  const e = peer.event('request', (x) => x.streamId === 1);
  assert.equal(e.headers, fields, 'headers');
  peer.wantNoError();
});

test('RFC 8441 §4 extended CONNECT without :path → stream error PROTOCOL_ERROR', () => {
  const { peer } = connectServer({ server: { settings: { enableConnectProtocol: true } } });
  peer.writeHeaders(1, literalBlock([[':method', 'CONNECT'], [':protocol', 'websocket'], [':scheme', 'https'], [':authority', 'example.com']]));
  wantMalformedRequest(peer, 1);
});

test('§8.5 a CONNECT tunnel carries DATA both ways', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, literalBlock([[':method', 'CONNECT'], [':authority', 'example.com:443']]));
  server.respond(1, OK);
  peer.wantHeaders(1, { endStream: false });
  peer.writeData(1, 'client bytes');
  server.data(1, new TextEncoder().encode('server bytes'));
  assert.is(new TextDecoder().decode(peer.bodyOf(1)), 'client bytes');
  assert.is(new TextDecoder().decode(peer.readBody(1, { untilEnd: false }).body), 'server bytes');
  peer.wantNoError();
});

// ---------------------------------------------------------------- responses (client Session)

function malformedResponse(name: string, fields: Headers, options: { endStream?: boolean } = { endStream: true }): void {
  test(name, () => {
    const { client, peer } = connectClient();
    const id = client.request(GET, { endStream: true });
    peer.wantHeaders(id);
    peer.writeHeaders(id, literalBlock(fields), { endStream: options.endStream });
    peer.wantStreamError(id, ErrorCode.PROTOCOL_ERROR);
    peer.noEvent('response', (e) => e.streamId === id);
  });
}

malformedResponse('§8.3.2 a response without :status → stream error PROTOCOL_ERROR', [['content-type', 'text/plain']]);
malformedResponse('§8.3.2 :status twice → stream error PROTOCOL_ERROR', [[':status', '200'], [':status', '200']]);
malformedResponse('§8.3 a request pseudo-header (:path) in a response → stream error PROTOCOL_ERROR', [[':status', '200'], [':path', '/']]);
malformedResponse('§8.3 a pseudo-header after a regular field in a response → stream error PROTOCOL_ERROR', [['x-a', 'b'], [':status', '200']]);
malformedResponse('§8.2 an uppercase field name in a response → stream error PROTOCOL_ERROR', [[':status', '200'], ['Content-Type', 'text/plain']]);
malformedResponse('§8.2.2 a connection-specific field in a response → stream error PROTOCOL_ERROR', [[':status', '200'], ['connection', 'keep-alive']]);
malformedResponse('§8.2.1 a response field value with LF → stream error PROTOCOL_ERROR', [[':status', '200'], ['x-a', 'a\nb']]);
malformedResponse('§8.1 an informational (1xx) response with END_STREAM → stream error PROTOCOL_ERROR', [[':status', '103'], ['link', '</s.css>; rel=preload']]);

test('§8.1 a client Session: DATA before any response HEADERS → stream error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writeData(id, 'no headers yet', { endStream: true });
  peer.wantStreamError(id, ErrorCode.PROTOCOL_ERROR);
  peer.noEvent('data');
});

test('§8.1.1 a client Session: response DATA beyond its content-length → stream error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writeHeaders(id, [...OK, ['content-length', '2']]);
  peer.writeData(id, 'abc', { endStream: true });
  peer.wantStreamError(id, ErrorCode.PROTOCOL_ERROR);
});

test('§8.1.1 a client Session: a HEAD response may carry a content-length and no DATA', () => {
  const { client, peer } = connectClient();
  const id = client.request(req({ ':method': 'HEAD' }), { endStream: true });
  peer.wantHeaders(id);
  peer.writeHeaders(id, [...OK, ['content-length', '1000']], { endStream: true });
  const e = peer.event('response', (x) => x.streamId === id);
  assert.is(e.endStream, true, 'endStream');
  peer.wantNoError();
});

test('§8.1.1 a client Session: a 304 response may carry a content-length and no DATA', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writeHeaders(id, [[':status', '304'], ['content-length', '1000']], { endStream: true });
  peer.event('response', (x) => x.streamId === id);
  peer.wantNoError();
});

test('§8.1 a client Session: a second final response HEADERS without END_STREAM → stream error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writeHeaders(id, OK);
  peer.writeHeaders(id, OK);
  peer.wantStreamError(id, ErrorCode.PROTOCOL_ERROR);
});

test('§8.1 a client Session: RST_STREAM NO_ERROR after a complete response keeps the response', () => {
  const { client, peer } = connectClient();
  const id = client.request(req({ ':method': 'POST' }));
  peer.wantHeaders(id);
  peer.writeHeaders(id, OK);
  peer.writeData(id, 'done', { endStream: true });
  peer.writeRstStream(id, ErrorCode.NO_ERROR);
  peer.event('response', (x) => x.streamId === id);
  assert.is(new TextDecoder().decode(peer.bodyOf(id)), 'done', 'the body is delivered');
  peer.event('reset', (x) => x.streamId === id && x.code === ErrorCode.NO_ERROR);
  peer.noEvent('error');
});

test('§8.2 a server Session never sends uppercase names: respond() with one throws or lowercases', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  try {
    server.respond(1, [[':status', '200'], ['X-Upper', 'v']], { endStream: true });
  } catch {
    return; // refused: fine (docs/core.md: names must be lowercase)
  }
  const h = peer.wantHeaders(1);
  assert.ok(!h.headers.some(([n]) => /[A-Z]/.test(n)), `sent ${JSON.stringify(h.headers)}`);
});

test('§8.2.2 a server Session never sends connection-specific fields: respond() with one throws or drops it', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  try {
    server.respond(1, [[':status', '200'], ['connection', 'close']], { endStream: true });
  } catch {
    return;
  }
  const h = peer.wantHeaders(1);
  assert.ok(!h.headers.some(([n]) => n === 'connection'), `sent ${JSON.stringify(h.headers)}`);
});

test.run();
