// The soak's server process: `node --expose-gc bench/soak/server.mjs <h2wasm|node:http2> [maxSessionMemory MB]`.
//
//   GET  /data?o=O&n=N[&m=end|chunks]  200, bytes O..O+N of DATA (one end(), or 64 KiB writes
//                                      that wait for 'drain', so slow readers push back)
//   POST /upload?o=O&n=N               reads the body, checks it against DATA: 200 `ok N`, or 422
//
// Over IPC it reports its port, then answers {id, gc} with its figures (after a GC if asked):
// RSS, heap, WASM memory, active resources, open sessions and streams.
import nodeHttp2 from 'node:http2';
import { DATA, sliceOf } from './data.mjs';

const impl = process.argv[2];
// Node's default (10 MB per session, counting queued response bodies) makes node:http2 refuse
// streams (ENHANCE_YOUR_CALM) once slow readers back 8 MiB bodies up: both get the same limit.
const maxSessionMemory = Number(process.argv[3]) || 10;

// WASM memory: the node entry keeps the core's instance private, so record every instance made
// (before the package loads) and read its memory buffer. The core holds every session's state.
const instances = [];
if (impl === 'h2wasm') {
  const Instance = WebAssembly.Instance;
  WebAssembly.Instance = new Proxy(Instance, {
    construct(target, args, newTarget) {
      const instance = Reflect.construct(target, args, newTarget === WebAssembly.Instance ? target : newTarget);
      if (instance.exports.memory instanceof WebAssembly.Memory) instances.push(instance);
      return instance;
    },
  });
}
const http2 = impl === 'h2wasm' ? (await import('../../dist/node.mjs')).default : nodeHttp2;

const live = { sessions: new Set(), streams: 0 };
const totals = { sessions: 0, streams: 0, responses: 0, uploadsOk: 0, uploadsBad: 0, streamErrors: 0, sessionErrors: 0, aborted: 0, badRequests: 0 };

// Session and stream objects not yet garbage-collected: after a GC, anything still here while
// closed is held by something (a map, a listener, a timer) — a leak the open counts would miss.
const retained = { sessions: 0, streams: 0 };
const collected = new FinalizationRegistry((kind) => { retained[kind]--; });
const track = (object, kind) => { retained[kind]++; collected.register(object, kind); };

const server = http2.createServer({ maxSessionMemory });
server.on('session', (session) => {
  totals.sessions++;
  track(session, 'sessions');
  live.sessions.add(session);
  session.on('close', () => live.sessions.delete(session));
  session.on('error', () => {}); // counted by 'sessionError'; a client's abrupt end is part of the soak
});
server.on('sessionError', () => { totals.sessionErrors++; });

server.on('stream', (stream, headers) => {
  totals.streams++;
  live.streams++;
  track(stream, 'streams');
  stream.on('close', () => { live.streams--; if (stream.rstCode && stream.rstCode !== 0) totals.aborted++; });
  stream.on('error', () => { totals.streamErrors++; });
  const url = new URL(headers[':path'] ?? '/', 'http://soak');
  const slice = sliceOf(url.search);
  const method = headers[':method'];
  try {
    if (url.pathname === '/data' && method === 'GET' && slice) return sendData(stream, slice, url.searchParams.get('m'));
    if (url.pathname === '/upload' && method === 'POST' && slice) return checkUpload(stream, slice);
    totals.badRequests++;
    stream.respond({ ':status': 404 });
    stream.end('not found');
  } catch {
    // The client cancelled before we answered: the stream is already gone.
  }
});

function sendData(stream, { o, n }, mode) {
  const body = DATA.subarray(o, o + n);
  stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', 'content-length': n });
  if (mode !== 'chunks') {
    stream.end(body);
    stream.on('finish', () => totals.responses++);
    return;
  }
  let at = 0;
  const pump = () => {
    while (at < n) {
      if (stream.destroyed || stream.closed) return;
      const chunk = body.subarray(at, at + 65536);
      at += chunk.length;
      if (at >= n) { stream.end(chunk, () => totals.responses++); return; }
      if (!stream.write(chunk)) { stream.once('drain', pump); return; }
    }
    if (n === 0) stream.end(() => totals.responses++);
  };
  pump();
}

function checkUpload(stream, { o, n }) {
  let at = 0, bad = -1;
  stream.on('data', (chunk) => {
    if (bad < 0 && (at + chunk.length > n || !chunk.equals(DATA.subarray(o + at, o + at + chunk.length)))) bad = at;
    at += chunk.length;
  });
  stream.on('end', () => {
    if (stream.destroyed || stream.closed) return;
    const ok = bad < 0 && at === n;
    if (ok) totals.uploadsOk++; else totals.uploadsBad++;
    try {
      stream.respond({ ':status': ok ? 200 : 422 });
      stream.end(ok ? `ok ${at}` : `mismatch at ${bad < 0 ? at : bad} of ${n}`, () => totals.responses++);
    } catch { /* cancelled meanwhile */ }
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function collectGarbage() {
  // Several passes with turns between: FinalizationRegistry callbacks (the core frees a dropped
  // session's WASM state from one) run after a GC, and what they release needs the next GC.
  for (let i = 0; i < 4; i++) { globalThis.gc?.(); await sleep(50); }
}

function figures() {
  const mem = process.memoryUsage();
  const resources = process.getActiveResourcesInfo();
  const byType = {};
  for (const r of resources) byType[r] = (byType[r] ?? 0) + 1;
  let wasmInUse = null;
  if (impl === 'h2wasm') {
    // What the live sessions hold in the core (its allocator's figure, session.state.memory).
    wasmInUse = 0;
    for (const s of live.sessions) { try { wasmInUse += s.core?.state.memory ?? 0; } catch { /* destroyed */ } }
  }
  return {
    at: Date.now(), // when taken: the parent's per-second samples are regressed against it
    rss: mem.rss,
    heapUsed: mem.heapUsed,
    heapTotal: mem.heapTotal,
    external: mem.external,
    arrayBuffers: mem.arrayBuffers,
    wasm: impl === 'h2wasm' ? instances.reduce((sum, i) => sum + i.exports.memory.buffer.byteLength, 0) : null,
    wasmInstances: impl === 'h2wasm' ? instances.length : null,
    wasmInUse,
    handles: resources.length,
    handleTypes: byType,
    sessions: live.sessions.size,
    streams: live.streams,
    retainedSessions: retained.sessions,
    retainedStreams: retained.streams,
    totals: { ...totals },
  };
}

server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', async (m) => {
  if (m?.type === 'stats') {
    if (m.gc) await collectGarbage();
    process.send({ id: m.id, stats: figures() });
  } else if (m?.type === 'exit') {
    for (const s of live.sessions) s.destroy();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  }
});
process.on('disconnect', () => process.exit(0));
