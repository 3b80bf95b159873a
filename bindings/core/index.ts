// h2wasm/core for Node, Deno and Bun: the core loads synchronously from embedded bytes.
// (Platforms that must compile asynchronously or import a precompiled module use api.ts.)
import './inline.ts';
export * from './api.ts';
