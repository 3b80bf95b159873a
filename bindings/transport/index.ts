// h2wasm/transport: byte carriers for sessions.
export type { Transport } from './types.ts';
export { connectSession, type ConnectOptions } from './connect.ts';
export { MemoryTransport, createMemoryPair } from './memory.ts';
