// The backpressure check every adapter gets: a writer pushes `total` bytes through a transport
// honouring write() → false / 'drain', while the reader at the other end is slow (it pauses
// every `pauseEvery` bytes for `pauseMs`). Returns what both sides saw.
import type { Transport } from '../../../bindings/transport/types.ts';
import { Hash, chunkAt, within } from './bytes.ts';

export interface PumpOptions {
  total: number;
  chunk: number;
  /** Reader pauses (transport.pause) every this many bytes… */
  pauseEvery: number;
  /** …for this long. */
  pauseMs: number;
  timeoutMs?: number;
}

export interface PumpResult {
  sent: number;
  received: number;
  sentHash: string;
  receivedHash: string;
  /** Largest writer.bufferedAmount seen right after a write. */
  maxQueued: number;
  /** How many times write() said false and the writer waited for 'drain'. */
  waits: number;
  /** How many times the reader paused. */
  pauses: number;
  readerPausable: boolean;
  ms: number;
  writerClosedWith?: string;
  readerClosedWith?: string;
}

export async function pump(writer: Transport, reader: Transport, o: PumpOptions): Promise<PumpResult> {
  const started = Date.now();
  const sentHash = new Hash(), receivedHash = new Hash();
  let maxQueued = 0, waits = 0, pauses = 0, nextPause = o.pauseEvery;
  let writerClosedWith: string | undefined, readerClosedWith: string | undefined;
  let drain: (() => void) | undefined;
  let arrived!: () => void, failed!: (e: Error) => void;
  const allArrived = new Promise<void>((resolve, reject) => { arrived = resolve; failed = reject; });

  writer.on('drain', () => { const d = drain; drain = undefined; d?.(); });
  writer.on('close', (e) => { writerClosedWith = e?.message ?? 'clean'; });
  reader.on('close', (e) => {
    readerClosedWith = e?.message ?? 'clean';
    if (receivedHash.length < o.total) failed(new Error(`reader closed after ${receivedHash.length} of ${o.total} bytes (${readerClosedWith})`));
  });
  reader.on('data', (c) => {
    receivedHash.update(c);
    if (receivedHash.length >= o.total) arrived();
    else if (receivedHash.length >= nextPause && reader.pause) {
      nextPause += o.pauseEvery;
      pauses++;
      reader.pause();
      setTimeout(() => reader.resume!(), o.pauseMs);
    }
  });

  const write = async () => {
    for (let i = 0, sent = 0; sent < o.total; i++) {
      const c = chunkAt(i, Math.min(o.chunk, o.total - sent));
      sent += c.length;
      sentHash.update(c);
      const ok = writer.write(c);
      maxQueued = Math.max(maxQueued, writer.bufferedAmount ?? 0);
      if (!ok) {
        if (writer.closed) throw new Error(`writer closed after ${sent} bytes (${writerClosedWith})`);
        waits++;
        await new Promise<void>((r) => { drain = r; });
      }
    }
  };
  await within(Promise.all([write(), allArrived]), o.timeoutMs ?? 30_000, `pumping ${o.total} bytes`);
  return {
    sent: sentHash.length, received: receivedHash.length, sentHash: sentHash.digest(), receivedHash: receivedHash.digest(),
    maxQueued, waits, pauses, readerPausable: !!reader.pause, ms: Date.now() - started, writerClosedWith, readerClosedWith,
  };
}
