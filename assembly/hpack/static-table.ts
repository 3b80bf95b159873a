// Lookups in the static table (RFC 7541 §2.3.1, Appendix A).
import {
  STATIC_BYTES, STATIC_NAME_OFFSET, STATIC_NAME_LENGTH, STATIC_VALUE_OFFSET, STATIC_VALUE_LENGTH,
  STATIC_NAME_FIRST, STATIC_NAME_SLOTS, STATIC_TABLE_LENGTH,
} from './static-table.gen';
import { bytesEqual } from '../common/memory';

export { STATIC_TABLE_LENGTH };

export function staticNamePtr(index: u32): usize { return STATIC_BYTES + <usize>load<u16>(STATIC_NAME_OFFSET + (<usize>index << 1)); }
export function staticNameLength(index: u32): u32 { return load<u8>(STATIC_NAME_LENGTH + <usize>index); }
export function staticValuePtr(index: u32): usize { return STATIC_BYTES + <usize>load<u16>(STATIC_VALUE_OFFSET + (<usize>index << 1)); }
export function staticValueLength(index: u32): u32 { return load<u8>(STATIC_VALUE_LENGTH + <usize>index); }
export function staticNameFirst(index: u32): u32 { return load<u8>(STATIC_NAME_FIRST + <usize>index); }

/** The first static index whose name is these octets, or 0. */
export function staticLookupName(p: usize, n: usize): u32 {
  let h: u32 = 0x811c9dc5; // FNV-1a, as scripts/gen-static-table.mjs computes it
  for (let i: usize = 0; i < n; i++) h = (h ^ load<u8>(p + i)) * 0x01000193;
  let slot = h & 127;
  while (true) {
    const index = <u32>load<u8>(STATIC_NAME_SLOTS + <usize>slot);
    if (!index) return 0;
    if (<usize>staticNameLength(index) == n && bytesEqual(staticNamePtr(index), p, n)) return index;
    slot = (slot + 1) & 127;
  }
}

/** The static index holding this name (given as its first index) and value, or 0. */
export function staticLookupValue(nameIndex: u32, p: usize, n: usize): u32 {
  for (let i = nameIndex; i <= STATIC_TABLE_LENGTH && staticNameFirst(i) == nameIndex; i++) {
    if (<usize>staticValueLength(i) == n && bytesEqual(staticValuePtr(i), p, n)) return i;
  }
  return 0;
}
