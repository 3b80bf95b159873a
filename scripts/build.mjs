// Builds everything `npm install` needs: the WASM core (release and debug), the embedded
// bytes, the TypeScript (JS + declarations) and the bundles in dist/.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
const run = (cmd, args) => {
  const t = Date.now();
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
  console.log(`build: ${[cmd.split('/').pop(), ...args].join(' ')} (${Date.now() - t} ms)`);
};

run(bin('asc'), ['assembly/index.ts', '--target', 'release']);
run(bin('asc'), ['assembly/index.ts', '--target', 'debug']);
run(process.execPath, ['scripts/embed-wasm.mjs']);
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
run(bin('tsc'), ['-p', 'tsconfig.build.json']);
run(bin('rollup'), ['-c', 'rollup.config.mjs', '--silent']);
