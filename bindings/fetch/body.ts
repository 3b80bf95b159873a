// Bodies both ways: DATA → a ReadableStream whose reader paces the peer (octets are consumed —
// WINDOW_UPDATE — only as the reader takes them), and a ReadableStream → DATA pump that waits
// while the session still holds a stream's earlier octets (window or transport full).
import type { Driver } from './driver.ts';

/** A stream's incoming body. */
export class Inbound {
  readonly stream: ReadableStream<Uint8Array>;
  #queue: Uint8Array[] = [];
  #ended = false;
  #error: unknown = null;
  #cancelled = false;
  #wake: (() => void) | null = null;
  #driver: Driver;
  #id: number;
  /** Called when the reader cancels while the peer is still sending. */
  onCancel: (reason: unknown) => void = () => {};

  constructor(driver: Driver, id: number) {
    this.#driver = driver;
    this.#id = id;
    // highWaterMark 0: pull() runs only when a read is waiting, so "taken" means read.
    this.stream = new ReadableStream<Uint8Array>({
      pull: (controller) => this.#pull(controller),
      cancel: (reason) => {
        this.#cancelled = true;
        this.#release();
        if (!this.#ended) this.onCancel(reason);
      },
    }, { highWaterMark: 0 });
  }

  get ended(): boolean { return this.#ended; }

  async #pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      const chunk = this.#queue.shift();
      if (chunk) {
        controller.enqueue(chunk);
        this.#consume(chunk.length);
        return;
      }
      if (this.#error !== null) { controller.error(this.#error); return; }
      if (this.#ended) { controller.close(); return; }
      await new Promise<void>((resolve) => { this.#wake = resolve; });
    }
  }

  #consume(n: number): void {
    const d = this.#driver;
    if (d.closed || d.session.destroyed) return;
    try { d.submit((s) => s.consume(this.#id, n)); } catch { /* the session is gone */ }
  }

  /** Octets nobody will read: give the window back at once. */
  #release(): void {
    let n = 0;
    for (const c of this.#queue) n += c.length;
    this.#queue = [];
    if (n) this.#consume(n);
  }

  push(bytes: Uint8Array): void {
    if (this.#ended || this.#error !== null) return;
    if (this.#cancelled) { this.#consume(bytes.length); return; }
    if (bytes.length) this.#queue.push(bytes);
    this.#poke();
  }

  end(): void {
    if (this.#error !== null) return;
    this.#ended = true;
    this.#poke();
  }

  fail(error: unknown): void {
    if (this.#ended || this.#error !== null) return;
    this.#error = error;
    this.#release();
    this.#poke();
  }

  #poke(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }
}

/** How much a pump lets the session hold for one stream before it waits. */
export const PUMP_HIGH_WATER = 64 * 1024;

export type BodyChunk = Uint8Array | ArrayBufferView | ArrayBuffer | string;

const encoder = new TextEncoder();

export function toBytes(chunk: BodyChunk): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return encoder.encode(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new TypeError('h2wasm/fetch: body chunks must be Uint8Array, ArrayBuffer(View) or string');
}

/**
 * Sends what `next` yields as DATA on `id`, never letting more than PUMP_HIGH_WATER octets
 * wait in the session. Resolves true when all was queued (END_STREAM is the caller's), false
 * when the stream or connection went away first.
 */
export async function pump(driver: Driver, id: number, next: () => Promise<Uint8Array | null>,
  gone: () => boolean): Promise<boolean> {
  for (;;) {
    while (!gone() && driver.alive(id) && driver.session.bufferedAmount(id) >= PUMP_HIGH_WATER) await driver.progress();
    if (gone() || !driver.alive(id)) return false;
    const chunk = await next();
    if (chunk === null) return true;
    if (gone() || !driver.alive(id)) return false;
    if (chunk.length) driver.submit((s) => s.data(id, chunk));
  }
}

/** Reads a ReadableStream chunk by chunk as bytes. */
export function readerOf(stream: ReadableStream<BodyChunk>): { next: () => Promise<Uint8Array | null>; cancel: (reason?: unknown) => void } {
  const reader = stream.getReader();
  let done = false;
  return {
    next: async () => {
      if (done) return null;
      const r = await reader.read();
      if (r.done) { done = true; return null; }
      return toBytes(r.value);
    },
    cancel: (reason?: unknown) => {
      if (done) return;
      done = true;
      reader.cancel(reason).catch(() => {});
    },
  };
}
