// Generated tables must be what their scripts generate from the committed data (DESIGN.md).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
for (const script of ['scripts/gen-huffman.mjs', 'scripts/gen-static-table.mjs', 'scripts/gen-abi.mjs', 'scripts/gen-fsm.mjs', 'scripts/gen-node-constants.mjs']) {
  test(`${script} --check: the committed output is current`, () => {
    const r = spawnSync(process.execPath, [script, '--check'], { cwd: root, encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
  });
}

test.run();
