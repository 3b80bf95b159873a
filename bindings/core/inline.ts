// Registers the core from bytes embedded in the bundle, for a synchronous load (Node, Deno, Bun).
import { WASM_BASE64 } from './wasm-inline.gen.ts';
import { registerCoreBytes, base64ToBytes } from './load.ts';

registerCoreBytes(base64ToBytes(WASM_BASE64));
