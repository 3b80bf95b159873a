// The HPACK encoder (RFC 7541 §6). Input is a packed field list written by JS (abi.ts:
// HPACK_PACKED_HEAD); output is one header block in the encoder's output buffer, valid until
// the next call. Dynamic-table lookups go through two open-addressing maps (name+value and
// name) of (entry id + 1, hash) slots, at least twice as many slots as the table can hold
// entries. Entries leave the maps when the table evicts them (deletion by backward shift), so
// probe runs stay short; every hit is verified against the entry's octets.
import {
  HPACK_ERR_INVALID_INPUT, HPACK_PACKED_HEAD, HPACK_PACK_SENSITIVE, HPACK_PACK_NAME_KNOWN,
  HPACK_HUFFMAN_AUTO, HPACK_HUFFMAN_NEVER, HPACK_INDEXING_ALL, HPACK_INDEXING_NONE,
} from '../abi';
import { encodeInteger } from './integer';
import { huffmanEncode, huffmanEncodedLength } from './huffman';
import { DynamicTable, ENTRY_OVERHEAD } from './dynamic-table';
import { STATIC_TABLE_LENGTH, staticLookupName, staticLookupValue } from './static-table';
import { growBuffer, bytesEqual, hashBytes, copyBytes } from '../common/memory';
import { setResult } from '../common/result';

const NAME_SEED: u32 = 0x2545f491;

// Static indexes the policy treats specially (RFC 7541 Appendix A).
const S_AGE: u32 = 21;
const S_AUTHORIZATION: u32 = 23;
const S_CONTENT_LENGTH: u32 = 28;
const S_COOKIE: u32 = 32;
const S_ETAG: u32 = 34;
const S_IF_MODIFIED_SINCE: u32 = 40;
const S_IF_NONE_MATCH: u32 = 41;
const S_LOCATION: u32 = 46;
const S_PATH: u32 = 4;
const S_PROXY_AUTHORIZATION: u32 = 49;
const S_SET_COOKIE: u32 = 55;
// Short cookies are guessable, so indexing them would expose them to CRIME-style probing
// (RFC 7541 §7.1.3); long ones are worth compressing.
const SHORT_COOKIE: u32 = 20;

@unmanaged
export class HpackEncoder {
  table: DynamicTable;
  huffman: i32;
  indexing: i32;
  updatePending: bool = false;
  updateMin: u32 = 0; // smallest size since the last block (RFC 7541 §4.2)
  updateFinal: u32 = 0;
  input: usize = 0;
  inputCap: usize = 0;
  output: usize = 0;
  outputCap: usize = 0;
  nameSlots: usize = 0; // (absolute id + 1, name hash) pairs; id 0 = empty
  fieldSlots: usize = 0; // (absolute id + 1, name+value hash) pairs
  slotMask: u32 = 0;
  entryHashes: usize = 0; // (name hash, field hash) per live entry, by absolute id & entryMask
  entryMask: u32 = 0;

  constructor(maxTableSize: u32, huffman: i32, indexing: i32) {
    this.table = new DynamicTable(maxTableSize);
    this.huffman = huffman;
    this.indexing = indexing;
    this.sizeSlots();
  }

  /** Sizes the maps for the table's capacity and re-adds the live entries. */
  private sizeSlots(): void {
    const table = this.table;
    let slots: u32 = 16;
    while (slots < (table.capacity / ENTRY_OVERHEAD + 1) * 2) slots <<= 1;
    if (this.nameSlots) { heap.free(this.nameSlots); heap.free(this.fieldSlots); heap.free(this.entryHashes); }
    const bytes = <usize>slots << 3;
    this.nameSlots = heap.alloc(bytes);
    this.fieldSlots = heap.alloc(bytes);
    this.entryHashes = heap.alloc(bytes);
    memory.fill(this.nameSlots, 0, bytes);
    memory.fill(this.fieldSlots, 0, bytes);
    this.slotMask = slots - 1;
    this.entryMask = slots - 1;
    for (let d = table.count; d >= 1; d--) {
      const r = table.record(d);
      const nameHash = this.nameHashOf(table.namePtr(r), table.nameLength(r), staticLookupName(table.namePtr(r), table.nameLength(r)));
      this.remember(table.inserted - d, nameHash, hashBytes(table.valuePtr(r), table.valueLength(r), nameHash));
    }
  }

  /** Names of the static table (`staticName` ≠ 0) hash by their index, so common names cost no hashing. */
  private nameHashOf(name: usize, nameLength: u32, staticName: u32): u32 {
    return staticName ? (staticName * 0x9e3779b1) ^ NAME_SEED : hashBytes(name, nameLength, NAME_SEED);
  }

  /** Adds entry `id` to both maps (linear probing to the first empty slot). */
  private remember(id: u32, nameHash: u32, fieldHash: u32): void {
    const h = this.entryHashes + (<usize>(id & this.entryMask) << 3);
    store<u32>(h, nameHash);
    store<u32>(h, fieldHash, 4);
    this.place(this.nameSlots, nameHash, id);
    this.place(this.fieldSlots, fieldHash, id);
  }

  private place(slots: usize, hash: u32, id: u32): void {
    let at = hash & this.slotMask;
    while (load<u32>(slots + (<usize>at << 3))) at = (at + 1) & this.slotMask;
    const s = slots + (<usize>at << 3);
    store<u32>(s, id + 1);
    store<u32>(s, hash, 4);
  }

  /** Removes entry `id` (about to be evicted) from both maps. */
  private forget(id: u32): void {
    const h = this.entryHashes + (<usize>(id & this.entryMask) << 3);
    this.unplace(this.nameSlots, load<u32>(h), id);
    this.unplace(this.fieldSlots, load<u32>(h, 4), id);
  }

  private unplace(slots: usize, hash: u32, id: u32): void {
    const mask = this.slotMask;
    let at = hash & mask;
    while (true) {
      const held = load<u32>(slots + (<usize>at << 3));
      if (!held) return;
      if (held == id + 1) break;
      at = (at + 1) & mask;
    }
    // Backward-shift deletion keeps every probe run unbroken.
    let hole = at;
    let next = (at + 1) & mask;
    while (true) {
      const s = slots + (<usize>next << 3);
      const held = load<u32>(s);
      if (!held) break;
      const home = load<u32>(s, 4) & mask;
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        store<u64>(slots + (<usize>hole << 3), load<u64>(s));
        hole = next;
      }
      next = (next + 1) & mask;
    }
    store<u64>(slots + (<usize>hole << 3), 0);
  }

  /** Forgets the entries that adding one of `entrySize` octets will evict (RFC 7541 §4.4). */
  private forgetEvicted(entrySize: u64): void {
    const table = this.table;
    const all = entrySize > <u64>table.capacity;
    // Evicts here (the insert that follows then evicts nothing), forgetting each entry first.
    while (table.count && (all || <u64>table.size + entrySize > <u64>table.capacity)) {
      this.forget(table.inserted - table.count);
      table.evict();
    }
  }

  dispose(): void {
    this.table.dispose();
    heap.free(changetype<usize>(this.table));
    heap.free(this.nameSlots);
    heap.free(this.fieldSlots);
    heap.free(this.entryHashes);
    if (this.input) heap.free(this.input);
    if (this.output) heap.free(this.output);
  }

  setMaxTableSize(n: u32): void {
    if (!this.updatePending || n < this.updateMin) this.updateMin = n;
    this.updateFinal = n;
    this.updatePending = true;
  }

  inputPtr(n: usize): usize {
    if (n > this.inputCap) {
      this.input = growBuffer(this.input, this.inputCap, n, 0);
      this.inputCap = n;
    }
    return this.input;
  }

  /** Encodes `count` packed fields (`n` octets at `input`). Returns the block's length or a negative status. */
  encode(n: usize, count: u32): i32 {
    return this.encodeFrom(this.input, n, count);
  }

  /** Encodes a packed list that starts with its u32 field count (HpackEncoder.pack's form). */
  encodeCounted(n: usize): i32 {
    if (n < 4) return HPACK_ERR_INVALID_INPUT;
    return this.encodeFrom(this.input + 4, n - 4, load<u32>(this.input));
  }

  private encodeFrom(p: usize, n: usize, count: u32): i32 {
    // Worst case per field: three prefix integers plus octets grown 30/8 by Huffman.
    const bound = n * 4 + <usize>count * 16 + 32;
    if (bound > this.outputCap) {
      this.output = growBuffer(this.output, this.outputCap, bound, 0);
      this.outputCap = bound;
    }
    let out = this.output;
    const table = this.table;
    if (this.updatePending) {
      this.updatePending = false;
      if (this.updateMin < this.updateFinal) {
        table.setCapacity(this.updateMin);
        out = encodeInteger(out, 0x20, 5, this.updateMin);
      }
      table.setCapacity(this.updateFinal);
      out = encodeInteger(out, 0x20, 5, this.updateFinal);
      this.sizeSlots();
    }
    const end = p + n;
    for (let i: u32 = 0; i < count; i++) {
      if (end - p < <usize>HPACK_PACKED_HEAD) return HPACK_ERR_INVALID_INPUT;
      const flags = <u32>load<u8>(p);
      let staticName = <u32>load<u8>(p, 1);
      const nameLength = load<u32>(p, 2);
      const valueLength = load<u32>(p, 6);
      const name = p + <usize>HPACK_PACKED_HEAD;
      const value = name + <usize>nameLength;
      if (<u64>nameLength + <u64>valueLength > <u64>(end - name)) return HPACK_ERR_INVALID_INPUT;
      p = value + <usize>valueLength;
      if (!(flags & HPACK_PACK_NAME_KNOWN)) staticName = staticLookupName(name, nameLength);
      else if (staticName > STATIC_TABLE_LENGTH) return HPACK_ERR_INVALID_INPUT;
      out = this.field(out, flags, staticName, name, nameLength, value, valueLength);
    }
    setResult(0, <u32>this.output);
    setResult(1, <u32>this.input);
    setResult(2, <u32>this.inputCap);
    return <i32>(out - this.output);
  }

  private field(out: usize, flags: u32, staticName: u32, name: usize, nameLength: u32, value: usize, valueLength: u32): usize {
    const table = this.table;
    const sensitive = (flags & HPACK_PACK_SENSITIVE) != 0 || staticName == S_AUTHORIZATION ||
      staticName == S_PROXY_AUTHORIZATION || (staticName == S_COOKIE && valueLength < SHORT_COOKIE);
    // RFC 7541 §6.1: a whole match is one index; the static table first, as it costs no hashing.
    if (!sensitive && staticName) {
      const s = staticLookupValue(staticName, value, valueLength);
      if (s) return encodeInteger(out, 0x80, 7, s);
    }
    let nameHash: u32 = 0;
    let fieldHash: u32 = 0;
    if (table.count != 0 || this.indexing != HPACK_INDEXING_NONE) {
      nameHash = this.nameHashOf(name, nameLength, staticName);
      fieldHash = hashBytes(value, valueLength, nameHash);
    }
    if (!sensitive && table.count) {
      const d = this.findField(fieldHash, name, nameLength, value, valueLength);
      if (d) return encodeInteger(out, 0x80, 7, STATIC_TABLE_LENGTH + d);
    }
    let nameIndex = staticName;
    if (!nameIndex && table.count) {
      const d = this.findName(nameHash, name, nameLength);
      if (d) nameIndex = STATIC_TABLE_LENGTH + d;
    }
    if (sensitive) {
      out = encodeInteger(out, 0x10, 4, nameIndex); // §6.2.3 never indexed
    } else if (this.shouldIndex(staticName, nameLength, valueLength)) {
      out = encodeInteger(out, 0x40, 6, nameIndex); // §6.2.1
      this.forgetEvicted(<u64>nameLength + <u64>valueLength + ENTRY_OVERHEAD);
      if (table.insert(name, nameLength, value, valueLength)) this.remember(table.inserted - 1, nameHash, fieldHash);
    } else {
      out = encodeInteger(out, 0, 4, nameIndex); // §6.2.2
    }
    if (!nameIndex) out = this.string(out, name, nameLength);
    return this.string(out, value, valueLength);
  }

  private shouldIndex(staticName: u32, nameLength: u32, valueLength: u32): bool {
    if (this.indexing == HPACK_INDEXING_ALL) return true;
    if (this.indexing == HPACK_INDEXING_NONE) return false;
    // Fields that rarely repeat would only push useful entries out.
    if (staticName == S_PATH || staticName == S_CONTENT_LENGTH || staticName == S_ETAG ||
      staticName == S_IF_MODIFIED_SINCE || staticName == S_IF_NONE_MATCH || staticName == S_LOCATION ||
      staticName == S_SET_COOKIE || staticName == S_AGE) return false;
    return (<u64>nameLength + <u64>valueLength + ENTRY_OVERHEAD) * 4 <= <u64>this.table.capacity * 3;
  }

  /** Dynamic index of an entry with this name and value, or 0. */
  private findField(hash: u32, name: usize, nameLength: u32, value: usize, valueLength: u32): u32 {
    const table = this.table;
    const mask = this.slotMask;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const s = this.fieldSlots + (<usize>at << 3);
      const held = load<u32>(s);
      if (!held) return 0;
      if (load<u32>(s, 4) != hash) continue;
      const d = table.indexOfId(held - 1);
      const r = table.record(d);
      if (table.nameLength(r) == nameLength && table.valueLength(r) == valueLength &&
        bytesEqual(table.valuePtr(r), value, valueLength) && bytesEqual(table.namePtr(r), name, nameLength)) return d;
    }
    return 0;
  }

  /** Dynamic index of the newest entry with this name (the smallest index), or 0. */
  private findName(hash: u32, name: usize, nameLength: u32): u32 {
    const table = this.table;
    const mask = this.slotMask;
    let best: u32 = 0;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const s = this.nameSlots + (<usize>at << 3);
      const held = load<u32>(s);
      if (!held) return best;
      if (load<u32>(s, 4) != hash) continue;
      const d = table.indexOfId(held - 1);
      if (best && d > best) continue;
      const r = table.record(d);
      if (table.nameLength(r) == nameLength && bytesEqual(table.namePtr(r), name, nameLength)) best = d;
    }
    return best;
  }

  /** A string literal (RFC 7541 §5.2), Huffman-coded when the mode says so. */
  private string(out: usize, p: usize, n: u32): usize {
    const mode = this.huffman;
    if (mode == HPACK_HUFFMAN_NEVER) return rawString(out, p, n);
    if (mode == HPACK_HUFFMAN_AUTO && n < 127) {
      // One pass: code after a one-octet prefix, and keep it only if it came out shorter.
      const end = huffmanEncode(p, n, out + 1);
      const h = <u32>(end - out - 1);
      if (h >= n) return rawString(out, p, n);
      store<u8>(out, 0x80 | h);
      return end;
    }
    const h = huffmanEncodedLength(p, n);
    if (mode == HPACK_HUFFMAN_AUTO && h >= <usize>n) return rawString(out, p, n);
    out = encodeInteger(out, 0x80, 7, <u32>h);
    return huffmanEncode(p, n, out);
  }
}

function rawString(out: usize, p: usize, n: u32): usize {
  out = encodeInteger(out, 0, 7, n);
  copyBytes(out, p, n);
  return out + n;
}
