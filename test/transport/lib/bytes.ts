// Test data and a streaming hash that run the same in Node, Deno and Bun (no node:* imports).

/** Two independent 32-bit lanes (FNV-1a and a murmur-style mix) plus the length: order-sensitive. */
export class Hash {
  #a = 0x811c9dc5;
  #b = 0x9747b28c;
  #n = 0;
  update(c: Uint8Array): this {
    let a = this.#a, b = this.#b;
    for (let i = 0; i < c.length; i++) {
      const x = c[i];
      a = Math.imul(a ^ x, 0x01000193);
      b = Math.imul(b ^ x, 0x5bd1e995);
      b ^= b >>> 13;
    }
    this.#a = a; this.#b = b; this.#n += c.length;
    return this;
  }
  get length(): number { return this.#n; }
  digest(): string {
    return `${(this.#a >>> 0).toString(16).padStart(8, '0')}${(this.#b >>> 0).toString(16).padStart(8, '0')}:${this.#n}`;
  }
}

export const hashOf = (...chunks: Uint8Array[]) => {
  const h = new Hash();
  for (const c of chunks) h.update(c);
  return h.digest();
};

/** `n` pseudo-random bytes (xorshift32), the same for the same seed. */
export function randomBytes(n: number, seed = 0x2545f491): Uint8Array {
  const words = new Uint32Array(Math.ceil(n / 4));
  let x = seed | 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, n);
}

const POOL = randomBytes((1 << 20) + (1 << 16));
/** The i-th chunk of a long stream: `size` bytes at a position that varies with i (so a lost or
 *  repeated chunk changes the hash). Views into one pool: never modified. */
export function chunkAt(i: number, size: number): Uint8Array {
  const at = (i * 7919 * 13) % (POOL.length - size);
  return POOL.subarray(at, at + size);
}

export const KiB = 1024;
export const MiB = 1024 * 1024;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with `p`, or rejects after `ms` naming `what`. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
