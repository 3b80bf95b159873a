// Drives a sans-IO Session over any Transport.
import type { Session, Event } from '../core/session.ts';
import type { Transport } from './types.ts';

export interface ConnectOptions {
  /** Close the connection when the peer's preface (its first SETTINGS) has not arrived by then (ms; DESIGN.md: 10 s). */
  prefaceTimeout?: number;
  /** GOAWAY SETTINGS_TIMEOUT when our SETTINGS is not acknowledged by then (ms; RFC 9113 §6.5.3). */
  settingsTimeout?: number;
}

/**
 * Pumps bytes between a session and a transport: received chunks go to `session.receive`, whose
 * events go to `onEvents`; whatever the session wants to write is written after each turn.
 * When the transport is full (write() → false) nothing more is pulled until its 'drain': the
 * bytes wait in the session, where HTTP/2 flow control bounds them. Reading goes on meanwhile
 * (two peers that both stopped reading while their writes wait would wait for each other).
 * Returns `flush`, to call after submitting on the session outside `onEvents`.
 */
export function connectSession(session: Session, transport: Transport, onEvents: (events: Event[]) => void,
  options: ConnectOptions = {}): () => void {
  let flushing = false;
  let full = false;
  /** `force`: the connection is about to close; what is left (a GOAWAY) goes out regardless. */
  const pump = (force: boolean) => {
    if (flushing || (full && !force) || transport.closed || session.destroyed) return;
    flushing = true;
    try {
      while (session.wantsWrite) {
        const chunks = session.pull();
        if (!chunks.length) break;
        let ok = true;
        for (const c of chunks) ok = transport.write(c) && ok;
        if (!ok) {
          full = true;
          if (!force) break;
        }
      }
    } finally {
      flushing = false;
    }
  };
  const flush = () => pump(false);
  // The core keeps no time: the timeouts of DESIGN.md's limits live with the driver.
  let preface: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
    preface = undefined;
    transport.close(new Error('h2wasm: the peer sent no connection preface in time'));
  }, options.prefaceTimeout ?? 10_000);
  let ack: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
    ack = undefined;
    if (session.destroyed || transport.closed) return;
    session.goaway(0x4 /* SETTINGS_TIMEOUT */);
    pump(true);
    transport.close(new Error('h2wasm: SETTINGS not acknowledged in time'));
  }, options.settingsTimeout ?? 10_000);
  const stop = () => { clearTimeout(preface); clearTimeout(ack); preface = ack = undefined; };
  transport.on('data', (chunk) => {
    if (session.destroyed) return;
    const events = session.receive(chunk);
    let failed = false;
    for (const e of events) {
      if (e.type === 'settings' && preface) { clearTimeout(preface); preface = undefined; }
      if (e.type === 'settings-ack' && ack) { clearTimeout(ack); ack = undefined; }
      if (e.type === 'error' && e.scope === 'connection') failed = true;
    }
    onEvents(events);
    // RFC 9113 §5.4.1: after the GOAWAY for a connection error, the connection closes.
    pump(failed);
    if (failed) transport.close(new Error('h2wasm: connection error'));
  });
  transport.on('drain', () => { full = false; flush(); });
  transport.on('close', stop);
  queueMicrotask(flush);
  return flush;
}
