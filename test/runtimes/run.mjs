#!/usr/bin/env node
// Cross-runtime checks (HPACK, and the node:http2 API of the root entry over loopback sockets),
// run against the BUILT PACKAGE the way users get it:
//   1. build dist/ if it is missing or older than the sources (`npm run build`),
//   2. `npm pack` it into a temp folder and `npm install` the tarball into a temp project,
//   3. run checks.mjs (and node-api.mjs, not in browsers) there, resolving `h2wasm/hpack` and
//      `h2wasm` through package.json "exports", on
//      Node (import and require), Deno, Bun (import and require) and headless Chromium
//      (an import map pointing at the package's "browser" build, served from 127.0.0.1).
// Prints one line per check and closes with `runtimes: N passed, N failed, N skipped`; exits
// 1 if anything failed. A missing runtime is skipped with its reason, except under CI=true,
// where it is a failure.
//
//   node test/runtimes/run.mjs [--runtime node,deno,bun,chromium] [--no-build] [--keep]
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, statSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, copyFile, writeFile, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, delimiter, extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCheckData } from './data.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CI = /^(true|1)$/i.test(process.env.CI ?? '');
const MARK = '@@h2wasm-';
const PROCESS_TIMEOUT_MS = 120_000;
const BROWSER_TIMEOUT_MS = 90_000;

// From ../shared/TOOLCHAIN.md: without the background-networking flags Chromium keeps trying
// to reach hosts this machine cannot reach. The profile goes through launchPersistentContext.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// ---------------------------------------------------------------- arguments

const argv = process.argv.slice(2);
const opts = { runtimes: null, build: process.env.H2WASM_NO_BUILD !== '1', keep: false };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--no-build') opts.build = false;
  else if (a === '--keep') opts.keep = true;
  else if (a === '--runtime' || a === '--runtimes') opts.runtimes = (argv[++i] ?? '').split(',').filter(Boolean);
  else if (a.startsWith('--runtime=') || a.startsWith('--runtimes=')) opts.runtimes = a.slice(a.indexOf('=') + 1).split(',').filter(Boolean);
  else if (a === '-h' || a === '--help') {
    console.log('usage: node test/runtimes/run.mjs [--runtime node,deno,bun,chromium] [--no-build] [--keep]');
    process.exit(0);
  } else {
    console.error(`run.mjs: unknown argument ${a}`);
    process.exit(2);
  }
}

// ---------------------------------------------------------------- helpers

const counts = { passed: 0, failed: 0, skipped: 0 };
const say = (line) => process.stdout.write(line + '\n');
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Environment for child processes, without the variables `npm test` sets about this package. */
function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_(package|lifecycle)_|^npm_config_(local_prefix|prefix)$|^INIT_CWD$/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs a command to completion (killing its process group after `timeoutMs`). */
function run(cmd, args, { cwd = ROOT, env = childEnv(), timeoutMs = PROCESS_TIMEOUT_MS } = {}) {
  return new Promise((done) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let child;
    try {
      child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      done({ code: null, signal: null, stdout, stderr: String(err), timedOut });
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, timeoutMs);
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (err) => { stderr += String(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/** The last lines of a process's output, indented, for failure messages. */
function tail(text, lines = 15) {
  const all = text.trimEnd().split('\n').filter((l) => !l.startsWith(MARK));
  return all.slice(-lines).map((l) => '      | ' + l).join('\n');
}

/** npm itself: the one running `npm test` if any (a stray npm in node_modules/.bin must not win). */
function npm(args, options) {
  const cli = process.env.npm_execpath;
  if (cli && /\.c?js$/.test(cli) && existsSync(cli)) return run(process.execPath, [cli, ...args], options);
  return run('npm', args, options);
}

/** `name` from the project's node_modules/.bin, else from PATH. */
function findBinary(name) {
  const local = join(ROOT, 'node_modules', '.bin', name);
  if (existsSync(local)) return local;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch { /* not here */ }
  }
  return null;
}

/** First matching target of a package.json "exports" entry for a set of conditions. */
function resolveExport(entry, conditions) {
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) {
    for (const e of entry) {
      const r = resolveExport(e, conditions);
      if (r) return r;
    }
    return null;
  }
  if (entry && typeof entry === 'object') {
    for (const [key, value] of Object.entries(entry)) {
      if (conditions.includes(key)) {
        const r = resolveExport(value, conditions);
        if (r) return r;
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------- build, pack, install

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** dist files the ./hpack export names (types, browser, import, require…). */
function distTargets(pkg) {
  const entry = pkg.exports?.['./hpack'];
  const targets = new Set();
  (function walk(e) {
    if (typeof e === 'string') targets.add(e);
    else if (e && typeof e === 'object') Object.values(e).forEach(walk);
  })(entry);
  return [...targets];
}

async function ensureBuild(pkg) {
  const targets = distTargets(pkg).map((t) => join(ROOT, t));
  if (targets.length === 0) throw new Error('package.json has no "./hpack" export');
  const missing = targets.filter((t) => !existsSync(t));
  const oldest = missing.length ? 0 : Math.min(...targets.map((t) => statSync(t).mtimeMs));
  const sources = ['assembly', 'bindings', 'scripts/build.mjs', 'scripts/lib', 'asconfig.json', 'package.json'];
  const newest = Math.max(...sources.map((s) => newestMtime(join(ROOT, s))));
  let reason = null;
  if (missing.length) reason = `missing ${missing.map((m) => m.slice(ROOT.length)).join(', ')}`;
  else if (newest > oldest) reason = 'sources are newer than dist/';
  if (!reason) return;
  if (!opts.build) {
    say(`# dist/ is not up to date (${reason}) and --no-build was given: testing it as it is`);
    if (missing.length) throw new Error(`cannot test without ${missing.join(', ')}`);
    return;
  }
  say(`# building (${reason}): npm run build`);
  const t0 = Date.now();
  const r = await npm(['run', 'build'], { timeoutMs: 300_000 });
  if (r.code !== 0) throw new Error(`npm run build failed (exit ${r.code}${r.timedOut ? ', timed out' : ''})\n${tail(r.stdout + r.stderr, 40)}`);
  say(`# built in ${seconds(Date.now() - t0)}`);
}

/** `npm pack` → tarball in `tmp`, installed into `tmp/project` (no dependencies, so no network). */
async function packAndInstall(tmp) {
  const t0 = Date.now();
  const packed = await npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { timeoutMs: 120_000 });
  if (packed.code !== 0) throw new Error(`npm pack failed (exit ${packed.code})\n${tail(packed.stdout + packed.stderr)}`);
  let tarball;
  try {
    tarball = join(tmp, JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))[0].filename);
  } catch {
    tarball = join(tmp, readdirSync(tmp).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz');
  }
  if (!existsSync(tarball)) throw new Error(`npm pack produced no tarball\n${tail(packed.stdout + packed.stderr)}`);

  const project = join(tmp, 'project');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({
    name: 'h2wasm-runtime-checks', version: '0.0.0', private: true, type: 'module',
  }, null, 2) + '\n');
  // Deno 2: use the node_modules npm made, resolving bare specifiers through package.json.
  await writeFile(join(project, 'deno.json'), JSON.stringify({ nodeModulesDir: 'manual' }, null, 2) + '\n');
  const installed = await npm(
    ['install', tarball, '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    { cwd: project, timeoutMs: 180_000 },
  );
  if (installed.code !== 0) throw new Error(`npm install of the tarball failed (exit ${installed.code})\n${tail(installed.stdout + installed.stderr)}`);

  for (const f of ['checks.mjs', 'node-api.mjs', 'host.mjs', 'host.cjs', 'browser.mjs']) await copyFile(join(HERE, f), join(project, f));
  await writeFile(join(project, 'data.json'), JSON.stringify(buildCheckData()));
  const installedPkg = JSON.parse(await readFile(join(project, 'node_modules', 'h2wasm', 'package.json'), 'utf8'));
  say(`# packed ${tarball.slice(tmp.length + 1)} and installed it into a temp project in ${seconds(Date.now() - t0)}`);
  return { project, installedPkg };
}

// ---------------------------------------------------------------- runtimes

/** Runs a host script in a runtime and parses its `@@h2wasm-` lines. */
async function runHost(bin, args, project, env) {
  const r = await run(bin, args, { cwd: project, env: childEnv(env) });
  const results = [];
  let done = null;
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith(MARK)) continue;
    const space = line.indexOf(' ');
    const kind = line.slice(MARK.length, space);
    try {
      const value = JSON.parse(line.slice(space + 1));
      if (kind === 'check') results.push(value);
      else if (kind === 'done') done = value;
    } catch { /* a torn line: the missing `done` reports it */ }
  }
  if (!done || r.code !== 0) {
    const why = r.timedOut ? `timed out after ${seconds(PROCESS_TIMEOUT_MS)}` :
      r.signal ? `killed by ${r.signal}` : !done ? `exited ${r.code} before finishing` : `exited ${r.code}`;
    results.push({ name: 'host process', ok: false, error: `${why}\n${tail(r.stdout + '\n' + r.stderr)}` });
  }
  return { info: done, results };
}

const MIME = {
  '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript', '.cjs': 'text/javascript',
  '.json': 'application/json', '.wasm': 'application/wasm', '.map': 'application/json', '.ts': 'text/plain',
};

/** A static server for `root` on 127.0.0.1, plus the test page with its import map. */
async function serve(root, importMap) {
  const page = [
    '<!doctype html>',
    '<meta charset="utf-8">',
    '<title>h2wasm/hpack runtime checks</title>',
    `<script type="importmap">${JSON.stringify({ imports: importMap })}</script>`,
    '<script type="module" src="/browser.mjs"></script>',
    '',
  ].join('\n');
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': MIME['.html'], 'cache-control': 'no-store' });
      res.end(page);
      return;
    }
    const file = resolve(root, '.' + path);
    if (!file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(0, '127.0.0.1', ok));
  return server;
}

async function runChromium(project, installedPkg, tmp) {
  const browserTarget = resolveExport(installedPkg.exports?.['./hpack'], ['browser', 'import', 'default']);
  if (!browserTarget) {
    return { info: null, results: [{ name: 'package.json exports', ok: false, error: 'no browser/import/default target for "./hpack"' }] };
  }
  const importMap = { 'h2wasm/hpack': '/node_modules/h2wasm/' + browserTarget.replace(/^\.\//, '') };
  const { chromium } = await import('playwright-core');
  const server = await serve(project, importMap);
  const profile = join(tmp, 'chromium-profile');
  const problems = [];
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS, timeout: 60_000,
    });
    const page = context.pages()[0] ?? await context.newPage();
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
    page.on('response', (res) => { if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`); });
    await page.goto(`http://127.0.0.1:${server.address().port}/`, { timeout: 30_000 });
    let report;
    try {
      await page.waitForFunction(() => window.__h2wasmChecks !== undefined, null, { timeout: BROWSER_TIMEOUT_MS });
      report = await page.evaluate(() => window.__h2wasmChecks);
    } catch (err) {
      report = { error: `no results from the page: ${err.message.split('\n')[0]}` };
    }
    if (report.error) {
      return { info: null, results: [{ name: 'page', ok: false, error: [report.error, ...problems].join('\n') }] };
    }
    const results = report.results;
    if (problems.length) {
      results.push({ name: 'page loaded without errors', ok: false, error: problems.join('\n') });
    }
    return { info: { runtime: report.runtime, resolved: report.resolved, ms: report.ms }, results };
  } finally {
    await context?.close().catch(() => {});
    const closed = new Promise((ok) => server.close(ok));
    server.closeAllConnections?.();
    await closed;
  }
}

let chromiumPath = null;

/** Each runtime: how to tell whether it is here (a reason when not), and how to run the checks. */
const RUNTIMES = [
  {
    id: 'node-import', group: 'node',
    missing: async () => null,
    run: (p) => runHost(process.execPath, ['host.mjs'], p.project),
  },
  {
    id: 'node-require', group: 'node',
    missing: async () => null,
    run: (p) => runHost(process.execPath, ['host.cjs'], p.project),
  },
  {
    id: 'deno', group: 'deno',
    missing: () => missingBinary('deno', 'npm install --no-save deno@2.9.6'),
    run: (p) => runHost(findBinary('deno'), [
      'run', '--node-modules-dir=manual', `--allow-read=${p.project}`, '--allow-net=127.0.0.1', '--allow-env', '--no-prompt', 'host.mjs',
    ], p.project, { DENO_DIR: join(p.tmp, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' }),
  },
  {
    id: 'bun', group: 'bun',
    missing: () => missingBinary('bun', 'bun is a devDependency: npm ci'),
    run: (p) => runHost(findBinary('bun'), ['host.mjs'], p.project, { NO_COLOR: '1' }),
  },
  {
    id: 'bun-require', group: 'bun',
    missing: () => missingBinary('bun', 'bun is a devDependency: npm ci'),
    run: (p) => runHost(findBinary('bun'), ['host.cjs'], p.project, { NO_COLOR: '1' }),
  },
  {
    id: 'chromium', group: 'chromium',
    missing: async () => {
      chromiumPath = process.env.CHROMIUM_PATH || findBinary('chromium') || findBinary('chromium-browser');
      if (!chromiumPath) return 'chromium not found on PATH (apt-get install -y chromium)';
      try {
        await import('playwright-core');
      } catch {
        return 'playwright-core is not installed (npm ci)';
      }
      return null;
    },
    run: (p) => runChromium(p.project, p.installedPkg, p.tmp),
  },
];

const binaryMissing = new Map();
async function missingBinary(name, hint) {
  if (binaryMissing.has(name)) return binaryMissing.get(name);
  const bin = findBinary(name);
  let reason = null;
  if (!bin) reason = `${name} not found in node_modules/.bin or PATH (${hint})`;
  else {
    const r = await run(bin, ['--version'], { timeoutMs: 30_000 });
    if (r.code !== 0) reason = `${bin.startsWith(ROOT) ? bin.slice(ROOT.length) : bin} --version failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
  }
  binaryMissing.set(name, reason);
  return reason;
}

// ---------------------------------------------------------------- main

function report(id, { info, results }) {
  const where = info?.resolved ? ` → ${String(info.resolved).replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/')}` : '';
  say(`# ${id}: ${info?.runtime ?? '?'}${where}${info?.ms !== undefined ? ` (${info.ms} ms)` : ''}`);
  for (const r of results) {
    if (r.ok) {
      counts.passed++;
      say(`  ✓ ${id} › ${r.name}`);
    } else {
      counts.failed++;
      say(`  ✗ ${id} › ${r.name}`);
      say(String(r.error ?? 'failed').split('\n').map((l) => '      ' + l).join('\n'));
    }
  }
}

/** Temp folders of earlier runs that were killed before cleaning up (a timeout, ^C). */
async function removeStaleTempFolders() {
  const cutoff = Date.now() - 2 * 3600_000;
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith('h2wasm-runtimes-')) continue;
    const path = join(tmpdir(), name);
    try {
      if (statSync(path).mtimeMs < cutoff) await rm(path, { recursive: true, force: true });
    } catch { /* another run's, or gone */ }
  }
}

async function main() {
  const t0 = Date.now();
  await removeStaleTempFolders();
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const chosen = RUNTIMES.filter((r) => !opts.runtimes || opts.runtimes.includes(r.id) || opts.runtimes.includes(r.group));
  if (chosen.length === 0) throw new Error(`no runtime matches ${opts.runtimes}: ${RUNTIMES.map((r) => r.id).join(', ')}`);

  // Which runtimes are here, decided before spending time on the package.
  const present = [];
  for (const rt of chosen) {
    const reason = await rt.missing();
    if (!reason) present.push(rt);
    else if (CI) {
      counts.failed++;
      say(`  ✗ ${rt.id} › runtime missing under CI=true: ${reason}`);
    } else {
      counts.skipped++;
      say(`  - ${rt.id} skipped: ${reason}`);
    }
  }

  if (present.length) {
    await ensureBuild(pkg);
    const tmp = await mkdtemp(join(tmpdir(), 'h2wasm-runtimes-'));
    try {
      const { project, installedPkg } = await packAndInstall(tmp);
      const ctx = { tmp, project, installedPkg };
      // Runtimes run side by side; reports come out in a fixed order.
      const outcomes = await Promise.all(present.map((rt) => rt.run(ctx).catch((err) => ({
        info: null, results: [{ name: 'runner', ok: false, error: String(err?.stack ?? err) }],
      }))));
      present.forEach((rt, i) => report(rt.id, outcomes[i]));
    } finally {
      if (opts.keep) say(`# kept ${tmp}`);
      else await rm(tmp, { recursive: true, force: true });
    }
  }
  say(`# runtimes done in ${seconds(Date.now() - t0)}`);
}

try {
  await main();
} catch (err) {
  counts.failed++;
  say(`  ✗ runtimes › setup`);
  say(String(err?.stack ?? err).split('\n').map((l) => '      ' + l).join('\n'));
}
say(`runtimes: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exitCode = counts.failed > 0 ? 1 : 0;
