#!/usr/bin/env node
// `npm test`: runs, in order,
//   as        as-pect AssemblyScript unit tests (`asp --config as-pect.config.js`),
//   uvu       TypeScript tests: test/**/*.test.ts (not test/runtimes), under tsx,
//   runtimes  the HPACK checks on the packed package in Node, Deno, Bun and Chromium
//             (test/runtimes/run.mjs),
// streams their output, sums their counts and ends with the line `N passed, N failed, N skipped`.
// A runner that crashes, times out or exits non-zero without counts counts as 1 failed (at
// least). Exit code 1 when anything failed.
//
//   npm test                               everything
//   npm test -- --only uvu                 one part (as | uvu | runtimes; comma-separated or repeated)
//   npm test -- hpack/decoder              uvu only, files whose path matches the pattern
//   npm test -- --only uvu,as -- decoder   parts and a uvu file pattern
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PARTS = ['as', 'uvu', 'runtimes'];
// The whole run has to stay well inside 15 minutes; each part also has its own ceiling.
const BUDGET_MS = Number(process.env.H2WASM_TEST_BUDGET_MS) || 14 * 60_000;
const PART_TIMEOUT_MS = { as: 3 * 60_000, uvu: 10 * 60_000, runtimes: 5 * 60_000 };

const USAGE = 'usage: node scripts/test.mjs [--only as|uvu|runtimes[,…]] [--] [uvu file pattern…]';

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const only = new Set();
  const patterns = [];
  let rest = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (rest) patterns.push(a);
    else if (a === '--') rest = true;
    else if (a === '--only') addParts(only, argv[++i]);
    else if (a.startsWith('--only=')) addParts(only, a.slice('--only='.length));
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-')) usageError(`unknown option ${a}`);
    else patterns.push(a);
  }
  // A file pattern on its own means "run those uvu files".
  if (only.size === 0) (patterns.length ? ['uvu'] : PARTS).forEach((p) => only.add(p));
  return { only, patterns };
}

function addParts(set, value) {
  if (!value) usageError('--only needs a value');
  for (const p of (value ?? '').split(',').filter(Boolean)) {
    if (!PARTS.includes(p)) usageError(`--only takes ${PARTS.join(', ')}; got ${p}`);
    set.add(p);
  }
}

function usageError(message) {
  console.error(`scripts/test.mjs: ${message}\n${USAGE}`);
  process.exit(2);
}

// ---------------------------------------------------------------- running a part

const isTTY = Boolean(process.stdout.isTTY);
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Runs a command, streaming its output through, and resolves with its exit and output. */
function runStreaming(cmd, args, timeoutMs) {
  return new Promise((done) => {
    let output = '';
    let timedOut = false;
    const env = { ...process.env };
    if (isTTY && !env.NO_COLOR) env.FORCE_COLOR ??= '1';
    let child;
    try {
      child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      done({ code: null, signal: null, output: String(err), timedOut, error: err });
      return;
    }
    // Killing the process group also stops whatever the runner started (browsers, runtimes).
    const kill = () => {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { try { child.kill('SIGKILL'); } catch { /* gone */ } }
    };
    const timer = setTimeout(() => { timedOut = true; kill(); }, timeoutMs);
    const onSignal = () => { kill(); process.exit(130); };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    child.stdout.on('data', (d) => { output += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { output += d; process.stderr.write(d); });
    let spawnError = null;
    child.on('error', (err) => { spawnError = err; });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      done({ code, signal, output, timedOut, error: spawnError });
    });
  });
}

/** The last match of `re` in `text`, or null. */
function lastMatch(text, re) {
  let m = null;
  for (const x of text.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g'))) m = x;
  return m;
}

/** as-pect: per file "Pass: P / T Todo: N", then "[Tests]: P / T" and "[Result]". */
function parseAsPect(text) {
  const tests = lastMatch(text, /\[Tests\]:\s*(\d+)\s*\/\s*(\d+)/);
  if (!tests || !/\[Result\]:/.test(text)) return null;
  const passed = Number(tests[1]);
  const total = Number(tests[2]);
  let skipped = 0;
  for (const m of text.matchAll(/\bTodo:\s*(\d+)/g)) skipped += Number(m[1]);
  return { passed, failed: Math.max(0, total - passed), skipped };
}

/** uvu: "Total: N", "Passed: N", "Skipped: N" (Total counts the tests that ran). */
function parseUvu(text) {
  const total = lastMatch(text, /^\s*Total:\s+(\d+)\s*$/m);
  const passed = lastMatch(text, /^\s*Passed:\s+(\d+)\s*$/m);
  const skipped = lastMatch(text, /^\s*Skipped:\s+(\d+)\s*$/m);
  if (!total || !passed) return null;
  return { passed: Number(passed[1]), failed: Math.max(0, Number(total[1]) - Number(passed[1])), skipped: skipped ? Number(skipped[1]) : 0 };
}

/** test/runtimes/run.mjs: "runtimes: N passed, N failed, N skipped". */
function parseCountLine(text) {
  const m = lastMatch(text, /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/m);
  return m ? { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3] ?? 0) } : null;
}

/** The local bin of a package (its real file, so it runs under this node). */
function localBin(name) {
  const link = join(ROOT, 'node_modules', '.bin', name);
  return existsSync(link) ? realpathSync(link) : null;
}

function uvuPattern(patterns) {
  // Files named *.test.ts, and when patterns are given, only paths matching one of them.
  const files = '\\.test\\.ts$';
  return patterns.length ? `^(?=.*(?:${patterns.join('|')})).*${files}` : files;
}

const parts = {
  as: {
    title: 'as-pect (AssemblyScript units)',
    skip: () => (existsSync(join(ROOT, 'as-pect.config.js')) ? null : 'as-pect.config.js is absent'),
    command: () => {
      const asp = localBin('asp');
      return asp ? [process.execPath, [asp, '--config', 'as-pect.config.js']] : ['npx', ['asp', '--config', 'as-pect.config.js']];
    },
    parse: parseAsPect,
  },
  uvu: {
    title: 'uvu (TypeScript)',
    skip: () => (existsSync(join(ROOT, 'node_modules', 'uvu', 'bin.js')) ? null : 'uvu is not installed (npm ci)'),
    command: ({ patterns }) => [process.execPath, [
      '--import', 'tsx', 'node_modules/uvu/bin.js', 'test', uvuPattern(patterns), '-i', '^runtimes(/|$)',
      ...(isTTY ? [] : ['--no-color']),
    ]],
    parse: parseUvu,
  },
  runtimes: {
    title: 'runtimes (h2wasm/hpack on Node, Deno, Bun, Chromium)',
    skip: () => null,
    command: () => [process.execPath, ['test/runtimes/run.mjs']],
    parse: parseCountLine,
  },
};

// ---------------------------------------------------------------- main

const { only, patterns } = parseArgs(process.argv.slice(2));
const started = Date.now();
const total = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

for (const id of PARTS) {
  if (!only.has(id)) continue;
  const part = parts[id];
  console.log(`\n━━ ${part.title} ━━`);
  const skipReason = part.skip();
  if (skipReason) {
    console.log(`# ${id}: skipped: ${skipReason}`);
    total.skipped += 1;
    lines.push(`# ${id}: skipped (${skipReason})`);
    continue;
  }
  const remaining = BUDGET_MS - (Date.now() - started);
  if (remaining < 10_000) {
    console.log(`# ${id}: not run: the ${seconds(BUDGET_MS)} budget is spent`);
    total.failed += 1;
    lines.push(`# ${id}: not run (out of time)`);
    continue;
  }
  const timeoutMs = Math.min(PART_TIMEOUT_MS[id], remaining);
  const [cmd, args] = part.command({ patterns });
  const t0 = Date.now();
  const r = await runStreaming(cmd, args, timeoutMs);
  if (r.output && !r.output.endsWith('\n')) process.stdout.write('\n');
  const counts = part.parse(stripAnsi(r.output)) ?? { passed: 0, failed: 0, skipped: 0, unparsed: true };
  const notes = [];
  if (r.timedOut) notes.push(`timed out after ${seconds(timeoutMs)}`);
  if (r.error) notes.push(`could not run ${cmd}: ${r.error.message}`);
  if (r.signal && !r.timedOut) notes.push(`killed by ${r.signal}`);
  if (r.code !== 0 && r.code !== null) notes.push(`exit code ${r.code}`);
  if (counts.unparsed) notes.push('no test counts in its output');
  // Something went wrong that the counts do not show: count it as a failure.
  if ((r.code !== 0 || counts.unparsed) && counts.failed === 0) counts.failed = 1;
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
  const line = `# ${id}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped in ${seconds(Date.now() - t0)}` +
    (notes.length ? ` (${notes.join('; ')})` : '');
  console.log(line);
  lines.push(line);
}

console.log(`\n━━ summary (${seconds(Date.now() - started)}) ━━`);
for (const line of lines) console.log(line);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exitCode = total.failed > 0 ? 1 : 0;
