// h2wasm on Node, Deno and Bun, each beside that runtime's OWN node:http2, in one run:
//
//   req_per_s        h2load -n 200000 -c 10 -m 100 (h2c) against a server process
//                    (bench/runtimes/server.mjs: a 'stream' handler answering 200 `hello world`)
//                    on our node:http2 API and on the runtime's node:http2
//   exchanges_per_s  bench/core.mjs's in-memory exchange benchmark (h2wasm/core Sessions vs the
//                    runtime's node:http2 over a Duplex pair), per CPU second, in a process of
//                    that runtime (bench/runtimes/exchanges.mjs)
//
// Rounds are interleaved (every runtime and implementation once, then the next round; the
// order within a runtime alternates) and medians reported. Servers (and the exchange
// processes) run on CPU 0, h2load on CPU 1, where taskset exists. A server that exits on its
// own is restarted and its crashes counted; an h2load run that does not complete every
// request is counted as failed and left out of the median (neither stops the benchmark).
// h2wasm comes from the built package (dist/node.mjs, dist/core.mjs) unless dist is missing
// or older than the sources, or --source is given: then from bindings/ (Node through tsx).
//
// Usage: node bench/runtimes.mjs [--rounds N] [--quick] [--json] [--source] [--runtimes node,deno,bun]
//   --quick  2 rounds, 50,000 requests and exchanges per run
//   --json   exactly one JSON object on stdout; progress and the table go to stderr
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import http2 from 'node:http2';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = 'usage: node bench/runtimes.mjs [--rounds N] [--quick] [--json] [--source] [--runtimes node,deno,bun]';
const log = (s) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------- options

const opts = { rounds: 5, n: 200_000, exchanges: 200_000, json: false, source: false, runtimes: ['node', 'deno', 'bun'] };
{
  const argv = process.argv.slice(2);
  let rounds = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') { opts.rounds = 2; opts.n = 50_000; opts.exchanges = 50_000; }
    else if (a === '--json') opts.json = true;
    else if (a === '--source') opts.source = true;
    else if (a === '--rounds') rounds = Number(argv[++i]);
    else if (a === '--runtimes') opts.runtimes = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '-h' || a === '--help') { log(USAGE); process.exit(0); }
    else { log(`unknown option ${a}\n${USAGE}`); process.exit(2); }
  }
  if (rounds !== null) {
    if (!(rounds >= 1)) { log(`--rounds needs a positive number\n${USAGE}`); process.exit(2); }
    opts.rounds = Math.floor(rounds);
  }
  for (const r of opts.runtimes) if (!['node', 'deno', 'bun'].includes(r)) { log(`unknown runtime ${r}\n${USAGE}`); process.exit(2); }
}

const h2load = spawnSync('h2load', ['--version']).status === 0 ? 'h2load' : null;
if (!h2load) { log('h2load is missing (apt-get install -y nghttp2-client)'); process.exit(2); }
const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pinned = (cpu, cmd, argv) => (pin ? ['taskset', ['-c', String(cpu), cmd, ...argv]] : [cmd, argv]);

// ---------------------------------------------------------------- what h2wasm is loaded from

const notes = [];
/** Newest modification time of the files under `dir`. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const built = ['node.mjs', 'core.mjs'].map((f) => join(ROOT, 'dist', f));
let from = 'dist';
if (opts.source) from = 'source';
else if (!built.every(existsSync)) { from = 'source'; notes.push('dist/ is not built: h2wasm loaded from the sources (bindings/)'); }
else {
  const sources = Math.max(newest(join(ROOT, 'bindings')), ...['build', 'assembly'].filter((d) => existsSync(join(ROOT, d))).map((d) => newest(join(ROOT, d))));
  if (Math.min(...built.map((f) => statSync(f).mtimeMs)) < sources) {
    from = 'source';
    notes.push('dist/ is older than the sources: h2wasm loaded from the sources (bindings/), not the built package');
  }
}

// ---------------------------------------------------------------- runtimes

function binary(name) {
  if (name === 'node') return process.execPath;
  const local = join(ROOT, 'node_modules', '.bin', name);
  for (const cmd of [local, name]) if (spawnSync(cmd, ['--version']).status === 0) return cmd;
  return null;
}
/** The command line running `script args` in `runtime`. */
function command(runtime, cmd, script, args) {
  const file = join(ROOT, script);
  if (runtime === 'node') return [cmd, ['--expose-gc', ...(from === 'source' ? ['--import', 'tsx'] : []), file, ...args]];
  if (runtime === 'deno') return [cmd, ['run', '--allow-net', '--allow-read', '--allow-env', '--v8-flags=--expose-gc', file, ...args]];
  return [cmd, ['run', file, ...args]];
}
const versionOf = (runtime, cmd) => {
  if (runtime === 'node') return process.version;
  const out = spawnSync(cmd, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  return (/(\d+\.\d+\.\d+)/.exec(out) ?? [])[1] ?? '?';
};

const runtimes = [];
for (const name of opts.runtimes) {
  const cmd = binary(name);
  if (!cmd) { notes.push(`${name} is not installed: its figures are null`); continue; }
  runtimes.push({ name, cmd, version: versionOf(name, cmd) });
}
const IMPLS = ['h2wasm', 'own'];
const fromArgs = from === 'source' ? ['source'] : [];

// ---------------------------------------------------------------- servers

/** A server process; restarted by ensure() when it has exited on its own (a crash). */
class Server {
  constructor(runtime, impl) {
    this.runtime = runtime;
    this.impl = impl;
    this.crashes = 0;
    this.failedRuns = 0;
    this.lastError = '';
    this.child = null;
  }

  async start() {
    const [cmd, argv] = pinned(0, ...command(this.runtime.name, this.runtime.cmd, 'bench/runtimes/server.mjs', [this.impl, ...fromArgs]));
    const child = this.child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => { err = (err + d).slice(-2000); });
    child.exited = new Promise((r) => child.once('exit', (code, signal) => {
      if (!child.stopping) { this.crashes++; this.lastError = `exit ${code ?? signal}: ${err.trim().split('\n').slice(-3).join(' | ')}`; }
      r();
    }));
    this.port = await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.label} did not listen within 20 s: ${err}`)), 20_000);
      child.stdout.on('data', (d) => {
        out += d;
        const m = /\{"port":(\d+)\}/.exec(out);
        if (m) { clearTimeout(t); resolve(Number(m[1])); }
      });
      child.exited.then(() => { clearTimeout(t); reject(new Error(`${this.label} exited before listening: ${err}`)); });
    });
  }

  get label() { return `${this.runtime.name} ${this.impl}`; }
  get alive() { return this.child && this.child.exitCode === null && this.child.signalCode === null; }

  async ensure() {
    if (this.alive) return;
    log(`  ${this.label}: server exited (${this.lastError}); restarting`);
    await this.start();
  }

  async stop() {
    if (!this.child || !this.alive) return;
    this.child.stopping = true;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.child.exited;
    clearTimeout(t);
  }
}

/** What a server answers on /: status and body. */
async function answer(port) {
  const client = http2.connect(`http://127.0.0.1:${port}`);
  client.on('error', () => {});
  try {
    const req = client.request({ ':path': '/' });
    const chunks = [];
    const [headers] = await Promise.race([
      Promise.all([
        new Promise((r) => req.once('response', r)),
        new Promise((r, j) => { req.on('data', (d) => chunks.push(d)); req.on('end', r); req.on('error', j); }),
      ]),
      new Promise((_, j) => setTimeout(() => j(new Error('no answer within 10 s')), 10_000)),
    ]);
    return `${headers[':status']} ${Buffer.concat(chunks).toString('latin1')}`;
  } finally {
    client.destroy();
  }
}

/** One h2load run (CPU 1): req/s, or a reason it did not complete. */
function load(port, n) {
  const [cmd, argv] = pinned(1, h2load, ['-n', String(n), '-c', '10', '-m', '100', `http://127.0.0.1:${port}/`]);
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    // A hung server must not hang the benchmark.
    const t = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', () => {
      clearTimeout(t);
      const finished = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(out);
      const done = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
      if (!finished || !done) resolve({ error: `h2load gave no figures: ${out.trim().split('\n').slice(-2).join(' | ')}` });
      else if (Number(done[1]) !== n) resolve({ error: `h2load: ${done[1]} of ${n} succeeded (${done[2]} failed, ${done[3]} errored)`, partial: Number(finished[1]) });
      else resolve({ reqPerS: Number(finished[1]) });
    });
  });
}

/** One exchange-benchmark process of `runtime` (CPU 0): { h2wasm, own } timings or errors. */
function exchanges(runtime, order) {
  const [cmd, argv] = pinned(0, ...command(runtime.name, runtime.cmd, 'bench/runtimes/exchanges.mjs',
    [String(opts.exchanges), '100', order.join(','), ...fromArgs]));
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err = (err + d).slice(-2000); });
    const t = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('close', (code, signal) => {
      clearTimeout(t);
      const line = out.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      try { resolve(JSON.parse(line)); } catch {
        const error = `exchange process: exit ${code ?? signal}: ${err.trim().split('\n').slice(-2).join(' | ')}`;
        resolve({ h2wasm: { error }, own: { error } });
      }
    });
  });
}

// ---------------------------------------------------------------- the run

const samples = {}; // runtime → { req: { h2wasm: [], own: [] }, ex: { … }, exErrors: { … } }
const servers = {};
let exitCode = 0;
const stopAll = () => Promise.all(Object.values(servers).map((s) => s.stop()));
process.once('SIGINT', () => { stopAll().then(() => process.exit(130)); });

try {
  for (const rt of runtimes) {
    samples[rt.name] = { req: { h2wasm: [], own: [] }, ex: { h2wasm: [], own: [] }, exErrors: {}, partial: {} };
    for (const impl of IMPLS) {
      const s = servers[`${rt.name} ${impl}`] = new Server(rt, impl);
      await s.start();
      const a = await answer(s.port);
      if (a !== '200 hello world') throw new Error(`${s.label} answers ${JSON.stringify(a)}, not 200 hello world`);
    }
  }
  log(`# ${opts.rounds} rounds, ${opts.n.toLocaleString('en-US')} requests (h2load -c 10 -m 100) and ${opts.exchanges.toLocaleString('en-US')} exchanges per run; ` +
    `h2wasm from ${from === 'dist' ? 'the built package (dist/)' : 'the sources (bindings/)'}; ${pin ? 'servers on CPU 0, h2load on CPU 1' : 'no taskset: not pinned'}`);
  // Warm-up, untimed: JIT tiers of every server.
  for (const s of Object.values(servers)) {
    await s.ensure();
    const r = await load(s.port, Math.min(10_000, opts.n));
    if (r.error) log(`  warm-up ${s.label}: ${r.error}`);
  }
  for (let round = 1; round <= opts.rounds; round++) {
    for (const rt of runtimes) {
      const order = round % 2 ? IMPLS : [...IMPLS].reverse(); // neither side always goes first
      for (const impl of order) {
        const s = servers[`${rt.name} ${impl}`];
        let r;
        try {
          await s.ensure();
          r = await load(s.port, opts.n);
        } catch (e) {
          r = { error: e.message };
        }
        if (r.error) {
          s.failedRuns++;
          if (r.partial) (samples[rt.name].partial[impl] ??= []).push(r.partial);
          await new Promise((res) => setTimeout(res, 300)); // let a crash show as an exit
          log(`round ${round} ${rt.name.padEnd(5)} h2load      ${impl.padEnd(7)} FAILED (${r.error})${s.alive ? '' : ' — the server exited'}`);
        } else {
          samples[rt.name].req[impl].push(r.reqPerS);
          log(`round ${round} ${rt.name.padEnd(5)} h2load      ${impl.padEnd(7)} ${Math.round(r.reqPerS).toLocaleString('en-US')} req/s`);
        }
      }
      const ex = await exchanges(rt, order);
      for (const impl of order) {
        const x = ex[impl];
        if (!x || x.error) {
          samples[rt.name].exErrors[impl] = x?.error ?? 'no result';
          log(`round ${round} ${rt.name.padEnd(5)} exchanges   ${impl.padEnd(7)} FAILED (${x?.error ?? 'no result'})`);
        } else {
          const perCpu = opts.exchanges / (x.cpu_ms / 1e3);
          samples[rt.name].ex[impl].push(perCpu);
          log(`round ${round} ${rt.name.padEnd(5)} exchanges   ${impl.padEnd(7)} ${Math.round(perCpu).toLocaleString('en-US')} /CPU s (wall ${Math.round(opts.exchanges / (x.wall_ms / 1e3)).toLocaleString('en-US')} /s)`);
        }
      }
    }
  }
} catch (e) {
  log(`FAILED: ${e.stack ?? e}`);
  exitCode = 1;
} finally {
  await stopAll();
}

// ---------------------------------------------------------------- report

const median = (xs) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round1 = (x) => (x === null ? null : Math.round(x * 10) / 10);
const out = { req_per_s: {}, exchanges_per_s: {} };
for (const name of opts.runtimes) {
  const sm = samples[name];
  const h = servers[`${name} h2wasm`];
  const o = servers[`${name} own`];
  const req = out.req_per_s[name] = { h2wasm: round1(median(sm?.req.h2wasm ?? [])), own: round1(median(sm?.req.own ?? [])) };
  req.own_crashes = o?.crashes ?? 0;
  req.own_failed_runs = o?.failedRuns ?? 0;
  // What h2load measured over the runs that did not complete (beside, never in, the median).
  if (sm?.partial.own) req.own_failed_runs_req_per_s = round1(median(sm.partial.own));
  // Our own server crashing or failing is news: reported only when it happens.
  if (h?.crashes) req.h2wasm_crashes = h.crashes;
  if (h?.failedRuns) req.h2wasm_failed_runs = h.failedRuns;
  const ex = out.exchanges_per_s[name] = { h2wasm: round1(median(sm?.ex.h2wasm ?? [])), own: round1(median(sm?.ex.own ?? [])) };
  for (const impl of IMPLS) if (sm?.exErrors[impl]) ex[`${impl}_error`] = sm.exErrors[impl];
  if (req.h2wasm === null || ex.h2wasm === null) if (runtimes.some((r) => r.name === name)) exitCode = 1;
}

const fmt = (x) => (x === null || x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '—');
const lines = [
  `h2wasm vs each runtime's own node:http2, ${opts.rounds} round(s), medians`,
  `  req/s:       h2load -n ${opts.n} -c 10 -m 100, h2c, 'stream' handler answering 200 hello world`,
  `  exchanges/s: ${opts.exchanges} in-memory GET exchanges, 100 at a time, per CPU second (bench/core.mjs's)`,
  `  h2wasm from ${from === 'dist' ? 'the built package (dist/node.mjs, dist/core.mjs)' : 'the sources (bindings/)'}`,
  '',
  `  ${'runtime'.padEnd(14)}${'figure'.padEnd(14)}${'h2wasm'.padStart(12)}${'own'.padStart(12)}${'ratio'.padStart(9)}   own server`,
];
for (const name of opts.runtimes) {
  const rt = runtimes.find((r) => r.name === name);
  const label = `${name} ${rt?.version ?? '(missing)'}`;
  const req = out.req_per_s[name];
  const ex = out.exchanges_per_s[name];
  lines.push(`  ${label.padEnd(14)}${'req/s'.padEnd(14)}${fmt(req.h2wasm).padStart(12)}${fmt(req.own).padStart(12)}${ratio(req.h2wasm, req.own).padStart(9)}   ` +
    `${req.own_crashes} crash(es), ${req.own_failed_runs} failed run(s)${req.own_failed_runs_req_per_s ? ` (${fmt(req.own_failed_runs_req_per_s)} req/s over those)` : ''}${req.h2wasm_crashes || req.h2wasm_failed_runs ? `; h2wasm: ${req.h2wasm_crashes ?? 0} crash(es), ${req.h2wasm_failed_runs ?? 0} failed run(s)` : ''}`);
  lines.push(`  ${''.padEnd(14)}${'exchanges/s'.padEnd(14)}${fmt(ex.h2wasm).padStart(12)}${fmt(ex.own).padStart(12)}${ratio(ex.h2wasm, ex.own).padStart(9)}`);
  for (const impl of IMPLS) if (ex[`${impl}_error`]) lines.push(`  ${''.padEnd(14)}  ${impl} exchanges failed: ${ex[`${impl}_error`]}`);
}
for (const s of Object.values(servers)) if (s.lastError) lines.push(`  last exit of ${s.label}: ${s.lastError}`);
for (const n of notes) lines.push(`  note: ${n}`);

if (opts.json) {
  log(lines.join('\n'));
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  process.stdout.write(`${lines.join('\n')}\n`);
}
process.exitCode = exitCode;
