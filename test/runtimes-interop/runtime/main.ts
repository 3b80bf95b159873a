// Run in Deno or Bun by test/runtimes-interop/{deno,bun}.test.ts (see lib/host.ts):
//   deno run --allow-net --allow-read --allow-env test/runtimes-interop/runtime/main.ts '<json>'
//   bun run test/runtimes-interop/runtime/main.ts '<json>'
// <json>: { certs, node: { h2c, tls }, nghttpd: { h2c, tls } | null } (ports of the peers the
// uvu process runs). Our node:http2 API (bindings/node, over the runtime's node:net / node:tls)
// as client against those peers and as server for a node:http2 client; h2wasm/fetch on the
// runtime's native sockets (deno.ts / bun.ts) on both ends and against node:http2 both ways.
// A node:http2 client is asked for on stdout (ASK line) and its results come back on stdin.
// Prints one RESULT line of JSON and exits.
import process from 'node:process';
import { createInterface } from 'node:readline';
import * as ours from '../../../bindings/node/index.ts';
import { createFetch, serve } from '../../../bindings/fetch/index.ts';
import { connectBun, connectDeno, listenBun, listenDeno } from '../../../bindings/transport/index.ts';
import type { Listener, Transport } from '../../../bindings/transport/types.ts';
import { clientChecks, routes, within, type CheckName } from '../lib/checks.ts';
import { fetchChecks, handler, type FetchCheck } from '../lib/fetch-checks.ts';

export const ASK = '@@h2wasm-ask ';
export const RESULT = '@@h2wasm-result ';

const g = globalThis as { Deno?: unknown; Bun?: unknown };
const runtime = g.Deno ? 'deno' : g.Bun ? 'bun' : 'node';
if (runtime !== 'node') await main();

async function main() {
  const input = JSON.parse(process.argv[2]) as {
    certs: { ca: string; cert: string; key: string };
    node: { h2c: number; tls: number };
    nghttpd: { h2c: number; tls: number } | null;
  };
  const { certs } = input;
  const lines = answers();
  const ask = async (q: object) => {
    process.stdout.write(`${ASK}${JSON.stringify(q)}\n`);
    return JSON.parse(await within(lines.next(), 30_000, 'the uvu process to answer'));
  };

  const ALL: CheckName[] = ['get', 'post', 'trailers', 'push', 'info'];
  const result: Record<string, any> = { runtime, version: (process.versions as Record<string, string>)[runtime] ?? null };

  // ---- our node:http2 API as the client
  result.client = {
    nodeH2c: await clientChecks(ours, `http://127.0.0.1:${input.node.h2c}`, ALL),
    nodeTls: await clientChecks(ours, `https://localhost:${input.node.tls}`, ALL, { ca: certs.ca }),
  };
  if (input.nghttpd) {
    // nghttpd has no 1xx to send on request; the rest as against Node.
    result.client.nghttpdH2c = await clientChecks(ours, `http://127.0.0.1:${input.nghttpd.h2c}`, ['get', 'post', 'trailers', 'push']);
    result.client.nghttpdTls = await clientChecks(ours, `https://localhost:${input.nghttpd.tls}`, ['get', 'post', 'trailers', 'push'], { ca: certs.ca });
  }

  // ---- our node:http2 API as the server, Node's node:http2 as the client
  const h2c = ours.createServer();
  const secure = ours.createSecureServer({ key: certs.key, cert: certs.cert });
  const sessions = new Set<any>();
  for (const s of [h2c, secure]) {
    routes(s, 'h2wasm');
    s.on('session', (session: any) => { sessions.add(session); session.on('close', () => sessions.delete(session)); });
  }
  const listen = (s: any) => new Promise<number>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s.address().port));
  });
  const [h2cPort, tlsPort] = [await listen(h2c), await listen(secure)];
  result.server = {
    nodeH2c: await ask({ url: `http://127.0.0.1:${h2cPort}`, checks: ALL }),
    nodeTls: await ask({ url: `https://localhost:${tlsPort}`, checks: ALL, ca: true }),
  };
  result.server.closed = await closeServers([h2c, secure], sessions);

  // ---- h2wasm/fetch on the runtime's own sockets
  result.fetch = await fetchPart(certs, input.node, ask);

  await new Promise<void>((resolve) => process.stdout.write(`${RESULT}${JSON.stringify(result)}\n`, () => resolve()));
  process.exit(0); // stdin stays open: nothing else would end the process
}

/** Lines from stdin, one at a time. */
function answers() {
  const queue: string[] = [];
  const waiting: Array<(l: string) => void> = [];
  createInterface({ input: process.stdin }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l); else queue.push(l);
  });
  return { next: () => new Promise<string>((resolve) => { const l = queue.shift(); if (l !== undefined) resolve(l); else waiting.push(resolve); }) };
}

/** close() on each server once its sessions are closed; whether that ended within 5 s. */
async function closeServers(servers: any[], sessions: Set<any>): Promise<boolean> {
  for (const s of sessions) s.close();
  try {
    await within(Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))), 5000, 'our servers to close');
    return true;
  } catch {
    for (const s of sessions) s.destroy();
    return false;
  }
}

type Certs = { ca: string; cert: string; key: string };

/** The runtime's native listener and connector (deno.ts / bun.ts), not node:net. */
function native(certs: Certs) {
  if (runtime === 'deno') {
    return {
      listen: (tls: boolean) => listenDeno(tls ? { tls: { cert: certs.cert, key: certs.key } } : {}),
      connect: (url: URL) => connectDeno({ hostname: url.hostname, port: Number(url.port), tls: url.protocol === 'https:' ? { caCerts: [certs.ca] } : undefined }),
    };
  }
  return {
    listen: (tls: boolean) => listenBun(tls ? { tls: { cert: certs.cert, key: certs.key } } : {}),
    connect: (url: URL) => connectBun({ hostname: url.hostname, port: Number(url.port), tls: url.protocol === 'https:' ? { ca: certs.ca } : undefined }),
  };
}

async function fetchPart(certs: Certs, node: { h2c: number; tls: number }, ask: (q: object) => Promise<unknown>) {
  const sock = native(certs);
  const transports = { server: new Set<string>(), client: new Set<string>() };
  const alpn = { server: new Set<string>(), client: new Set<string>() };
  const note = (side: 'server' | 'client', t: Transport) => {
    transports[side].add(t.constructor.name);
    alpn[side].add(String(t.alpnProtocol ?? null));
  };
  // serve() on a native listener, through the accept-function form so each transport is seen.
  const servers: Array<{ server: ReturnType<typeof serve>; listener: Listener }> = [];
  const start = async (tls: boolean) => {
    const listener = sock.listen(tls);
    const server = serve(handler, {
      transport: (accept) => {
        (async () => { for await (const t of listener) { note('server', t); accept(t); } })().catch(() => {});
        return () => { void listener.close(); };
      },
    });
    await server.ready;
    servers.push({ server, listener });
    return listener.port;
  };
  const h2cPort = await start(false);
  const tlsPort = await start(true);
  const fetch = createFetch({ connect: async (url: URL) => { const t = await sock.connect(url); note('client', t); return t; } });
  const CHECKS: FetchCheck[] = ['get', 'post', 'trailers'];
  const out: Record<string, unknown> = {
    selfH2c: await fetchChecks(fetch, `http://127.0.0.1:${h2cPort}`, CHECKS),
    selfTls: await fetchChecks(fetch, `https://localhost:${tlsPort}`, CHECKS),
    toNodeH2c: await fetchChecks(fetch, `http://127.0.0.1:${node.h2c}`, CHECKS),
    toNodeTls: await fetchChecks(fetch, `https://localhost:${node.tls}`, CHECKS),
    fromNodeH2c: await ask({ url: `http://127.0.0.1:${h2cPort}`, checks: CHECKS }),
    fromNodeTls: await ask({ url: `https://localhost:${tlsPort}`, checks: CHECKS, ca: true }),
  };
  await fetch.close();
  try {
    await within(Promise.all(servers.map(({ server }) => server.shutdown())), 5000, 'serve() to shut down');
    out.shutdown = true;
  } catch { out.shutdown = false; }
  out.transports = { server: [...transports.server], client: [...transports.client] };
  out.alpn = { server: [...alpn.server], client: [...alpn.client] };
  return out;
}
