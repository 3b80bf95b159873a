// HTTP message rules of RFC 9113 §8 (with RFC 8441 §4 for extended CONNECT, RFC 9110 for the
// field grammar it points to), checked on decoded field blocks built here by hand. Records
// follow the layout of assembly/abi.ts: word 0 kind | flags << 8 | static index << 16, then
// ref id, new id, name offset, name length, value offset, value length (offsets into `arena`).
// Every verdict is read from the RFC text named beside it.
import {
  checkMessage, messageContentLength, messageIsHead, messageIsConnect, messageStatus,
  BLOCK_REQUEST, BLOCK_RESPONSE, BLOCK_TRAILERS, BLOCK_PUSH_REQUEST,
} from '../../assembly/proto/message';
import { HPACK_RECORD_WORDS, HPACK_KIND_LITERAL, HPACK_KIND_STATIC, HPACK_KIND_STATIC_NAME } from '../../assembly/abi';

const RECORD_BYTES: usize = <usize>HPACK_RECORD_WORDS << 2;
const MAX_RECORDS: u32 = 32;

const NUL = String.fromCharCode(0x00);
const HTAB = String.fromCharCode(0x09);
const LF = String.fromCharCode(0x0a);
const CR = String.fromCharCode(0x0d);
const US = String.fromCharCode(0x1f);
const DEL = String.fromCharCode(0x7f);
const OBS80 = String.fromCharCode(0x80);
const OBSFF = String.fromCharCode(0xff);

/** A decoded field block: records plus the arena their literal octets live in. */
class Block {
  arena: usize = heap.alloc(4096);
  used: u32 = 0;
  records: usize = heap.alloc(<usize>MAX_RECORDS * RECORD_BYTES);
  count: u32 = 0;

  /** Copies a string's code units (all below 0x100 here) into the arena as octets. */
  private put(s: string): u32 {
    const at = this.used;
    for (let i = 0; i < s.length; i++) store<u8>(this.arena + at + i, <u8>s.charCodeAt(i));
    this.used += <u32>s.length;
    return at;
  }

  private record(kind: i32, staticIndex: u32, nameAt: u32, nameLength: u32, valueAt: u32, valueLength: u32): Block {
    const r = this.records + <usize>this.count * RECORD_BYTES;
    store<u32>(r, <u32>kind | (staticIndex << 16));
    store<u32>(r, 0, 4);
    store<u32>(r, 0, 8);
    store<u32>(r, nameAt, 12);
    store<u32>(r, nameLength, 16);
    store<u32>(r, valueAt, 20);
    store<u32>(r, valueLength, 24);
    store<u32>(r, 0, 28);
    this.count++;
    return this;
  }

  /** A field with literal name and value (HPACK_KIND_LITERAL). */
  f(name: string, value: string): Block {
    const n = this.put(name);
    const v = this.put(value);
    return this.record(HPACK_KIND_LITERAL, 0, n, name.length, v, value.length);
  }

  /**
   * A fully indexed static entry (RFC 7541 §6.1, HPACK_KIND_STATIC). `name` and `value` are the
   * entry's, as RFC 7541 Appendix A lists them; only their lengths go into the record.
   */
  indexed(index: u32, name: string, value: string): Block {
    return this.record(HPACK_KIND_STATIC, index, 0, name.length, 0, value.length);
  }

  /** A static name (first index of that name, RFC 7541 Appendix A) with a literal value. */
  staticName(index: u32, name: string, value: string): Block {
    const v = this.put(value);
    return this.record(HPACK_KIND_STATIC_NAME, index, 0, name.length, v, value.length);
  }
}

function block(): Block { return new Block(); }

/** A request with every mandatory pseudo-header field (§8.3.1), to add to. */
function get(): Block {
  return block().f(':method', 'GET').f(':scheme', 'https').f(':authority', 'example.com').f(':path', '/');
}
function status(code: string): Block { return block().f(':status', code); }

let mismatches = '';
const KIND_NAMES: string[] = ['', 'request', 'response', 'trailers', 'push request'];

function want(kind: u32, b: Block, expected: bool, why: string, connectProtocol: bool = false): void {
  const got = checkMessage(kind, b.records, b.count, b.arena, connectProtocol);
  if (got != expected) {
    mismatches += '\n      ' + KIND_NAMES[kind] + ' ' + (expected ? 'rejected' : 'accepted') + ', RFC says '
      + (expected ? 'well-formed' : 'malformed') + ': ' + why;
  }
}
function ok(kind: u32, b: Block, why: string, connectProtocol: bool = false): void { want(kind, b, true, why, connectProtocol); }
function malformed(kind: u32, b: Block, why: string, connectProtocol: bool = false): void { want(kind, b, false, why, connectProtocol); }

function noMismatches(): void {
  const found = mismatches;
  mismatches = '';
  expect(found).toBe('', 'verdicts that differ from the RFC');
}

function accepts(kind: u32, b: Block, connectProtocol: bool = false): bool {
  return checkMessage(kind, b.records, b.count, b.arena, connectProtocol);
}

const REQ = BLOCK_REQUEST;
const RES = BLOCK_RESPONSE;
const TRL = BLOCK_TRAILERS;
const PUSH = BLOCK_PUSH_REQUEST;

describe('RFC 9113 §8.3.1 well-formed requests', () => {
  it('a GET with :method, :scheme, :authority and :path', () => {
    expect(accepts(REQ, get())).toBe(true);
    expect(messageIsHead).toBe(false);
    expect(messageIsConnect).toBe(false);
    expect(messageContentLength).toBe(-1, 'no content-length field');
  });
  it('a POST with content and regular fields', () => {
    const b = block().f(':method', 'POST').f(':scheme', 'https').f(':authority', 'example.com')
      .f(':path', '/submit?x=1').f('content-type', 'text/plain').f('content-length', '11');
    expect(accepts(REQ, b)).toBe(true);
    expect(messageContentLength).toBe(11);
    expect(messageIsHead).toBe(false);
  });
  it('other well-formed shapes', () => {
    ok(REQ, block().f(':method', 'GET').f(':scheme', 'https').f(':path', '/'),
      '§8.3.1: :authority is omitted when "there is no authority information"');
    ok(REQ, block().f(':path', '/a').f(':authority', 'example.com').f(':scheme', 'http').f(':method', 'GET'),
      '§8.3: pseudo-headers only need to precede regular fields; their own order is free');
    ok(REQ, block().f(':method', 'OPTIONS').f(':scheme', 'https').f(':authority', 'example.com').f(':path', '*'),
      '§8.3.1: asterisk-form OPTIONS uses :path "*"');
    ok(REQ, get().f('te', 'trailers'), '§8.2.2: TE "MAY be present in an HTTP/2 request" with "trailers"');
    ok(REQ, get().f('cookie', 'a=b').f('cookie', 'c=d'), '§8.2.3: cookie may be split into several fields');
    ok(REQ, get().f('x-empty', ''), 'RFC 9110 §5.5: a field value may be empty');
    ok(REQ, get().f('x-inner', 'a b' + HTAB + 'c'), '§8.2.1 forbids SP/HTAB only at the start and end of a value');
    ok(REQ, get().f('x-obs', 'caf' + String.fromCharCode(0xe9) + OBS80 + OBSFF),
      'RFC 9110 §5.5: obs-text (0x80-0xff) is allowed in values; §8.2.1 only forbids NUL, CR, LF');
    ok(REQ, get().f("!#$%&'*+-.^_`|~09az", 'v'), 'RFC 9110 §5.6.2: every tchar is allowed in a name (none is uppercase, SP or colon)');
    ok(REQ, get().f('user-agent', 'test/1.0').f('accept', '*/*').f('accept-encoding', 'gzip, deflate'), 'ordinary fields');
    noMismatches();
  });
  it('pseudo-header fields taken from the static table (RFC 7541 Appendix A)', () => {
    ok(REQ, block().indexed(2, ':method', 'GET').indexed(7, ':scheme', 'https').indexed(4, ':path', '/')
      .f(':authority', 'example.com'), 'entries 2 (:method GET), 7 (:scheme https), 4 (:path /)');
    ok(REQ, block().indexed(3, ':method', 'POST').indexed(6, ':scheme', 'http').indexed(5, ':path', '/index.html')
      .f(':authority', 'example.com'), 'entries 3 (:method POST), 6 (:scheme http), 5 (:path /index.html)');
    ok(REQ, block().staticName(2, ':method', 'PUT').staticName(6, ':scheme', 'https')
      .staticName(1, ':authority', 'a.example').staticName(4, ':path', '/search?q=1'),
      'static names 2, 6, 1, 4 with literal values');
    noMismatches();
  });
});

describe('RFC 9113 §8.3.1 missing or invalid request pseudo-headers', () => {
  it('each of :method, :scheme and :path is mandatory', () => {
    malformed(REQ, block().f(':scheme', 'https').f(':authority', 'example.com').f(':path', '/'), 'no :method ("MUST include exactly one valid value")');
    malformed(REQ, block().f(':method', 'GET').f(':authority', 'example.com').f(':path', '/'), 'no :scheme');
    malformed(REQ, block().f(':method', 'GET').f(':scheme', 'https').f(':authority', 'example.com'), 'no :path');
    malformed(REQ, block(), 'an empty block has none of them');
    malformed(REQ, block().f('user-agent', 'x'), 'regular fields only');
    noMismatches();
  });
  it(':path is never empty for http and https, and is a path or "*"', () => {
    malformed(REQ, block().f(':method', 'GET').f(':scheme', 'https').f(':authority', 'example.com').f(':path', ''),
      '§8.3.1: ":path ... MUST NOT be empty for http or https URIs"');
    malformed(REQ, block().f(':method', 'GET').f(':scheme', 'http').f(':authority', 'example.com').f(':path', ''),
      '§8.3.1: empty :path with http');
    // Node (nghttp2's check_path) rejects both of these for http and https too.
    malformed(REQ, block().f(':method', 'GET').f(':scheme', 'https').f(':authority', 'example.com').f(':path', 'index.html'),
      '§8.3.1: :path is the absolute-path production (RFC 9110 §4.1 starts with "/"), or "*"');
    malformed(REQ, block().f(':method', 'GET').f(':scheme', 'https').f(':authority', 'example.com').f(':path', '*'),
      '§8.3.1 / RFC 9110 §7.1: "*" is the asterisk form, for OPTIONS only');
    noMismatches();
  });
});

describe('RFC 9113 §8.3 pseudo-header placement and definition', () => {
  it('unknown, duplicated and late pseudo-header fields', () => {
    malformed(REQ, get().f(':foo', 'bar'), '§8.3: "undefined ... pseudo-header fields" are malformed');
    malformed(REQ, block().f(':method', 'GET').f(':scheme', 'https').f(':x', '1').f(':path', '/'), 'an undefined pseudo-header among the defined ones');
    malformed(REQ, get().f(':', 'x'), 'a lone colon is no defined pseudo-header');
    malformed(REQ, get().f(':method', 'GET'), '§8.3: "The same pseudo-header field name MUST NOT appear more than once", same value');
    malformed(REQ, get().f(':path', '/other'), 'duplicate :path');
    malformed(REQ, get().f(':scheme', 'http'), 'duplicate :scheme');
    malformed(REQ, get().f(':authority', 'example.com'), 'duplicate :authority');
    malformed(REQ, block().f(':method', 'GET').f(':scheme', 'https').f('accept', '*/*').f(':path', '/'),
      '§8.3: "a pseudo-header field that appears in a field block after a regular field line" is malformed');
    malformed(REQ, block().f(':method', 'GET').f(':scheme', 'https').f(':path', '/').f('accept', '*/*').f(':authority', 'example.com'),
      'an optional pseudo-header after a regular field');
    noMismatches();
  });
  it('pseudo-headers only where they are defined', () => {
    malformed(REQ, get().f(':status', '200'), '§8.3: response pseudo-headers "MUST NOT appear in requests"');
    malformed(REQ, block().f(':status', '200').f(':method', 'GET').f(':scheme', 'https').f(':path', '/'), ':status first in a request');
    malformed(RES, status('200').f(':path', '/'), '§8.3: request pseudo-headers "MUST NOT appear in responses": :path');
    malformed(RES, status('200').f(':method', 'GET'), ':method in a response');
    malformed(RES, status('200').f(':scheme', 'https'), ':scheme in a response');
    malformed(RES, status('200').f(':authority', 'example.com'), ':authority in a response');
    malformed(RES, status('200').f(':protocol', 'websocket'), ':protocol in a response', true);
    malformed(RES, status('200').f(':status', '200'), 'duplicate :status');
    malformed(RES, block().f('content-type', 'text/plain'), '§8.3.2: :status "MUST be included in all responses"');
    malformed(RES, block(), 'an empty response');
    malformed(TRL, block().f(':path', '/'), '§8.1: "Trailers MUST NOT include pseudo-header fields"');
    malformed(TRL, block().f(':status', '200'), ':status in trailers');
    malformed(TRL, block().f('grpc-status', '0').f(':method', 'GET'), 'a pseudo-header after trailer fields');
    malformed(PUSH, get().f(':status', '200'), ':status in a promised request');
    noMismatches();
  });
  it('well-formed responses and trailers', () => {
    ok(RES, status('200'), '§8.3.2: :status alone');
    ok(RES, status('200').f('content-type', 'text/html').f('content-length', '5'), 'with regular fields');
    ok(RES, status('100'), '§8.1: interim responses carry :status too');
    ok(RES, block().indexed(8, ':status', '200').f('server', 'x'), 'RFC 7541 Appendix A entry 8 (:status 200)');
    ok(RES, block().indexed(9, ':status', '204'), 'entry 9 (:status 204)');
    ok(RES, block().indexed(13, ':status', '404'), 'entry 13 (:status 404)');
    ok(RES, block().staticName(8, ':status', '503'), 'static name 8 with value 503');
    ok(TRL, block().f('grpc-status', '0').f('grpc-message', 'ok'), 'trailer fields');
    noMismatches();
  });
});

describe('RFC 9113 §8.2.1 field names', () => {
  it('uppercase characters (0x41-0x5a) are malformed', () => {
    malformed(REQ, get().f('Content-Type', 'text/plain'), '§8.2.1: "uppercase characters" excluded; §8.2 names are lowercase');
    malformed(REQ, get().f('x-A', 'v'), "'A' (0x41), the lower end of the range");
    malformed(REQ, get().f('x-Z', 'v'), "'Z' (0x5a), the upper end of the range");
    malformed(REQ, get().f(':Method', 'GET'), 'an uppercase pseudo-header name');
    malformed(RES, status('200').f('Server', 'x'), 'in a response');
    malformed(TRL, block().f('X-Checksum', 'abc'), 'in trailers');
    noMismatches();
  });
  it('controls, SP, DEL, octets 0x80-0xff and inner colons are malformed', () => {
    malformed(REQ, get().f('x y', 'v'), '§8.2.1: SP (0x20)');
    malformed(REQ, get().f('x' + NUL, 'v'), 'NUL (0x00)');
    malformed(REQ, get().f('x' + HTAB + 'y', 'v'), 'HTAB (0x09)');
    malformed(REQ, get().f('x' + CR, 'v'), 'CR (0x0d)');
    malformed(REQ, get().f('x' + LF + 'y', 'v'), 'LF (0x0a)');
    malformed(REQ, get().f('x' + US, 'v'), '0x1f');
    malformed(REQ, get().f('x' + DEL, 'v'), 'DEL (0x7f), the start of 0x7f-0xff');
    malformed(REQ, get().f('x' + OBS80, 'v'), '0x80');
    malformed(REQ, get().f('x' + OBSFF, 'v'), '0xff, the end of 0x7f-0xff');
    malformed(REQ, get().f('x:y', 'v'), '§8.2.1: names "MUST NOT include a colon" except to start a pseudo-header');
    malformed(REQ, get().f('x:', 'v'), 'a trailing colon');
    malformed(REQ, get().f('', 'v'), 'RFC 9110 §5.1: a field name is a token, at least one tchar');
    malformed(RES, status('200').f('x y', 'v'), 'SP in a response name');
    malformed(TRL, block().f('x' + NUL, 'v'), 'NUL in a trailer name');
    noMismatches();
  });
});

describe('RFC 9113 §8.2.1 field values', () => {
  it('NUL, CR and LF anywhere are malformed', () => {
    malformed(REQ, get().f('x-v', NUL + 'a'), 'NUL at the start');
    malformed(REQ, get().f('x-v', 'a' + NUL + 'b'), 'NUL inside');
    malformed(REQ, get().f('x-v', 'a' + NUL), 'NUL at the end');
    malformed(REQ, get().f('x-v', 'a' + CR + 'b'), 'CR inside');
    malformed(REQ, get().f('x-v', 'a' + LF + 'b'), 'LF inside');
    malformed(REQ, get().f('x-v', 'a' + CR + LF + 'x-smuggled: 1'), 'CRLF (the request smuggling the rule stops)');
    malformed(REQ, get().f('x-v', CR), 'a lone CR');
    malformed(REQ, get().f('x-v', LF), 'a lone LF');
    malformed(REQ, block().f(':method', 'GET').f(':scheme', 'https').f(':path', '/a' + CR + LF + 'b'), 'CRLF in a pseudo-header value');
    malformed(RES, status('200').f('location', '/a' + LF), 'LF in a response value');
    malformed(TRL, block().f('x-t', 'a' + NUL), 'NUL in a trailer value');
    noMismatches();
  });
  it('leading and trailing SP or HTAB are malformed', () => {
    malformed(REQ, get().f('x-v', ' a'), '§8.2.1: "MUST NOT start ... with ... SP"');
    malformed(REQ, get().f('x-v', HTAB + 'a'), 'start with HTAB');
    malformed(REQ, get().f('x-v', 'a '), '"MUST NOT ... end with ... SP"');
    malformed(REQ, get().f('x-v', 'a' + HTAB), 'end with HTAB');
    malformed(REQ, get().f('x-v', ' '), 'a value of one SP');
    malformed(REQ, get().f('x-v', HTAB), 'a value of one HTAB');
    malformed(REQ, block().f(':method', 'GET').f(':scheme', 'https').f(':authority', ' example.com').f(':path', '/'), 'leading SP in :authority');
    malformed(RES, status('200').f('server', 'x '), 'trailing SP in a response value');
    noMismatches();
  });
});

describe('RFC 9113 §8.2.2 connection-specific fields', () => {
  it('connection, keep-alive, proxy-connection, transfer-encoding and upgrade are malformed', () => {
    malformed(REQ, get().f('connection', 'keep-alive'), '§8.2.2: the Connection field');
    malformed(REQ, get().f('keep-alive', 'timeout=5'), 'Keep-Alive');
    malformed(REQ, get().f('proxy-connection', 'keep-alive'), 'Proxy-Connection');
    malformed(REQ, get().f('transfer-encoding', 'chunked'), 'Transfer-Encoding');
    malformed(REQ, get().f('upgrade', 'h2c'), 'Upgrade');
    malformed(REQ, get().staticName(57, 'transfer-encoding', 'chunked'), 'Transfer-Encoding by its static name (entry 57)');
    malformed(RES, status('200').f('connection', 'close'), 'Connection in a response');
    malformed(RES, status('200').f('transfer-encoding', 'chunked'), 'Transfer-Encoding in a response');
    malformed(RES, status('101').f('upgrade', 'websocket'), 'Upgrade in a response');
    malformed(TRL, block().f('keep-alive', 'x'), 'Keep-Alive in trailers');
    noMismatches();
  });
  it('te carries "trailers" and nothing else', () => {
    malformed(REQ, get().f('te', 'gzip'), '§8.2.2: TE "MUST NOT contain any value other than trailers"');
    malformed(REQ, get().f('te', 'trailers, deflate'), 'a list with more than trailers');
    malformed(REQ, get().f('te', 'trailersx'), 'not the token trailers');
    ok(REQ, get().f('te', 'trailers'), 'exactly trailers');
    noMismatches();
  });
  it('similar names that are not connection-specific are fine', () => {
    ok(REQ, get().f('connection-id', 'x').f('upgrade-insecure-requests', '1').f('keep-alive-x', '1')
      .f('tex', 'gzip').f('transfer', 'x'), 'prefixes of the banned names are ordinary fields');
    noMismatches();
  });
});

describe('RFC 9113 §8.5 CONNECT', () => {
  it('a CONNECT with only :method and :authority is a tunnel request', () => {
    expect(accepts(REQ, block().f(':method', 'CONNECT').f(':authority', 'proxy.example:443'))).toBe(true);
    expect(messageIsConnect).toBe(true);
    expect(messageIsHead).toBe(false);
  });
  it('CONNECT that does not conform is malformed', () => {
    malformed(REQ, block().f(':method', 'CONNECT'), '§8.5: ":authority ... contains the host and port to connect to"');
    malformed(REQ, block().f(':method', 'CONNECT').f(':authority', 'proxy.example:443').f(':scheme', 'https'),
      '§8.5: ":scheme and :path pseudo-header fields MUST be omitted": :scheme');
    malformed(REQ, block().f(':method', 'CONNECT').f(':authority', 'proxy.example:443').f(':path', '/'), ':path');
    malformed(REQ, block().f(':method', 'CONNECT').f(':authority', 'proxy.example:443').f(':scheme', 'https').f(':path', '/'),
      'both :scheme and :path');
    noMismatches();
  });
  it('a non-CONNECT request is not reported as a tunnel', () => {
    expect(accepts(REQ, block().f(':method', 'CONNECT').f(':authority', 'p:1'))).toBe(true);
    expect(accepts(REQ, get())).toBe(true);
    expect(messageIsConnect).toBe(false, 'the previous CONNECT does not leak into this request');
  });
});

/** An extended CONNECT request for WebSocket (RFC 8441 §5). */
function ws(): Block {
  return block().f(':method', 'CONNECT').f(':protocol', 'websocket').f(':scheme', 'https')
    .f(':path', '/chat').f(':authority', 'server.example.com');
}

describe('RFC 8441 §4 extended CONNECT', () => {
  it('is well-formed once SETTINGS_ENABLE_CONNECT_PROTOCOL was sent', () => {
    ok(REQ, ws(), '§4: :protocol with :scheme, :path and :authority', true);
    ok(REQ, ws().f('sec-websocket-version', '13'), 'with regular fields', true);
    noMismatches();
  });
  it('is malformed when the setting was not sent', () => {
    malformed(REQ, ws(), '§3: :protocol is only defined after we sent the setting; RFC 9113 §8.3 undefined pseudo-header', false);
    noMismatches();
  });
  it('needs :scheme and :path, and CONNECT', () => {
    malformed(REQ, block().f(':method', 'CONNECT').f(':protocol', 'websocket').f(':path', '/chat').f(':authority', 'a.example'),
      '§4: ":scheme and :path pseudo-header fields ... MUST also be included": no :scheme', true);
    malformed(REQ, block().f(':method', 'CONNECT').f(':protocol', 'websocket').f(':scheme', 'https').f(':authority', 'a.example'),
      'no :path', true);
    malformed(REQ, block().f(':method', 'GET').f(':protocol', 'websocket').f(':scheme', 'https').f(':path', '/chat').f(':authority', 'a.example'),
      '§4: :protocol belongs to the CONNECT method', true);
    malformed(REQ, ws().f(':protocol', 'websocket'), 'duplicate :protocol', true);
    malformed(PUSH, ws(), 'a promised request cannot be CONNECT (RFC 9113 §8.4: promised requests are safe)', true);
    noMismatches();
  });
});

describe('RFC 9113 §8.1.1 content-length', () => {
  it('is parsed as a decimal number of octets', () => {
    expect(accepts(REQ, get().f('content-length', '0'))).toBe(true);
    expect(messageContentLength).toBe(0);
    expect(accepts(REQ, get().f('content-length', '42'))).toBe(true);
    expect(messageContentLength).toBe(42);
    expect(accepts(REQ, get().f('content-length', '1234567890123'))).toBe(true);
    expect(messageContentLength).toBe(1234567890123);
    expect(accepts(RES, status('200').f('content-length', '5'))).toBe(true);
    expect(messageContentLength).toBe(5);
    expect(accepts(REQ, get().staticName(28, 'content-length', '77'))).toBe(true, 'by its static name (entry 28)');
    expect(messageContentLength).toBe(77);
  });
  it('is forgotten by the next block', () => {
    expect(accepts(REQ, get().f('content-length', '42'))).toBe(true);
    expect(accepts(REQ, get())).toBe(true);
    expect(messageContentLength).toBe(-1);
  });
  it('repeated equal values are one length; different values are malformed (RFC 9110 §8.6)', () => {
    expect(accepts(REQ, get().f('content-length', '42').f('content-length', '42'))).toBe(true);
    expect(messageContentLength).toBe(42);
    malformed(REQ, get().f('content-length', '42').f('content-length', '43'), 'two different lengths');
    malformed(REQ, get().f('content-length', '0').f('content-length', '1'), 'zero then one');
    malformed(REQ, get().staticName(28, 'content-length', '7').f('content-length', '8'), 'static-name then literal, different');
    malformed(RES, status('200').f('content-length', '10').f('content-length', '1'), 'in a response');
    noMismatches();
  });
  it('a value that is not 1*DIGIT is malformed (RFC 9110 §8.6)', () => {
    malformed(REQ, get().f('content-length', ''), 'empty');
    malformed(REQ, get().f('content-length', 'abc'), 'letters');
    malformed(REQ, get().f('content-length', '-1'), 'a sign');
    malformed(REQ, get().f('content-length', '+1'), 'a plus sign');
    malformed(REQ, get().f('content-length', '0x10'), 'hexadecimal');
    malformed(REQ, get().f('content-length', '1e3'), 'an exponent');
    malformed(REQ, get().f('content-length', '4 2'), 'inner SP');
    malformed(REQ, get().f('content-length', '99999999999999999999'),
      'RFC 9110 §8.6: "prevent parsing errors due to integer conversion overflows": 20 digits fit no i64');
    noMismatches();
  });
});

describe('RFC 9113 §8.3.2 :status', () => {
  it('is read as a number', () => {
    expect(accepts(RES, status('200'))).toBe(true);
    expect(messageStatus).toBe(200);
    expect(accepts(RES, status('404'))).toBe(true);
    expect(messageStatus).toBe(404);
    expect(accepts(RES, status('103'))).toBe(true);
    expect(messageStatus).toBe(103);
    expect(accepts(RES, status('599'))).toBe(true);
    expect(messageStatus).toBe(599);
    expect(accepts(RES, block().indexed(8, ':status', '200'))).toBe(true);
    expect(messageStatus).toBe(200);
    expect(accepts(RES, block().indexed(11, ':status', '304'))).toBe(true, 'RFC 7541 Appendix A entry 11 (:status 304)');
    expect(messageStatus).toBe(304);
    expect(accepts(RES, block().indexed(14, ':status', '500'))).toBe(true, 'entry 14 (:status 500)');
    expect(messageStatus).toBe(500);
    expect(accepts(RES, block().staticName(8, ':status', '418'))).toBe(true);
    expect(messageStatus).toBe(418);
  });
  it('a value that is not a three-digit status code is malformed', () => {
    malformed(RES, status(''), 'RFC 9110 §15: "a three-digit integer code": empty');
    malformed(RES, status('20'), 'two digits');
    malformed(RES, status('2000'), 'four digits');
    malformed(RES, status('abc'), 'letters');
    malformed(RES, status('2x0'), 'a letter among digits');
    malformed(RES, status('-20'), 'a sign');
    malformed(RES, status('20 '), 'a trailing SP (§8.2.1)');
    // Three digits outside 100..599 are not tested either way: RFC 9110 §15 calls them invalid
    // but says a client "SHOULD process the response as if it had a 5xx" status.
    noMismatches();
  });
});

describe('HEAD requests (RFC 9110 §9.3.2: the response carries no content)', () => {
  it('detects the HEAD method, case-sensitively', () => {
    expect(accepts(REQ, block().f(':method', 'HEAD').f(':scheme', 'https').f(':authority', 'example.com').f(':path', '/'))).toBe(true);
    expect(messageIsHead).toBe(true);
    expect(accepts(REQ, get())).toBe(true);
    expect(messageIsHead).toBe(false, 'GET after HEAD');
    expect(accepts(REQ, block().f(':method', 'head').f(':scheme', 'https').f(':path', '/'))).toBe(true);
    expect(messageIsHead).toBe(false, 'RFC 9110 §9.1: "The method token is case-sensitive"');
    expect(accepts(REQ, block().f(':method', 'HEADX').f(':scheme', 'https').f(':path', '/'))).toBe(true);
    expect(messageIsHead).toBe(false, 'another method that starts with HEAD');
  });
});

describe('RFC 9113 §8.4 promised requests', () => {
  it('are safe, cacheable requests without content, for an authority', () => {
    ok(PUSH, get(), 'a GET');
    ok(PUSH, block().f(':method', 'HEAD').f(':scheme', 'https').f(':authority', 'example.com').f(':path', '/'), 'a HEAD');
    malformed(PUSH, block().f(':method', 'POST').f(':scheme', 'https').f(':authority', 'example.com').f(':path', '/'),
      '§8.4.1: a :method "that is not safe" MUST be a stream error');
    malformed(PUSH, block().f(':method', 'DELETE').f(':scheme', 'https').f(':authority', 'example.com').f(':path', '/'),
      'DELETE is not safe (RFC 9110 §9.2.1)');
    malformed(PUSH, block().f(':method', 'CONNECT').f(':authority', 'example.com:443'), 'CONNECT is not safe');
    malformed(PUSH, get().f('content-length', '10'), '§8.4: a promised request that "indicates the presence of request content"');
    malformed(PUSH, block().f(':method', 'GET').f(':scheme', 'https').f(':path', '/'),
      '§8.4: "The server MUST include a value in the :authority pseudo-header field"');
    noMismatches();
  });
});
