// docs/fetch.md's examples run as written (with 'h2wasm/…' pointed at the sources) and print
// what the page says they print.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { scoped, within } from './helpers/pair.ts';

const test = suite('fetch: docs/fetch.md examples');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const page = readFileSync(join(ROOT, 'docs', 'fetch.md'), 'utf8');
const blocks = [...page.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], code: m[2] }));

function runnable(code: string): string {
  return code
    .replace(/'h2wasm\/fetch'/g, `'${pathToFileURL(join(ROOT, 'bindings/fetch/index.ts')).href}'`)
    .replace(/'h2wasm\/transport'/g, `'${pathToFileURL(join(ROOT, 'bindings/transport/index.ts')).href}'`);
}

async function run(code: string): Promise<{ code: number | null; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'h2wasm-fetch-doc-'));
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, runnable(code));
    // uvu sets FORCE_COLOR, which would color the numbers console.log prints.
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const exit = await within(new Promise<number | null>((r) => child.on('close', r)), 20_000, 'the example').catch((e) => {
      child.kill('SIGKILL');
      throw e;
    });
    return { code: exit, out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the first example (Node listener) prints what the page shows, then exits', scoped(async () => {
  const [example, printed] = blocks;
  assert.is(example.lang, 'js');
  const r = await run(example.code);
  assert.is(r.code, 0, r.out);
  const expected = printed.code.replace(/:\d+\//, ':PORT/');
  assert.is(r.out.replace(/:\d+\//, ':PORT/'), expected);
}, 30_000));

test('the in-memory example prints its comment', scoped(async () => {
  const example = blocks.find((b) => b.lang === 'js' && b.code.includes('createMemoryPair'))!;
  const r = await run(example.code);
  assert.is(r.code, 0, r.out);
  assert.is(r.out, 'in memory: http://anything.test/path\n');
}, 30_000));

test.run();
