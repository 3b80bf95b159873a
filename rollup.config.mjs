// Bundles the compiled bindings (dist/js, from tsc) into one file per package entry.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const js = (p) => `dist/js/${p}`;

// Browser and workerd builds: fetch's Node path (node:net / node:tls) becomes a stub, since these
// bundles must name no node:* module; the `.wasm` import stays an import; the core ships as
// dist/h2wasm.wasm next to the bundles.
const portable = {
  name: 'h2wasm-portable',
  resolveId(source, importer) {
    if (source === './node.js' && importer && /[\\/]fetch[\\/][^\\/]+\.js$/.test(importer)) return resolve(js('entry/no-node.js'));
    if (source.endsWith('.wasm')) return { id: './h2wasm.wasm', external: true };
    return null;
  },
  generateBundle() {
    this.emitFile({ type: 'asset', fileName: 'h2wasm.wasm', source: readFileSync('build/release.wasm') });
  },
};
// Node built-ins stay imports: the node:http2 entry runs where they exist (Node, Deno, Bun, workerd).
const external = (id) => id.startsWith('node:');

export default [
  {
    input: js('node/index.js'),
    external,
    output: [
      { file: 'dist/node.mjs', format: 'es' },
      // require('h2wasm') gives the module object itself, as require('node:http2') does.
      { file: 'dist/node.cjs', format: 'cjs', exports: 'named' },
    ],
  },
  {
    input: js('hpack/index.js'),
    output: [
      { file: 'dist/hpack.mjs', format: 'es' },
      { file: 'dist/hpack.cjs', format: 'cjs' },
    ],
  },
  {
    input: js('core/index.js'),
    output: [
      { file: 'dist/core.mjs', format: 'es' },
      { file: 'dist/core.cjs', format: 'cjs' },
    ],
  },
  {
    input: js('fetch/index.js'),
    external,
    output: [
      { file: 'dist/fetch.mjs', format: 'es' },
      { file: 'dist/fetch.cjs', format: 'cjs' },
    ],
  },
  {
    input: js('transport/index.js'),
    output: [
      { file: 'dist/transport.mjs', format: 'es' },
      { file: 'dist/transport.cjs', format: 'cjs' },
    ],
  },
  {
    // The command line (bin/h2wasm.mjs imports it); the certificate library stays a dependency.
    input: js('cli/main.js'),
    external: (id) => external(id) || id === '@peculiar/x509' || id.startsWith('@peculiar/x509/'),
    output: { file: 'dist/cli.mjs', format: 'es' },
  },
  {
    input: js('transport/node.js'),
    external,
    output: [
      { file: 'dist/transport-node.mjs', format: 'es' },
      { file: 'dist/transport-node.cjs', format: 'cjs' },
    ],
  },
  {
    input: js('entry/hpack-browser.js'),
    output: { file: 'dist/hpack.browser.mjs', format: 'es' },
  },
  {
    input: js('entry/browser.js'),
    plugins: [portable],
    output: { file: 'dist/browser.mjs', format: 'es' },
  },
  {
    input: js('entry/workerd.js'),
    plugins: [portable],
    makeAbsoluteExternalsRelative: false,
    output: { file: 'dist/workerd.mjs', format: 'es' },
  },
];
