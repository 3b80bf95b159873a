// Run by test/transport/bun.test.ts: bun run test/transport/runtime/bun.ts '<certs json>'
// Bun's TCP and TLS (ALPN h2 in wire form) through bun.ts, and Bun's WebSocket client through
// websocket.ts (against Bun.serve, whose server-side socket gets a WebSocket-shaped shim here).
import { connectBun, fromWebSocket, listenBun, type WebSocketLike } from '../../../bindings/transport/index.ts';
import type { Transport } from '../../../bindings/transport/types.ts';
import { KiB, MiB, h2Check, pumpCheck, retainCheck, runChecks, type Pair } from './checks.ts';

// uvu imports every file under test/: outside Bun this module does nothing.
const Bun = (globalThis as { Bun?: { argv: string[] } }).Bun;
const certs: { ca: string; cert: string; key: string } = Bun ? JSON.parse(Bun.argv[2]) : undefined;

/** A listener and one connection to it; the listener closes once accepted. */
const helperPair = (secure: boolean): Pair => async () => {
  const listener = listenBun(secure ? { tls: { cert: certs.cert, key: certs.key } } : {});
  try {
    const accepted = listener.accept();
    const client = await connectBun({ port: listener.port, hostname: secure ? 'localhost' : '127.0.0.1', tls: secure ? { ca: certs.ca } : undefined });
    return [client, await accepted];
  } finally {
    await listener.close();
  }
};

/** Bun's ServerWebSocket dressed as the standard interface (events through Bun.serve's handlers). */
function shim(ws: any) {
  const fns = new Map<string, Array<(e: any) => void>>();
  const like: WebSocketLike & { fire(type: string, e: object): void } = {
    get readyState() { return ws.readyState; },
    get bufferedAmount() { return ws.getBufferedAmount(); },
    binaryType: 'arraybuffer',
    send: (d) => { ws.send(d); },
    close: (code, reason) => ws.close(code, reason),
    addEventListener: (type, fn) => { fns.set(type, [...(fns.get(type) ?? []), fn]); },
    fire: (type, e) => { for (const fn of fns.get(type) ?? []) fn(e); },
  };
  return like;
}

const servers: Array<{ stop(force?: boolean): void }> = [];
const wsPair: Pair = async () => {
  let serverSide!: (t: Transport) => void;
  const got = new Promise<Transport>((r) => { serverSide = r; });
  const server = (globalThis as any).Bun.serve({
    hostname: '127.0.0.1', port: 0,
    fetch(req: Request, srv: any) { return srv.upgrade(req) ? undefined : new Response('websocket only', { status: 400 }); },
    websocket: {
      open(ws: any) { ws.data = shim(ws); serverSide(fromWebSocket(ws.data)); },
      message(ws: any, msg: unknown) { ws.data.fire('message', { data: msg }); },
      close(ws: any, code: number, reason: string) { ws.data?.fire('close', { code, reason }); },
    },
  });
  servers.push(server);
  const client = fromWebSocket(new WebSocket(`ws://127.0.0.1:${server.port}/`));
  return [client, await got];
};

if (Bun) await runChecks({
  tcpPump: () => pumpCheck(helperPair(false), { total: 64 * MiB, chunk: 64 * KiB }),
  tlsPump: () => pumpCheck(helperPair(true), { total: 32 * MiB, chunk: 32 * KiB, reverse: true }),
  tcpH2: () => h2Check(helperPair(false)),
  tcpRetain: () => retainCheck(helperPair(false)),
  wsRetain: () => retainCheck(wsPair),
  wsPump: () => pumpCheck(wsPair, { total: 64 * MiB, chunk: 64 * KiB }),
  wsH2: () => h2Check(wsPair),
  tlsH2: () => h2Check(helperPair(true)),
});
for (const s of servers) s.stop(true);
