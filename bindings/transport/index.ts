// h2wasm/transport: byte carriers for sessions. Everything here is safe in browsers and workers
// (no node:* imports); the Deno and Bun adapters look for their runtime on globalThis when
// called. The node:net / node:tls adapter is its own entry (bindings/transport/node.ts).
export type { Transport, Listener } from './types.ts';
export { connectSession, type ConnectOptions } from './connect.ts';
export { MemoryTransport, createMemoryPair } from './memory.ts';
export { StreamsTransport, fromStreams, createStreamsPair, type StreamPair, type StreamsOptions } from './streams.ts';
export { WebSocketTransport, fromWebSocket, type WebSocketLike, type WebSocketOptions } from './websocket.ts';
export {
  DenoTransport, fromDenoConn, connectDeno, listenDeno, type DenoConnLike, type DenoConnectOptions, type DenoListenOptions,
} from './deno.ts';
export { BunTransport, connectBun, listenBun, ALPN_H2, type BunSocketLike, type BunConnectOptions, type BunListenOptions } from './bun.ts';
