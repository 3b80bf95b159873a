// h2wasm for browsers: the core, the fetch-style API and the portable transports. Browsers
// refuse to compile a large module synchronously on the main thread, so the core is compiled
// asynchronously: `await init()` once before the first Session / serve() / fetch. The WASM is a
// separate file next to this bundle (dist/h2wasm.wasm); bundlers understand the
// `new URL(..., import.meta.url)` form and copy it along.
import { initCore } from '../core/load.ts';

export * from './portable.ts';

let loading: Promise<void> | null = null;

/**
 * Compiles the core. Without an argument it fetches h2wasm.wasm next to this module; give bytes,
 * a Response, a URL or a compiled WebAssembly.Module to load it from elsewhere. Later calls
 * return the first call's promise (after a failure, a new call tries again).
 */
export function init(source?: Parameters<typeof initCore>[0]): Promise<void> {
  loading ??= initCore(source ?? new URL('./h2wasm.wasm', import.meta.url)).catch((err) => {
    loading = null;
    throw err;
  });
  return loading;
}
