// Two in-memory Duplex streams joined back to back: what one writes, the other reads.
// Writes complete at once (the chunk is handed to the peer's readable side); node:http2's
// own flow control bounds what is in flight.
import { Duplex } from 'node:stream';

class End extends Duplex {
  constructor() {
    super({ decodeStrings: false });
    this.peer = null;
  }

  _write(chunk, _encoding, callback) {
    this.peer.push(chunk);
    callback();
  }

  _writev(chunks, callback) {
    for (const { chunk } of chunks) this.peer.push(chunk);
    callback();
  }

  _final(callback) {
    this.peer.push(null);
    callback();
  }

  _read() {}

  _destroy(err, callback) {
    if (this.peer && !this.peer.destroyed) this.peer.destroy();
    callback(err);
  }
}

/** Two connected in-memory Duplex streams. */
export function duplexPair() {
  const a = new End();
  const b = new End();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
