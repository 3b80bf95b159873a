// Shared pieces of the browser / workerd tests: children that are always killed, free ports,
// nghttpd (h2c), `h2wasm relay` from bin/, package.json export resolution, peers' availability.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { within, type Scope } from '../interop/helpers/util.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const HOST = '127.0.0.1';

export function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      if (statSync(join(dir, name)).isFile()) return join(dir, name);
    } catch { /* not here */ }
  }
  return null;
}

/** Why `nghttpd` cannot run here, or null. */
export function nghttpdMissing(): string | null {
  const r = spawnSync('nghttpd', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.error || r.status !== 0 ? 'nghttpd is not available (apt-get install -y nghttp2-server)' : null;
}

/** The built files these tests load; a missing one means `npm run build` has not run. */
export function distMissing(files: string[]): string | null {
  const gone = files.filter((f) => !existsSync(join(ROOT, f)));
  return gone.length ? `${gone.join(', ')} missing: run npm run build` : null;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, HOST, () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface Child { child: ChildProcess; out: () => string; exited: Promise<number | null> }

/** Spawns `cmd` in its own process group; the scope kills the group (TERM, then KILL). */
export function start(s: Scope, cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Child {
  const child = spawn(cmd, args, { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  child.on('error', (e) => { out += String(e); });
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const kill = (sig: NodeJS.Signals) => { try { process.kill(-child.pid!, sig); } catch { /* gone */ } };
  s.defer(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    kill('SIGTERM');
    const t = setTimeout(() => kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(t);
  });
  return { child, out: () => out, exited };
}

/** Resolves once something accepts on HOST:port (or rejects when `child` exits first). */
export async function waitForPort(port: number, c: Child, what: string, ms = 10_000): Promise<void> {
  await within((async () => {
    for (;;) {
      if (c.child.exitCode !== null) throw new Error(`${what} exited ${c.child.exitCode}: ${c.out()}`);
      const ok = await new Promise<boolean>((r) => {
        const sock = net.connect(port, HOST, () => { sock.destroy(); r(true); });
        sock.on('error', () => r(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  })(), ms, `${what} to listen`);
}

/** nghttpd --no-tls (h2c) serving `files`, adding `trailer` to every response with a body. */
export async function nghttpd(s: Scope, files: Record<string, string | Uint8Array>, trailer: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'h2wasm-browser-nghttpd-'));
  s.defer(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  const port = await freePort();
  const c = start(s, 'nghttpd', ['--no-tls', '-a', HOST, '-d', dir, '--trailer', trailer, String(port)]);
  await waitForPort(port, c, 'nghttpd');
  return port;
}

/** `h2wasm relay` as users start it (bin/h2wasm.mjs → dist/cli.mjs); resolves with its ws:// URL. */
export async function relay(s: Scope, to: string): Promise<{ url: string; child: Child }> {
  const c = start(s, process.execPath, [join(ROOT, 'bin', 'h2wasm.mjs'), 'relay', '--listen', '0', '--to', to]);
  const url = await within((async () => {
    for (;;) {
      const m = /^relay: (ws:\/\/\S+)/m.exec(c.out());
      if (m) return m[1];
      if (c.child.exitCode !== null) throw new Error(`relay exited ${c.child.exitCode}: ${c.out()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  })(), 10_000, 'h2wasm relay to print its URL');
  return { url, child: c };
}

/** First target of a package.json "exports" entry for `conditions` (in the entry's key order, as Node does). */
export function resolveExport(entry: unknown, conditions: string[]): string | null {
  if (typeof entry === 'string') return entry;
  if (entry && typeof entry === 'object') {
    for (const [key, value] of Object.entries(entry)) {
      if (!conditions.includes(key)) continue;
      const r = resolveExport(value, conditions);
      if (r) return r;
    }
  }
  return null;
}

export const pkg = () => JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
