// Run by trap.test.ts in its own process (a trap retires the process's shared instance, and
// this process uses the debug build): forces a real WASM trap (`unreachable`, through the
// debug-only export h2_debug_trap) inside the receive path of live sessions, then reports as
// JSON what the sessions, a standalone HPACK decoder, new sessions and a node:http2-API server
// did. The parent asserts on the report.
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { core, registerCoreModule, type CoreExports } from '../../bindings/core/load.ts';

// The debug build, registered before any entry registers the embedded release bytes.
const debug = new WebAssembly.Module(readFileSync(new URL('../../build/debug.wasm', import.meta.url)));
registerCoreModule(debug);
const { Session } = await import('../../bindings/core/index.ts');
const { HpackDecoder, HpackEncoder } = await import('../../bindings/hpack/index.ts');
const h2wasm = await import('../../bindings/node/index.ts');

const report: Record<string, unknown> = {};
const codeOf = (fn: () => unknown): string => {
  try { fn(); return 'no error'; } catch (err) { return String((err as { code?: string }).code ?? (err as Error).message); }
};

/** A client and a server Session of the core talking in memory: one GET, to completion. */
function exchange(): { status: string | undefined; body: string } {
  const client = new Session({ role: 'client' });
  const server = new Session({ role: 'server' });
  let status: string | undefined, body = '';
  const id = client.request([[':method', 'GET'], [':scheme', 'http'], [':authority', 'x'], [':path', '/']], { endStream: true });
  for (let round = 0; round < 10; round++) {
    for (const c of client.pull()) {
      for (const e of server.receive(c)) {
        if (e.type === 'request') { server.respond(e.streamId, [[':status', '200']]); server.data(e.streamId, new TextEncoder().encode('hi'), { endStream: true }); }
      }
    }
    for (const c of server.pull()) {
      for (const e of client.receive(c)) {
        if (e.type === 'response' && e.streamId === id) status = e.headers.find(([n]) => n === ':status')?.[1];
        if (e.type === 'data') body += new TextDecoder().decode(e.bytes);
      }
    }
  }
  client.destroy();
  server.destroy();
  return { status, body };
}

async function get(port: number, session?: http2.ClientHttp2Session, path = '/'): Promise<{ status?: number; body?: string; error?: string; rst?: number }> {
  const c = session ?? http2.connect(`http://127.0.0.1:${port}`);
  c.on('error', () => {});
  try {
    return await new Promise((resolve) => {
      const req = c.request({ ':path': path });
      let body = '';
      let status: number | undefined;
      req.on('response', (h) => { status = h[':status'] as number; });
      req.on('data', (d: Buffer) => { body += d; });
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message, rst: req.rstCode }));
      req.on('close', () => resolve({ status, body, rst: req.rstCode }));
      req.end();
    });
  } finally {
    if (!session) c.close();
  }
}

report.debugBuild = typeof (core().exports as unknown as { h2_debug_trap?: unknown }).h2_debug_trap === 'function';
report.before = exchange();

// A node:http2-API server on the same instance, with one client connection kept open.
const sessionErrors: string[] = [];
const lateEnds: string[] = [];
const server = h2wasm.createServer((req, res) => {
  req.resume();
  if (req.url !== '/slow') return void res.end('served');
  // Answers after the trap: the session is on the broken instance by then.
  setTimeout(() => { try { res.end('late'); lateEnds.push('no error'); } catch (err) { lateEnds.push(String((err as NodeJS.ErrnoException).code)); } }, 300);
});
server.on('sessionError', (err: NodeJS.ErrnoException) => sessionErrors.push(String(err.code)));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const port = (server.address() as AddressInfo).port;
const kept = http2.connect(`http://127.0.0.1:${port}`);
kept.on('error', () => {});
report.firstRequest = await get(port, kept);
const slow = get(port, kept, '/slow'); // pending when the trap comes
await new Promise((r) => setTimeout(r, 50));

// Live sans-IO sessions and an HPACK decoder on the instance that is about to trap.
const victim = new Session({ role: 'server' });
const bystander = new Session({ role: 'client' });
const decoder = new HpackDecoder();
const encoder = new HpackEncoder();
const before = core();

// Arm the trap: the next h2_recv of any session runs `unreachable` in the debug build.
const real = before.exports as CoreExports & { h2_debug_trap(): void };
(before as { exports: CoreExports }).exports = { ...real, h2_recv: () => { real.h2_debug_trap(); return 0; } };
let trapError: { code?: string; message?: string; cause?: string } = {};
try {
  victim.receive(new TextEncoder().encode('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'));
} catch (err) {
  const e = err as Error & { code?: string; cause?: unknown };
  trapError = { code: e.code, message: e.message, cause: (e.cause as Error)?.constructor?.name };
}
report.trapError = trapError;
report.instanceBroken = before.broken;
report.afterTrap = {
  victimAgain: codeOf(() => victim.receive(new Uint8Array(1))),
  bystanderPull: codeOf(() => bystander.pull()),
  bystanderRequest: codeOf(() => bystander.request([[':method', 'GET'], [':scheme', 'http'], [':authority', 'x'], [':path', '/']])),
  decoder: codeOf(() => decoder.decode(Uint8Array.of(0x82))),
  encoder: codeOf(() => encoder.encode([['a', 'b']])),
  destroy: codeOf(() => { victim.destroy(); bystander.destroy(); decoder.free(); encoder.free(); }),
};

// The kept connection's server session is on the broken instance: the late response fails it
// (with no uncaught exception: this process has no handler for one and would exit).
report.slowRequest = await Promise.race([slow, new Promise((r) => setTimeout(() => r({ error: 'timeout' }), 3000))]);
report.lateEnds = lateEnds;
report.sessionErrors = sessionErrors;

// New work gets a fresh instance.
report.freshInstance = core() !== before && !core().broken;
report.after = exchange();
report.afterDecoder = new HpackDecoder().decode(new HpackEncoder().encode([[':path', '/x']]));
report.newConnection = await get(port);
report.newConnection2 = await get(port);

kept.destroy();
await new Promise<void>((r) => server.close(() => r()));
process.stdout.write(JSON.stringify(report) + '\n');
