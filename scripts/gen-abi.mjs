// Generates bindings/core/abi.gen.ts from the constants of assembly/abi.ts, so the core and
// the bindings share one definition. Run with --check to fail when it is stale.
import { readFileSync } from 'node:fs';
import { writeGenerated } from './lib/generated.mjs';

const src = readFileSync(new URL('../assembly/abi.ts', import.meta.url), 'utf8');
const lines = [];
for (const line of src.split('\n')) {
  const m = /^export const (\w+): \w+ = (-?\w+);/.exec(line);
  if (m) lines.push(`export const ${m[1]} = ${m[2]};`);
}
if (!lines.length) throw new Error('no constants found in assembly/abi.ts');
writeGenerated(new URL('../bindings/core/abi.gen.ts', import.meta.url), 'scripts/gen-abi.mjs',
  `// Constants shared with the WASM core (assembly/abi.ts).\n${lines.join('\n')}\n`);
