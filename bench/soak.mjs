// Soak: minutes of mixed load against one server process per implementation (h2wasm from
// dist/node.mjs, and node:http2 for comparison), watching memory for leaks and every response
// for mistakes. The load comes from two sources at once, for the whole run:
//
//   h2load   bench/soak/h2load.mjs: nghttp2's h2load run in a loop (mostly `-n 20000 -c 20 -m 10`
//            small GETs, every fourth run 1–4 MiB GETs); each run's connections open and close
//   client   bench/soak/load.mjs: our own client (connect() from dist/node.mjs; --client
//            node:http2 for Node's) — small and 1–8 MiB GETs, uploads, cancels mid-body, slow
//            readers, sessions opened and closed all the time; every byte of every response checked
//   server   bench/soak/server.mjs (--expose-gc): its figures over IPC on request — RSS, heapUsed,
//            WASM memory, active resources, open sessions and streams
//
// RSS and WASM memory are sampled every second. The first --warmup seconds (default 120) are
// the warm-up: first use grows things for good (JIT code, buffer pools, WASM memory up to the
// working set), which is not a leak. Over the samples after it, the slope of each (least-squares
// line, MiB per minute) is the verdict: PASS when no well-formed request failed (cancellations
// and requests on sessions we destroyed on purpose are left out) and both slopes are under
// 0.5 MiB/min. As extra information, after the load stops and a GC: RSS, heapUsed and WASM
// memory against their level at the end of the warm-up (after a GC), open sessions and streams,
// session/stream objects still reachable, and active resources against the cold server.
// WASM memory (h2wasm): the node entry keeps the core's instance private, so the server child
// records the instance when it is made (WebAssembly.Instance wrapped before the package loads)
// and reads its memory.buffer.byteLength; "live sessions" sums session.core.state.memory.
//
// Usage: node bench/soak.mjs [--minutes N] [--quick] [--impl h2wasm|node:http2|both] [--json]
//        [--warmup S] [--client h2wasm|node:http2] [--h2load PATH] [--interval S] [--seed N]
//        [--concurrency N] [--max-session-memory MB]
//   --minutes   soak length, warm-up included (default 10)   --warmup  seconds (default 120)
//   --quick     1 minute with a 20 s warm-up, a line per 15 s
//   --impl      server(s) to soak (default h2wasm; both = h2wasm, then node:http2 beside it)
//   --interval  seconds between progress lines (default 60; samples are every second regardless)
//   --json      on stdout: {"requests", "failed_requests", "rss_slope_mib_per_min",
//               "wasm_memory_slope_mib_per_min"} for the first server (h2wasm), then the details
//   --max-session-memory  both servers' maxSessionMemory (default 256 MB: Node's 10 MB default
//               refuses streams with ENHANCE_YOUR_CALM under this load's slow readers)
// Exit code 1 if the first server fails; 2 if something needed is missing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startH2load, h2loadVersion } from './soak/h2load.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const quick = args.includes('--quick');
const json = args.includes('--json');
const MINUTES = Number(opt('--minutes', quick ? 1 : 10));
const WARMUP_S = Number(opt('--warmup', quick ? 20 : 120));
const INTERVAL_S = Number(opt('--interval', quick ? 15 : 60));
const SEED = Number(opt('--seed', Date.now() % 1e9));
const CONCURRENCY = Number(opt('--concurrency', 32));
const SESSION_MB = Number(opt('--max-session-memory', 256));
const CLIENT = opt('--client', 'h2wasm');
const H2LOAD = opt('--h2load', 'h2load');
const implArg = opt('--impl', 'h2wasm');
const IMPLS = implArg === 'both' ? ['h2wasm', 'node:http2'] : [implArg];
const TOLERANCE = 0.10;
const SLOPE_LIMIT = 0.5; // MiB per minute, RSS and WASM memory alike
const log = (s) => process.stderr.write(`${s}\n`);
// Without --json the summary is the output; with it, stdout is the JSON alone.
const say = json ? log : (s) => process.stdout.write(`${s}\n`);

const valid = (i) => i === 'h2wasm' || i === 'node:http2';
if (!IMPLS.every(valid) || !valid(CLIENT) || !(MINUTES > 0) || !(WARMUP_S >= 0) || !(WARMUP_S + 5 <= MINUTES * 60) || !(INTERVAL_S > 0)) {
  log('usage: node bench/soak.mjs [--minutes N] [--quick] [--impl h2wasm|node:http2|both] [--json] [--warmup S (< minutes)] [--client h2wasm|node:http2] [--h2load PATH] [--interval S]');
  process.exit(2);
}

const SERVER = fileURLToPath(new URL('./soak/server.mjs', import.meta.url));
const LOAD = fileURLToPath(new URL('./soak/load.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/node.mjs', import.meta.url));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const H2LOAD_VERSION = await h2loadVersion(H2LOAD);
if (!H2LOAD_VERSION) {
  log(`${H2LOAD} not found: install nghttp2's h2load (apt-get install nghttp2-client) or pass --h2load PATH`);
  process.exit(2);
}
if ((IMPLS.includes('h2wasm') || CLIENT === 'h2wasm') && !existsSync(DIST)) {
  // dist/ may be mid-rebuild: give it a little while.
  for (let i = 0; i < 5 && !existsSync(DIST); i++) await sleep(3000);
  if (!existsSync(DIST)) { log('dist/node.mjs is missing: run `npm run build` first'); process.exit(2); }
}

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
          stats: (gc = false) => new Promise((r) => {
            if (!child.connected) return r(null);
            const id = ++nextId;
            waiting.set(id, r);
            child.send({ type: 'stats', id, gc });
          }),
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
  const child = spawn(process.execPath, [LOAD, String(port), String(seconds), String(seed), String(CONCURRENCY), CLIENT], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
const slopeText = (v) => (v == null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(3)} MiB/min`);

function line(impl, t, s, c, h) {
  const wasm = s.wasm == null ? '' : `  wasm ${MB(s.wasm)} (live sessions ${MB(s.wasmInUse)})`;
  const load = c ? ` | client ${num(c.requests)} req: ${num(c.ok)} ok, ${num(c.failed)} failed, ${num(c.cancelled)} cancelled, ${num(c.aborted)} aborted, ${num(c.sessionsOpened)} sessions` : '';
  const h2l = h ? ` | h2load ${num(h.requests)} req: ${num(h.ok)} ok, ${num(h.failed)} failed, ${num(h.runs)} runs` : '';
  return `[${impl}] ${clock(t).padStart(5)}  rss ${MB(s.rss)}  heap ${MB(s.heapUsed)}${wasm}  handles ${s.handles}  sessions ${s.sessions}  streams ${s.streams}  (objects ${s.retainedSessions}/${s.retainedStreams})${load}${h2l}`;
}

/** Least-squares slope of y (bytes) against t (seconds), in MiB per minute; null under 2 points. */
function slope(points) {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0, sxx = 0;
  for (const [x, y] of points) { sxy += (x - mx) * (y - my); sxx += (x - mx) ** 2; }
  return sxx === 0 ? null : (sxy / sxx) * 60 / 1048576;
}

/** The extra after-GC checks: [name, level, after GC, limit, ok]. */
function checks(cold, start, after) {
  const out = [];
  const within = (name, a, b) => {
    if (a == null || b == null) return;
    const limit = Math.floor(a * (1 + TOLERANCE));
    out.push({ name, start: a, afterGc: b, limit, ok: b <= limit });
  };
  // Memory against the end of the warm-up (after a GC, load still running): what the load
  // needs is in there, so after GC with no load it should be no higher.
  within('rss', start.rss, after.rss);
  within('heapUsed', start.heapUsed, after.heapUsed);
  within('wasm', start.wasm, after.wasm);
  // Resources, sessions and streams against the cold server: with no load, all should be back.
  within('handles', cold.handles, after.handles);
  out.push({ name: 'sessions', start: cold.sessions, afterGc: after.sessions, limit: cold.sessions, ok: after.sessions <= cold.sessions });
  out.push({ name: 'streams', start: cold.streams, afterGc: after.streams, limit: cold.streams, ok: after.streams <= cold.streams });
  // Closed session/stream objects still reachable after GC (FinalizationRegistry count): a little
  // slack, as V8 may keep the odd recent object alive a while longer.
  for (const name of ['retainedSessions', 'retainedStreams']) {
    out.push({ name, start: cold[name], afterGc: after[name], limit: cold[name] + 2, ok: after[name] <= cold[name] + 2 });
  }
  return out;
}

async function soak(impl) {
  const server = await startServer(impl);
  const result = { impl, samples: [] };
  const END_S = MINUTES * 60;
  let h2load = null, client = null;
  try {
    result.cold = await server.stats(true);
    log(line(impl, 0, result.cold) + '  (cold)');
    log(`[${impl}] ${MINUTES} min of load (h2load + ${CLIENT} client), RSS and WASM memory every second, slopes after a ${WARMUP_S} s warm-up`);

    const t0 = Date.now();
    client = startLoad(server.port, END_S, SEED);
    h2load = startH2load(server.port, END_S, H2LOAD);
    let clientDone = false;
    client.done.then(() => { clientDone = true; });

    // One sample a second until the end; a late answer (busy server) skips the seconds it missed.
    let nextLine = INTERVAL_S;
    for (let k = 1; k <= END_S; k++) {
      const due = t0 + k * 1000;
      if (Date.now() < due) await sleep(due - Date.now());
      else if (Date.now() > due + 1000) { k = Math.floor((Date.now() - t0) / 1000); continue; }
      if (!result.start && k >= WARMUP_S) {
        // The level the after-GC check compares with: warm, under load, after a GC.
        result.start = await server.stats(true);
        if (!result.start) break;
        log(line(impl, (Date.now() - t0) / 1000, result.start, null) + '  (warm-up over; after GC)');
        continue;
      }
      const s = await server.stats();
      if (!s) break;
      const t = (s.at - t0) / 1000;
      result.samples.push([Math.round(t * 1000) / 1000, s.rss, s.wasm, s.heapUsed]);
      if (t >= nextLine) {
        nextLine += INTERVAL_S;
        log(line(impl, t, s, clientDone ? null : await client.progress(), h2load.progress()));
      }
    }
    if (!server.alive()) throw new Error(`${impl} server died`);

    const [clientRun, h2loadRun] = await Promise.all([client.done, h2load.done]);
    result.client = clientRun;
    result.h2load = h2loadRun;
    result.end = await server.stats();
    log(line(impl, (Date.now() - t0) / 1000, result.end, clientRun.counts, h2loadRun.counts) + '  (end: load stopped)');
    await quiesce(server, result.cold);
    result.afterGc = await server.stats(true);
    if (!result.afterGc) throw new Error(`${impl} server died`);
    log(line(impl, (Date.now() - t0) / 1000, result.afterGc) + '  (after GC)');
    result.checks = checks(result.cold, result.start ?? result.cold, result.afterGc);
    for (const f of [...(clientRun.failures ?? []), ...h2loadRun.failures]) log(`[${impl}] failed: ${JSON.stringify(f)}`);
  } catch (err) {
    result.error = String(err?.stack ?? err);
    log(`[${impl}] ${result.error}`);
    h2load?.stop();
  } finally {
    if (server.alive()) await server.stop();
  }

  // The figures the verdict rests on.
  const after = result.samples.filter(([t]) => t >= WARMUP_S && t <= END_S);
  result.rssSlope = slope(after.map(([t, rss]) => [t, rss]));
  result.wasmSlope = impl === 'h2wasm' ? slope(after.map(([t, , wasm]) => [t, wasm])) : null;
  const c = result.client?.counts;
  const h = result.h2load?.counts;
  // Every request that ran to its end (ok, failed, or cancelled/aborted on purpose) from both.
  result.requests = (c ? c.requests - c.inFlight : 0) + (h ? h.requests : 0);
  // A load driver that died without its counts is a failure of its own.
  result.failed = (c ? c.failed : 1) + (h ? h.failed : 1) + (result.client && result.client.exitCode !== 0 ? 1 : 0);
  const slopesOk = result.rssSlope != null && result.rssSlope < SLOPE_LIMIT
    && (impl !== 'h2wasm' || (result.wasmSlope != null && result.wasmSlope < SLOPE_LIMIT));
  result.pass = !result.error && result.failed === 0 && slopesOk;
  return result;
}

log(`# soak: ${MINUTES} min per server (slopes after a ${WARMUP_S} s warm-up), h2load (${H2LOAD_VERSION.split('\n')[0]}) and the ${CLIENT} client (${CONCURRENCY} concurrent requests, seed ${SEED}), maxSessionMemory ${SESSION_MB} MB; pass = 0 failed requests, RSS and WASM memory slopes < ${SLOPE_LIMIT} MiB/min`);
const results = {};
for (const impl of IMPLS) results[impl] = await soak(impl);

// The summary: the verdict's figures, then the after-GC checks (information), per server.
const col = (s) => String(s).padEnd(46);
const row = (name, f) => say(`${name.padEnd(30)}${IMPLS.map((i) => col(f(results[i]))).join('')}`);
say('');
row('', (r) => r.impl);
row('requests (h2load + client)', (r) => `${num(r.requests)} (${num(r.h2load?.counts.requests)} + ${num(r.client?.counts?.requests)})`);
row('failed requests', (r) => `${num(r.failed)} ${r.failed === 0 ? 'ok' : 'FAIL'}`);
row('client cancelled/aborted', (r) => `${num(r.client?.counts?.cancelled)} / ${num(r.client?.counts?.aborted)}`);
row(`RSS slope (< ${SLOPE_LIMIT})`, (r) => `${slopeText(r.rssSlope)} ${r.rssSlope != null && r.rssSlope < SLOPE_LIMIT ? 'ok' : 'FAIL'}`);
row(`WASM memory slope (< ${SLOPE_LIMIT})`, (r) => (r.impl === 'h2wasm' ? `${slopeText(r.wasmSlope)} ${r.wasmSlope != null && r.wasmSlope < SLOPE_LIMIT ? 'ok' : 'FAIL'}` : '—'));
row('samples after warm-up', (r) => num(r.samples.filter(([t]) => t >= WARMUP_S).length));
say('after GC (information)         level → after GC (limit)');
const fmt = (name, v) => (['rss', 'heapUsed', 'wasm'].includes(name) ? MB(v) : num(v));
const names = [...new Set(IMPLS.flatMap((i) => (results[i].checks ?? []).map((c) => c.name)))];
for (const name of names) {
  row(`  ${name}`, (r) => {
    const c = (r.checks ?? []).find((x) => x.name === name);
    return c ? `${fmt(name, c.start)} → ${fmt(name, c.afterGc)} (${fmt(name, c.limit)}) ${c.ok ? 'ok' : 'over'}` : '—';
  });
}
for (const impl of IMPLS) {
  const r = results[impl];
  const why = [r.failed ? `${r.failed} failed requests` : '', !(r.rssSlope < SLOPE_LIMIT) ? 'RSS slope' : '',
    impl === 'h2wasm' && !(r.wasmSlope < SLOPE_LIMIT) ? 'WASM memory slope' : '', r.error ? r.error.split('\n')[0] : ''].filter(Boolean);
  say(`${impl}: ${r.pass ? 'PASS' : `FAIL (${why.join(', ')})`}`);
}

if (json) {
  const round = (v) => (v == null ? null : Math.round(v * 1000) / 1000);
  const head = (r) => ({ requests: r.requests, failed_requests: r.failed, rss_slope_mib_per_min: round(r.rssSlope), wasm_memory_slope_mib_per_min: round(r.wasmSlope) });
  const details = (r) => ({
    impl: r.impl, pass: r.pass, error: r.error,
    sources: { h2load: r.h2load?.counts ?? null, client: r.client ? { client: r.client.client, exitCode: r.client.exitCode, ...r.client.counts } : null },
    failures: [...(r.client?.failures ?? []), ...(r.h2load?.failures ?? [])],
    checks: r.checks, cold: r.cold, start: r.start, end: r.end, afterGc: r.afterGc,
    samples: { columns: ['t', 'rss', 'wasm', 'heapUsed'], rows: r.samples },
  });
  const [first, ...others] = IMPLS.map((i) => results[i]);
  // The four figures first and top-level (the first server's: h2wasm unless --impl says otherwise).
  process.stdout.write(JSON.stringify({
    ...head(first),
    ...details(first),
    minutes: MINUTES, warmupSeconds: WARMUP_S, sampleSeconds: 1, slopeLimit: SLOPE_LIMIT, client: CLIENT,
    h2load: H2LOAD_VERSION.split('\n')[0], seed: SEED, concurrency: CONCURRENCY,
    ...Object.fromEntries(others.map((r) => [r.impl, { ...head(r), ...details(r) }])),
  }) + '\n');
}
process.exit(results[IMPLS[0]].pass ? 0 : 1);
