// Node's header objects ↔ the core's [name, value] pairs, with node:http2's rules: names
// lowercased, arrays as repeated fields, single-value fields checked, `sensitiveHeaders`,
// incoming duplicates joined (cookie with "; ", set-cookie kept as an array, others ", ").
import { errorOf } from './errors.ts';

export const sensitiveHeaders: unique symbol = Symbol.for('nodejs.http2.sensitiveHeaders') as never;

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

/** Outgoing headers as pairs (pseudo-headers first) and the names to send never-indexed. */
export function toPairs(headers: OutgoingHeaders | null | undefined): { pairs: Array<[string, string]>; sensitive: string[] } {
  const pairs: Array<[string, string]> = [];
  const pseudo: Array<[string, string]> = [];
  const sensitive = ((headers?.[sensitiveHeaders] as string[] | undefined) ?? []).map((n) => n.toLowerCase());
  if (!headers) return { pairs, sensitive };
  for (const key of Object.keys(headers)) {
    const value = headers[key];
    if (value === undefined) continue;
    const name = key.toLowerCase();
    const target = name.charCodeAt(0) === 58 ? pseudo : pairs;
    if (Array.isArray(value)) {
      if (value.length > 1 && SINGLE_VALUE.has(name)) {
        throw errorOf('ERR_HTTP2_HEADER_SINGLE_VALUE', `Header field "${name}" must only have a single value`, TypeError);
      }
      for (const v of value) target.push([name, String(v)]);
    } else target.push([name, String(value)]);
  }
  return { pairs: pseudo.concat(pairs), sensitive };
}

/** Incoming pairs as Node's headers object (null prototype) and its rawHeaders array. */
export function fromPairs(pairs: Array<[string, string]>, sensitive: string[] = []): { headers: IncomingHeaders; rawHeaders: string[] } {
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
