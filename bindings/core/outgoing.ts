// Checks an outgoing field section before it is encoded, so a session never sends a malformed
// message (RFC 9113 §8.2, §8.3): Node's error codes, pseudo-headers moved first.
import { H2Error } from './errors.ts';
import { forEachField, type HeaderInput, type HeaderPairs } from './headers.ts';

export type SectionKind = 'request' | 'response' | 'informational' | 'trailers' | 'push';

// §8.2.2; `te` is allowed with the value "trailers" only.
const CONNECTION_SPECIFIC = new Set(['connection', 'upgrade', 'http2-settings', 'transfer-encoding', 'keep-alive', 'proxy-connection']);
// RFC 9110 §5.6.2 token, lowercase only (RFC 9113 §8.2.1).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const REQUEST_PSEUDO = new Set([':method', ':scheme', ':authority', ':path', ':protocol']);

// One bit per pseudo-header, to find repeats without a Set.
const PSEUDO_BIT: Record<string, number> = { ':method': 1, ':scheme': 2, ':authority': 4, ':path': 8, ':protocol': 16, ':status': 32 };

/** The fields in order (pseudo-headers first), or throws the error Node would. */
export function checkOutgoing(kind: SectionKind, headers: HeaderInput): HeaderPairs {
  let fields: HeaderPairs;
  if (Array.isArray(headers)) fields = headers as HeaderPairs;
  else {
    fields = [];
    forEachField(headers, (name, value) => { fields.push([name, value]); });
  }
  let seen = 0;
  let ordered = true; // pseudo-headers already first: the list goes on as it is, uncopied
  let sawRegular = false;
  let method: string | undefined, authority: string | undefined, path: string | undefined;
  let status: string | undefined, host: string | undefined;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    let name = field[0], value = field[1];
    if (typeof name !== 'string' || typeof value !== 'string') {
      name = String(name); value = String(value);
      fields = fields === headers ? fields.slice() : fields; // never write into the caller's list
      fields[i] = [name, value];
    }
    const pseudoName = name.charCodeAt(0) === 58; /* : */
    if (!TOKEN.test(pseudoName ? name.slice(1) : name)) {
      throw new H2Error('ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`);
    }
    if (BAD_VALUE.test(value)) throw new H2Error('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
    if (pseudoName) {
      const allowed = kind === 'trailers' ? false
        : kind === 'response' || kind === 'informational' ? name === ':status' : REQUEST_PSEUDO.has(name);
      if (!allowed) throw new H2Error('ERR_HTTP2_INVALID_PSEUDOHEADER', `"${name}" is an invalid pseudoheader or is used incorrectly`);
      const bit = PSEUDO_BIT[name];
      if (seen & bit) throw new H2Error('ERR_HTTP2_HEADER_SINGLE_VALUE', `Header field "${name}" must only have a single value`);
      seen |= bit;
      if (sawRegular) ordered = false;
      if (name === ':method') method = value;
      else if (name === ':authority') authority = value;
      else if (name === ':path') path = value;
      else if (name === ':status') status = value;
      continue;
    }
    if (CONNECTION_SPECIFIC.has(name) || (name === 'te' && value !== 'trailers')) {
      throw new H2Error('ERR_HTTP2_INVALID_CONNECTION_HEADERS', `HTTP/1 Connection specific headers are forbidden: "${name}"`);
    }
    sawRegular = true;
    if (host === undefined && name === 'host') host = value;
  }
  if (kind === 'request' || kind === 'push') {
    // §8.3.1: no userinfo in :authority, and a Host field may not name another authority.
    if (authority !== undefined && authority.includes('@')) {
      throw new H2Error('ERR_HTTP2_INVALID_PSEUDOHEADER', '":authority" must not include userinfo');
    }
    if (host !== undefined && authority !== undefined && host !== authority) {
      throw new H2Error('ERR_HTTP2_INVALID_HEADER_VALUE', `"host" (${host}) differs from ":authority" (${authority})`);
    }
    if (method === undefined) throw new H2Error('ERR_HTTP2_INVALID_PSEUDOHEADER', '":method" is required in a request');
    if (method === 'CONNECT' && !(seen & PSEUDO_BIT[':protocol'])) {
      if (!(seen & PSEUDO_BIT[':authority']) || (seen & PSEUDO_BIT[':scheme']) || (seen & PSEUDO_BIT[':path'])) {
        throw new H2Error('ERR_HTTP2_CONNECT_AUTHORITY', ':authority header is required for CONNECT requests (and :scheme and :path are not allowed)');
      }
    } else if (!(seen & PSEUDO_BIT[':scheme']) || !path) {
      throw new H2Error('ERR_HTTP2_INVALID_PSEUDOHEADER', '":scheme" and a non-empty ":path" are required in a request');
    }
    if (kind === 'push' && ((method !== 'GET' && method !== 'HEAD') || !(seen & PSEUDO_BIT[':authority']))) {
      // RFC 9113 §8.4: a promised request is safe and cacheable and names its authority.
      throw new H2Error('ERR_HTTP2_INVALID_PSEUDOHEADER', 'a pushed request must be GET or HEAD with an ":authority"');
    }
  } else if (kind === 'response' || kind === 'informational') {
    const raw = status ?? '';
    const code = STATUS_TEXT.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(code) || code < 100 || code > 599) {
      throw new H2Error('ERR_HTTP2_STATUS_INVALID', `Invalid status code: ${status}`);
    }
    if (code === 101) throw new H2Error('ERR_HTTP2_STATUS_101', 'HTTP status code 101 (Switching Protocols) is forbidden in HTTP/2');
    if (kind === 'informational' && code >= 200) throw new H2Error('ERR_HTTP2_INVALID_INFO_STATUS', `Invalid informational status code: ${code}`);
    if (kind === 'response' && code < 200) throw new H2Error('ERR_HTTP2_STATUS_INVALID', `Use informational() for 1xx status codes: ${code}`);
  }
  if (ordered) return fields;
  // Stable: pseudo-headers first, each group in the order given.
  const pseudo: HeaderPairs = [];
  const regular: HeaderPairs = [];
  for (const f of fields) (f[0].charCodeAt(0) === 58 ? pseudo : regular).push(f);
  return pseudo.concat(regular);
}

const BAD_VALUE = /[\0\r\n]/;
const STATUS_TEXT = /^[0-9]{3}$/;
