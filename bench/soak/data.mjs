// The soak's payload, identical in the server and the load driver: a fixed pseudo-random
// buffer (xorshift32 from a fixed seed). A request names a slice (offset, length) of it, so
// either side can check every byte it receives without hashing or buffering bodies.
export const MiB = 1024 * 1024;
export const DATA_SIZE = 9 * MiB; // the largest slice (8 MiB) at any offset below 1 MiB

function fill() {
  const words = new Uint32Array(DATA_SIZE / 4);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    words[i] = x;
  }
  return Buffer.from(words.buffer);
}

export const DATA = fill();

/** Parses `?o=…&n=…` into a checked slice of DATA, or null. */
export function sliceOf(search) {
  const p = new URLSearchParams(search);
  const o = Number(p.get('o')), n = Number(p.get('n'));
  if (!Number.isInteger(o) || !Number.isInteger(n) || o < 0 || n < 0 || o + n > DATA_SIZE) return null;
  return { o, n };
}
