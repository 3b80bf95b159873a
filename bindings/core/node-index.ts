// h2wasm/core for Node, Deno and Bun: the core loads synchronously from embedded bytes.
import './inline.ts';
export * from './index.ts';
