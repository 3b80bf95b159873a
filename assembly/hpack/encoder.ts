// The HPACK encoder (RFC 7541 §6). Input is a packed field list written by JS (abi.ts:
// HPACK_PACKED_HEAD); output is one header block in the encoder's output buffer, valid until
// the next call. Dynamic-table lookups go through two chained hash maps (name+value and name):
// each bucket holds the newest entry's id + 1, and each entry links to the next older entry of
// its bucket. Chains run newest to oldest and the table evicts oldest first, so a walk stops at
// the first evicted id and eviction costs no map work at all. Every hit is verified against the
// entry's octets.
import {
  HPACK_ERR_INVALID_INPUT, HPACK_PACKED_HEAD, HPACK_PACK_SENSITIVE, HPACK_PACK_NAME_KNOWN,
  HPACK_HUFFMAN_AUTO, HPACK_HUFFMAN_NEVER, HPACK_INDEXING_ALL, HPACK_INDEXING_NONE, HPACK_INDEXING_AUTO,
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
  nameHeads: usize = 0; // per bucket: newest entry id + 1 with that name hash; 0 = none
  fieldHeads: usize = 0; // per bucket: newest entry id + 1 with that name+value hash
  headMask: u32 = 0;
  links: usize = 0; // per entry, by absolute id & linkMask: name hash, field hash, next older id + 1 in each chain
  linkMask: u32 = 0;

  constructor(maxTableSize: u32, huffman: i32, indexing: i32) {
    this.table = new DynamicTable(maxTableSize);
    this.huffman = huffman;
    this.indexing = indexing;
    // The maps come with the first block: an idle session holds none.
  }

  /** Sizes the maps for the table's capacity and re-adds the live entries, oldest first. */
  private sizeSlots(): void {
    const table = this.table;
    // At least twice as many buckets (and links) as the table can hold entries.
    let slots: u32 = 16;
    while (slots < (table.capacity / ENTRY_OVERHEAD + 1) * 2) slots <<= 1;
    if (this.nameHeads) { heap.free(this.nameHeads); heap.free(this.fieldHeads); heap.free(this.links); }
    const bytes = <usize>slots << 2;
    this.nameHeads = heap.alloc(bytes);
    this.fieldHeads = heap.alloc(bytes);
    this.links = heap.alloc(<usize>slots << 4);
    memory.fill(this.nameHeads, 0, bytes);
    memory.fill(this.fieldHeads, 0, bytes);
    this.headMask = slots - 1;
    this.linkMask = slots - 1;
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

  /** Puts entry `id` (the newest) at the head of its two chains. */
  private remember(id: u32, nameHash: u32, fieldHash: u32): void {
    const link = this.links + (<usize>(id & this.linkMask) << 4);
    const nameHead = this.nameHeads + (<usize>(nameHash & this.headMask) << 2);
    const fieldHead = this.fieldHeads + (<usize>(fieldHash & this.headMask) << 2);
    store<u32>(link, nameHash);
    store<u32>(link, fieldHash, 4);
    store<u32>(link, load<u32>(nameHead), 8);
    store<u32>(link, load<u32>(fieldHead), 12);
    store<u32>(nameHead, id + 1);
    store<u32>(fieldHead, id + 1);
  }

  dispose(): void {
    this.table.dispose();
    heap.free(changetype<usize>(this.table));
    if (this.nameHeads) { heap.free(this.nameHeads); heap.free(this.fieldHeads); heap.free(this.links); }
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
    } else if (!this.nameHeads) this.sizeSlots();
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
    // No entry ever has a name that automatic indexing never indexes: no hashing, no lookups.
    if (this.indexing == HPACK_INDEXING_AUTO && neverIndexed(staticName)) {
      out = encodeInteger(out, sensitive ? 0x10 : 0, 4, staticName); // §6.2.3 or §6.2.2
      return this.string(out, value, valueLength);
    }
    let nameHash: u32 = 0;
    let fieldHash: u32 = 0;
    if (table.count != 0 || this.indexing != HPACK_INDEXING_NONE) {
      nameHash = this.nameHashOf(name, nameLength, staticName);
      if (!sensitive) fieldHash = hashBytes(value, valueLength, nameHash); // sensitive: never found nor added
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
    if (neverIndexed(staticName)) return false;
    return (<u64>nameLength + <u64>valueLength + ENTRY_OVERHEAD) * 4 <= <u64>this.table.capacity * 3;
  }

  /** Dynamic index of an entry with this name and value, or 0. */
  private findField(hash: u32, name: usize, nameLength: u32, value: usize, valueLength: u32): u32 {
    const table = this.table;
    let held = load<u32>(this.fieldHeads + (<usize>(hash & this.headMask) << 2));
    while (true) {
      // Id + 1 → dynamic index; 0 and evicted ids land past `count` (so do all older ones).
      const d = table.inserted + 1 - held;
      if (d - 1 >= table.count) return 0;
      const link = this.links + (<usize>((held - 1) & this.linkMask) << 4);
      if (load<u32>(link, 4) == hash) {
        const r = table.record(d);
        if (table.nameLength(r) == nameLength && table.valueLength(r) == valueLength &&
          bytesEqual(table.valuePtr(r), value, valueLength) && bytesEqual(table.namePtr(r), name, nameLength)) return d;
      }
      held = load<u32>(link, 12);
    }
    return 0;
  }

  /** Dynamic index of the newest entry with this name (the first in its chain), or 0. */
  private findName(hash: u32, name: usize, nameLength: u32): u32 {
    const table = this.table;
    let held = load<u32>(this.nameHeads + (<usize>(hash & this.headMask) << 2));
    while (true) {
      const d = table.inserted + 1 - held;
      if (d - 1 >= table.count) return 0;
      const link = this.links + (<usize>((held - 1) & this.linkMask) << 4);
      if (load<u32>(link) == hash) {
        const r = table.record(d);
        if (table.nameLength(r) == nameLength && bytesEqual(table.namePtr(r), name, nameLength)) return d;
      }
      held = load<u32>(link, 8);
    }
    return 0;
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

/** Static names whose fields rarely repeat: indexing them would only push useful entries out. */
// @ts-ignore: decorator
@inline function neverIndexed(staticName: u32): bool {
  return staticName == S_PATH || staticName == S_CONTENT_LENGTH || staticName == S_ETAG ||
    staticName == S_IF_MODIFIED_SINCE || staticName == S_IF_NONE_MATCH || staticName == S_LOCATION ||
    staticName == S_SET_COOKIE || staticName == S_AGE;
}

function rawString(out: usize, p: usize, n: u32): usize {
  out = encodeInteger(out, 0, 7, n);
  copyBytes(out, p, n);
  return out + n;
}
