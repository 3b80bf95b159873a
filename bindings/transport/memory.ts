// An in-memory transport pair: two connected ends with the shape every transport adapter has
// (write → accepted?, data/drain/close events, close(error?)), and backpressure through a
// high-water mark on what the other end has not read yet.
import type { Session, Event } from '../core/session.ts';

export interface Transport {
  write(chunk: Uint8Array): boolean;
  on(event: 'data', fn: (chunk: Uint8Array) => void): void;
  on(event: 'drain', fn: () => void): void;
  on(event: 'close', fn: (error?: Error) => void): void;
  close(error?: Error): void;
  readonly closed: boolean;
}

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

export interface ConnectOptions {
  /** Close the connection when the peer's preface (its first SETTINGS) has not arrived by then (ms; DESIGN.md: 10 s). */
  prefaceTimeout?: number;
  /** GOAWAY SETTINGS_TIMEOUT when our SETTINGS is not acknowledged by then (ms; RFC 9113 §6.5.3). */
  settingsTimeout?: number;
}

/**
 * Pumps bytes between a session and a transport: received chunks go to `session.receive`, whose
 * events go to `onEvents`; whatever the session wants to write is written after each turn.
 * Returns `flush`, to call after submitting on the session outside `onEvents`.
 */
export function connectSession(session: Session, transport: Transport, onEvents: (events: Event[]) => void,
  options: ConnectOptions = {}): () => void {
  let flushing = false;
  const flush = () => {
    if (flushing || transport.closed || session.destroyed) return;
    flushing = true;
    try {
      while (session.wantsWrite) {
        const chunks = session.pull();
        if (!chunks.length) break;
        for (const c of chunks) transport.write(c);
      }
    } finally {
      flushing = false;
    }
  };
  // The core keeps no time: the timeouts of DESIGN.md's limits live with the driver.
  let preface: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
    preface = undefined;
    transport.close(new Error('h2wasm: the peer sent no connection preface in time'));
  }, options.prefaceTimeout ?? 10_000);
  let ack: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
    ack = undefined;
    if (session.destroyed || transport.closed) return;
    session.goaway(0x4 /* SETTINGS_TIMEOUT */);
    flush();
    transport.close(new Error('h2wasm: SETTINGS not acknowledged in time'));
  }, options.settingsTimeout ?? 10_000);
  const stop = () => { clearTimeout(preface); clearTimeout(ack); preface = ack = undefined; };
  transport.on('data', (chunk) => {
    if (session.destroyed) return;
    const events = session.receive(chunk);
    for (const e of events) {
      if (e.type === 'settings' && preface) { clearTimeout(preface); preface = undefined; }
      if (e.type === 'settings-ack' && ack) { clearTimeout(ack); ack = undefined; }
    }
    onEvents(events);
    flush();
  });
  transport.on('drain', flush);
  transport.on('close', stop);
  queueMicrotask(flush);
  return flush;
}
