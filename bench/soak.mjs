// Soak: minutes of mixed load against one server process per implementation (h2wasm from
// dist/node.mjs, and node:http2), watching for leaks and for requests the server got wrong.
//
//   server   bench/soak/server.mjs (--expose-gc): figures over IPC — RSS, heapUsed, WASM memory,
//            active resources (process.getActiveResourcesInfo()), open sessions and streams
//   load     bench/soak/load.mjs (node:http2 clients): small and 1–8 MiB GETs, uploads, cancels
//            mid-body, slow readers, sessions opened and closed all the time; every response checked
//
// Per implementation: a cold figure; a warm-up of the same load, then a GC: the start level
// (first use grows things for good — JIT code, buffer pools, WASM memory up to the working
// set — and that is not a leak); the soak, a line per interval; the end (load stopped, every
// client session closed); a GC: the after-GC level. Pass: after GC, RSS, heapUsed, WASM memory
// (its buffer size: it only ever grows, so this says the soak never needed 10% more than the
// warm-up did) and active resources at most 10% above the start, no session or stream left
// open nor (give or take 2) still reachable as an object, and 0 failed well-formed requests
// (ones we cancelled or whose session we destroyed are left out).
// WASM memory (h2wasm): the node entry keeps the core's instance private, so the server child
// records the instance when it is made (WebAssembly.Instance wrapped before the package loads)
// and reads its memory.buffer.byteLength; "live sessions" sums session.core.state.memory, the
// core's own count of what each open session holds.
//
// Usage: node bench/soak.mjs [--minutes N] [--quick] [--impl h2wasm|node:http2|both] [--json]
//        [--warmup S] [--interval S] [--seed N] [--concurrency N] [--max-session-memory MB]
//   --minutes   soak length (default 10)       --quick     1 minute, 30 s warm-up, a line per 15 s
//   --warmup    warm-up seconds (default 60)   --interval  seconds between lines (default 60)
//   --json      one JSON object on stdout (progress and the table go to stderr)
//   --max-session-memory  both servers' maxSessionMemory (default 256 MB: Node's 10 MB default
//               refuses streams with ENHANCE_YOUR_CALM under this load's slow readers)
// Exit code 1 if h2wasm fails; 2 if something needed is missing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const quick = args.includes('--quick');
const json = args.includes('--json');
const MINUTES = Number(opt('--minutes', quick ? 1 : 10));
const WARMUP_S = Number(opt('--warmup', quick ? 30 : 60));
const INTERVAL_S = Number(opt('--interval', quick ? 15 : 60));
const SEED = Number(opt('--seed', Date.now() % 1e9));
const CONCURRENCY = Number(opt('--concurrency', 32));
const SESSION_MB = Number(opt('--max-session-memory', 256));
const implArg = opt('--impl', 'both');
const IMPLS = implArg === 'both' ? ['h2wasm', 'node:http2'] : [implArg];
const TOLERANCE = 0.10;
const log = (s) => process.stderr.write(`${s}\n`);

if (!IMPLS.every((i) => i === 'h2wasm' || i === 'node:http2') || !(MINUTES > 0) || !(WARMUP_S >= 0) || !(INTERVAL_S > 0)) {
  log('usage: node bench/soak.mjs [--minutes N] [--quick] [--impl h2wasm|node:http2|both] [--json] [--warmup S] [--interval S]');
  process.exit(2);
}

const SERVER = fileURLToPath(new URL('./soak/server.mjs', import.meta.url));
const LOAD = fileURLToPath(new URL('./soak/load.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/node.mjs', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The server process, its figures on request (after a GC if asked). */
async function startServer(impl) {
  // dist/ may be mid-rebuild: give it a few tries before giving up.
  for (let attempt = 1; ; attempt++) {
    if (impl !== 'h2wasm' || existsSync(DIST)) {
      try { return await spawnServer(impl); } catch (err) { if (attempt >= 5) throw err; }
    } else if (attempt >= 5) {
      log('dist/node.mjs is missing: run `npm run build` first');
      process.exit(2);
    }
    await sleep(3000);
  }
}

function spawnServer(impl) {
  // glibc's malloc raises its mmap threshold to the largest block freed (up to 32 MiB), after
  // which freed megabyte buffers stay in the heap and RSS keeps its high-water mark; a fixed
  // threshold gives them back, so RSS after GC tracks what is live (same for both servers).
  const env = { ...process.env, MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? '131072' };
  const child = spawn(process.execPath, ['--expose-gc', SERVER, impl, String(SESSION_MB)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env });
  let nextId = 0;
  const waiting = new Map();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${impl} server exited (${code})`)));
    child.on('message', (m) => {
      if (m.port) {
        child.removeAllListeners('exit');
        child.once('exit', (code, signal) => { if (!child.stopping) { log(`${impl} server died (${code ?? signal})`); for (const w of waiting.values()) w(null); } });
        resolve({
          port: m.port,
          stats: (gc = false) => new Promise((r) => { const id = ++nextId; waiting.set(id, r); child.send({ type: 'stats', id, gc }); }),
          stop: () => new Promise((r) => { child.stopping = true; child.once('exit', r); child.send({ type: 'exit' }); }),
          alive: () => child.exitCode === null && child.signalCode === null,
        });
      } else if (m.id) {
        waiting.get(m.id)?.(m.stats);
        waiting.delete(m.id);
      }
    });
  });
}

/** One load-driver run; `progress()` asks it for its counts, `done` is its final result. */
function startLoad(port, seconds, seed) {
  const child = spawn(process.execPath, [LOAD, String(port), String(seconds), String(seed), String(CONCURRENCY)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let last = null;
  const done = new Promise((resolve) => {
    child.on('message', (m) => { if (m.type === 'done') last = m.result; });
    child.once('exit', (code) => resolve({ ...(last ?? { counts: null, failures: [{ reason: `load driver exited (${code}) without a result` }] }), exitCode: code }));
  });
  return {
    done,
    progress: () => new Promise((resolve) => {
      if (!child.connected) return resolve(null);
      const on = (m) => { if (m.type === 'progress') { child.off('message', on); resolve(m.counts); } };
      child.on('message', on);
      child.send({ type: 'progress' }, (err) => { if (err) { child.off('message', on); resolve(null); } });
      setTimeout(() => { child.off('message', on); resolve(null); }, 5000).unref();
    }),
  };
}

/** Waits (up to 15 s) until the server has no session and no stream left: clients' closes land late. */
async function quiesce(server, start) {
  const until = Date.now() + 15_000;
  for (;;) {
    const s = await server.stats();
    if (!s || (s.sessions <= (start?.sessions ?? 0) && s.streams <= (start?.streams ?? 0)) || Date.now() > until) return;
    await sleep(250);
  }
}

const MB = (b) => (b == null ? '—' : `${(b / 1048576).toFixed(1)} MiB`);
const num = (n) => (n == null ? '—' : n.toLocaleString('en-US'));
const clock = (s) => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;

function line(impl, t, s, c) {
  const wasm = s.wasm == null ? '' : `  wasm ${MB(s.wasm)} (live sessions ${MB(s.wasmInUse)})`;
  const load = c ? ` | ${num(c.requests)} req: ${num(c.ok)} ok, ${num(c.failed)} failed, ${num(c.cancelled)} cancelled, ${num(c.aborted)} aborted, ${(c.bytesDown / 1e9).toFixed(2)} GB down, ${(c.bytesUp / 1e9).toFixed(2)} GB up, ${num(c.sessionsOpened)} sessions opened` : '';
  return `[${impl}] ${clock(t).padStart(5)}  rss ${MB(s.rss)}  heap ${MB(s.heapUsed)}  ext ${MB(s.external)}${wasm}  handles ${s.handles}  sessions ${s.sessions}  streams ${s.streams}  (objects ${s.retainedSessions}/${s.retainedStreams})${load}`;
}

/** The pass criteria, figure by figure: [name, start, after GC, limit, ok]. */
function checks(start, after, loads) {
  const out = [];
  const within = (name, a, b) => {
    if (a == null || b == null) return;
    const limit = Math.floor(a * (1 + TOLERANCE));
    out.push({ name, start: a, afterGc: b, limit, ok: b <= limit });
  };
  within('rss', start.rss, after.rss);
  within('heapUsed', start.heapUsed, after.heapUsed);
  within('wasm', start.wasm, after.wasm);
  within('wasmInUse', start.wasmInUse, after.wasmInUse);
  within('handles', start.handles, after.handles);
  out.push({ name: 'sessions', start: start.sessions, afterGc: after.sessions, limit: start.sessions, ok: after.sessions <= start.sessions });
  out.push({ name: 'streams', start: start.streams, afterGc: after.streams, limit: start.streams, ok: after.streams <= start.streams });
  // Closed session/stream objects still reachable after GC (FinalizationRegistry count): a little
  // slack, as V8 may keep the odd recent object alive a while longer.
  for (const name of ['retainedSessions', 'retainedStreams']) {
    out.push({ name, start: start[name], afterGc: after[name], limit: start[name] + 2, ok: after[name] <= start[name] + 2 });
  }
  const failed = loads.reduce((n, l) => n + (l.counts ? l.counts.failed : 1), 0);
  out.push({ name: 'failedRequests', start: 0, afterGc: failed, limit: 0, ok: failed === 0 });
  const completed = loads.every((l) => l.counts && l.exitCode === 0);
  out.push({ name: 'loadCompleted', start: true, afterGc: completed, limit: true, ok: completed });
  return out;
}

async function soak(impl) {
  const server = await startServer(impl);
  const result = { impl, samples: [] };
  try {
    result.cold = await server.stats(true);
    log(line(impl, 0, result.cold) + '  (cold)');
    const loads = [];
    if (WARMUP_S > 0) {
      log(`[${impl}] warm-up ${WARMUP_S} s`);
      const warm = await startLoad(server.port, WARMUP_S, SEED + 1).done;
      loads.push(warm);
      result.warmup = warm;
      await quiesce(server, null);
    }
    result.start = await server.stats(true);
    log(line(impl, 0, result.start) + '  (start: after warm-up and GC)');

    const t0 = Date.now();
    const run = startLoad(server.port, MINUTES * 60, SEED);
    let finished = false;
    run.done.then(() => { finished = true; });
    for (let k = 1; !finished; k++) {
      const due = t0 + k * INTERVAL_S * 1000;
      while (!finished && Date.now() < due) await sleep(Math.min(500, due - Date.now()));
      if (finished) break;
      const [s, c] = await Promise.all([server.stats(), run.progress()]);
      if (!s) break;
      result.samples.push({ t: Math.round((Date.now() - t0) / 1000), ...s, load: c });
      log(line(impl, (Date.now() - t0) / 1000, s, c));
    }
    const soakLoad = await run.done;
    loads.push(soakLoad);
    result.load = soakLoad;
    result.end = await server.stats();
    log(line(impl, (Date.now() - t0) / 1000, result.end, soakLoad.counts) + '  (end: load stopped)');
    await quiesce(server, result.start);
    result.afterGc = await server.stats(true);
    log(line(impl, (Date.now() - t0) / 1000, result.afterGc) + '  (after GC)');
    if (!result.afterGc) throw new Error(`${impl} server died`);
    result.checks = checks(result.start, result.afterGc, loads);
    result.pass = result.checks.every((c) => c.ok);
    for (const l of loads) for (const f of l.failures ?? []) log(`[${impl}] failed: ${JSON.stringify(f)}`);
  } catch (err) {
    result.error = String(err?.stack ?? err);
    result.pass = false;
    log(`[${impl}] ${result.error}`);
  } finally {
    if (server.alive()) await server.stop();
  }
  return result;
}

log(`# soak: ${MINUTES} min per implementation after a ${WARMUP_S} s warm-up, ${CONCURRENCY} concurrent requests, seed ${SEED}, maxSessionMemory ${SESSION_MB} MB, pass = within ${TOLERANCE * 100}% of the start after GC and 0 failed requests`);
const results = {};
for (const impl of IMPLS) results[impl] = await soak(impl);

// The verdict table: each figure's start and after-GC level, per implementation.
const fmt = (name, v) => (typeof v === 'boolean' ? String(v) : ['rss', 'heapUsed', 'wasm', 'wasmInUse'].includes(name) ? MB(v) : num(v));
log('');
log(`${'figure'.padEnd(17)}${IMPLS.map((i) => `${i} start → after GC (limit)`.padEnd(44)).join('')}`);
const names = [...new Set(IMPLS.flatMap((i) => (results[i].checks ?? []).map((c) => c.name)))];
for (const name of names) {
  const cells = IMPLS.map((i) => {
    const c = (results[i].checks ?? []).find((x) => x.name === name);
    return (c ? `${fmt(name, c.start)} → ${fmt(name, c.afterGc)} (${fmt(name, c.limit)}) ${c.ok ? 'ok' : 'FAIL'}` : '—').padEnd(44);
  });
  log(`${name.padEnd(17)}${cells.join('')}`);
}
for (const impl of IMPLS) {
  const r = results[impl];
  const bad = (r.checks ?? []).filter((c) => !c.ok).map((c) => c.name);
  log(`${impl}: ${r.pass ? 'PASS' : `FAIL${bad.length ? ` (${bad.join(', ')})` : ''}${r.error ? ` (${r.error.split('\n')[0]})` : ''}`}`);
}
if (json) {
  const strip = (s) => s && { ...s }; // plain figures
  process.stdout.write(JSON.stringify({
    minutes: MINUTES, warmupSeconds: WARMUP_S, seed: SEED, concurrency: CONCURRENCY, tolerance: TOLERANCE,
    impls: Object.fromEntries(IMPLS.map((i) => {
      const r = results[i];
      return [i, {
        pass: r.pass, error: r.error, cold: strip(r.cold), start: strip(r.start), end: strip(r.end), afterGc: strip(r.afterGc),
        samples: r.samples, warmup: r.warmup, load: r.load, checks: r.checks,
      }];
    })),
  }) + '\n');
}
process.exit(results.h2wasm && !results.h2wasm.pass ? 1 : 0);
