// h2wasm/hpack for Node, Deno and Bun: the core loads synchronously from embedded bytes.
import '../core/inline.ts';

export { HpackEncoder, HpackDecoder, HpackError, HpackTypeError } from './codec.ts';
export type {
  HpackDecoderOptions, HpackEncoderOptions, EncodeOptions, HeaderPairs, HeaderInput, HpackErrorCode,
} from './codec.ts';
