// bindings/core runs anywhere: no node:* import and no Buffer (DESIGN.md, "the one rule").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';

const dir = new URL('../../bindings/core/', import.meta.url);
test('bindings/core imports no node:* module and uses no Buffer', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'wasm-inline.gen.ts');
  assert.ok(files.length > 3);
  for (const f of files) {
    const src = readFileSync(new URL(f, dir), 'utf8');
    assert.not.match(src, /from\s+['"]node:|require\(\s*['"]node:|import\(\s*['"]node:/, `${f} imports node:*`);
    assert.not.match(src, /\bBuffer\s*[.(]|new Buffer\b/, `${f} uses Buffer`);
  }
});

test.run();
