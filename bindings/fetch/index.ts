// h2wasm/fetch: serve(handler) and fetch over HTTP/2, on any Transport (docs/fetch.md).
// Node's net/tls are loaded only when no transport is given, so this module runs anywhere.
import '../core/inline.ts';

export { serve, type Handler, type ServeOptions, type ServeAddr, type H2Server, type TransportListener } from './server.ts';
export { createFetch, request, request as fetch, type FetchOptions, type H2Fetch, type H2RequestInit, type Connector } from './client.ts';
export { requestTrailers, responseTrailers, withTrailers, type TrailersInit } from './headers.ts';
export type { Transport } from '../transport/types.ts';
