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
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) if (load<u64>(a + i) != load<u64>(b + i)) return false;
  for (; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

/** A fast non-cryptographic hash (for table lookups only; collisions are verified). */
export function hashBytes(p: usize, n: usize, seed: u32): u32 {
  let h: u32 = seed ^ (<u32>n * 0x9e3779b1);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) h = rotl<u32>((h ^ load<u32>(p + i)) * 0x85ebca6b, 13);
  for (; i < n; i++) h = (h ^ load<u8>(p + i)) * 0x01000193;
  h ^= h >> 16;
  h *= 0x7feb352d;
  h ^= h >> 15;
  return h;
}
