// The browser and workerd builds as shipped: dist/browser.mjs, dist/workerd.mjs and everything
// they import must name no node:* module and call no require() (browsers and workerd without
// nodejs_compat have neither), import nothing by bare name, and not embed the WASM (it ships as
// dist/h2wasm.wasm). Also the package.json "exports" conditions that lead there.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT, distMissing, pkg, resolveExport } from './lib.ts';

const test = suite('browser: bundles and exports');

/** Every import specifier of a module: static, re-export, side-effect and dynamic. */
export function specifiers(code: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:[^'"`;]*?\s+from\s+)?(['"`])([^'"`]+)\1/g, // import x from 'y', export * from 'y', import 'y'
    /\bimport\s*\(\s*(['"`])([^'"`]+)\1\s*\)/g, // import('y')
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) out.push(m[2]);
  return out;
}

/** What is wrong with one module's code for a browser or worker. */
export function violations(code: string): string[] {
  const found: string[] = [];
  for (const s of specifiers(code)) {
    if (s.startsWith('node:')) found.push(`imports ${s}`);
    else if (!s.startsWith('./') && !s.startsWith('../')) found.push(`imports the bare specifier ${s}`);
  }
  // Any string literal naming a node: module (e.g. a computed import or a require argument).
  for (const m of code.matchAll(/(['"`])(node:[\w/]+)\1/g)) found.push(`names ${m[2]}`);
  if (/\brequire\s*\(/.test(code)) found.push('calls require(');
  return [...new Set(found)];
}

/** The bundle and every module it reaches through relative imports; returns problems per file. */
function inspect(entry: string): { files: string[]; problems: string[] } {
  const files: string[] = [];
  const problems: string[] = [];
  const queue = [join(ROOT, entry)];
  const seen = new Set<string>();
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const name = relative(ROOT, file);
    files.push(name);
    if (!existsSync(file)) { problems.push(`${name}: missing`); continue; }
    if (file.endsWith('.wasm')) continue;
    const code = readFileSync(file, 'utf8');
    for (const v of violations(code)) problems.push(`${name}: ${v}`);
    for (const s of specifiers(code)) if (s.startsWith('.')) queue.push(resolve(dirname(file), s));
  }
  return { files, problems };
}

test('the checker itself finds node: imports, require() and bare imports', () => {
  assert.equal(violations(`import net from 'node:net';`), ['imports node:net', 'names node:net']);
  assert.equal(violations(`const m = await import("node:tls");`), ['imports node:tls', 'names node:tls']);
  assert.equal(violations(`export { x } from 'ws';`), ['imports the bare specifier ws']);
  assert.equal(violations(`const fs = require ('fs');`), ['calls require(']);
  assert.equal(violations(`// node:* is fine in a comment\nimport a from './a.mjs';`), []);
});

const missing = distMissing(['dist/browser.mjs', 'dist/workerd.mjs', 'dist/h2wasm.wasm']);
if (missing) {
  test('the browser and workerd builds exist', () => assert.unreachable(missing));
} else {
  test('dist/browser.mjs and what it imports: no node:, no require(, no bare imports, no embedded WASM', () => {
    const { problems } = inspect('dist/browser.mjs');
    assert.equal(problems, []);
    const code = readFileSync(join(ROOT, 'dist/browser.mjs'), 'utf8');
    assert.not.match(code, /AGFzbQ/, 'the base64 WASM magic: the WASM belongs in dist/h2wasm.wasm');
    assert.match(code, /new URL\(['"]\.\/h2wasm\.wasm['"], import\.meta\.url\)/);
  });

  test('dist/workerd.mjs and what it imports: no node:, no require(; the core is a .wasm module import', () => {
    const { files, problems } = inspect('dist/workerd.mjs');
    assert.equal(problems, []);
    assert.ok(files.includes(join('dist', 'h2wasm.wasm')), `reached: ${files.join(', ')}`);
    const code = readFileSync(join(ROOT, 'dist/workerd.mjs'), 'utf8');
    assert.match(code, /^import \w+ from '\.\/h2wasm\.wasm';/m);
    assert.not.match(code, /AGFzbQ/);
    // What ships is the release build of the core.
    assert.ok(readFileSync(join(ROOT, 'dist/h2wasm.wasm')).equals(readFileSync(join(ROOT, 'build/release.wasm'))));
  });
}

test('exports: workerd and browser conditions (types first) on ., ./core, ./fetch, ./transport; Node, Deno, Bun unchanged', () => {
  const exp = pkg().exports;
  for (const key of ['.', './core', './fetch', './transport']) {
    const entry = exp[key];
    const keys = Object.keys(entry);
    // workerd first: Wrangler resolves with workerd, worker and browser all set.
    assert.ok(keys.indexOf('workerd') < keys.indexOf('browser') && keys.indexOf('browser') < keys.indexOf('types'), `${key}: ${keys}`);
    assert.equal(entry.workerd, { types: './dist/types/entry/workerd.d.ts', default: './dist/workerd.mjs' });
    assert.equal(entry.browser, { types: './dist/types/entry/browser.d.ts', default: './dist/browser.mjs' });
    assert.is(resolveExport(entry, ['workerd', 'worker', 'browser', 'import', 'default']), './dist/workerd.mjs');
    assert.is(resolveExport(entry, ['browser', 'import', 'default']), './dist/browser.mjs');
    // TypeScript's default conditions match neither: it keeps the Node declarations.
    assert.ok(resolveExport(entry, ['types', 'import'])!.startsWith('./dist/types/'), key);
  }
  assert.is(resolveExport(exp['.'], ['node', 'import', 'default']), './dist/node.mjs');
  assert.is(resolveExport(exp['.'], ['node', 'require', 'default']), './dist/node.cjs');
  assert.is(resolveExport(exp['.'], ['deno', 'node', 'import', 'default']), './dist/node.mjs');
  assert.is(resolveExport(exp['.'], ['bun', 'node', 'import', 'default']), './dist/node.mjs');
  assert.is(resolveExport(exp['./hpack'], ['workerd', 'worker', 'browser', 'import', 'default']), './dist/workerd.mjs');
  assert.is(resolveExport(exp['./hpack'], ['browser', 'import', 'default']), './dist/hpack.browser.mjs');
  if (!missing) {
    for (const f of ['dist/types/entry/browser.d.ts', 'dist/types/entry/workerd.d.ts']) assert.ok(existsSync(join(ROOT, f)), f);
  }
});

test.run();
