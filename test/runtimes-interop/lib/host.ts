// The Node side of the runtimes-interop tests (in the uvu process): node:http2 peers (servers
// with checks.ts's routes, and the node:http2 client a runtime script asks for), nghttpd, and
// running runtime/main.ts in Deno or Bun in its own process group (killed whole on timeout).
import http2 from 'node:http2';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientChecks, routes, within, type CheckName } from './checks.ts';
import type { TestCerts } from '../../helpers/certs.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const inCI = process.env.CI === 'true';
const ASK = '@@h2wasm-ask ';
const RESULT = '@@h2wasm-result ';

/** Cleanups, run in reverse order. */
export class Cleanup {
  #fns: (() => unknown)[] = [];
  add(fn: () => unknown) { this.#fns.push(fn); }
  async run() {
    while (this.#fns.length) await within(Promise.resolve().then(this.#fns.pop()!), 5000, 'a cleanup').catch((e) => console.error(e));
  }
}

/** node:http2 servers, h2c and TLS, answering checks.ts's routes. */
export async function nodeServers(c: Cleanup, certs: TestCerts): Promise<{ h2c: number; tls: number }> {
  const h2c = http2.createServer();
  const tls = http2.createSecureServer({ key: certs.key, cert: certs.cert });
  const ports: number[] = [];
  for (const server of [h2c, tls]) {
    routes(server, 'node');
    const sessions = new Set<http2.Http2Session>();
    server.on('session', (s) => { sessions.add(s); s.on('close', () => sessions.delete(s)); });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    ports.push((server.address() as net.AddressInfo).port);
    c.add(() => new Promise<void>((resolve) => { for (const s of sessions) s.destroy(); server.close(() => resolve()); }));
  }
  return { h2c: ports[0], tls: ports[1] };
}

/** Whether `name` runs; otherwise a one-line reason. */
export function tool(name: string, args = ['--version'], install = 'apt-get install -y nghttp2-server'): { ok: boolean; cmd: string; reason: string } {
  const r = spawnSync(name, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : `exit ${r.status}`;
    return { ok: false, cmd: name, reason: `${name} is not available (${why}): ${install}` };
  }
  return { ok: true, cmd: name, reason: '' };
}

/** The runtime binary: node_modules/.bin first, then PATH. */
export function runtimeTool(name: 'deno' | 'bun') {
  const install = `npm install --no-save ${name === 'deno' ? 'deno@2.9.6' : 'bun'}`;
  const local = tool(join(ROOT, 'node_modules', '.bin', name), ['--version'], install);
  return local.ok ? local : tool(name, ['--version'], install);
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * nghttpd, h2c and TLS, serving hello / push / pushed; POST and PUT echo the upload; every
 * response with a body ends with the trailer x-res-trailer: down; /push pushes /pushed.
 */
export async function nghttpd(c: Cleanup, certs: TestCerts): Promise<{ h2c: number; tls: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'h2wasm-rt-interop-'));
  c.add(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'hello'), 'hello world\n');
  writeFileSync(join(dir, 'push'), 'push parent\n');
  writeFileSync(join(dir, 'pushed'), 'pushed body');
  writeFileSync(join(dir, 'key.pem'), certs.key);
  writeFileSync(join(dir, 'cert.pem'), certs.cert);
  const common = ['-a', '127.0.0.1', '-d', dir, '--echo-upload', '--trailer', 'x-res-trailer: down', '-p', '/push=/pushed'];
  const start = async (args: string[], port: number) => {
    const child = spawn('nghttpd', [...common, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => { err += d; });
    c.add(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
    await within((async () => {
      for (;;) {
        const ok = await new Promise<boolean>((r) => {
          const s = net.connect(port, '127.0.0.1', () => { s.destroy(); r(true); });
          s.on('error', () => r(false));
        });
        if (ok) return;
        if (child.exitCode !== null) throw new Error(`nghttpd exited ${child.exitCode}: ${err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    })(), 10_000, 'nghttpd to listen');
  };
  const [h2c, tls] = [await freePort(), await freePort()];
  await start(['--no-tls', String(h2c)], h2c);
  await start([String(tls), join(dir, 'key.pem'), join(dir, 'cert.pem')], tls);
  return { h2c, tls };
}

export interface RuntimeRun { code: number | null; signal: string | null; stdout: string; stderr: string; result: any; asks: number; ms: number }

/**
 * Runs runtime/main.ts with `cmd args`, answering its ASK lines with node:http2 client checks.
 * Its own process group, killed whole (SIGKILL) after `ms` or if this process exits first.
 */
export async function runRuntime(cmd: string, args: string[], input: object, certs: TestCerts, ms: number): Promise<RuntimeRun> {
  const t0 = Date.now();
  const child = spawn(cmd, [...args, 'test/runtimes-interop/runtime/main.ts', JSON.stringify(input)], {
    cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, NO_COLOR: '1' },
  });
  const killGroup = () => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } };
  process.once('exit', killGroup);
  let stdout = '', stderr = '', pending = '', asks = 0;
  let result: any;
  child.stdin!.on('error', () => { /* the child died: its exit is reported */ });
  child.stderr!.on('data', (d) => { stderr += d; });
  child.stdout!.on('data', (d) => {
    stdout += d;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.startsWith(ASK)) {
        asks++;
        const q = JSON.parse(line.slice(ASK.length)) as { url: string; checks: CheckName[]; ca?: boolean };
        clientChecks(http2, q.url, q.checks, q.ca ? { ca: certs.ca } : {})
          .catch((e) => ({ error: String(e) }))
          .then((r) => { if (child.exitCode === null) child.stdin!.write(`${JSON.stringify(r)}\n`); });
      } else if (line.startsWith(RESULT)) {
        try { result = JSON.parse(line.slice(RESULT.length)); } catch { /* reported as no result */ }
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })));
  const timer = setTimeout(killGroup, ms);
  const { code, signal } = await exited;
  clearTimeout(timer);
  killGroup(); // anything the script left behind
  process.off('exit', killGroup);
  return { code, signal, stdout: stdout.replace(/^@@h2wasm-result .*$/m, '@@h2wasm-result …'), stderr, result, asks, ms: Date.now() - t0 };
}

export const show = (r: RuntimeRun) =>
  `exit ${r.code}${r.signal ? ` (${r.signal})` : ''} after ${r.ms} ms\nstdout: ${r.stdout.slice(-3000)}\nstderr: ${r.stderr.slice(-3000)}`;
