// h2wasm/hpack for browsers: the core compiles asynchronously (browsers refuse large
// synchronous compiles on the main thread), so the module waits for it at load.
import { WASM_BASE64 } from '../core/wasm-inline.gen.ts';
import { initCore, base64ToBytes } from '../core/load.ts';

await initCore(base64ToBytes(WASM_BASE64));

export { HpackEncoder, HpackDecoder, HpackError, HpackTypeError } from '../hpack/codec.ts';
export type {
  HpackDecoderOptions, HpackEncoderOptions, EncodeOptions, HeaderPairs, HeaderInput, HpackErrorCode,
} from '../hpack/codec.ts';
