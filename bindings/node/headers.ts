// Node's header objects ↔ the core's [name, value] pairs, with node:http2's rules: names
// lowercased, arrays as repeated fields, single-value fields checked, `sensitiveHeaders`,
// incoming duplicates joined (cookie with "; ", set-cookie kept as an array, others ", ").
import { errorOf, invalidArgType } from './errors.ts';

// Described as Node's is, so console.log(headers) prints `[Symbol(sensitiveHeaders)]: […]` as Node does.
export const sensitiveHeaders: unique symbol = Symbol.for('sensitiveHeaders') as never;

export type OutgoingHeaders = Record<string | symbol, unknown>;
export type IncomingHeaders = Record<string, string | string[] | number | undefined> & { [sensitiveHeaders]?: string[] };

// Fields that may appear once (Node's kSingleValueHeaders).
const SINGLE_VALUE = new Set([
  ':status', ':method', ':authority', ':scheme', ':path', ':protocol', 'access-control-allow-credentials',
  'access-control-max-age', 'access-control-request-method', 'age', 'authorization', 'content-encoding',
  'content-language', 'content-length', 'content-location', 'content-md5', 'content-range', 'content-type',
  'date', 'dnt', 'etag', 'expires', 'from', 'host', 'if-match', 'if-modified-since', 'if-none-match', 'if-range',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'range', 'referer',
  'retry-after', 'tk', 'upgrade-insecure-requests', 'user-agent', 'x-content-type-options',
]);
// Node's isIllegalConnectionSpecificHeader (RFC 9113 §8.2.2); `te` may only be "trailers".
const CONNECTION_SPECIFIC = new Set(['connection', 'upgrade', 'http2-settings', 'keep-alive', 'proxy-connection', 'transfer-encoding']);

// Node's kValidPseudoHeaders; which of them each kind of section may carry.
const PSEUDO = new Set([':status', ':method', ':authority', ':scheme', ':path', ':protocol']);
// RFC 9110 §5.6.2 token (names are lowercased first). Node checks only for spaces; we refuse
// every non-token name synchronously rather than let the peer reset the stream (RFC 9113 §8.2.1).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const BAD_VALUE = /[\0\r\n]/; // RFC 9113 §8.2.1: NUL, CR, LF never allowed in a field value

/**
 * Which section the headers open: 'request' (and push) accepts every pseudo-header Node knows,
 * 'response' and 'informational' only :status (checked and normalised as Node's respond() and
 * additionalHeaders() do), 'trailers' none.
 */
export type SectionKind = 'request' | 'response' | 'informational' | 'trailers';

const HTTP_TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/; // Node's checkIsHttpToken

/**
 * Node's first pass in request(): an unknown (or uppercase) pseudo-header throws; a name that is
 * not a token is handed to `destroy` (Node destroys the session with it) and the pass goes on.
 */
export function checkRequestNames(headers: unknown, destroy: (err: Error) => void): void {
  if (headers === null || headers === undefined) return;
  for (const key of Object.keys(headers)) {
    if (key[0] === ':') {
      if (!PSEUDO.has(key)) throw invalidPseudo(key);
    } else if (key && !HTTP_TOKEN.test(key)) {
      destroy(errorOf('ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${key}"]`, TypeError));
    }
  }
}

/** Node's assertIsObject: undefined passes, anything but a plain (non-array) object throws. */
export function assertIsObject(value: unknown, name: string): void {
  if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
    throw invalidArgType(name, 'of type object', value);
  }
}

function invalidPseudo(name: string): Error {
  return errorOf('ERR_HTTP2_INVALID_PSEUDOHEADER', `"${name}" is an invalid pseudoheader or is used incorrectly`, TypeError);
}

/** The :status to send, as Node computes it (`| 0`), or Node's error for it. */
function statusOf(kind: SectionKind, raw: unknown): number | undefined {
  if (kind === 'response') {
    const status = ((raw as number) | 0) || 200;
    if (status < 200 || status > 599) throw errorOf('ERR_HTTP2_STATUS_INVALID', `Invalid status code: ${String(raw)}`, RangeError);
    return status;
  }
  // Node sends informational headers without :status (the peer then resets the stream, RFC 9113
  // §8.3.2); we refuse them here instead.
  const status = raw === null || raw === undefined ? NaN : (raw as number) | 0;
  if (status === 101) throw errorOf('ERR_HTTP2_STATUS_101', 'HTTP status code 101 (Switching Protocols) is forbidden in HTTP/2');
  if (!(status >= 100 && status < 200)) {
    throw errorOf('ERR_HTTP2_INVALID_INFO_STATUS', `Invalid informational status code: ${String(raw)}`, RangeError);
  }
  return status;
}

/**
 * Outgoing headers as pairs (pseudo-headers first) and the names to send never-indexed, checked
 * as Node's mapToHeaders() does, in its order and with its errors: single-value fields, pseudo-
 * headers valid for `kind`, token names, connection-specific fields, and field values.
 */
const NO_SENSITIVE: readonly string[] = Object.freeze([]);
// Names already found to be tokens and not connection-specific (a bounded memo: the same few
// dozen names come back on every request).
const CHECKED_NAMES = new Set<string>();

export function toPairs(headers: OutgoingHeaders | null | undefined, kind: SectionKind = 'request'): { pairs: Array<[string, string]>; sensitive: string[] } {
  assertIsObject(headers, 'headers');
  const listed = headers?.[sensitiveHeaders] as string[] | undefined;
  const sensitive = listed === undefined ? NO_SENSITIVE as string[] : listed.map((n) => n.toLowerCase());
  const pairs: Array<[string, string]> = [];
  let pseudoCount = 0; // pseudo-header fields go first, in the order given
  if (kind === 'response' || kind === 'informational') {
    const status = statusOf(kind, headers?.[':status']);
    if (status !== undefined) { pairs.push([':status', String(status)]); pseudoCount = 1; }
  }
  if (!headers) return { pairs, sensitive };
  let mixedCase = false; // only names written in several cases can collide after lowercasing
  for (const key of Object.keys(headers)) {
    let value = headers[key];
    if (value === undefined || key === '') continue;
    let name = key;
    if (HAS_UPPER.test(key)) { name = key.toLowerCase(); mixedCase = true; }
    if (name === ':status' && (kind === 'response' || kind === 'informational')) {
      // Already placed, normalised; a second spelling (":Status") is a second value.
      if (key !== name) throw errorOf('ERR_HTTP2_HEADER_SINGLE_VALUE', 'Header field ":status" must only have a single value', TypeError);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      if (value.length === 1) value = String(value[0]);
      else if (SINGLE_VALUE.has(name)) throw errorOf('ERR_HTTP2_HEADER_SINGLE_VALUE', `Header field "${name}" must only have a single value`, TypeError);
    } else if (typeof value !== 'string') value = String(value);
    const isPseudo = name.charCodeAt(0) === 58; /* : */
    if (isPseudo) {
      const allowed = kind === 'request' ? PSEUDO.has(name) : kind !== 'trailers' && name === ':status';
      if (!allowed) throw invalidPseudo(name);
    } else if (!CHECKED_NAMES.has(name)) {
      if (!TOKEN.test(name)) throw errorOf('ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`, TypeError);
      if (CONNECTION_SPECIFIC.has(name)) {
        throw errorOf('ERR_HTTP2_INVALID_CONNECTION_HEADERS', `HTTP/1 Connection specific headers are forbidden: "${name}"`, TypeError);
      }
      if (name !== 'te' && CHECKED_NAMES.size < 1024) CHECKED_NAMES.add(name);
    }
    if (name === 'te' && value !== 'trailers') {
      throw errorOf('ERR_HTTP2_INVALID_CONNECTION_HEADERS', `HTTP/1 Connection specific headers are forbidden: "${name}"`, TypeError);
    }
    // Node passes these to nghttp2, which sends them and leaves the peer to reset the stream.
    if (typeof value === 'string') {
      if (BAD_VALUE.test(value)) throw errorOf('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`, TypeError);
      if (isPseudo) pairs.splice(pseudoCount++, 0, [name, value]);
      else pairs.push([name, value]);
    } else {
      const values = (value as unknown[]).map(String);
      for (const v of values) {
        if (BAD_VALUE.test(v)) throw errorOf('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`, TypeError);
      }
      for (const v of values) {
        if (isPseudo) pairs.splice(pseudoCount++, 0, [name, v]);
        else pairs.push([name, v]);
      }
    }
  }
  if (mixedCase) checkSingles(pairs); // otherwise the keys of one object are unique already
  return { pairs, sensitive };
}

const HAS_UPPER = /[A-Z]/;

/** Names given in several cases ("Content-Type" and "content-type"): single-value ones once only. */
function checkSingles(pairs: Array<[string, string]>): void {
  const seen = new Set<string>();
  for (const [name] of pairs) {
    if (!SINGLE_VALUE.has(name)) continue;
    if (seen.has(name)) throw errorOf('ERR_HTTP2_HEADER_SINGLE_VALUE', `Header field "${name}" must only have a single value`, TypeError);
    seen.add(name);
  }
}

/** Incoming pairs as Node's headers object (null prototype) and its rawHeaders array. */
export function fromPairs(pairs: Array<[string, string]>, sensitive: string[] = NO_SENSITIVE as string[]): { headers: IncomingHeaders; rawHeaders: string[] } {
  const headers = Object.create(null) as IncomingHeaders;
  const rawHeaders: string[] = new Array(pairs.length * 2);
  for (let i = 0; i < pairs.length; i++) {
    const [name, value] = pairs[i];
    rawHeaders[i * 2] = name;
    rawHeaders[i * 2 + 1] = value;
    const prev = headers[name];
    if (prev === undefined) {
      headers[name] = name === ':status' ? Number(value) : name === 'set-cookie' ? [value] : value;
    } else if (name === 'set-cookie') (prev as string[]).push(value);
    else if (name === 'cookie') headers[name] = `${prev}; ${value}`;
    else if (!SINGLE_VALUE.has(name)) headers[name] = `${prev}, ${value}`;
  }
  headers[sensitiveHeaders] = sensitive;
  return { headers, rawHeaders };
}

/** The most octets a field block can take once encoded: what maxSendHeaderBlockLength is held against (as nghttp2 bounds it). */
export function headerBlockBound(pairs: Array<[string, string]>): number {
  let n = 12; // room for two table size updates
  for (const [name, value] of pairs) n += 12 + name.length + value.length; // two 6-octet lengths each
  return n;
}
