// Shared pieces of the h2wasm/fetch tests: a serve ↔ createFetch pair over the in-memory
// transports or over real TCP, counted bodies, and hashing readers.
import { createHash } from 'node:crypto';
import { serve, createFetch, type Handler, type ServeOptions, type FetchOptions, type H2Fetch, type H2Server } from '../../../bindings/fetch/index.ts';
import { createMemoryPair } from '../../../bindings/transport/memory.ts';
import type { Transport } from '../../../bindings/transport/types.ts';
import { HOST, type Scope } from '../../interop/helpers/util.ts';

export * from '../../interop/helpers/util.ts';

export type Kind = 'memory' | 'tcp';
export const KINDS: Kind[] = ['memory', 'tcp'];

export interface Pair {
  server: H2Server;
  fetch: H2Fetch;
  /** Base URL for requests. */
  base: string;
  /** Connections the client opened so far. */
  connections: () => number;
}

/** Our serve and our fetch, connected over `kind`; both closed at the end of the test. */
export async function pair(s: Scope, kind: Kind, handler: Handler, options: { serve?: ServeOptions; fetch?: FetchOptions } = {}): Promise<Pair> {
  let opened = 0;
  let server: H2Server;
  let fetch: H2Fetch;
  if (kind === 'memory') {
    let accept: ((t: Transport) => void) | null = null;
    server = serve(handler, { ...options.serve, transport: (a) => { accept = a; } });
    await server.ready;
    fetch = createFetch({
      ...options.fetch,
      connect: () => {
        opened++;
        const [c, srv] = createMemoryPair();
        accept!(srv);
        return c;
      },
    });
  } else {
    server = serve(handler, { port: 0, hostname: HOST, ...options.serve });
    await server.ready;
    const { nodeConnect } = await import('../../../bindings/fetch/node.ts');
    fetch = createFetch({ ...options.fetch, connect: (url) => { opened++; return nodeConnect(url); } });
  }
  s.defer(async () => {
    await fetch.close();
    await server.shutdown();
  });
  const base = kind === 'memory' ? 'http://memory.test' : `http://${HOST}:${server.port}`;
  return { server, fetch, base, connections: () => opened };
}

/** A ReadableStream of `data` in `chunk`-sized pieces, made only as the consumer pulls; `pulled()` counts octets handed out. */
export function counted(data: Uint8Array, chunk = 64 * 1024): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= data.length) { c.close(); return; }
      const end = Math.min(at + chunk, data.length);
      c.enqueue(data.subarray(at, end));
      at = end;
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => at };
}

/** Reads a web stream to its end: octets and SHA-256. */
export async function digest(stream: ReadableStream<Uint8Array> | null): Promise<{ octets: number; hash: string }> {
  const h = createHash('sha256');
  let octets = 0;
  if (stream) {
    for await (const c of stream as unknown as AsyncIterable<Uint8Array>) {
      octets += c.length;
      h.update(c);
    }
  }
  return { octets, hash: h.digest('hex') };
}

/** A TransformStream that hashes what passes through; `hash()` once it has ended. */
export function hashing(): { transform: TransformStream<Uint8Array, Uint8Array>; hash: () => string; octets: () => number } {
  const h = createHash('sha256');
  let octets = 0;
  let hex = '';
  const transform = new TransformStream<Uint8Array, Uint8Array>({
    transform(c, ctl) { h.update(c); octets += c.length; ctl.enqueue(c); },
    flush() { hex = h.digest('hex'); },
  });
  return { transform, hash: () => hex, octets: () => octets };
}

/** Resolves when `fn` is true (polled), or rejects after `ms`. */
export async function until(fn: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
