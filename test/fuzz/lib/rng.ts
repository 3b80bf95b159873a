// A small seeded PRNG (mulberry32) so that every fuzz input is reproducible from (seed, index).

export class Rng {
  #s: number;
  constructor(seed: number) { this.#s = seed >>> 0; }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number { return n <= 1 ? 0 : this.u32() % n; }
  range(min: number, max: number): number { return min + this.int(max - min + 1); }
  chance(p: number): boolean { return this.u32() / 0x1_0000_0000 < p; }
  pick<T>(items: readonly T[]): T { return items[this.int(items.length)]; }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }

  /** Small sizes most of the time, the odd large one (fuzzers find more with skewed sizes). */
  size(max: number): number {
    const r = this.int(10);
    return r < 6 ? this.int(Math.min(max, 16) + 1) : r < 9 ? this.int(Math.min(max, 300) + 1) : this.int(max + 1);
  }

  /** A 32-bit value near the edges protocols care about. */
  interesting32(): number {
    if (this.chance(0.5)) return this.u32();
    return this.pick([0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 4096, 16383, 16384, 16385, 65535, 65536, 0xffffff, 0x1000000,
      0x7ffffffe, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff]);
  }
}

/** A seed for input `i` of run `seed` (independent streams per input). */
export function inputSeed(seed: number, i: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function fromHex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.trim(), 'hex'));
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
