// The attack suite's harness: the server under attack in a child process (server.ts), a
// scripted hostile client on a raw loopback socket, a benign node:http2 client on its own
// connection, and the checks every attack shares (memory, benign requests, leftovers, exit).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http2 from 'node:http2';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import {
  CLIENT_PREFACE, FrameReader, FrameType, concat, continuationFrame, goawayFields, headersFrame, headersFields, rstCode, settingsFrame, settingsAckFrame, errorCodeName,
  type Frame, type SettingPair,
} from '../helpers/frames.ts';
import { HOST, Scope, sleep, within } from '../interop/helpers/util.ts';
import { HpackDecoder } from '../../bindings/hpack/index.ts';
import { indexed, literalIndexedName } from '../limits/blocks.ts';

export const MiB = 1024 * 1024;
export const RSS_BUDGET = 32 * MiB;
export const CLOSE_WITHIN_MS = 5000;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SERVER = fileURLToPath(new URL('./server.ts', import.meta.url));

export interface Stats {
  rss: number; sessions: number; streams: number; coreSessions: number; resources: string[]; sessionErrors: number; requests: number; evil: number; uncaught: number;
}

/** The server process: its port, its stats on request, its exit. */
export class ServerProcess {
  port = 0;
  baseResources: string[] = [];
  uncaught: string[] = [];
  stderr = '';
  exit: Promise<number | null>;
  #child: ChildProcess;
  #waiting = new Map<number, (s: Stats) => void>();
  #nextId = 0;

  constructor(options: object) {
    // V8 grows its young generation by tens of MiB under any fast allocation, benign or hostile,
    // once per process; capped here so the RSS budget measures what an attack makes the server keep.
    this.#child = spawn(process.execPath, ['--max-semi-space-size=4', '--import', 'tsx', SERVER], {
      cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, H2WASM_ATTACK_SERVER_OPTIONS: JSON.stringify(options), NODE_OPTIONS: '' },
    });
    this.#child.stderr!.on('data', (d) => { this.stderr += d; });
    this.#child.on('error', () => {}); // IPC to a process that already died: its exit tells
    this.#child.on('message', (m: { type: string; id: number } & Stats & { message: string }) => {
      if (m.type === 'uncaught') this.uncaught.push(m.message);
      if (m.type === 'stats') { this.#waiting.get(m.id)?.(m); this.#waiting.delete(m.id); }
    });
    this.exit = new Promise((resolve) => this.#child.on('exit', (code) => resolve(code)));
  }

  async started(): Promise<void> {
    const [m] = await within(once(this.#child, 'message'), 15_000, 'the server process to listen') as [{ port: number; resources: string[] }];
    this.port = m.port;
    this.baseResources = m.resources;
  }

  stats(ms = 3000): Promise<Stats> {
    if (!this.#child.connected) return Promise.reject(new Error(`the server process is gone: ${this.stderr}`));
    const id = ++this.#nextId;
    const p = new Promise<Stats>((resolve) => this.#waiting.set(id, resolve));
    this.#child.send({ type: 'stats', id });
    return within(p, ms, 'the server to report its stats (is its event loop blocked?)');
  }

  /** Asks the server to close; resolves with its exit code (it must exit on its own). */
  async stop(): Promise<number | null> {
    if (this.#child.connected) this.#child.send({ type: 'exit' });
    try {
      return await within(this.exit, 5000, 'the server process to exit on its own (a handle left behind?)');
    } catch (err) {
      this.kill();
      throw err;
    }
  }

  kill(): void { if (this.#child.exitCode === null) this.#child.kill('SIGKILL'); }
}

/** Samples the server's RSS while an attack runs; the peak is what the budget bounds. */
export function watchRss(server: ServerProcess, every = 100) {
  let peak = 0;
  let stalls = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try { peak = Math.max(peak, (await server.stats(2000)).rss); } catch { stalls++; }
      await sleep(every);
    }
  })();
  return { async stop() { running = false; await loop; return { peak, stalls }; } };
}

/** A node:http2 client that keeps making requests on its own connection; every one must succeed. */
export function benignClient(s: Scope, port: number) {
  const session = http2.connect(`http://${HOST}:${port}`);
  session.on('error', () => {});
  s.defer(() => new Promise<void>((resolve) => {
    if (session.destroyed) return resolve();
    session.close(() => resolve());
    setTimeout(() => { session.destroy(); resolve(); }, 1000).unref();
  }));
  const result = { ok: 0, failures: [] as string[] };
  let i = 0;
  const one = () => new Promise<void>((resolve) => {
    const path = `/benign/${i++}`;
    let status = 0;
    let text = '';
    const timer = setTimeout(() => { result.failures.push(`${path}: no answer within 3 s`); req?.close(); resolve(); }, 3000);
    let req: http2.ClientHttp2Stream;
    try {
      req = session.request({ ':path': path });
    } catch (err) {
      clearTimeout(timer);
      result.failures.push(`${path}: ${(err as Error).message}`);
      return resolve();
    }
    req.setEncoding('utf8');
    req.on('response', (h) => { status = Number(h[':status']); });
    req.on('data', (d) => { text += d; });
    req.on('error', (err) => { clearTimeout(timer); result.failures.push(`${path}: ${err.message}`); resolve(); });
    req.on('end', () => {
      clearTimeout(timer);
      if (status === 200 && text === `ok ${path}`) result.ok++;
      else result.failures.push(`${path}: status ${status}, body ${JSON.stringify(text.slice(0, 40))}`);
      resolve();
    });
    req.end();
  });
  let running = true;
  let loop: Promise<void> = Promise.resolve();
  return {
    session,
    result,
    one,
    start() {
      loop = (async () => { while (running) { await one(); await sleep(20); } })();
    },
    async stop() { running = false; await loop; return result; },
  };
}

/** The hostile client: a raw socket that writes what the script says and parses what comes back. */
export class Attacker {
  socket!: net.Socket;
  frames: Frame[] = [];
  goaway: { code: number; lastStreamId: number; at: number } | undefined;
  closedAt = -1;
  startedAt = performance.now();
  writeErrors = 0;
  /** Decoded response header blocks (responses, then trailers) by stream. */
  headers = new Map<number, [string, string][][]>();
  #reader = new FrameReader();
  #decoder = new HpackDecoder();
  #block: { id: number; parts: Uint8Array[] } | undefined;
  #wake: (() => void)[] = [];

  static async open(s: Scope, port: number, options: { preface?: boolean; settings?: SettingPair[]; ack?: boolean } = {}): Promise<Attacker> {
    const a = new Attacker();
    a.socket = net.connect({ host: HOST, port });
    a.socket.setNoDelay(true);
    s.defer(() => a.socket.destroy());
    a.socket.on('error', () => { a.writeErrors++; });
    a.socket.on('data', (chunk: Buffer) => {
      for (const f of a.#reader.push(chunk)) {
        a.frames.push(f);
        if (f.type === FrameType.HEADERS) a.#block = { id: f.streamId, parts: [headersFields(f).fragment] };
        if (f.type === FrameType.CONTINUATION && a.#block) a.#block.parts.push(f.payload);
        if ((f.type === FrameType.HEADERS || f.type === FrameType.CONTINUATION) && (f.flags & 4) && a.#block) {
          const list = a.headers.get(a.#block.id) ?? [];
          list.push(a.#decoder.decode(concat(...a.#block.parts)) as [string, string][]);
          a.headers.set(a.#block.id, list);
          a.#block = undefined;
        }
        if (f.type === FrameType.GOAWAY && !a.goaway) a.goaway = { ...goawayFields(f), at: performance.now() };
        // Our side of the handshake, so the server has nothing to wait for.
        if (f.type === FrameType.SETTINGS && !(f.flags & 1) && (options.ack ?? options.preface ?? true)) a.write(settingsAckFrame());
      }
      a.#notify();
    });
    a.socket.on('close', () => { a.closedAt = performance.now(); a.#notify(); });
    await once(a.socket, 'connect');
    a.startedAt = performance.now();
    if (options.preface ?? true) a.write(concat(CLIENT_PREFACE, settingsFrame(options.settings ?? [])));
    return a;
  }

  #notify(): void { for (const w of this.#wake.splice(0)) w(); }

  get closed(): boolean { return this.closedAt >= 0; }

  write(b: Uint8Array): boolean {
    if (this.socket.destroyed || this.socket.writableEnded) return false;
    return this.socket.write(b);
  }

  /** Resolves once `pred` holds, or rejects after `ms`. */
  async until(pred: () => boolean, ms: number, what: string): Promise<void> {
    const end = performance.now() + ms;
    while (!pred()) {
      const left = end - performance.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms: ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.#wake.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  /** The GOAWAY code, asserted, and how long after the attack started the connection was closed. */
  async expectGoaway(code: number, ms = CLOSE_WITHIN_MS): Promise<number> {
    await this.until(() => this.goaway !== undefined || this.closed, ms, `GOAWAY ${errorCodeName(code)}`);
    assert.ok(this.goaway, `the connection closed without a GOAWAY (wanted ${errorCodeName(code)})`);
    assert.is(errorCodeName(this.goaway!.code), errorCodeName(code), 'the GOAWAY code');
    await this.until(() => this.closed, ms, 'the server to close the connection after its GOAWAY');
    return Math.round(this.goaway!.at - this.startedAt);
  }

  /** Writes `chunk` again and again, honouring backpressure, for `ms` or until `stop()`. */
  async flood(chunk: Uint8Array | ((i: number) => Uint8Array), ms: number, stop: () => boolean = () => false, paceMs = 0) {
    const end = performance.now() + ms;
    let bytes = 0;
    let i = 0;
    let blockedSince = -1;
    let longestBlock = 0;
    while (performance.now() < end && !stop() && !this.closed && !this.socket.destroyed) {
      const c = typeof chunk === 'function' ? chunk(i) : chunk;
      i++;
      bytes += c.length;
      if (!this.write(c)) {
        blockedSince = performance.now();
        await new Promise<void>((resolve) => {
          const done = () => { clearTimeout(t); this.socket.off('drain', done); this.socket.off('close', done); resolve(); };
          const t = setTimeout(done, Math.max(0, end - performance.now()));
          this.socket.once('drain', done);
          this.socket.once('close', done);
        });
        longestBlock = Math.max(longestBlock, performance.now() - blockedSince);
        blockedSince = -1;
      } else if (paceMs > 0) await sleep(paceMs);
      else if ((i & 15) === 0) await new Promise((r) => setImmediate(r)); // let replies in
    }
    if (blockedSince >= 0) longestBlock = Math.max(longestBlock, performance.now() - blockedSince);
    return { bytes, writes: i, longestBlockMs: Math.round(longestBlock), blockedAtEnd: this.socket.writableNeedDrain };
  }

  /** The :status the server answered on `id`, if it did. */
  status(id: number): number | undefined {
    const h = this.headers.get(id)?.[0]?.find(([n]) => n === ':status');
    return h ? Number(h[1]) : undefined;
  }

  /** How the server answered stream `id`: 'status N', 'RST CODE', or undefined. */
  answer(id: number): string | undefined {
    const rst = this.resets().get(id);
    const st = this.status(id);
    if (st !== undefined) return `status ${st}`;
    if (rst !== undefined) return `RST ${errorCodeName(rst)}`;
    return undefined;
  }

  ofType(type: number): Frame[] { return this.frames.filter((f) => f.type === type); }
  resets(): Map<number, number> {
    const m = new Map<number, number>();
    for (const f of this.ofType(FrameType.RST_STREAM)) m.set(f.streamId, rstCode(f));
    return m;
  }
}

export const repeat = (n: number, f: (i: number) => Uint8Array): Uint8Array => concat(...Array.from({ length: n }, (_, i) => f(i)));

/** GET http://localhost{path}: static 2 (:method GET), 6 (:scheme http), name 4 (:path), name 1 (:authority). */
export const get = (path: string, ...extra: Uint8Array[]) => concat(indexed(2), indexed(6), literalIndexedName(4, path), literalIndexedName(1, 'localhost'), ...extra);
/** POST http://localhost{path} (static 3 is :method POST). */
export const post = (path: string, ...extra: Uint8Array[]) => concat(indexed(3), indexed(6), literalIndexedName(4, path), literalIndexedName(1, 'localhost'), ...extra);

/** A field block as HEADERS plus CONTINUATIONs of at most 16384 octets (the default frame size). */
export function headerFrames(id: number, block: Uint8Array, endStream = true): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let at = 0; at < block.length || at === 0; at += 16384) parts.push(block.subarray(at, at + 16384));
  return concat(headersFrame(id, parts[0], { endStream, endHeaders: parts.length === 1 }),
    ...parts.slice(1).map((p, i) => continuationFrame(id, p, { endHeaders: i === parts.length - 2 })));
}

/** A normal request after the attack: the connection (and its HPACK state) still works. */
export async function stillServes(a: Attacker, id: number): Promise<void> {
  a.write(headersFrame(id, get('/after'), { endStream: true }));
  await a.until(() => a.answer(id) !== undefined || a.closed, 3000, `an answer to the request after the attack (stream ${id})`);
  assert.is(a.answer(id), 'status 200', 'the request after the attack');
}

/** Waits until every stream in `ids` is answered (or the connection closed). */
export async function answered(a: Attacker, ids: number[], ms = 4000): Promise<void> {
  await a.until(() => a.closed || ids.every((id) => a.answer(id) !== undefined), ms, `answers on ${ids.length} streams`);
}

/**
 * A flood from a peer that does not read: the server must either stop reading it (our writes
 * block for good: its TCP window is closed) or close the connection; memory is checked by the
 * harness either way.
 */
export async function unreadFlood(a: Attacker, chunk: Uint8Array | ((i: number) => Uint8Array), paceMs = 0, ms = 4000) {
  await a.until(() => a.frames.length > 0, 2000, 'the server preface');
  a.socket.pause();
  const r = await a.flood(chunk, ms, undefined, paceMs);
  const outcome = a.closed || a.socket.destroyed ? 'closed' : r.blockedAtEnd && r.longestBlockMs >= 1000 ? 'stopped reading' : 'still reading';
  assert.ok(outcome !== 'still reading', `the server kept reading a peer that does not read (${(r.bytes / 1e6).toFixed(1)} MB taken)`);
  a.socket.resume();
  return { note: `${outcome} after ${(r.bytes / 1e6).toFixed(1)} MB` };
}

export interface AttackContext { s: Scope; server: ServerProcess; port: number }
export interface AttackOutcome { closeMs?: number; note?: string }

const results: string[] = [];
process.on('exit', () => {
  if (results.length && process.env.H2WASM_ATTACK_REPORT !== '0') console.log(`\nattacks:\n${results.join('\n')}`);
});

/**
 * One attack: a fresh server process, a benign client making requests throughout, the attack,
 * then the shared checks: RSS growth within budget, every benign request answered, no session,
 * stream or handle left behind, no uncaught exception, a clean exit.
 */
export function attack(name: string, run: (c: AttackContext) => Promise<AttackOutcome | void>, options: { server?: object; ms?: number } = {}) {
  return async () => {
    const s = new Scope();
    const server = new ServerProcess(options.server ?? {});
    let good: ReturnType<typeof benignClient> | undefined;
    try {
      await within((async () => {
        await server.started();
        good = benignClient(s, server.port);
        await good.one();
        assert.is(good.result.ok, 1, `the benign client's first request: ${good.result.failures.join('; ')}`);
        const before = (await server.stats()).rss;
        const rss = watchRss(server);
        good.start();
        const outcome = (await run({ s, server, port: server.port })) ?? {};
        await sleep(200); // the benign client's requests keep going a little after the attack
        const { peak, stalls } = await rss.stop();
        const benign = await good.stop();
        assert.equal(benign.failures, [], 'every benign request succeeds');
        assert.ok(benign.ok >= 2, `the benign client made progress during the attack (${benign.ok} requests)`);
        const growth = Math.max(0, peak - before);
        assert.ok(growth <= RSS_BUDGET, `RSS grew by ${(growth / MiB).toFixed(1)} MiB (budget ${RSS_BUDGET / MiB} MiB)`);
        await s.close(); // the attacker's and the benign client's connections
        let last: Stats | undefined;
        try {
          await within((async () => {
            for (;;) {
              last = await server.stats();
              if (last.sessions === 0 && last.streams === 0 && last.coreSessions === 0 && sameResources(last.resources, server.baseResources)) return;
              await sleep(50);
            }
          })(), 3000, 'nothing left behind');
        } catch (err) {
          assert.unreachable(`${(err as Error).message}; left behind: ${last?.sessions} sessions, ${last?.streams} streams, ${last?.coreSessions} core sessions (WASM memory not freed), resources ${JSON.stringify(last?.resources)} (at start ${JSON.stringify(server.baseResources)}); server stderr: ${server.stderr.slice(-800)}`);
        }
        assert.equal(server.uncaught, [], 'no uncaught exception in the server');
        const code = await server.stop();
        assert.is(code, 0, `the server exits cleanly: ${server.stderr.slice(-500)}`);
        results.push(`  ${name.padEnd(58)} rss +${(growth / MiB).toFixed(1).padStart(5)} MiB` +
          `  ${outcome.closeMs !== undefined ? `closed in ${outcome.closeMs} ms` : ''}${outcome.note ? `  ${outcome.note}` : ''}  benign ${benign.ok} ok${stalls ? `  (stats stalled ${stalls}x)` : ''}`);
      })(), options.ms ?? 20_000, name);
    } catch (err) {
      if (server.uncaught.length) (err as Error).message += `\nserver uncaught: ${server.uncaught.join('\n')}`;
      throw err;
    } finally {
      await good?.stop();
      await s.close().catch(() => {});
      server.kill();
    }
  };
}

function sameResources(a: string[], b: string[]): boolean {
  return [...a].sort().join() === [...b].sort().join();
}
