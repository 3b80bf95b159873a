// What every adapter shares: listener lists and a 'close' that is emitted exactly once.
import type { Listener, Transport } from './types.ts';

export abstract class BaseTransport implements Transport {
  #data: Array<(c: Uint8Array) => void> = [];
  #drain: Array<() => void> = [];
  #close: Array<(e?: Error) => void> = [];
  #closed = false;
  #early: Uint8Array[] = []; // arrived before anyone listened for 'data'

  get closed(): boolean { return this.#closed; }

  abstract write(chunk: Uint8Array): boolean;
  abstract close(error?: Error): void;

  on(event: 'data', fn: (chunk: Uint8Array) => void): void;
  on(event: 'drain', fn: () => void): void;
  on(event: 'close', fn: (error?: Error) => void): void;
  on(event: 'data' | 'drain' | 'close', fn: (arg?: any) => void): void {
    if (event === 'data') {
      this.#data.push(fn);
      if (this.#data.length === 1) {
        for (const c of this.#early.splice(0)) fn(c);
        this.startReading();
      }
    }
    else if (event === 'drain') this.#drain.push(fn);
    else if (event === 'close') this.#close.push(fn);
    else throw new TypeError(`unknown transport event ${String(event)}`);
  }

  /** Called when the first 'data' listener is added: sources that can wait start reading only then. */
  protected startReading(): void {}

  protected emitData(chunk: Uint8Array): void {
    if (this.#closed) return;
    if (!this.#data.length) this.#early.push(chunk);
    for (const fn of this.#data) fn(chunk);
  }

  protected emitDrain(): void {
    if (this.#closed) return;
    for (const fn of this.#drain) fn();
  }

  /** Marks the transport closed and tells the listeners; false when it already was. */
  protected markClosed(error?: Error): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    for (const fn of this.#close) fn(error);
    return true;
  }
}

/**
 * close(error): what was written still gets this long to go out (a GOAWAY before the close of a
 * connection error, RFC 9113 §5.4.1), then the connection is cut.
 */
export const CLOSE_GRACE_MS = 1000;

/** Runs `fn` after the grace period without keeping the process alive; returns a cancel. */
export function afterGrace(fn: () => void): () => void {
  const t = setTimeout(fn, CLOSE_GRACE_MS) as unknown as { unref?: () => void };
  t.unref?.();
  return () => clearTimeout(t as unknown as ReturnType<typeof setTimeout>);
}

/** Turns errors of unknown shape (rejections, events) into Errors. */
export function asError(e: unknown, fallback: string): Error {
  if (e instanceof Error) return e;
  const msg = (e as { message?: unknown })?.message;
  return new Error(typeof msg === 'string' && msg ? msg : fallback);
}

/** A Listener fed by an accept loop: accepted transports wait in a queue until taken. */
export class TransportQueue implements Listener {
  #ready: Transport[] = [];
  #waiting: Array<{ resolve: (t: Transport) => void; reject: (e: Error) => void }> = [];
  #ended: Error | undefined;
  readonly hostname: string;
  readonly port: number;
  #stop: () => void | Promise<void>;

  constructor(hostname: string, port: number, stop: () => void | Promise<void>) {
    this.hostname = hostname;
    this.port = port;
    this.#stop = stop;
  }

  push(t: Transport): void {
    if (this.#ended) { t.close(); return; }
    const w = this.#waiting.shift();
    if (w) w.resolve(t);
    else this.#ready.push(t);
  }

  /** No more connections: waiting and later accept() calls reject. */
  end(error = new Error('h2wasm: the listener is closed')): void {
    if (this.#ended) return;
    this.#ended = error;
    for (const w of this.#waiting.splice(0)) w.reject(error);
  }

  accept(): Promise<Transport> {
    const t = this.#ready.shift();
    if (t) return Promise.resolve(t);
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  async close(): Promise<void> {
    this.end();
    // Accepted but never taken: nobody else will close them.
    for (const t of this.#ready.splice(0)) t.close();
    await this.#stop();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Transport> {
    for (;;) {
      let t: Transport;
      try {
        t = await this.accept();
      } catch {
        return;
      }
      yield t;
    }
  }
}
