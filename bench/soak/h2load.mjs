// The soak's second load source: nghttp2's `h2load` run again and again against the server until
// the deadline. Most runs are small GETs (`-n 20000 -c 20 -m 10` over 0–16 KiB slices), every
// fourth a large one (1–4 MiB); each run opens its own connections and closes them at its end,
// so sessions come and go too. h2load doesn't check bodies, only statuses: a request counts as
// failed unless it got a 2xx (h2load's own failed/errored/timeout, non-2xx, or never done).
import { spawn } from 'node:child_process';

const SMALL = { n: 20000, c: 20, m: 10, paths: ['/data?o=0&n=0', '/data?o=100&n=1024', '/data?o=4099&n=4096&m=chunks', '/data?o=7&n=16384'] };
const LARGE = { n: 200, c: 4, m: 2, paths: ['/data?o=0&n=1048576', '/data?o=5&n=2097152&m=chunks', '/data?o=33&n=4194304'] };
const CYCLE = [SMALL, SMALL, SMALL, LARGE];

/** Whether `bin` runs at all (so a missing h2load stops the soak before it starts). */
export function h2loadVersion(bin) {
  return new Promise((resolve) => {
    const child = spawn(bin, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.once('error', () => resolve(null));
    child.once('exit', (code) => resolve(code === 0 ? out.trim() : null));
  });
}

/** Parses one run's summary; null if h2load printed none (it crashed or was refused). */
export function parseH2load(text) {
  const req = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(text);
  const st = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(text);
  if (!req || !st) return null;
  const [total, started, done, succeeded, failed, errored, timeout] = req.slice(1).map(Number);
  const [s2xx, s3xx, s4xx, s5xx] = st.slice(1).map(Number);
  return { total, started, done, succeeded, failed, errored, timeout, s2xx, s3xx, s4xx, s5xx };
}

/** Loops h2load runs against the port for `seconds`; `progress()` gives the counts so far. */
export function startH2load(port, seconds, bin = 'h2load') {
  const counts = { runs: 0, requests: 0, failed: 0, ok: 0, small: 0, large: 0 };
  const failures = []; // the first few runs that went wrong, with h2load's own words
  const rate = new Map(); // requests per ms of each kind's last run, to fit the last run in time
  const deadline = Date.now() + seconds * 1000;
  let child = null;

  const runOnce = (kind) => new Promise((resolve) => {
    // The last run is cut to what fits before the deadline, so h2load stops with everything else.
    const left = deadline - Date.now();
    const n = Math.max(kind.c, Math.min(kind.n, Math.floor((rate.get(kind) ?? Infinity) * left)));
    const args = ['-n', String(n), '-c', String(kind.c), '-m', String(kind.m), ...kind.paths.map((p) => `http://127.0.0.1:${port}${p}`)];
    const t = Date.now();
    child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.once('error', (err) => { out += String(err); });
    child.once('close', (code, signal) => {
      child = null;
      rate.set(kind, n / Math.max(1, Date.now() - t));
      const r = parseH2load(out);
      counts.runs++;
      counts[kind === LARGE ? 'large' : 'small'] += n;
      if (!r) {
        counts.failed += n;
        if (failures.length < 10) failures.push({ source: 'h2load', args: args.join(' '), reason: `no summary (exit ${code ?? signal})`, output: out.slice(-400) });
      } else {
        counts.requests += r.done;
        counts.ok += r.s2xx;
        const bad = r.total - r.s2xx;
        counts.failed += bad;
        if (bad > 0 && failures.length < 10) failures.push({ source: 'h2load', args: args.join(' '), reason: `${bad} of ${r.total} without a 2xx`, summary: r, output: out.slice(-400) });
      }
      resolve();
    });
  });

  const done = (async () => {
    for (let k = 0; Date.now() < deadline - 500; k++) await runOnce(CYCLE[k % CYCLE.length]);
    return { counts: { ...counts }, failures };
  })();
  return {
    done,
    progress: () => ({ ...counts }),
    stop: () => child?.kill('SIGINT'),
  };
}
