// Growable raw buffers on the TLSF heap. The core allocates nothing managed: every region is
// owned by one session/codec object and freed with it.

/** Grows `ptr` (capacity `cap`) to at least `need` octets, keeping `keep` octets; returns the new pointer. */
export function growBuffer(ptr: usize, cap: usize, need: usize, keep: usize): usize {
  if (need <= cap) return ptr;
  let next = cap < 64 ? <usize>64 : cap;
  while (next < need) next <<= 1;
  const fresh = heap.alloc(next);
  if (keep) memory.copy(fresh, ptr, keep);
  if (ptr) heap.free(ptr);
  return fresh;
}

/** Capacity that `growBuffer` gives for `need` octets from `cap`. */
export function grownCapacity(cap: usize, need: usize): usize {
  if (need <= cap) return cap;
  let next = cap < 64 ? <usize>64 : cap;
  while (next < need) next <<= 1;
  return next;
}

export function bytesEqual(a: usize, b: usize, n: usize): bool {
  // Whole words, then the last 1–8 octets as one overlapping word (or two u32s, or octets).
  if (n >= 8) {
    for (let i: usize = 0; i + 8 < n; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
    return load<u64>(a + n - 8) == load<u64>(b + n - 8);
  }
  if (n >= 4) return load<u32>(a) == load<u32>(b) && load<u32>(a + n - 4) == load<u32>(b + n - 4);
  for (let i: usize = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

/** A fast non-cryptographic hash (for table lookups only; collisions are verified). */
export function hashBytes(p: usize, n: usize, seed: u32): u32 {
  let h: u64 = <u64>seed ^ (<u64>n * 0x9e3779b97f4a7c15);
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) h = rotl<u64>((h ^ load<u64>(p + i)) * 0xff51afd7ed558ccd, 31);
  if (i < n) {
    // The last 1–7 octets without a loop: overlap the previous word when there is one, else
    // two overlapping u32 loads (4–7 octets) or the first, middle and last octets (1–3).
    let tail: u64;
    if (n >= 8) tail = load<u64>(p + n - 8);
    else if (n >= 4) tail = <u64>load<u32>(p) | (<u64>load<u32>(p + n - 4) << 32);
    else tail = <u64>load<u8>(p) | (<u64>load<u8>(p + (n >> 1)) << 8) | (<u64>load<u8>(p + n - 1) << 16);
    h = rotl<u64>((h ^ tail) * 0xc4ceb9fe1a85ec53, 29);
  }
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93;
  h ^= h >> 32;
  return <u32>h;
}

/**
 * Copies n octets; the regions must not overlap (the last word is read after earlier stores).
 * Short copies are done inline: in V8, memory.copy is a call into the runtime, which costs
 * more than moving a typical header name or value word by word.
 */
// @ts-ignore: decorator
@inline export function copyBytes(dst: usize, src: usize, n: usize): void {
  if (n > 64) { memory.copy(dst, src, n); return; }
  // Whole words, then the last 1–8 octets as one overlapping word (or two u32s, or octets).
  if (n >= 8) {
    for (let i: usize = 0; i + 8 < n; i += 8) store<u64>(dst + i, load<u64>(src + i));
    store<u64>(dst + n - 8, load<u64>(src + n - 8));
  } else if (n >= 4) {
    store<u32>(dst, load<u32>(src));
    store<u32>(dst + n - 4, load<u32>(src + n - 4));
  } else {
    for (let i: usize = 0; i < n; i++) store<u8>(dst + i, load<u8>(src + i));
  }
}
