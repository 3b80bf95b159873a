// A recorded HTTP/2 conversation for the chunking properties: a client Session runs a fixed
// script (preface, SETTINGS, WINDOW_UPDATE, requests with bodies and trailers, a cancelled
// request, PING, PRIORITY_UPDATE), and a server Session answers it (responses with bodies over
// several DATA frames, trailers, a push, PING, SETTINGS). Everything is deterministic: PING
// payloads are fixed and the applications act only on the events they were given, once all
// input is in, so their output depends on those events alone.
import { Session } from '../../bindings/core/index.ts';

type Event = ReturnType<Session['receive']>[number];
type Headers = Array<[string, string]>;

export const PING_CLIENT = Uint8Array.of(0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0, 1);
export const PING_SERVER = Uint8Array.of(0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0, 2);

const enc = new TextEncoder();
const pattern = (n: number, seed: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

function request(method: string, path: string, extra: Headers = []): Headers {
  return [[':method', method], [':scheme', 'https'], [':authority', 'example.com'], [':path', path], ...extra];
}

const BROWSERISH: Headers = [
  ['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/131.0'],
  ['accept', 'text/html,application/xhtml+xml'],
  ['accept-language', 'en-US,en;q=0.5'],
  ['cookie', 'a=1; b=2; session=' + 'x'.repeat(300)],
];

/** The client's side of the conversation, all submitted before anything is read. */
export function clientScript(c: Session): void {
  c.settings({ initialWindowSize: 1 << 20, headerTableSize: 8192 });
  c.setLocalWindowSize(1 << 22);
  const root = c.request(request('GET', '/'), { endStream: true });
  const upload = c.request(request('POST', '/upload', [['content-type', 'application/octet-stream']]));
  c.data(upload, pattern(20000, 1));
  c.data(upload, pattern(3000, 2));
  c.trailers(upload, [['x-checksum', 'abc123']]);
  const small = c.request(request('POST', '/small', [['content-length', '5']]));
  c.data(small, enc.encode('hello'), { endStream: true });
  c.ping(PING_CLIENT);
  c.request(request('GET', '/page', BROWSERISH), { endStream: true });
  const cancelled = c.request(request('GET', '/cancelled'), { endStream: true });
  c.reset(cancelled);
  c.priorityUpdate(root, 'u=1, i');
  c.request(request('GET', '/page2', BROWSERISH), { endStream: true }); // the same fields again: indexed
}

/** Response body sizes by path: some span several DATA frames (16384 octets each at most). */
const BODY: Record<string, number> = { '/': 1000, '/upload': 40000, '/small': 0, '/page': 17000, '/page2': 300 };

/** The server application: answers every request it saw (and was not reset), consumes all data. */
export function serverActs(s: Session, events: readonly Event[]): void {
  const reset = new Set(events.filter((e) => e.type === 'reset').map((e) => (e as { streamId: number }).streamId));
  const consumed = new Map<number, number>();
  for (const e of events) {
    if (e.type === 'data') consumed.set(e.streamId, (consumed.get(e.streamId) ?? 0) + e.bytes.length);
  }
  for (const [id, n] of consumed) s.consume(id, n);
  for (const e of events) {
    if (e.type !== 'request' || reset.has(e.streamId)) continue;
    const path = e.headers.find(([k]) => k === ':path')?.[1] ?? '?';
    const id = e.streamId;
    if (path === '/') {
      const promised = s.push(id, request('GET', '/style.css'));
      s.respond(promised, [[':status', '200'], ['content-type', 'text/css']]);
      s.data(promised, enc.encode('body { color: red }'), { endStream: true });
    }
    const size = BODY[path] ?? 10;
    s.respond(id, [[':status', '200'], ['content-type', 'text/plain'], ['x-path', path]], { endStream: size === 0 && path !== '/upload' });
    if (size === 0) continue;
    if (path === '/upload') {
      s.data(id, pattern(size, 3));
      s.trailers(id, [['grpc-status', '0'], ['x-served', 'yes']]);
    } else s.data(id, pattern(size, id), { endStream: true });
  }
  s.ping(PING_SERVER);
  s.settings({ maxConcurrentStreams: 50 });
}

/** The client application once the server's bytes are in: consumes what it received. */
export function clientActs(c: Session, events: readonly Event[]): void {
  const consumed = new Map<number, number>();
  for (const e of events) {
    if (e.type === 'data') consumed.set(e.streamId, (consumed.get(e.streamId) ?? 0) + e.bytes.length);
  }
  for (const [id, n] of consumed) c.consume(id, n);
}

export function concatAll(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Everything the session has to write now (pull until dry). */
export function drain(s: Session): Uint8Array {
  const all: Uint8Array[] = [];
  for (let i = 0; i < 1000; i++) {
    const chunks = s.pull();
    const n = chunks.reduce((k, c) => k + c.length, 0);
    if (!n) break;
    all.push(...chunks);
  }
  return concatAll(all);
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/**
 * The events in a form where "the same" is deep equality. What "the same" means: every event
 * other than `data` is identical and in the same order; `data` events may come in different
 * pieces (a split DATA frame may be delivered as it arrives), so adjacent `data` events of one
 * stream are merged — their octets concatenated, `endStream` from the last — before comparing.
 * Since pieces of a frame never jump over a later frame, this keeps where the data sits between
 * the other events. Octets are compared as hex strings.
 */
export function canonicalEvents(events: readonly Event[]): unknown[] {
  const out: Array<Record<string, unknown>> = [];
  let pending: { streamId: number; parts: Uint8Array[]; endStream: boolean } | null = null;
  const flush = () => {
    if (pending) out.push({ type: 'data', streamId: pending.streamId, bytes: hex(concatAll(pending.parts)), endStream: pending.endStream });
    pending = null;
  };
  for (const e of events) {
    if (e.type === 'data') {
      if (pending && pending.streamId === e.streamId && !pending.endStream) {
        pending.parts.push(e.bytes);
        pending.endStream = e.endStream;
        continue;
      }
      flush();
      pending = { streamId: e.streamId, parts: [e.bytes], endStream: e.endStream };
      continue;
    }
    flush();
    const plain: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) plain[k] = v instanceof Uint8Array ? hex(v) : v;
    out.push(plain);
  }
  flush();
  return out;
}

/** Cuts `bytes` at the given offsets (any order, duplicates and out-of-range ones ignored). */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(at, p));
    at = p;
  }
  chunks.push(bytes.subarray(at));
  return chunks;
}

export function splitEvery(bytes: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}
