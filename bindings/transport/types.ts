// The one shape every byte carrier has: write → accepted?, data / drain / close events, close(error?).
// The optional members are extensions some adapters have; code that only needs the core shape
// keeps working with any transport.

export interface Transport {
  /** Queues `chunk` (not copied: keep it unchanged); false when the sink is full: wait for 'drain'. */
  write(chunk: Uint8Array): boolean;
  on(event: 'data', fn: (chunk: Uint8Array) => void): void;
  on(event: 'drain', fn: () => void): void;
  on(event: 'close', fn: (error?: Error) => void): void;
  close(error?: Error): void;
  readonly closed: boolean;
  /** Bytes accepted by write() that the underlying sink has not taken yet. */
  readonly bufferedAmount?: number;
  /** Stops delivering 'data' (a slow reader: the peer's writes back up); `resume` starts again. */
  pause?(): void;
  resume?(): void;
  /** The ALPN protocol a TLS transport negotiated (null: none). */
  readonly alpnProtocol?: string | null;
}

/** Connections accepted by a listen helper, as transports. */
export interface Listener extends AsyncIterable<Transport> {
  readonly hostname: string;
  readonly port: number;
  /** The next accepted connection; rejects once the listener is closed. */
  accept(): Promise<Transport>;
  /** Stops accepting; connections already accepted stay open. */
  close(): Promise<void>;
}
