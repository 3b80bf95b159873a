// Small helpers shared by the interop tests: hashing, bodies, cleanup scopes, timeouts,
// listening servers, external tools.
import { createHash, randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const HOST = '127.0.0.1';

export function sha256(...parts: (Uint8Array | Uint8Array[])[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    if (Array.isArray(p)) for (const c of p) h.update(c);
    else h.update(p);
  }
  return h.digest('hex');
}

const bodies = new Map<number, Buffer>();
/** A random body of `n` octets, the same one for the same `n` within a run. */
export function body(n: number): Buffer {
  let b = bodies.get(n);
  if (!b) {
    b = randomFillSync(Buffer.allocUnsafe(n));
    bodies.set(n, b);
  }
  return b;
}

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const BODY_SIZES = [0, 1, 16 * KiB, MiB, 16 * MiB];
export const sizeName = (n: number) => (n >= MiB ? `${n / MiB} MiB` : n >= KiB ? `${n / KiB} KiB` : `${n} B`);

/** Resolves with `p`, or rejects after `ms` naming `what`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Cleanups registered during a test, run in reverse order at its end, pass or fail. */
export class Scope {
  private cleanups: (() => unknown)[] = [];
  defer(fn: () => unknown): void {
    this.cleanups.push(fn);
  }
  async close(): Promise<void> {
    const errors: unknown[] = [];
    while (this.cleanups.length) {
      const fn = this.cleanups.pop()!;
      try {
        await within(Promise.resolve().then(fn), 5000, 'a cleanup');
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw errors[0];
  }
}

/** A uvu test body with a cleanup scope and a time limit. */
export function scoped(fn: (s: Scope) => Promise<void>, ms = 20_000) {
  return async () => {
    const s = new Scope();
    try {
      await within(fn(s), ms, 'the test');
    } finally {
      await s.close();
    }
  };
}

/** Listens on 127.0.0.1, an ephemeral port; closed (and its connections destroyed) at the end. */
export async function listen(s: Scope, server: net.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (c: net.Socket) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  s.defer(() => new Promise<void>((resolve) => {
    for (const c of sockets) c.destroy();
    server.close(() => resolve());
  }));
  return (server.address() as net.AddressInfo).port;
}

/** A TCP echo server; resolves with its port. */
export async function echoServer(s: Scope): Promise<number> {
  const server = net.createServer((c) => {
    c.on('error', () => {});
    c.pipe(c);
  });
  return listen(s, server);
}

/** A socket connected to 127.0.0.1:port, destroyed at the end of the test. */
export async function connectTcp(s: Scope, port: number): Promise<net.Socket> {
  const socket = net.connect({ host: HOST, port });
  s.defer(() => socket.destroy());
  await once(socket, 'connect');
  return socket;
}

/**
 * Whether an external tool runs. Missing: null and a one-line reason, unless CI=true, where
 * a missing tool must fail the run (the caller registers a failing test).
 */
export function tool(name: string, versionArgs = ['--version']): { ok: boolean; reason: string } {
  const r = spawnSync(name, versionArgs, { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? (r.error as NodeJS.ErrnoException).code ?? r.error.message : `exit ${r.status}`;
    return { ok: false, reason: `${name} is not available (${why}): apt-get install -y curl nghttp2-client nghttp2-server` };
  }
  return { ok: true, reason: '' };
}

export const inCI = process.env.CI === 'true';

/** The `test` of a uvu file or suite: what withTool registers on. */
interface Registrar {
  (name: string, fn: () => void): void;
  skip(name: string, fn: () => void): void;
}

/**
 * Registers the tests that need `name` (via `register`) when it runs; otherwise one skipped test
 * with a one-line reason, or under CI=true one failing test (a missing peer is a failure there).
 */
export function withTool(test: Registrar, name: string, register: () => void): void {
  const t = tool(name);
  if (t.ok) register();
  else if (inCI) test(`${name} is installed (CI=true)`, () => { throw new Error(t.reason); });
  else {
    console.log(`# skip: ${t.reason}`);
    test.skip(`${name} tests`, () => {});
  }
}

/** Bytes to a readable one-line form for failure messages. */
export const preview = (b: Uint8Array, n = 64) => JSON.stringify(Buffer.from(b.subarray(0, n)).toString('latin1'));

// ---------------------------------------------------------------- processes

export interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }
export interface Proc { child: ChildProcess; out: () => string; err: () => string; exited: Promise<Run> }

/** Starts a process; killed (SIGTERM, then SIGKILL) at the end of the test if still running. */
export function start(s: Scope, cmd: string, args: string[], cwd?: string): Proc {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  child.on('error', (e) => { stderr += String(e); });
  const exited = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  s.defer(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    }
  });
  return { child, out: () => stdout, err: () => stderr, exited };
}

/** Runs a command to its end, at most `ms`. */
export function run(s: Scope, cmd: string, args: string[], ms = 20_000, cwd?: string): Promise<Run> {
  return within(start(s, cmd, args, cwd).exited, ms, `${cmd} ${args.join(' ')}`);
}
