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

/** The fields in order (pseudo-headers first), or throws the error Node would. */
export function checkOutgoing(kind: SectionKind, headers: HeaderInput): HeaderPairs {
  const pseudo: HeaderPairs = [];
  const regular: HeaderPairs = [];
  const seen = new Set<string>();
  forEachField(headers, (name, value) => {
    if (!TOKEN.test(name.charCodeAt(0) === 58 ? name.slice(1) : name)) {
      throw new H2Error('ERR_INVALID_HTTP_TOKEN', `Header name must be a valid HTTP token ["${name}"]`);
    }
    if (/[\0\r\n]/.test(value)) throw new H2Error('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
    if (name.charCodeAt(0) === 58 /* : */) {
      const allowed = kind === 'trailers' ? false
        : kind === 'response' || kind === 'informational' ? name === ':status' : REQUEST_PSEUDO.has(name);
      if (!allowed) throw new H2Error('ERR_HTTP2_INVALID_PSEUDOHEADER', `"${name}" is an invalid pseudoheader or is used incorrectly`);
      if (seen.has(name)) throw new H2Error('ERR_HTTP2_HEADER_SINGLE_VALUE', `Header field "${name}" must only have a single value`);
      seen.add(name);
      pseudo.push([name, value]);
      return;
    }
    if (CONNECTION_SPECIFIC.has(name) || (name === 'te' && value !== 'trailers')) {
      throw new H2Error('ERR_HTTP2_INVALID_CONNECTION_HEADERS', `HTTP/1 Connection specific headers are forbidden: "${name}"`);
    }
    regular.push([name, value]);
  });
  const get = (n: string) => pseudo.find((p) => p[0] === n)?.[1];
  if (kind === 'request' || kind === 'push') {
    const method = get(':method');
    const authority = get(':authority');
    // §8.3.1: no userinfo in :authority, and a Host field may not name another authority.
    if (authority !== undefined && authority.includes('@')) {
      throw new H2Error('ERR_HTTP2_INVALID_PSEUDOHEADER', '":authority" must not include userinfo');
    }
    const host = regular.find((p) => p[0] === 'host')?.[1];
    if (host !== undefined && authority !== undefined && host !== authority) {
      throw new H2Error('ERR_HTTP2_INVALID_HEADER_VALUE', `"host" (${host}) differs from ":authority" (${authority})`);
    }
    if (method === undefined) throw new H2Error('ERR_HTTP2_INVALID_PSEUDOHEADER', '":method" is required in a request');
    if (method === 'CONNECT' && !seen.has(':protocol')) {
      if (!seen.has(':authority') || seen.has(':scheme') || seen.has(':path')) {
        throw new H2Error('ERR_HTTP2_CONNECT_AUTHORITY', ':authority header is required for CONNECT requests (and :scheme and :path are not allowed)');
      }
    } else if (!seen.has(':scheme') || !get(':path')) {
      throw new H2Error('ERR_HTTP2_INVALID_PSEUDOHEADER', '":scheme" and a non-empty ":path" are required in a request');
    }
    if (kind === 'push' && ((method !== 'GET' && method !== 'HEAD') || !seen.has(':authority'))) {
      // RFC 9113 §8.4: a promised request is safe and cacheable and names its authority.
      throw new H2Error('ERR_HTTP2_INVALID_PSEUDOHEADER', 'a pushed request must be GET or HEAD with an ":authority"');
    }
  } else if (kind === 'response' || kind === 'informational') {
    const raw = get(':status') ?? '';
    const status = /^[0-9]{3}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw new H2Error('ERR_HTTP2_STATUS_INVALID', `Invalid status code: ${get(':status')}`);
    }
    if (status === 101) throw new H2Error('ERR_HTTP2_STATUS_101', 'HTTP status code 101 (Switching Protocols) is forbidden in HTTP/2');
    if (kind === 'informational' && status >= 200) throw new H2Error('ERR_HTTP2_INVALID_INFO_STATUS', `Invalid informational status code: ${status}`);
    if (kind === 'response' && status < 200) throw new H2Error('ERR_HTTP2_STATUS_INVALID', `Use informational() for 1xx status codes: ${status}`);
  }
  return pseudo.length ? pseudo.concat(regular) : regular;
}
