// Server benchmark: the same minimal server program on node:http2 and on h2wasm (the built
// package, dist/node.mjs), each in its own process on the same Node, driven by h2load.
//
//   core_c10_m100   'stream' handler, 200 `hello world`: h2load -n 200000 -c 10 -m 100
//   core_c100_m10   the same with -c 100 -m 10
//   compat_*        the same two on the compatibility API ((req, res) => res.end(...))
//   mb_per_s        1 MiB responses (core API): h2load -n 1000 -c 10 -m 10
//   rss             RSS growth of each server holding 1,000 idle h2c sessions (after GC)
//   client          bench/client.mjs: 100,000 GETs over one session against nghttpd
//   server CPU      each server's user + system CPU per run (from /proc, Linux), per request
//                   (µs) or per MiB (ms): robust where req/s is noisy (a busy machine, a slow h2load)
//
// Rounds are interleaved (every case on both servers, then the next round) and medians
// reported. The server runs on CPU 0 and h2load on CPU 1 where `taskset` exists. Before
// measuring, each server's answer is fetched and checked equal (status and body).
//
// Usage: node bench/server.mjs [--rounds N] [--quick] [--json]
//   --quick  2 rounds, 50,000 requests per run    --json  one JSON object on stdout
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import http2 from 'node:http2';
import { runClientBench } from './client/bench.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const roundsAt = args.indexOf('--rounds');
const ROUNDS = roundsAt >= 0 ? Number(args[roundsAt + 1]) : quick ? 2 : 5;
const N = quick ? 50_000 : 200_000;
const log = (s) => process.stderr.write(`${s}\n`);
const IMPLS = ['node:http2', 'h2wasm'];

if (!existsSync(fileURLToPath(new URL('../dist/node.mjs', import.meta.url)))) {
  log('dist/node.mjs is missing: run `npm run build` first');
  process.exit(2);
}
const h2load = spawnSync('h2load', ['--version']).status === 0 ? 'h2load' : null;
if (!h2load) {
  log('h2load is missing (apt-get install nghttp2-client)');
  process.exit(2);
}
const pin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pinned = (cpu, cmd, argv) => (pin ? ['taskset', ['-c', String(cpu), cmd, ...argv]] : [cmd, argv]);

const CHILD = fileURLToPath(new URL('./server/child.mjs', import.meta.url));
const IDLE = fileURLToPath(new URL('./server/idle-sessions.mjs', import.meta.url));

/** Starts a server process (pinned to CPU 0); resolves with its port and a handle. */
function startServer(impl, api) {
  const [cmd, argv] = pinned(0, process.execPath, ['--expose-gc', CHILD, impl, api]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${impl} ${api} server exited (${code})`)));
    child.once('message', (m) => resolve({
      impl, api, port: m.port, child,
      rss: () => new Promise((r) => { child.once('message', (x) => r(x.rss)); child.send('rss'); }),
      stop: () => new Promise((r) => { child.removeAllListeners('exit'); child.once('exit', r); child.send('exit'); }),
    }));
  });
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
/** CPU time (user + system, ms) process `pid` has used so far; null without /proc. */
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

/** One h2load run (pinned to CPU 1): req/s and MB/s as h2load reports them. */
function load(port, path, n, c, m) {
  const [cmd, argv] = pinned(1, h2load, ['-n', String(n), '-c', String(c), '-m', String(m), `http://127.0.0.1:${port}${path}`]);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 300_000 });
  const finished = /finished in [\d.]+m?s, ([\d.]+) req\/s, ([\d.]+)([KMG]?)B\/s/.exec(r.stdout);
  const done = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(r.stdout);
  if (!finished || !done) throw new Error(`h2load gave no figures:\n${r.stdout}\n${r.stderr}`);
  if (Number(done[1]) !== n) throw new Error(`h2load: ${done[1]} of ${n} succeeded (${done[2]} failed, ${done[3]} errored)`);
  const scale = { '': 1e-6, K: 1e-3, M: 1, G: 1e3 }[finished[3]];
  return { reqPerS: Number(finished[1]), mbPerS: Number(finished[2]) * scale };
}

/** What a server answers on `path`: status and body, for the equal-output check. */
async function fetchOnce(port, path) {
  const client = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const req = client.request({ ':path': path });
    const chunks = [];
    const [headers] = await Promise.all([
      new Promise((r) => req.once('response', r)),
      new Promise((r, j) => { req.on('data', (d) => chunks.push(d)); req.on('end', r); req.on('error', j); }),
    ]);
    return `${headers[':status']} ${Buffer.concat(chunks).toString('latin1')}`;
  } finally {
    client.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};

const CASES = [
  { key: 'core_c10_m100', api: 'core', path: '/', n: N, c: 10, m: 100 },
  { key: 'core_c100_m10', api: 'core', path: '/', n: N, c: 100, m: 10 },
  { key: 'compat_c10_m100', api: 'compat', path: '/', n: N, c: 10, m: 100 },
  { key: 'compat_c100_m10', api: 'compat', path: '/', n: N, c: 100, m: 10 },
  { key: 'big', api: 'core', path: '/big', n: quick ? 300 : 1000, c: 10, m: 10 },
];

const servers = {};
const results = {}; // key → impl → [figures]
const cpuUse = {}; // key → impl → [server CPU per request (µs) or per MiB (ms)]
try {
  for (const impl of IMPLS) for (const api of ['core', 'compat']) servers[`${impl} ${api}`] = await startServer(impl, api);
  for (const api of ['core', 'compat']) {
    for (const path of ['/', '/big']) {
      const answers = await Promise.all(IMPLS.map((impl) => fetchOnce(servers[`${impl} ${api}`].port, path)));
      if (answers[0] !== answers[1]) throw new Error(`the servers answer ${path} (${api}) differently`);
    }
  }
  log(`# ${ROUNDS} rounds, ${N} requests per run, ${pin ? 'server on CPU 0, h2load on CPU 1' : 'no taskset: not pinned'}`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const c of CASES) {
      const order = round % 2 ? IMPLS : [...IMPLS].reverse(); // neither side always goes first
      for (const impl of order) {
        const server = servers[`${impl} ${c.api}`];
        const cpu0 = cpuMs(server.child.pid);
        const r = load(server.port, c.path, c.n, c.c, c.m);
        const cpu1 = cpuMs(server.child.pid);
        ((results[c.key] ??= {})[impl] ??= []).push(c.key === 'big' ? r.mbPerS : r.reqPerS);
        // ms per MiB for the 1 MiB case, µs per request for the others
        if (cpu0 !== null && cpu1 !== null) ((cpuUse[c.key] ??= {})[impl] ??= []).push(c.key === 'big' ? (cpu1 - cpu0) / c.n : ((cpu1 - cpu0) * 1000) / c.n);
        log(`round ${round} ${c.key.padEnd(16)} ${impl.padEnd(10)} ${(c.key === 'big' ? `${r.mbPerS.toFixed(1)} MB/s` : `${Math.round(r.reqPerS)} req/s`)}`);
      }
    }
  }
} finally {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
}

// RSS per idle session: a fresh server of each kind, 1,000 idle sessions from another process.
const rss = {};
for (const impl of IMPLS) {
  const server = await startServer(impl, 'core');
  try {
    const before = await server.rss();
    const [cmd, argv] = pinned(1, process.execPath, [IDLE, String(server.port), '1000']);
    const clients = spawn(cmd, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise((r) => clients.once('message', r));
    const after = await server.rss();
    rss[impl] = Math.round((after - before) / 1000);
    clients.send('close');
    await new Promise((r) => clients.once('exit', r));
    log(`rss per idle session ${impl.padEnd(10)} ${rss[impl]} bytes`);
  } finally {
    await server.stop();
  }
}

// The client case (bench/client.mjs) rides along, so one JSON object holds every figure.
const client = await runClientBench({ rounds: ROUNDS, requests: quick ? 20_000 : 100_000, log });

const out = { req_per_s: {}, mb_per_s: {}, rss_per_idle_session_bytes: rss };
for (const c of CASES) {
  const m = Object.fromEntries(IMPLS.map((impl) => [impl, Math.round(median(results[c.key][impl]) * 10) / 10]));
  if (c.key === 'big') out.mb_per_s = m;
  else out.req_per_s[c.key] = m;
}
const ratio = (m) => (m['node:http2'] ? (m.h2wasm / m['node:http2']).toFixed(2) : '—');
log('\ncase              h2wasm        node:http2    ratio');
for (const [k, m] of Object.entries(out.req_per_s)) log(`${k.padEnd(17)} ${String(m.h2wasm).padEnd(13)} ${String(m['node:http2']).padEnd(13)} ${ratio(m)}×`);
out.req_per_s.client = client;
log(`${'client (nghttpd)'.padEnd(17)} ${String(client.h2wasm).padEnd(13)} ${String(client['node:http2']).padEnd(13)} ${ratio(client)}×`);
log(`${'MB/s (1 MiB)'.padEnd(17)} ${String(out.mb_per_s.h2wasm).padEnd(13)} ${String(out.mb_per_s['node:http2']).padEnd(13)} ${ratio(out.mb_per_s)}×`);
log(`${'RSS/idle session'.padEnd(17)} ${String(rss.h2wasm).padEnd(13)} ${String(rss['node:http2']).padEnd(13)} ${ratio(rss)}× (lower is better)`);
if (Object.keys(cpuUse).length) {
  out.server_cpu = {};
  log('\nserver CPU             h2wasm        node:http2    ratio (lower is better)');
  for (const c of CASES) {
    const m = Object.fromEntries(IMPLS.map((impl) => [impl, Math.round(median(cpuUse[c.key][impl]) * 1000) / 1000]));
    out.server_cpu[c.key === 'big' ? 'big_ms_per_mib' : `${c.key}_us_per_req`] = m;
    log(`${(c.key === 'big' ? 'big, ms per MiB' : `${c.key}, µs/req`).padEnd(22)} ${String(m.h2wasm).padEnd(13)} ${String(m['node:http2']).padEnd(13)} ${ratio(m)}×`);
  }
}
if (json) process.stdout.write(JSON.stringify(out) + '\n');
