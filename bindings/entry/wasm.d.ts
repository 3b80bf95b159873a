// A `.wasm` import is a precompiled module in workerd (and in Wrangler / esbuild's wasm loader).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
