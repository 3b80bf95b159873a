// Drives one core Session over one Transport for the fetch layer: events go to per-stream
// handlers, output is pulled only while the transport accepts it (so a slow peer leaves body
// bytes queued in the session, where `bufferedAmount` shows them to the body pumps).
import type { Session, Event } from '../core/session.ts';
import type { Transport } from '../transport/types.ts';

export interface StreamHandler {
  /** An event about this stream. */
  event(e: Event): void;
  /** The connection is gone (transport closed or connection error). */
  closed(error: Error): void;
}

export interface DriverOptions {
  /** Close when the peer's first SETTINGS has not arrived by then (ms). */
  prefaceTimeout?: number;
}

export class Driver {
  readonly session: Session;
  readonly transport: Transport;
  readonly streams = new Map<number, StreamHandler>();
  /** Connection-level events (settings, goaway, ping-ack, new requests, …). */
  onEvent: (e: Event) => void = () => {};
  /** After the connection is gone. */
  onClose: (error: Error) => void = () => {};
  closed = false;
  error: Error | null = null;
  #scheduled = false;
  #blocked = false; // the transport said "wait for drain"
  #waiters = new Set<() => void>();
  #preface: ReturnType<typeof setTimeout> | undefined;

  constructor(session: Session, transport: Transport, options: DriverOptions = {}) {
    this.session = session;
    this.transport = transport;
    transport.on('data', (chunk) => this.#receive(chunk));
    transport.on('drain', () => { this.#blocked = false; this.flush(); });
    transport.on('close', (error) => this.#closed(error ?? new Error('h2wasm: connection closed')));
    if (options.prefaceTimeout) {
      this.#preface = setTimeout(() => this.close(new Error('h2wasm: the peer sent no SETTINGS in time')), options.prefaceTimeout);
    }
    if (transport.closed) queueMicrotask(() => this.#closed(new Error('h2wasm: connection closed')));
    else this.schedule();
  }

  #receive(chunk: Uint8Array): void {
    if (this.closed || this.session.destroyed) return;
    let events: Event[];
    try {
      events = this.session.receive(chunk);
    } catch (err) {
      this.close(err as Error);
      return;
    }
    let failed: Error | null = null;
    for (const e of events) {
      if (e.type === 'settings' && this.#preface) { clearTimeout(this.#preface); this.#preface = undefined; }
      if (e.type === 'error' && e.scope === 'connection') {
        failed = new Error(`h2wasm: connection error ${e.code} (${e.reason})`);
        continue;
      }
      const id = 'streamId' in e ? e.streamId : 0;
      const h = id ? this.streams.get(id) : undefined;
      if (h && e.type !== 'request') h.event(e);
      else this.onEvent(e);
    }
    this.flush();
    // RFC 9113 §5.4.1: the GOAWAY for a connection error is the last thing sent.
    if (failed) this.close(failed);
    this.#wake();
  }

  /** Writes what the session has, later in this turn (coalesces many submits into one write). */
  schedule(): void {
    if (this.#scheduled || this.closed) return;
    this.#scheduled = true;
    queueMicrotask(() => { this.#scheduled = false; this.flush(); });
  }

  flush(): void {
    if (this.closed || this.#blocked || this.session.destroyed) return;
    try {
      while (this.session.wantsWrite) {
        const chunks = this.session.pull();
        if (!chunks.length) break;
        let ok = true;
        for (const c of chunks) ok = this.transport.write(c) && ok;
        if (!ok) { this.#blocked = true; break; }
      }
    } catch (err) {
      this.close(err as Error);
      return;
    }
    this.#wake();
  }

  /** Resolves at the next moment something may have changed (output written, input received, close). */
  progress(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add(resolve));
  }

  #wake(): void {
    if (!this.#waiters.size) return;
    const ws = [...this.#waiters];
    this.#waiters.clear();
    for (const w of ws) w();
  }

  /** Whether the session still knows the stream (not yet closed both ways). */
  alive(id: number): boolean {
    if (this.closed || this.session.destroyed) return false;
    const s = this.session.streamState(id);
    // 'idle' with pending >= 0: a request the core holds until the peer's stream limit allows it.
    return s.state !== 'closed' && (s.state !== 'idle' || s.pending >= 0);
  }

  /** Runs a session call, then writes; a throw closes nothing (the caller decides). */
  submit<T>(fn: (s: Session) => T): T {
    const r = fn(this.session);
    this.schedule();
    return r;
  }

  /** Writes what is queued, then closes the transport. */
  close(error?: Error): void {
    if (this.closed) return;
    this.flush();
    this.transport.close(error);
    // Transports that report 'close' later: stop here already.
    this.#closed(error ?? new Error('h2wasm: connection closed'));
  }

  #closed(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.error = error;
    clearTimeout(this.#preface);
    this.#preface = undefined;
    const handlers = [...this.streams.values()];
    this.streams.clear();
    for (const h of handlers) {
      try { h.closed(error); } catch { /* one stream's failure must not stop the others */ }
    }
    this.#wake();
    try { this.session.destroy(); } catch { /* already gone */ }
    this.onClose(error);
  }
}
