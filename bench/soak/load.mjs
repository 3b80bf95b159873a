// The soak's load driver: `node bench/soak/load.mjs <port> <seconds> [seed] [concurrency] [client]`,
// client = h2wasm (default: connect() from dist/node.mjs, our node:http2-API client) or node:http2.
// `concurrency` loops each run one request at a time, picked from:
//
//   small    GET of 0–16 KiB                      large   GET of 1–8 MiB
//   slow     GET of 256 KiB–4 MiB read with pauses (the stream paused 0.2–2 s, once or twice)
//   cancel   GET of 1–8 MiB, RST_STREAM CANCEL after a random part of the body (or at once)
//   upload   POST of 1 KiB–2 MiB, the server checks it    upcancel  POST cancelled mid-body
//   churn    a session of its own: connect, one small GET, close
//
// Requests share a few sessions ("slots"); each slot's session serves a random number of
// requests, then is closed (graceful) and replaced — one in ten is destroyed instead, with
// requests in flight (those are "aborted", like cancellations not held against the server).
// Every completed response is checked: status, then every byte against DATA, and the length.
// Over IPC: {type:'progress'} answers the counts; at the end {type:'done', result}.
import { DATA, MiB } from './data.mjs';

const [port, seconds, seedArg, concArg] = process.argv.slice(2, 6).map(Number);
const CLIENT = process.argv[6] || 'h2wasm';
// Same API either way, so the same driver exercises our client or Node's.
const http2 = CLIENT === 'node:http2' ? (await import('node:http2')).default : (await import('../../dist/node.mjs')).default;
const CONCURRENCY = concArg || 32;
const SLOTS = 8;
const TIMEOUT_MS = 60_000; // a request that takes longer counts as failed
const { NGHTTP2_CANCEL } = http2.constants;

// A seeded PRNG, so a run can be repeated.
let seed = (seedArg || Date.now()) >>> 0;
const rand = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

const KINDS = [['small', 45], ['large', 12], ['slow', 10], ['cancel', 12], ['upload', 10], ['upcancel', 5], ['churn', 6]];
const TOTAL_WEIGHT = KINDS.reduce((s, [, w]) => s + w, 0);
function pickKind() {
  let r = rand() * TOTAL_WEIGHT;
  for (const [k, w] of KINDS) if ((r -= w) < 0) return k;
  return 'small';
}

const counts = {
  requests: 0, ok: 0, failed: 0, cancelled: 0, aborted: 0, inFlight: 0,
  bytesDown: 0, bytesUp: 0, sessionsOpened: 0, sessionsClosed: 0,
  byKind: Object.fromEntries(KINDS.map(([k]) => [k, 0])),
};
const failures = []; // the first few, with what went wrong

function connect() {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.soakAbrupt = false;
  counts.sessionsOpened++;
  session.on('error', () => {}); // every request on it reports its own outcome
  session.on('close', () => { counts.sessionsClosed++; });
  return session;
}

const slots = Array.from({ length: SLOTS }, () => null);
const retired = new Set();

function retire(session) {
  if (session.closed || session.destroyed) return;
  if (rand() < 0.1) {
    // Abrupt: the connection goes with whatever is in flight (the server must clean up).
    session.soakAbrupt = true;
    setTimeout(() => session.destroy(), between(0, 200));
  } else {
    retired.add(session);
    session.close(() => retired.delete(session));
  }
}

function sessionFor(i) {
  let slot = slots[i];
  if (!slot || slot.budget <= 0 || slot.session.closed || slot.session.destroyed) {
    if (slot) retire(slot.session);
    slot = slots[i] = { session: connect(), budget: between(1, 300) };
  }
  slot.budget--;
  return slot.session;
}

/** Runs one request; resolves with 'ok', 'cancelled', 'aborted' or 'failed'. */
function run(kind, session) {
  counts.requests++;
  counts.byKind[kind]++;
  counts.inFlight++;
  return new Promise((resolve) => {
    let settled = false, cancelled = false, req;
    const timer = setTimeout(() => fail(`timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);
    const what = {};
    function settle(outcome, reason) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      counts.inFlight--;
      if (outcome === 'failed' && session.soakAbrupt) outcome = 'aborted'; // our own doing
      if (outcome === 'failed' && cancelled) outcome = 'cancelled';
      counts[outcome]++;
      if (outcome === 'failed' && failures.length < 20) failures.push({ kind, ...what, reason });
      resolve(outcome);
    }
    function fail(reason) {
      if (!settled && req && !req.destroyed) req.close(NGHTTP2_CANCEL);
      settle('failed', reason);
    }
    function cancel() {
      cancelled = true;
      req.close(NGHTTP2_CANCEL);
    }

    const upload = kind === 'upload' || kind === 'upcancel';
    const n = kind === 'small' || kind === 'churn' ? between(0, 16384)
      : kind === 'slow' ? between(256 * 1024, 4 * MiB)
        : upload ? between(1024, 2 * MiB) : between(1 * MiB, 8 * MiB);
    const o = between(0, DATA.length - n);
    what.path = `/${upload ? 'upload' : 'data'}?o=${o}&n=${n}${upload ? '' : `&m=${rand() < 0.5 ? 'end' : 'chunks'}`}`;
    try {
      req = session.request({ ':method': upload ? 'POST' : 'GET', ':path': what.path }, upload ? {} : { endStream: true });
    } catch (err) {
      settle('failed', `request() threw ${err.code ?? err.message}`);
      return;
    }
    req.on('error', (err) => { if (!cancelled) fail(`stream error ${err.code ?? err.message} (rstCode ${req.rstCode})`); });
    req.on('close', () => {
      if (cancelled) settle('cancelled');
      else fail(`closed before the end (rstCode ${req.rstCode})`);
    });

    // What the client cancels: after `cutAt` bytes down (or up), -1 = at once.
    const cutAt = kind === 'cancel' ? (rand() < 0.1 ? -1 : between(0, n >> 1))
      : kind === 'upcancel' ? between(0, n >> 1) : Infinity;
    if (cutAt === -1) { setImmediate(cancel); }

    let status = 0;
    req.on('response', (headers) => {
      status = Number(headers[':status']);
      if (status !== 200) fail(`status ${status}`);
      if (!upload && headers['content-length'] !== undefined && Number(headers['content-length']) !== n) fail(`content-length ${headers['content-length']}, asked ${n}`);
      if (kind === 'slow') pauseLater(0);
    });

    let at = 0;
    const answer = [];
    req.on('data', (chunk) => {
      counts.bytesDown += chunk.length;
      if (upload) { answer.push(chunk); return; }
      if (at + chunk.length > n || !chunk.equals(DATA.subarray(o + at, o + at + chunk.length))) {
        fail(`body differs at or after byte ${at}`);
        return;
      }
      at += chunk.length;
      if (at > cutAt && !cancelled && !settled) cancel();
    });
    req.on('end', () => {
      if (cancelled || settled) return;
      if (upload) {
        const text = Buffer.concat(answer).toString();
        if (text !== `ok ${n}`) return fail(`upload answer "${text.slice(0, 80)}"`);
      } else if (at !== n) {
        return fail(`body ${at} bytes, asked ${n}`);
      }
      settle('ok');
    });

    // Slow reader: stop reading for a while (flow control holds the server back), once or twice.
    let pauses = between(1, 2);
    function pauseLater(delay) {
      setTimeout(() => {
        if (settled || req.destroyed) return;
        req.pause();
        setTimeout(() => {
          if (settled || req.destroyed) return;
          req.resume();
          if (--pauses > 0) pauseLater(between(10, 300));
        }, between(200, 2000));
      }, delay);
    }

    if (upload) {
      const body = DATA.subarray(o, o + n);
      let sent = 0;
      const pump = () => {
        while (sent < n && !settled && !cancelled && !req.destroyed) {
          if (sent > cutAt) { cancel(); return; }
          const chunk = body.subarray(sent, sent + 65536);
          sent += chunk.length;
          counts.bytesUp += chunk.length;
          if (sent >= n) { req.end(chunk); return; }
          if (!req.write(chunk)) { req.once('drain', pump); return; }
        }
      };
      pump();
    }
  });
}

let stopping = false;

async function worker(i) {
  while (!stopping) {
    const kind = pickKind();
    if (kind === 'churn') {
      const session = connect();
      await run(kind, session);
      await new Promise((r) => session.close(r));
    } else {
      await run(kind, sessionFor(i % SLOTS));
    }
  }
}

process.on('message', (m) => {
  if (m?.type === 'progress') process.send({ type: 'progress', counts: snapshot() });
});
const snapshot = () => ({ ...counts, byKind: { ...counts.byKind } });

const workers = Array.from({ length: CONCURRENCY }, (_, i) => worker(i));
setTimeout(() => { stopping = true; }, seconds * 1000);
await Promise.all(workers);

// The load has stopped: close every session and wait for them to go.
const closing = [];
for (const slot of slots) {
  if (slot && !slot.session.destroyed) closing.push(new Promise((r) => { slot.session.close(r); }));
}
for (const s of retired) if (!s.destroyed) closing.push(new Promise((r) => s.once('close', r)));
await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 10_000))]);
const left = [...slots.filter(Boolean).map((s) => s.session), ...retired].filter((s) => !s.destroyed);
for (const s of left) s.destroy();
process.send({ type: 'done', result: { client: CLIENT, counts: snapshot(), failures, seed: seedArg || null, sessionsNotClosing: left.length } });
// The IPC message must leave before we go.
setTimeout(() => process.exit(left.length > 0 ? 3 : 0), 100);
