// Trap recovery (DESIGN.md "Never trap on peer input" — and if the core ever does): a real WASM
// trap in the receive path fails every session on that instance with ERR_H2WASM_CORE_TRAP,
// new sessions get a fresh instance, and a node:http2-API server keeps serving new
// connections. Runs test/fuzz/trap-child.mts in its own process on the debug build (the only
// build with h2_debug_trap), so the trap does not retire this process's shared instance.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('a trap fails the sessions on the instance; new sessions and connections are served by a fresh one', () => {
  assert.ok(existsSync(new URL('../../build/debug.wasm', import.meta.url)), 'build/debug.wasm is built (npm run build:wasm)');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fuzz/trap-child.mts'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.is(r.status, 0, `trap-child exited ${r.status}: ${r.stderr}`);
  const report = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.ok(report.debugBuild, 'the child runs the debug build, which exports h2_debug_trap');
  assert.equal(report.before, { status: '200', body: 'hi' }, 'an exchange works before the trap');
  assert.equal(report.firstRequest, { status: 200, body: 'served', rst: 0 }, 'the server serves before the trap');

  // The session whose call trapped: a clear error, with the WASM RuntimeError as its cause.
  assert.is(report.trapError.code, 'ERR_H2WASM_CORE_TRAP');
  assert.match(report.trapError.message, /trapped: unreachable/);
  assert.is(report.trapError.cause, 'RuntimeError');
  assert.ok(report.instanceBroken, 'the instance is marked broken');
  // Everything else on that instance fails clearly too, and can still be released.
  assert.equal(report.afterTrap, {
    victimAgain: 'ERR_H2WASM_CORE_TRAP', bystanderPull: 'ERR_H2WASM_CORE_TRAP', bystanderRequest: 'ERR_H2WASM_CORE_TRAP',
    decoder: 'ERR_HPACK_INTERNAL', encoder: 'ERR_HPACK_INTERNAL', destroy: 'no error',
  });
  // The node layer destroys the server session of the open connection with that error: a
  // response submitted after the trap throws it to the handler, and the session's flush
  // destroys the session instead of throwing out of a microtask.
  assert.equal(report.lateEnds, ['ERR_H2WASM_CORE_TRAP'], 'res.end() after the trap');
  assert.equal(report.sessionErrors, ['ERR_H2WASM_CORE_TRAP'], "the server's 'sessionError'");
  assert.is(report.slowRequest.status, undefined, 'the pending request on the failed connection got no response');
  assert.is(report.slowRequest.rst, 8, 'the client sees its connection close: the stream ends as CANCEL');

  // And the process keeps serving, on a fresh instance.
  assert.ok(report.freshInstance, 'core() is a new, unbroken instance');
  assert.equal(report.after, { status: '200', body: 'hi' }, 'a new Session pair completes an exchange');
  assert.equal(report.afterDecoder, [[':path', '/x']], 'a new HpackDecoder decodes');
  assert.equal(report.newConnection, { status: 200, body: 'served', rst: 0 }, 'a new connection is served');
  assert.equal(report.newConnection2, { status: 200, body: 'served', rst: 0 }, 'and another');
});

test.run();
