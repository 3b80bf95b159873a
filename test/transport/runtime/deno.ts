// Run by test/transport/deno.test.ts: deno run --allow-net --allow-read test/transport/runtime/deno.ts '<certs json>'
// Deno's TCP and TLS (ALPN h2) through deno.ts, a bare Deno.Conn through streams.ts, and the
// standard WebSocket (Deno.upgradeWebSocket on the server, new WebSocket on the client).
import { connectDeno, fromStreams, fromWebSocket, listenDeno } from '../../../bindings/transport/index.ts';
import type { Transport } from '../../../bindings/transport/types.ts';
import { KiB, MiB, h2Check, pumpCheck, retainCheck, runChecks, type Pair } from './checks.ts';

// uvu imports every file under test/: outside Deno this module does nothing.
const Deno = (globalThis as { Deno?: any }).Deno;
const certs: { ca: string; cert: string; key: string } = Deno ? JSON.parse(Deno.args[0]) : undefined;

/** A listener and one connection to it, through the helpers; the listener closes once accepted. */
const helperPair = (secure: boolean): Pair => async () => {
  const listener = listenDeno(secure ? { tls: { cert: certs.cert, key: certs.key } } : {});
  try {
    const accepted = listener.accept();
    const client = await connectDeno({ port: listener.port, hostname: secure ? 'localhost' : '127.0.0.1', tls: secure ? { caCerts: [certs.ca] } : undefined });
    return [client, await accepted];
  } finally {
    await listener.close();
  }
};

/** Bare Deno.Conn objects given to the generic { readable, writable } adapter. */
const connPair: Pair = async () => {
  const listener = Deno.listen({ hostname: '127.0.0.1', port: 0 });
  try {
    const accepted = listener.accept();
    const c = await Deno.connect({ hostname: '127.0.0.1', port: listener.addr.port });
    const s = await accepted;
    c.setNoDelay(true); // as DenoTransport does: without it Nagle stalls the exchange
    s.setNoDelay(true);
    const close = (conn: any) => () => { try { conn.close(); } catch { /* closed already */ } };
    return [fromStreams(c, { onClosed: close(c) }), fromStreams(s, { onClosed: close(s) })];
  } finally {
    listener.close();
  }
};

/** A WebSocket pair: Deno.serve upgrading one request, and a WebSocket client. */
const servers: any[] = [];
const wsPair: Pair = async () => {
  let serverSide!: (t: Transport) => void;
  const got = new Promise<Transport>((r) => { serverSide = r; });
  let listening!: (port: number) => void;
  const port = new Promise<number>((r) => { listening = r; });
  const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: (a: { port: number }) => listening(a.port) }, (req: Request) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    serverSide(fromWebSocket(socket));
    return response;
  });
  servers.push(server);
  const client = fromWebSocket(new WebSocket(`ws://127.0.0.1:${await port}/`));
  return [client, await got];
};

if (Deno) await runChecks({
  tcpPump: () => pumpCheck(helperPair(false), { total: 64 * MiB, chunk: 64 * KiB }),
  tlsPump: () => pumpCheck(helperPair(true), { total: 32 * MiB, chunk: 32 * KiB, reverse: true }),
  tcpH2: () => h2Check(helperPair(false)),
  tcpRetain: () => retainCheck(helperPair(false)),
  wsRetain: () => retainCheck(wsPair),
  tlsH2: () => h2Check(helperPair(true)),
  connPump: () => pumpCheck(connPair, { total: 64 * MiB, chunk: 64 * KiB, reverse: true }),
  connH2: () => h2Check(connPair),
  wsPump: () => pumpCheck(wsPair, { total: 64 * MiB, chunk: 64 * KiB }),
  wsH2: () => h2Check(wsPair, 1 * MiB), // smaller: Deno's WebSocket connections keep Nagle on (40 ms stalls)
});
for (const s of servers) await s.shutdown();
