// Bundles the compiled bindings (dist/js, from tsc) into one file per package entry.
const js = (p) => `dist/js/${p}`;

export default [
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
    input: js('transport/index.js'),
    output: [
      { file: 'dist/transport.mjs', format: 'es' },
      { file: 'dist/transport.cjs', format: 'cjs' },
    ],
  },
  {
    input: js('entry/hpack-browser.js'),
    output: { file: 'dist/hpack.browser.mjs', format: 'es' },
  },
];
