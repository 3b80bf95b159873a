// The server under attack, in its own process (`node --import tsx test/attacks/server.ts`):
// bindings/node's createServer over h2c on 127.0.0.1. It reports its port over IPC and answers
// { type: 'stats' } with its RSS, the sessions and streams it still tracks and its active
// resources, so the suite measures memory and leaks without sharing a heap with the attacker.
// An uncaught exception is reported and the process exits 70.
import { createServer } from '../../bindings/node/index.ts';
import { Session as CoreSession } from '../../bindings/core/session.ts';

const GEN_CHUNK = Buffer.alloc(65536, 0x62);
import type { ServerHttp2Session, ServerHttp2Stream } from '../../bindings/node/index.ts';

// uvu imports every file of the folder it is given: only a child started by the harness serves.
if (process.env.H2WASM_ATTACK_SERVER_OPTIONS !== undefined) main();

function main(): void {
const send = (m: object) => process.send?.(m);
let uncaught = 0;
process.on('uncaughtException', (err) => {
  uncaught++;
  send({ type: 'uncaught', message: String((err as Error)?.stack ?? err) });
  process.exitCode = 70;
  setTimeout(() => process.exit(70), 50);
});
process.on('unhandledRejection', (err) => { throw err; });

const options = JSON.parse(process.env.H2WASM_ATTACK_SERVER_OPTIONS || '{}');
const server = createServer(options);
const sessions = new Set<ServerHttp2Session>();
const streams = new Set<ServerHttp2Stream>();
let sessionErrors = 0;
let requests = 0;
let evil = 0; // requests the attacks mark as ones that must never reach the application
// One body for every large response: responses are views of it, so the attacker's many
// requests for large bodies cost the server no copies of their own.
const BIG = Buffer.alloc(8 * 1024 * 1024, 0x61);

server.on('session', (s: ServerHttp2Session) => {
  sessions.add(s);
  s.on('close', () => sessions.delete(s));
});
server.on('sessionError', () => { sessionErrors++; });
server.on('stream', (stream: ServerHttp2Stream, headers: Record<string, string>) => {
  requests++;
  streams.add(stream);
  stream.on('close', () => streams.delete(stream));
  stream.on('error', () => {}); // the peer's resets are expected here
  const path = String(headers[':path'] ?? '/');
  if (path.includes('evil')) evil++;
  if (path.startsWith('/big/')) {
    const n = Math.min(Number(path.slice(5)) || 0, BIG.length);
    stream.respond({ ':status': 200, 'content-length': String(n) });
    stream.end(BIG.subarray(0, n));
    return;
  }
  if (path.startsWith('/gen/')) {
    // A body written as it goes, honouring the stream's backpressure as apps do. The chunk is
    // shared: fresh 64 KB buffers would make the app's own garbage (freed only at V8's next GC)
    // dominate the RSS this test holds the server to.
    let left = Number(path.slice(5)) || 0;
    stream.respond({ ':status': 200 });
    const more = () => {
      while (left > 0 && !stream.destroyed) {
        const n = Math.min(left, 65536);
        left -= n;
        if (!stream.write(n === 65536 ? GEN_CHUNK : GEN_CHUNK.subarray(0, n))) { stream.once('drain', more); return; }
      }
      if (!stream.destroyed) stream.end();
    };
    more();
    return;
  }
  if (headers[':method'] === 'POST') {
    let n = 0;
    stream.on('data', (c: Buffer) => { n += c.length; });
    stream.on('end', () => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 200 });
      stream.end(`got ${n}`);
    });
    return;
  }
  stream.respond({ ':status': 200, 'content-type': 'text/plain' });
  stream.end(`ok ${path}`);
});

process.on('message', (m: { type: string; id?: number }) => {
  if (m.type === 'stats') {
    send({
      type: 'stats', id: m.id, rss: process.memoryUsage().rss, memory: process.memoryUsage(), sessions: sessions.size, streams: streams.size, coreSessions: CoreSession.live,
      resources: process.getActiveResourcesInfo(), sessionErrors, requests, evil, uncaught,
    });
  } else if (m.type === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    send({ type: 'gc' });
  } else if (m.type === 'exit') {
    server.close(() => {
      process.disconnect?.();
      // Nothing of ours may keep the loop alive: exiting on our own, promptly, is the check.
    });
    for (const s of sessions) s.destroy();
  }
});

server.listen(0, '127.0.0.1', () => {
  send({ type: 'listening', port: (server.address() as { port: number }).port, resources: process.getActiveResourcesInfo() });
});
}
