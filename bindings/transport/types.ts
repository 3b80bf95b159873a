// The one shape every byte carrier has: write → accepted?, data / drain / close events, close(error?).

export interface Transport {
  write(chunk: Uint8Array): boolean;
  on(event: 'data', fn: (chunk: Uint8Array) => void): void;
  on(event: 'drain', fn: () => void): void;
  on(event: 'close', fn: (error?: Error) => void): void;
  close(error?: Error): void;
  readonly closed: boolean;
}
