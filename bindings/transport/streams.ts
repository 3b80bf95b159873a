// A transport over any WHATWG { readable, writable } pair: Deno.Conn, Cloudflare connect()
// sockets, WebTransport bidirectional streams, the opened value of a Chromium Direct Socket,
// WebSocketStream, or two TransformStreams.
import { BaseTransport, afterGrace, asError } from './base.ts';

export interface StreamPair {
  readable: ReadableStream<Uint8Array | ArrayBuffer | ArrayBufferView>;
  writable: WritableStream<Uint8Array>;
}

export interface StreamsOptions {
  /** write() returns false once this many bytes wait for the sink (default 64 KiB). */
  highWaterMark?: number;
  /** Called once both directions are shut (e.g. Deno.Conn's close()). */
  onClosed?: () => void;
}

export class StreamsTransport extends BaseTransport {
  readonly highWaterMark: number;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array | ArrayBuffer | ArrayBufferView>;
  #queued = 0; // written, not yet taken by the sink
  #wantDrain = false;
  #paused: { promise: Promise<void>; resume: () => void } | undefined;
  #onClosed?: () => void;
  #shut = false;

  constructor(pair: StreamPair, options: StreamsOptions = {}) {
    super();
    this.highWaterMark = options.highWaterMark ?? 64 * 1024;
    this.#onClosed = options.onClosed;
    this.#writer = pair.writable.getWriter();
    this.#reader = pair.readable.getReader();
  }

  protected startReading(): void { this.#readLoop(); }

  get bufferedAmount(): number { return this.#queued; }

  write(chunk: Uint8Array): boolean {
    if (this.closed) return false;
    const n = chunk.byteLength;
    this.#queued += n;
    // The sink takes chunks in order; each promise settles when the sink is done with one.
    this.#writer.write(chunk).then(() => {
      this.#queued -= n;
      if (this.#wantDrain && this.#queued < this.highWaterMark) {
        this.#wantDrain = false;
        this.emitDrain();
      }
    }, (e) => this.#fail(asError(e, 'h2wasm: the writable stream failed')));
    const ok = this.#queued < this.highWaterMark;
    if (!ok) this.#wantDrain = true;
    return ok;
  }

  pause(): void {
    if (this.#paused) return;
    let resume!: () => void;
    const promise = new Promise<void>((r) => { resume = r; });
    this.#paused = { promise, resume };
  }

  resume(): void {
    const p = this.#paused;
    this.#paused = undefined;
    p?.resume();
  }

  async #readLoop(): Promise<void> {
    try {
      for (;;) {
        // Not reading is the backpressure: the readable's queue fills and its source stops.
        while (this.#paused && !this.closed) await this.#paused.promise;
        if (this.closed) return;
        const { value, done } = await this.#reader.read();
        if (done) break;
        // A read already under way when pause() came: its chunk waits for resume().
        while (this.#paused && !this.closed) await this.#paused.promise;
        if (this.closed) return;
        const chunk = value instanceof Uint8Array ? value
          : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
          : new Uint8Array(value);
        if (chunk.byteLength) this.emitData(chunk);
      }
      this.close(); // the peer is done: so is the connection
    } catch (e) {
      this.#fail(asError(e, 'h2wasm: the readable stream failed'));
    }
  }

  #fail(error: Error): void {
    if (!this.closed) this.close(error);
  }

  close(error?: Error): void {
    if (!this.markClosed(error)) return;
    this.resume(); // lets a paused read loop see the close
    const ignore = () => {};
    const reader = this.#reader, writer = this.#writer;
    const finish = () => {
      if (this.#shut) return;
      this.#shut = true;
      reader.cancel(error).catch(ignore);
      try { this.#onClosed?.(); } catch { /* closed already */ }
    };
    // What was written goes out first; after an error, within a grace period.
    const cancel = error ? afterGrace(() => { writer.abort(error).catch(ignore); finish(); }) : ignore;
    writer.close().catch(ignore).finally(() => { cancel(); finish(); });
  }
}

export function fromStreams(pair: StreamPair, options?: StreamsOptions): StreamsTransport {
  return new StreamsTransport(pair, options);
}

/** Two connected transports over a pair of TransformStreams (in-process, with real stream backpressure). */
export function createStreamsPair(options?: StreamsOptions): [StreamsTransport, StreamsTransport] {
  const ab = new TransformStream<Uint8Array, Uint8Array>(), ba = new TransformStream<Uint8Array, Uint8Array>();
  return [
    new StreamsTransport({ readable: ba.readable, writable: ab.writable }, options),
    new StreamsTransport({ readable: ab.readable, writable: ba.writable }, options),
  ];
}
