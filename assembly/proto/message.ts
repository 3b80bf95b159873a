// HTTP message rules of RFC 9113 §8 checked on a decoded field block: field validity (§8.2),
// pseudo-header fields (§8.3), connection-specific fields (§8.2.2), content-length (§8.1.1),
// CONNECT (§8.5) and extended CONNECT (RFC 8441 §4).
import {
  HPACK_RECORD_WORDS, HPACK_KIND_STATIC, HPACK_KIND_STATIC_NAME,
} from '../abi';
import { staticNamePtr, staticNameLength, staticValuePtr, staticNameFirst } from '../hpack/static-table';
import { bytesEqual } from '../common/memory';

export const BLOCK_REQUEST: u32 = 1;
export const BLOCK_RESPONSE: u32 = 2; // any :status, 1xx included
export const BLOCK_TRAILERS: u32 = 3;
export const BLOCK_PUSH_REQUEST: u32 = 4; // the request in a PUSH_PROMISE

// What the check learned, for the session.
export let messageStatus: u32 = 0; // :status of a response
export let messageContentLength: i64 = -1;
export let messageIsHead: bool = false;
export let messageIsConnect: bool = false; // plain CONNECT (a tunnel)

const RECORD_BYTES: usize = <usize>HPACK_RECORD_WORDS << 2;

// Static-table indexes of the names this module looks at (RFC 7541 Appendix A).
const S_AUTHORITY: u32 = 1;
const S_METHOD: u32 = 2;
const S_PATH: u32 = 4;
const S_SCHEME: u32 = 6;
const S_STATUS: u32 = 8;
const S_CONTENT_LENGTH: u32 = 28;
const S_TRANSFER_ENCODING: u32 = 57;
const S_HOST: u32 = 38;

// Pseudo-header bits.
const P_METHOD: u32 = 1;
const P_SCHEME: u32 = 2;
const P_AUTHORITY: u32 = 4;
const P_PATH: u32 = 8;
const P_PROTOCOL: u32 = 16;
const P_STATUS: u32 = 32;

function eqAscii(p: usize, n: usize, s: string): bool {
  if (n != <usize>s.length) return false;
  for (let i = 0; i < s.length; i++) if (<i32>load<u8>(p + i) != s.charCodeAt(i)) return false;
  return true;
}

// RFC 9110 §5.6.2 tchar, lowercase only (RFC 9113 §8.2.1), as a 128-bit set.
const TOKEN_LO: u64 = 0x03ff6cfa00000000; // ! # $ % & ' * + - . 0-9
const TOKEN_HI: u64 = 0x57ffffffc0000000; // ^ _ ` a-z | ~

/** Field name octets allowed by §8.2.1: lowercase tokens; ':' only to start a pseudo-header. */
function validName(p: usize, n: usize): bool {
  if (!n) return false;
  for (let i: usize = 0; i < n; i++) {
    const c = <u64>load<u8>(p + i);
    if (c == 0x3a && i == 0) continue;
    if (c < 64 ? !((TOKEN_LO >> c) & 1) : c >= 128 || !((TOKEN_HI >> (c - 64)) & 1)) return false;
  }
  return true;
}

/** §8.2.1: no NUL, CR or LF; no leading or trailing SP / HTAB. */
function validValue(p: usize, n: usize): bool {
  if (!n) return true;
  const first = load<u8>(p), last = load<u8>(p + n - 1);
  if (first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09) return false;
  for (let i: usize = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c == 0 || c == 0x0a || c == 0x0d) return false;
  }
  return true;
}

const TOKEN_UPPER: u64 = 0x07fffffe; // A-Z in the upper half of the set above

/** RFC 9110 §9: a method is a token (uppercase allowed). */
function validMethod(p: usize, n: usize): bool {
  if (!n) return false;
  for (let i: usize = 0; i < n; i++) {
    const c = <u64>load<u8>(p + i);
    if (c < 64 ? !((TOKEN_LO >> c) & 1) : c >= 128 || !(((TOKEN_HI | TOKEN_UPPER) >> (c - 64)) & 1)) return false;
  }
  return true;
}

/** A request target with SP or controls reads differently on an HTTP/1.1 hop (request smuggling). */
function validPath(p: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) {
    const c = load<u8>(p + i);
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

/** A decimal content-length (§8.1.1), or −1 when not one. */
function parseLength(p: usize, n: usize): i64 {
  if (!n || n > 15) return -1;
  let v: i64 = 0;
  for (let i: usize = 0; i < n; i++) {
    const c = <i64>load<u8>(p + i) - 0x30;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * Checks a field block; returns true when well-formed. `connectProtocol`: we advertised
 * SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441), so `:protocol` is allowed.
 */
export function checkMessage(kind: u32, records: usize, count: u32, arena: usize, connectProtocol: bool): bool {
  messageStatus = 0;
  messageContentLength = -1;
  messageIsHead = false;
  messageIsConnect = false;
  let seen: u32 = 0;
  let regular = false; // a regular field was seen: no pseudo-header may follow
  let method: usize = 0, methodLength: usize = 0;
  let path: usize = 0, pathLength: usize = 0;
  let authority: usize = 0, authorityLength: usize = 0, host: usize = 0, hostLength: usize = 0;
  for (let i: u32 = 0; i < count; i++) {
    const r = records + <usize>i * RECORD_BYTES;
    const w0 = load<u32>(r);
    const k = w0 & 0xff;
    const entryIndex = w0 >> 16; // a whole static entry (kind STATIC) or its name's first index
    const fromStatic = k == HPACK_KIND_STATIC || k == HPACK_KIND_STATIC_NAME;
    const staticIndex = fromStatic ? staticNameFirst(entryIndex) : 0; // compare names by first index
    const name = fromStatic ? staticNamePtr(staticIndex) : arena + <usize>load<u32>(r, 12);
    const nameLength = <usize>(fromStatic ? staticNameLength(staticIndex) : load<u32>(r, 16));
    const value = k == HPACK_KIND_STATIC ? staticValuePtr(entryIndex) : arena + <usize>load<u32>(r, 20);
    const valueLength = <usize>load<u32>(r, 24);
    if (!fromStatic && !validName(name, nameLength)) return false;
    if (k != HPACK_KIND_STATIC && !validValue(value, valueLength)) return false;

    if (load<u8>(name) == 0x3a) {
      // §8.3: pseudo-headers come first, once each, only the ones defined for this block.
      if (regular || kind == BLOCK_TRAILERS) return false;
      let bit: u32 = 0;
      if (fromStatic) {
        if (staticIndex == S_METHOD) bit = P_METHOD;
        else if (staticIndex == S_PATH) bit = P_PATH;
        else if (staticIndex == S_SCHEME) bit = P_SCHEME;
        else if (staticIndex == S_AUTHORITY) bit = P_AUTHORITY;
        else if (staticIndex == S_STATUS) bit = P_STATUS;
      } else if (eqAscii(name, nameLength, ':method')) bit = P_METHOD;
      else if (eqAscii(name, nameLength, ':path')) bit = P_PATH;
      else if (eqAscii(name, nameLength, ':scheme')) bit = P_SCHEME;
      else if (eqAscii(name, nameLength, ':authority')) bit = P_AUTHORITY;
      else if (eqAscii(name, nameLength, ':status')) bit = P_STATUS;
      else if (eqAscii(name, nameLength, ':protocol')) bit = P_PROTOCOL;
      if (!bit || (seen & bit)) return false;
      if (kind == BLOCK_RESPONSE ? bit != P_STATUS : bit == P_STATUS) return false;
      seen |= bit;
      if (bit == P_METHOD) { method = value; methodLength = valueLength; }
      else if (bit == P_PATH) { path = value; pathLength = valueLength; }
      else if (bit == P_AUTHORITY) { authority = value; authorityLength = valueLength; }
      else if (bit == P_STATUS) {
        if (valueLength != 3) return false;
        let status: u32 = 0;
        for (let j: usize = 0; j < 3; j++) {
          const c = <u32>load<u8>(value + j) - 0x30;
          if (c > 9) return false;
          status = status * 10 + c;
        }
        if (status < 100) return false;
        messageStatus = status;
      }
      continue;
    }
    regular = true;
    // §8.2.2: connection-specific fields; te only as "trailers".
    if (fromStatic) {
      if (staticIndex == S_TRANSFER_ENCODING) return false;
      if (staticIndex == S_HOST) { host = value; hostLength = valueLength; }
      if (staticIndex == S_CONTENT_LENGTH && !noteLength(value, valueLength)) return false;
      continue;
    }
    const c0 = load<u8>(name);
    if (c0 == 0x63 /* c */) {
      if (eqAscii(name, nameLength, 'connection')) return false;
      if (eqAscii(name, nameLength, 'content-length') && !noteLength(value, valueLength)) return false;
    } else if (c0 == 0x68 /* h */) {
      if (eqAscii(name, nameLength, 'host')) { host = value; hostLength = valueLength; }
    } else if (c0 == 0x6b /* k */) {
      if (eqAscii(name, nameLength, 'keep-alive')) return false;
    } else if (c0 == 0x70 /* p */) {
      if (eqAscii(name, nameLength, 'proxy-connection')) return false;
    } else if (c0 == 0x74 /* t */) {
      if (eqAscii(name, nameLength, 'transfer-encoding')) return false;
      if (eqAscii(name, nameLength, 'te') && !eqAscii(value, valueLength, 'trailers')) return false;
    } else if (c0 == 0x75 /* u */) {
      if (eqAscii(name, nameLength, 'upgrade')) return false;
    }
  }
  if (kind == BLOCK_RESPONSE) return (seen & P_STATUS) != 0;
  if (kind == BLOCK_TRAILERS) return true;
  // Requests (§8.3.1, §8.5, RFC 8441 §4).
  if (!(seen & P_METHOD) || !validMethod(method, methodLength)) return false;
  if ((seen & P_PATH) && !validPath(path, pathLength)) return false;
  // §8.3.1: a Host naming another authority than :authority is malformed.
  if (host && authority && (hostLength != authorityLength || !bytesEqual(host, authority, hostLength))) return false;
  const connect = eqAscii(method, methodLength, 'CONNECT');
  if (seen & P_PROTOCOL) {
    if (!connect || !connectProtocol || kind == BLOCK_PUSH_REQUEST) return false;
    return (seen & (P_SCHEME | P_PATH | P_AUTHORITY)) == (P_SCHEME | P_PATH | P_AUTHORITY) && pathLength > 0;
  }
  if (connect) {
    if (kind == BLOCK_PUSH_REQUEST) return false; // §8.4: CONNECT is not safe
    messageIsConnect = true;
    return (seen & (P_SCHEME | P_PATH)) == 0 && (seen & P_AUTHORITY) != 0;
  }
  messageIsHead = eqAscii(method, methodLength, 'HEAD');
  if ((seen & (P_SCHEME | P_PATH)) != (P_SCHEME | P_PATH) || !pathLength) return false;
  // §8.3.1: an absolute path, or "*" for OPTIONS only.
  const asterisk = pathLength == 1 && load<u8>(path) == 0x2a;
  if (asterisk ? !eqAscii(method, methodLength, 'OPTIONS') : load<u8>(path) != 0x2f) return false;
  if (kind == BLOCK_PUSH_REQUEST) {
    // §8.4: a promised request is safe and cacheable (GET or HEAD), has no body, names its authority.
    if (!messageIsHead && !eqAscii(method, methodLength, 'GET')) return false;
    if (!(seen & P_AUTHORITY) || messageContentLength > 0) return false;
  }
  return true;
}

/** Records a content-length value; several must agree (RFC 9110 §8.6). */
function noteLength(p: usize, n: usize): bool {
  const v = parseLength(p, n);
  if (v < 0) return false;
  if (messageContentLength >= 0 && messageContentLength != v) return false;
  messageContentLength = v;
  return true;
}
