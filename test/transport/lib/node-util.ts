// Node-side helpers for the transport tests: cleanup scopes, and running a Deno / Bun script
// that prints one JSON line.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import type { Test } from 'uvu';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const inCI = process.env.CI === 'true';

import { Scope, scoped as scopedFor } from '../../interop/helpers/util.ts';
export { Scope };

/** A uvu test body with a cleanup scope and a time limit (30 s here: the runtime scripts are slow). */
export const scoped = (fn: (s: Scope) => Promise<void>, ms = 30_000) => scopedFor(fn, ms);

/** The runtime binary: node_modules/.bin first, then PATH. Missing: a one-line reason. */
export function runtime(name: 'deno' | 'bun'): { cmd: string; ok: boolean; reason: string } {
  const local = join(ROOT, 'node_modules', '.bin', name);
  const cmd = existsSync(local) ? local : name;
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : `exit ${r.status}`;
    return { cmd, ok: false, reason: `${name} is not available (${why}): npm install --no-save ${name === 'deno' ? 'deno@2.9.6' : 'bun'}` };
  }
  return { cmd, ok: true, reason: '' };
}

export interface ScriptRun { code: number | null; signal: string | null; stdout: string; stderr: string; json: any }

/** Runs `cmd args` in the repository root, killed (SIGTERM, then SIGKILL) after `ms`. */
export async function runScript(cmd: string, args: string[], ms: number, env: Record<string, string> = {}): Promise<ScriptRun> {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })));
  let killer: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    child.kill('SIGTERM');
    killer = setTimeout(() => child.kill('SIGKILL'), 2000);
  }, ms);
  const { code, signal } = await exited;
  clearTimeout(timer);
  clearTimeout(killer);
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  let json: any;
  try { json = line ? JSON.parse(line) : undefined; } catch { json = undefined; }
  return { code, signal, stdout, stderr, json };
}

export const show = (r: ScriptRun) =>
  `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\nstdout: ${r.stdout.slice(-3000)}\nstderr: ${r.stderr.slice(-3000)}`;

/**
 * A suite whose checks all come from one run of `script` under Deno or Bun, which prints one JSON
 * line: `register` adds tests that read it through `result(name)`. Without the runtime the suite
 * skips with the reason (a failure under CI=true).
 */
export function runtimeSuite(
  test: Test, name: 'deno' | 'bun', args: string[],
  register: (result: (name: string) => any) => void,
): void {
  const rt = runtime(name);
  if (!rt.ok) {
    if (inCI) test(`${name} is installed (CI=true)`, () => assert.unreachable(rt.reason));
    else {
      console.log(`# skip: ${rt.reason}`);
      test.skip(`${name} transport tests`, () => {});
    }
    return;
  }
  let run: ScriptRun;
  test.before(async () => { run = await runScript(rt.cmd, args, 45_000); });
  test('the script ran to its end', () => {
    assert.is(run.code, 0, show(run));
    assert.ok(run.json, show(run));
  });
  register((key) => {
    assert.ok(run.json, `no JSON from ${name}:\n${show(run)}`);
    return run.json[key];
  });
}
