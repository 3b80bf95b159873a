// An HTTP/2 exchange over any two connected transports, both ends driven by connectSession:
// the client POSTs `body` bytes, the server echoes them back as they come and ends with a
// trailer carrying the hash of what it received. The client reads the response slowly (it
// gives window back at most once per `slowMs`), so the server has to wait: it takes upload
// bytes (consume) only as fast as its echo leaves, which bounds what it holds.
import { Session, type Event } from '../../../bindings/core/index.ts';
import { connectSession } from '../../../bindings/transport/connect.ts';
import type { Transport } from '../../../bindings/transport/types.ts';
import { Hash, chunkAt, within, KiB } from './bytes.ts';

export interface H2Options {
  body: number;
  /** The client gives window back at most once per this many ms (a slow reader). */
  slowMs: number;
  timeoutMs?: number;
}

export interface H2Result {
  status: string | undefined;
  method: string | undefined;
  path: string | undefined;
  sentHash: string;
  /** The server's hash of the request body (from the response trailer). */
  serverHash: string | undefined;
  echoHash: string;
  /** Largest bufferedAmount of each side's transport right after a write. */
  maxClientQueued: number;
  maxServerQueued: number;
  /** How often a write() said false on each side. */
  clientFull: number;
  serverFull: number;
  /** The most echo bytes the server held (queued in its session, not yet sent). */
  maxServerHeld: number;
  /** The server's receive window (what it may hold at most). */
  serverWindow: number;
  clientAlpn: string | null | undefined;
  serverAlpn: string | null | undefined;
  ms: number;
}

/** A transport wrapper that notes the largest bufferedAmount after each write and the refusals. */
export function watch(t: Transport) {
  const stats = { maxQueued: 0, full: 0 };
  const w: Transport = {
    write(c) {
      const ok = t.write(c);
      stats.maxQueued = Math.max(stats.maxQueued, t.bufferedAmount ?? 0);
      if (!ok) stats.full++;
      return ok;
    },
    on: ((ev: 'data', fn: (c: Uint8Array) => void) => t.on(ev, fn)) as Transport['on'],
    close: (e?: Error) => t.close(e),
    get closed() { return t.closed; },
    get bufferedAmount() { return t.bufferedAmount; },
  };
  return { transport: w, stats };
}

const header = (headers: [string, string][], name: string) => headers.find(([k]) => k === name)?.[1];

export async function h2Exchange(clientT: Transport, serverT: Transport, o: H2Options): Promise<H2Result> {
  const started = Date.now();
  const client = new Session({ role: 'client' });
  const server = new Session({ role: 'server' });
  const c = watch(clientT), s = watch(serverT);
  let failed!: (e: Error) => void, finished!: () => void;
  const done = new Promise<void>((resolve, reject) => { finished = resolve; failed = reject; });
  const r: Partial<H2Result> = {};

  // Server: echo, consuming (widening the client's window) only what has left as echo.
  const sState = new Map<number, { received: number; consumed: number; hash: Hash }>();
  let maxServerHeld = 0;
  const settle = () => {
    for (const [id, st] of sState) {
      const held = server.bufferedAmount(id);
      maxServerHeld = Math.max(maxServerHeld, held);
      const n = st.received - held - st.consumed;
      if (n > 0) { server.consume(id, n); st.consumed += n; }
    }
  };
  const flushServer: () => void = connectSession(server, s.transport, (events: Event[]) => {
    for (const e of events) {
      if (e.type === 'request') {
        r.method = header(e.headers, ':method');
        r.path = header(e.headers, ':path');
        sState.set(e.streamId, { received: 0, consumed: 0, hash: new Hash() });
        server.respond(e.streamId, [[':status', '200'], ['content-type', 'application/octet-stream']]);
      } else if (e.type === 'data') {
        const st = sState.get(e.streamId)!;
        st.received += e.bytes.length;
        st.hash.update(e.bytes);
        if (e.bytes.length) server.data(e.streamId, e.bytes);
      } else if (e.type === 'stream-end') {
        const st = sState.get(e.streamId);
        if (st) server.trailers(e.streamId, [['x-received-hash', st.hash.digest()]]);
      } else if (e.type === 'error') {
        failed(new Error(`server: ${e.reason} (${e.code})`));
      }
    }
    flushServer();
    settle();
  });
  s.transport.on('drain', () => { settle(); flushServer(); });

  // Client: the whole body submitted at once (views of one pool, nothing copied), read slowly.
  const sent = new Hash(), echo = new Hash();
  let unconsumed = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let id = 0;
  const flushClient: () => void = connectSession(client, c.transport, (events: Event[]) => {
    for (const e of events) {
      if (e.type === 'response') r.status = header(e.headers, ':status');
      else if (e.type === 'data') {
        echo.update(e.bytes);
        unconsumed += e.bytes.length;
        timer ??= setTimeout(() => {
          timer = undefined;
          if (client.destroyed) return;
          client.consume(id, unconsumed);
          unconsumed = 0;
          flushClient();
        }, o.slowMs);
      } else if (e.type === 'trailers') r.serverHash = header(e.headers, 'x-received-hash');
      else if (e.type === 'stream-end' && e.streamId === id) finished();
      else if (e.type === 'reset' || e.type === 'error') failed(new Error(`client: ${JSON.stringify(e)}`));
    }
  });
  clientT.on('close', (e) => failed(new Error(`client transport closed early: ${e?.message ?? 'clean'}`)));
  serverT.on('close', (e) => failed(new Error(`server transport closed early: ${e?.message ?? 'clean'}`)));
  id = client.request([[':method', 'POST'], [':path', '/echo'], [':scheme', 'https'], [':authority', 'localhost']]);
  for (let i = 0, n = 0; n < o.body; i++) {
    const chunk = chunkAt(i, Math.min(16 * KiB, o.body - n));
    n += chunk.length;
    sent.update(chunk);
    client.data(id, chunk, { endStream: n === o.body });
  }
  if (o.body === 0) client.data(id, new Uint8Array(0), { endStream: true });
  flushClient();

  try {
    await within(done, o.timeoutMs ?? 30_000, `an echo of ${o.body} bytes`);
  } finally {
    clearTimeout(timer);
    const serverWindow = server.localSettings.initialWindowSize;
    Object.assign(r, {
      sentHash: sent.digest(), echoHash: echo.digest(),
      maxClientQueued: c.stats.maxQueued, maxServerQueued: s.stats.maxQueued,
      clientFull: c.stats.full, serverFull: s.stats.full, maxServerHeld, serverWindow,
      clientAlpn: clientT.alpnProtocol, serverAlpn: serverT.alpnProtocol, ms: Date.now() - started,
    });
    client.destroy();
    server.destroy();
  }
  return r as H2Result;
}

/** Closes both transports and waits (bounded) until each says it is closed. */
export async function closeBoth(a: Transport, b: Transport): Promise<void> {
  const closed = (t: Transport) => t.closed ? Promise.resolve() : new Promise<void>((r) => t.on('close', () => r()));
  const both = Promise.all([closed(a), closed(b)]);
  a.close();
  b.close();
  await within(both, 5000, 'both transports to close').catch(() => {});
}
