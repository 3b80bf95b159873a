// Error expectations for the HPACK codec tests: the codes docs/hpack.md documents.
import * as assert from 'uvu/assert';

/** Malformed input (RFC 7541): in HTTP/2 a COMPRESSION_ERROR; the decoder becomes unusable. */
export const MALFORMED_CODES = [
  'ERR_HPACK_TRUNCATED',
  'ERR_HPACK_INTEGER_OVERFLOW',
  'ERR_HPACK_INVALID_INDEX',
  'ERR_HPACK_INVALID_HUFFMAN',
  'ERR_HPACK_TABLE_SIZE_UPDATE',
] as const;

/** Local limits: the block is refused but the decoder's dynamic table stays in sync. */
export const LIMIT_CODES = [
  'ERR_HPACK_HEADER_LIST_TOO_LARGE',
  'ERR_HPACK_TOO_MANY_HEADERS',
  'ERR_HPACK_HEADER_FIELD_TOO_LARGE',
] as const;

/** Runs `fn`, which must throw; returns what it threw. */
export function caught(fn: () => unknown, what: string): Error & { code?: unknown } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: unknown };
  }
  assert.unreachable(`${what}: expected a throw, got a result`);
  throw new Error('unreachable');
}

/** `fn` must throw an Error whose `code` is `code`; returns the error. */
export function throwsCode(fn: () => unknown, code: string, what: string): Error & { code?: unknown } {
  const err = caught(fn, `${what} (wanted ${code})`);
  assert.ok(err instanceof Error, `${what}: threw a non-Error ${String(err)}`);
  assert.is(err.code, code, `${what}: wanted ${code}, got ${String(err.code)} (${err.message})`);
  return err;
}
