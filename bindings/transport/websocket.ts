// A transport over the standard WebSocket interface (browsers, Deno, Bun, workerd, Node 22+):
// each write is one binary message. WebSocket has no drain event, so while the writer waits the
// adapter watches bufferedAmount. The interface gives the receiving side no way to stop
// messages, so a slow reader cannot hold the writer back here: HTTP/2 flow control does that
// (or use WebSocketStream through streams.ts, which has backpressure).
import { BaseTransport } from './base.ts';

/** The part of the WebSocket interface this adapter uses. */
export interface WebSocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, fn: (event: any) => void): void;
}

export interface WebSocketOptions {
  /** write() returns false once this many bytes wait to be sent (default 256 KiB). */
  highWaterMark?: number;
  /** 'drain' fires once no more than this is waiting (default highWaterMark / 4). */
  lowWaterMark?: number;
  /** How often bufferedAmount is checked while a writer waits (ms, default 5). */
  pollInterval?: number;
}

const CONNECTING = 0, OPEN = 1;

export class WebSocketTransport extends BaseTransport {
  readonly socket: WebSocketLike;
  readonly highWaterMark: number;
  readonly lowWaterMark: number;
  #poll: number;
  #pending: Uint8Array[] = []; // written this turn (or while connecting), not sent yet
  #pendingBytes = 0;
  #scheduled = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #wantDrain = false;

  constructor(socket: WebSocketLike, options: WebSocketOptions = {}) {
    super();
    this.socket = socket;
    this.highWaterMark = options.highWaterMark ?? 256 * 1024;
    this.lowWaterMark = options.lowWaterMark ?? this.highWaterMark / 4;
    this.#poll = options.pollInterval ?? 5;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => this.#send());
    socket.addEventListener('message', (ev: { data: unknown }) => {
      const d = ev.data;
      if (d instanceof ArrayBuffer) this.emitData(new Uint8Array(d));
      else if (ArrayBuffer.isView(d)) this.emitData(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
      // A text message is no part of a byte stream.
      else this.close(new Error('h2wasm: a WebSocket text message on a binary transport'));
    });
    socket.addEventListener('error', () => this.#ended(new Error('h2wasm: WebSocket error')));
    socket.addEventListener('close', (ev: { code?: number; reason?: string }) => {
      this.#ended(ev.code === 1000 || ev.code === 1005 ? undefined : new Error(`h2wasm: WebSocket closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ''})`));
    });
  }

  get bufferedAmount(): number { return this.socket.bufferedAmount + this.#pendingBytes; }

  /**
   * Chunks written in one turn go out as one message: a session's flush writes several small
   * frames, and as separate messages Nagle's algorithm would hold each behind the last's ACK.
   */
  write(chunk: Uint8Array): boolean {
    if (this.closed || this.socket.readyState > OPEN) return false;
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.byteLength;
    if (!this.#scheduled && this.socket.readyState === OPEN) {
      this.#scheduled = true;
      queueMicrotask(() => this.#send());
    }
    if (this.bufferedAmount < this.highWaterMark) return true;
    this.#wantDrain = true;
    this.#watch();
    return false;
  }

  #send(): void {
    this.#scheduled = false;
    if (this.socket.readyState !== OPEN || !this.#pending.length) return;
    const chunks = this.#pending.splice(0);
    const n = this.#pendingBytes;
    this.#pendingBytes = 0;
    if (chunks.length === 1) { this.socket.send(chunks[0]); return; }
    const joined = new Uint8Array(n);
    let at = 0;
    for (const c of chunks) { joined.set(c, at); at += c.byteLength; }
    this.socket.send(joined);
  }

  #watch(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.closed || !this.#wantDrain) return;
      if (this.bufferedAmount <= this.lowWaterMark) {
        this.#wantDrain = false;
        this.emitDrain();
      } else {
        this.#watch();
      }
    }, this.#poll);
  }

  #ended(error?: Error): void {
    clearTimeout(this.#timer);
    this.markClosed(error);
  }

  close(error?: Error): void {
    if (!this.markClosed(error)) return;
    clearTimeout(this.#timer);
    // 1000: done; 4000 (application range, allowed for clients): closing on an error.
    try {
      if (error) this.socket.close(4000, error.message.slice(0, 100));
      else this.socket.close(1000);
    } catch {
      this.socket.close();
    }
  }
}

export function fromWebSocket(socket: WebSocketLike, options?: WebSocketOptions): WebSocketTransport {
  return new WebSocketTransport(socket, options);
}
