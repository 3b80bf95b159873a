// An in-memory transport pair: two connected ends with the shape every transport adapter has
// (write → accepted?, data/drain/close events, close(error?)), and backpressure through a
// high-water mark on what the other end has not read yet.
import type { Transport } from './types.ts';

export type { Transport } from './types.ts';
export { connectSession, type ConnectOptions } from './connect.ts';

type Handlers = { data: Array<(c: Uint8Array) => void>; drain: Array<() => void>; close: Array<(e?: Error) => void> };

export class MemoryTransport implements Transport {
  peer!: MemoryTransport;
  readonly highWaterMark: number;
  #handlers: Handlers = { data: [], drain: [], close: [] };
  #inbox: Uint8Array[] = []; // written by the peer, not yet delivered
  #inboxBytes = 0;
  #scheduled = false;
  #paused = false;
  #closed = false;
  #wantDrain = false;

  constructor(highWaterMark = 1 << 20) {
    this.highWaterMark = highWaterMark;
  }

  get closed(): boolean { return this.#closed; }

  on(event: 'data', fn: (chunk: Uint8Array) => void): void;
  on(event: 'drain', fn: () => void): void;
  on(event: 'close', fn: (error?: Error) => void): void;
  on(event: 'data' | 'drain' | 'close', fn: (arg?: any) => void): void {
    (this.#handlers[event] as Array<(arg?: any) => void>).push(fn);
  }

  /** Sends to the peer; false when the peer's unread bytes pass the high-water mark. */
  write(chunk: Uint8Array): boolean {
    if (this.#closed) return false;
    const peer = this.peer;
    peer.#inbox.push(chunk);
    peer.#inboxBytes += chunk.length;
    peer.#schedule();
    const ok = peer.#inboxBytes < this.highWaterMark;
    if (!ok) this.#wantDrain = true;
    return ok;
  }

  /** Stops delivering data (a slow reader); `resume` starts again. */
  pause(): void { this.#paused = true; }
  resume(): void { this.#paused = false; this.#schedule(); }
  get unread(): number { return this.#inboxBytes; }
  /** What this end wrote that the peer has not read yet. */
  get bufferedAmount(): number { return this.peer.#inboxBytes; }

  #schedule(): void {
    if (this.#scheduled || this.#paused) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#deliver());
  }

  #deliver(): void {
    this.#scheduled = false;
    while (this.#inbox.length && !this.#paused && !this.#closed) {
      const chunk = this.#inbox.shift()!;
      this.#inboxBytes -= chunk.length;
      for (const fn of this.#handlers.data) fn(chunk);
    }
    const writer = this.peer;
    if (writer.#wantDrain && this.#inboxBytes < writer.highWaterMark) {
      writer.#wantDrain = false;
      for (const fn of writer.#handlers.drain) fn();
    }
  }

  close(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fn of this.#handlers.close) fn(error);
    if (!this.peer.#closed) queueMicrotask(() => this.peer.close());
  }
}

/** Two connected in-memory transports. */
export function createMemoryPair(highWaterMark?: number): [MemoryTransport, MemoryTransport] {
  const a = new MemoryTransport(highWaterMark), b = new MemoryTransport(highWaterMark);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

