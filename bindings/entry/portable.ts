// What the browser and workerd builds share: the sans-IO core, the portable transports, the
// fetch-style serve()/createFetch() and the HPACK codec, all over ONE core instance (so the
// module registered by the platform entry serves every part).
export * from '../core/api.ts';
export {
  connectSession, MemoryTransport, createMemoryPair, StreamsTransport, fromStreams, createStreamsPair,
  WebSocketTransport, fromWebSocket,
} from '../transport/index.ts';
export type {
  Transport, Listener, ConnectOptions, StreamPair, StreamsOptions, WebSocketLike, WebSocketOptions,
} from '../transport/index.ts';
// Not '../fetch/index.ts': that one embeds the WASM bytes for Node's synchronous load.
export { serve, type Handler, type ServeOptions, type ServeAddr, type H2Server, type TransportListener } from '../fetch/server.ts';
export { createFetch, request, request as fetch, type FetchOptions, type H2Fetch, type H2RequestInit, type Connector } from '../fetch/client.ts';
export { requestTrailers, responseTrailers, withTrailers, type TrailersInit } from '../fetch/headers.ts';
export { HpackEncoder, HpackDecoder, HpackError, HpackTypeError } from '../hpack/codec.ts';
export type { HpackDecoderOptions, HpackEncoderOptions, EncodeOptions, HpackErrorCode } from '../hpack/codec.ts';
