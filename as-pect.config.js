// as-pect: AssemblyScript unit tests of the core, one spec per module (test/assembly).
export default {
  entries: ['test/assembly/**/*.spec.ts'],
  include: ['test/assembly/**/*.include.ts'],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
