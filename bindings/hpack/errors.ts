// HPACK errors: one code per kind of failure (docs/hpack.md lists them).
import * as abi from '../core/abi.gen.ts';

export type HpackErrorCode =
  | 'ERR_HPACK_TRUNCATED' | 'ERR_HPACK_INTEGER_OVERFLOW' | 'ERR_HPACK_INVALID_INDEX'
  | 'ERR_HPACK_INVALID_HUFFMAN' | 'ERR_HPACK_TABLE_SIZE_UPDATE' | 'ERR_HPACK_HEADER_LIST_TOO_LARGE'
  | 'ERR_HPACK_TOO_MANY_HEADERS' | 'ERR_HPACK_HEADER_FIELD_TOO_LARGE' | 'ERR_HPACK_DECODER_UNUSABLE'
  | 'ERR_HPACK_FREED' | 'ERR_HPACK_INVALID_CHAR' | 'ERR_HPACK_INVALID_ARG' | 'ERR_HPACK_INTERNAL';

export class HpackError extends Error {
  readonly code: HpackErrorCode;
  constructor(code: HpackErrorCode, message: string) {
    super(message);
    this.name = 'HpackError';
    this.code = code;
  }
}

/** A caller's invalid argument (a character above U+00FF): a TypeError, with a `code`. */
export class HpackTypeError extends TypeError {
  readonly code: HpackErrorCode;
  constructor(code: HpackErrorCode, message: string) {
    super(message);
    this.name = 'HpackTypeError';
    this.code = code;
  }
}

const BY_STATUS: Record<number, [HpackErrorCode, string]> = {
  [abi.HPACK_ERR_TRUNCATED]: ['ERR_HPACK_TRUNCATED', 'header block ends inside a representation'],
  [abi.HPACK_ERR_INTEGER_OVERFLOW]: ['ERR_HPACK_INTEGER_OVERFLOW', 'integer exceeds 2^31-1 or uses too many octets'],
  [abi.HPACK_ERR_INVALID_INDEX]: ['ERR_HPACK_INVALID_INDEX', 'index is 0 or beyond the static and dynamic tables'],
  [abi.HPACK_ERR_INVALID_HUFFMAN]: ['ERR_HPACK_INVALID_HUFFMAN', 'invalid Huffman string (EOS, or padding that is longer than 7 bits or not all ones)'],
  [abi.HPACK_ERR_TABLE_SIZE_UPDATE]: ['ERR_HPACK_TABLE_SIZE_UPDATE', 'dynamic table size update above the allowed maximum, after a field, or missing'],
  [abi.HPACK_ERR_HEADER_LIST_TOO_LARGE]: ['ERR_HPACK_HEADER_LIST_TOO_LARGE', 'header list exceeds maxHeaderListSize'],
  [abi.HPACK_ERR_TOO_MANY_HEADERS]: ['ERR_HPACK_TOO_MANY_HEADERS', 'header list exceeds maxHeaderListPairs fields'],
  [abi.HPACK_ERR_HEADER_FIELD_TOO_LARGE]: ['ERR_HPACK_HEADER_FIELD_TOO_LARGE', 'a header field exceeds maxHeaderFieldSize'],
  [abi.HPACK_ERR_UNUSABLE]: ['ERR_HPACK_DECODER_UNUSABLE', 'decoder is unusable after a malformed header block'],
  [abi.HPACK_ERR_INVALID_INPUT]: ['ERR_HPACK_INTERNAL', 'malformed packed header list'],
  [abi.HPACK_ERR_OUT_OF_MEMORY]: ['ERR_HPACK_INTERNAL', 'out of memory'],
};

export function statusError(status: number): HpackError {
  const [code, message] = BY_STATUS[status] ?? ['ERR_HPACK_INTERNAL', `unknown status ${status}`];
  return new HpackError(code, message);
}

/** Limit errors leave the dynamic table in sync; every other decoding error does not. */
export function isLimitStatus(status: number): boolean {
  return status === abi.HPACK_ERR_HEADER_LIST_TOO_LARGE || status === abi.HPACK_ERR_TOO_MANY_HEADERS ||
    status === abi.HPACK_ERR_HEADER_FIELD_TOO_LARGE;
}
