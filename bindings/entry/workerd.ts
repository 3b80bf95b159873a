// h2wasm for Cloudflare workerd: workerd compiles nothing at run time ("Wasm code generation
// disallowed by embedder"), so the core comes in as a precompiled module import. Wrangler and
// workerd's own config both turn a `.wasm` import into a WebAssembly.Module.
import wasm from './h2wasm.wasm';
import { registerCoreModule } from '../core/load.ts';

registerCoreModule(wasm);

export * from './portable.ts';

/** Nothing to wait for here (the module is precompiled); kept so code shared with browsers can `await init()`. */
export function init(): Promise<void> { return Promise.resolve(); }
