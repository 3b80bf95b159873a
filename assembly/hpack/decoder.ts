// The HPACK decoder (RFC 7541 §3, §6). Input may arrive in pieces: it is parsed one whole
// representation at a time and an incomplete one waits for more octets, so no representation
// is applied twice. Decoded fields become fixed-size records (see abi.ts) whose strings live in
// the decoder's arena; records and arena are valid until the next block starts.
// Past a limit the decoder stops materialising fields but keeps applying insertions, so the
// dynamic table stays in sync with the peer's encoder and the error is reported at block end.
import {
  HPACK_ERR_TRUNCATED, HPACK_ERR_INTEGER_OVERFLOW, HPACK_ERR_INVALID_INDEX, HPACK_ERR_INVALID_HUFFMAN,
  HPACK_ERR_TABLE_SIZE_UPDATE, HPACK_ERR_HEADER_LIST_TOO_LARGE, HPACK_ERR_TOO_MANY_HEADERS,
  HPACK_ERR_HEADER_FIELD_TOO_LARGE, HPACK_ERR_UNUSABLE, HPACK_RECORD_WORDS, HPACK_KIND_LITERAL,
  HPACK_KIND_STATIC, HPACK_KIND_STATIC_NAME, HPACK_KIND_DYNAMIC, HPACK_KIND_DYNAMIC_NAME,
  HPACK_FLAG_NEVER_INDEXED, HPACK_FLAG_INSERTED, HPACK_FLAG_NO_COPY,
} from '../abi';
import { decodeInteger, integerEnd, INTEGER_INCOMPLETE } from './integer';
import { huffmanDecode, huffmanDecodedBound, huffmanHigh } from './huffman';
import { DynamicTable, ENTRY_OVERHEAD, ENTRY_KNOWN } from './dynamic-table';
import {
  STATIC_TABLE_LENGTH, staticNamePtr, staticNameLength, staticValueLength, staticNameFirst,
} from './static-table';
import { growBuffer, copyBytes } from '../common/memory';
import { setResult } from '../common/result';

/** Whether any of the n octets at p is above 0x7f. */
function anyHigh(p: usize, n: usize): bool {
  let high: u64 = 0;
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) high |= load<u64>(p + i);
  for (; i < n; i++) high |= <u64>load<u8>(p + i);
  return (high & 0x8080808080808080) != 0;
}

const RECORD_BYTES: usize = <usize>HPACK_RECORD_WORDS << 2;
const NO_UPDATE_REQUIRED: u32 = 0xffffffff;
// Internal outcome of parsing one representation: wait for more input.
const NEED_MORE: i32 = 1;

@unmanaged
export class HpackDecoder {
  table: DynamicTable;
  maxTableSize: u32; // SETTINGS_HEADER_TABLE_SIZE this side allows
  requiredUpdate: u32 = NO_UPDATE_REQUIRED; // a size update ≤ this must open the next block
  maxListSize: u32;
  maxPairs: u32;
  maxFieldSize: u32;

  input: usize = 0; // pending octets of an incomplete representation, then new input
  inputCap: usize = 0;
  inputLength: usize = 0;
  records: usize = 0;
  recordsCap: usize = 0;
  recordCount: u32 = 0;
  arena: usize = 0;
  arenaCap: usize = 0;
  arenaLength: usize = 0;
  arenaHigh: u64 = 0; // OR of the materialised octets: bit 7 set when any is above 0x7f

  // Per block.
  inBlock: bool = false;
  sawField: bool = false;
  fieldCount: u32 = 0;
  listSize: u64 = 0;
  limitError: i32 = 0;
  usable: bool = true;
  // The caller keeps the strings of the entries it is shown (the JS HpackDecoder does): indexed
  // references to such entries carry no copy of their octets.
  caching: bool = false;

  constructor(maxTableSize: u32, maxListSize: u32, maxPairs: u32, maxFieldSize: u32) {
    this.table = new DynamicTable(maxTableSize);
    this.maxTableSize = maxTableSize;
    this.maxListSize = maxListSize;
    this.maxPairs = maxPairs;
    this.maxFieldSize = maxFieldSize;
  }

  dispose(): void {
    this.table.dispose();
    heap.free(changetype<usize>(this.table));
    if (this.input) heap.free(this.input);
    if (this.records) heap.free(this.records);
    if (this.arena) heap.free(this.arena);
  }

  /** The SETTINGS_HEADER_TABLE_SIZE this side now allows (RFC 7541 §4.2). */
  setMaxTableSize(n: u32): void {
    this.maxTableSize = n;
    if (n < this.table.capacity && (this.requiredUpdate == NO_UPDATE_REQUIRED || n < this.requiredUpdate)) {
      this.requiredUpdate = n;
    }
  }

  /** Room for `n` more input octets after the pending ones; JS copies them there. */
  inputPtr(n: usize): usize {
    const need = this.inputLength + n;
    if (need > this.inputCap) {
      this.input = growBuffer(this.input, this.inputCap, need, this.inputLength);
      this.inputCap = need;
    }
    return this.input + this.inputLength;
  }

  /**
   * Decodes the pending octets plus `n` new ones. With `final`, the block ends here: returns the
   * number of fields, or a negative status. Without it, returns 0 or a negative status.
   */
  decode(n: usize, final: bool): i32 {
    return this.run(this.input, this.input + this.inputLength + n, final);
  }

  /**
   * Decodes `n` octets at `p` owned by the caller (a frame payload), without copying them unless
   * a representation is left incomplete. Same results as `decode`.
   */
  decodeExternal(p: usize, n: usize, final: bool): i32 {
    if (this.inputLength) {
      memory.copy(this.inputPtr(n), p, n);
      return this.decode(n, final);
    }
    return this.run(p, p + n, final);
  }

  private run(p: usize, end: usize, final: bool): i32 {
    if (!this.usable) return HPACK_ERR_UNUSABLE;
    if (!this.inBlock) this.startBlock();
    while (p < end) {
      const status = this.representation(p, end);
      if (status == NEED_MORE) break;
      if (status < 0) return this.fail(status);
      p = integerEnd;
    }
    const left = end - p;
    if (left) {
      if (left > this.inputCap) {
        const fresh = heap.alloc(left);
        if (this.input) heap.free(this.input);
        this.input = fresh;
        this.inputCap = left;
      }
      if (p != this.input) memory.copy(this.input, p, left);
    }
    this.inputLength = left;
    setResult(0, <u32>this.input); // where the next input goes when nothing is pending
    setResult(1, <u32>this.inputCap);
    if (!final) return 0;
    if (this.caching && !left && !this.limitError) this.markInserted();
    setResult(2, <u32>this.records);
    setResult(3, <u32>this.arena);
    setResult(4, this.arenaAscii() ? <u32>this.arenaLength : 0xffffffff);
    this.inBlock = false;
    if (left) return this.fail(HPACK_ERR_TRUNCATED);
    return this.limitError ? this.limitError : <i32>this.recordCount;
  }

  /** The caller now holds the strings of the entries this block inserted. */
  private markInserted(): void {
    for (let i: u32 = 0; i < this.recordCount; i++) {
      const r = this.records + <usize>i * RECORD_BYTES;
      if (load<u32>(r) & (HPACK_FLAG_INSERTED << 8)) this.table.markId(load<u32>(r, 8), ENTRY_KNOWN);
    }
  }

  private fail(status: i32): i32 {
    this.usable = false;
    this.inBlock = false;
    this.inputLength = 0;
    return status;
  }

  private startBlock(): void {
    this.inBlock = true;
    this.sawField = false;
    this.fieldCount = 0;
    this.listSize = 0;
    this.limitError = 0;
    this.recordCount = 0;
    this.arenaLength = 0;
    this.arenaHigh = 0;
  }

  /** Whether every materialised octet of the block is ASCII (JS then decodes the arena at once). */
  arenaAscii(): bool {
    return (this.arenaHigh & 0x8080808080808080) == 0;
  }

  private noteOctets(p: usize, n: usize): void {
    if (anyHigh(p, n)) this.arenaHigh = 0x80;
  }

  /** Parses one representation at `p`; on success leaves its end in `integerEnd`. */
  private representation(p: usize, end: usize): i32 {
    const b = <u32>load<u8>(p);
    if (b & 0x80) return this.indexed(p, end);
    if ((b & 0xe0) == 0x20) return this.sizeUpdate(p, end);
    if (b & 0x40) return this.literal(p, end, 6, true, false);
    return this.literal(p, end, 4, false, (b & 0x10) != 0);
  }

  private sizeUpdate(p: usize, end: usize): i32 {
    const v = decodeInteger(p, end, 5);
    if (v < 0) return v == INTEGER_INCOMPLETE ? NEED_MORE : HPACK_ERR_INTEGER_OVERFLOW;
    // RFC 7541 §4.2: only at the start of a block, and never above the allowed maximum.
    if (this.sawField || <u32>v > this.maxTableSize) return HPACK_ERR_TABLE_SIZE_UPDATE;
    if (<u32>v <= this.requiredUpdate) this.requiredUpdate = NO_UPDATE_REQUIRED;
    this.table.setCapacity(<u32>v);
    return 0;
  }

  private beginField(): i32 {
    if (!this.sawField) {
      if (this.requiredUpdate != NO_UPDATE_REQUIRED) return HPACK_ERR_TABLE_SIZE_UPDATE;
      this.sawField = true;
    }
    return 0;
  }

  /** Counts a field against the limits; returns whether it may be materialised. */
  private admit(nameLength: u32, valueLength: u32): bool {
    const fieldSize = <u64>nameLength + <u64>valueLength;
    this.fieldCount++;
    this.listSize += fieldSize + ENTRY_OVERHEAD;
    if (this.limitError) return false;
    if (this.fieldCount > this.maxPairs) this.limitError = HPACK_ERR_TOO_MANY_HEADERS;
    else if (fieldSize > <u64>this.maxFieldSize) this.limitError = HPACK_ERR_HEADER_FIELD_TOO_LARGE;
    else if (this.listSize > <u64>this.maxListSize) this.limitError = HPACK_ERR_HEADER_LIST_TOO_LARGE;
    return !this.limitError;
  }

  private ensureArena(extra: usize): void {
    const need = this.arenaLength + extra;
    if (need > this.arenaCap) {
      this.arena = growBuffer(this.arena, this.arenaCap, need, this.arenaLength);
      this.arenaCap = need;
    }
  }

  /** Decodes a Huffman string into scratch space past the arena's end, only to validate it. */
  private huffmanValid(src: usize, n: u32): bool {
    this.ensureArena(huffmanDecodedBound(n));
    return huffmanDecode(src, n, this.arena + this.arenaLength) >= 0;
  }

  private pushRecord(kind: u32, flags: u32, staticIndex: u32, refId: u32, newId: u32,
    nameOffset: usize, nameLength: u32, valueOffset: usize, valueLength: u32): void {
    if (<usize>(this.recordCount + 1) * RECORD_BYTES > this.recordsCap) {
      const need = <usize>(this.recordCount + 1) * RECORD_BYTES;
      this.records = growBuffer(this.records, this.recordsCap, need << 1, <usize>this.recordCount * RECORD_BYTES);
      this.recordsCap = need << 1;
    }
    const r = this.records + <usize>this.recordCount * RECORD_BYTES;
    store<u32>(r, kind | (flags << 8) | (staticIndex << 16));
    store<u32>(r, refId, 4);
    store<u32>(r, newId, 8);
    store<u32>(r, <u32>nameOffset, 12);
    store<u32>(r, nameLength, 16);
    store<u32>(r, <u32>valueOffset, 20);
    store<u32>(r, valueLength, 24);
    this.recordCount++;
  }

  /** RFC 7541 §6.1. */
  private indexed(p: usize, end: usize): i32 {
    const index = decodeInteger(p, end, 7);
    if (index < 0) return index == INTEGER_INCOMPLETE ? NEED_MORE : HPACK_ERR_INTEGER_OVERFLOW;
    const status = this.beginField();
    if (status) return status;
    if (index == 0) return HPACK_ERR_INVALID_INDEX;
    const i = <u32>index;
    if (i <= STATIC_TABLE_LENGTH) {
      if (this.admit(staticNameLength(i), staticValueLength(i))) {
        this.pushRecord(HPACK_KIND_STATIC, 0, i, 0, 0, 0, staticNameLength(i), 0, staticValueLength(i));
      }
      return 0;
    }
    const table = this.table;
    const d = i - STATIC_TABLE_LENGTH;
    if (d > table.count) return HPACK_ERR_INVALID_INDEX;
    const r = table.record(d);
    const nameLength = table.nameLength(r);
    const valueLength = table.valueLength(r);
    if (this.admit(nameLength, valueLength)) {
      if (this.caching && (table.entryFlags(r) & ENTRY_KNOWN)) {
        this.pushRecord(HPACK_KIND_DYNAMIC, HPACK_FLAG_NO_COPY, 0, table.inserted - d, 0, 0, nameLength, 0, valueLength);
        return 0;
      }
      const n = <usize>nameLength + <usize>valueLength;
      this.ensureArena(n);
      const at = this.arenaLength;
      copyBytes(this.arena + at, table.namePtr(r), n); // name and value are adjacent
      this.noteOctets(this.arena + at, n);
      this.arenaLength += n;
      this.pushRecord(HPACK_KIND_DYNAMIC, 0, 0, table.inserted - d, 0, at, nameLength, at + nameLength, valueLength);
    }
    return 0;
  }

  /** RFC 7541 §6.2: with incremental indexing, without indexing, never indexed. */
  private literal(p: usize, end: usize, prefixBits: u32, indexing: bool, neverIndexed: bool): i32 {
    const nameIndex = decodeInteger(p, end, prefixBits);
    if (nameIndex < 0) return nameIndex == INTEGER_INCOMPLETE ? NEED_MORE : HPACK_ERR_INTEGER_OVERFLOW;
    const status = this.beginField();
    if (status) return status;
    p = integerEnd;
    const table = this.table;

    // Where the name comes from.
    let nameSrc: usize = 0;
    let nameLength: u32 = 0;
    let nameHuffman = false;
    let kind = HPACK_KIND_LITERAL;
    let staticIndex: u32 = 0;
    let refId: u32 = 0;
    if (nameIndex == 0) {
      if (p >= end) return NEED_MORE;
      nameHuffman = (load<u8>(p) & 0x80) != 0;
      const len = decodeInteger(p, end, 7);
      if (len < 0) return len == INTEGER_INCOMPLETE ? NEED_MORE : HPACK_ERR_INTEGER_OVERFLOW;
      p = integerEnd;
      if (<usize>len > end - p) return NEED_MORE;
      nameSrc = p;
      nameLength = <u32>len;
      p += <usize>len;
    } else if (<u32>nameIndex <= STATIC_TABLE_LENGTH) {
      staticIndex = staticNameFirst(<u32>nameIndex);
      kind = HPACK_KIND_STATIC_NAME;
      nameSrc = staticNamePtr(staticIndex);
      nameLength = staticNameLength(staticIndex);
    } else {
      const d = <u32>nameIndex - STATIC_TABLE_LENGTH;
      if (d > table.count) return HPACK_ERR_INVALID_INDEX;
      const r = table.record(d);
      kind = HPACK_KIND_DYNAMIC_NAME;
      refId = table.inserted - d;
      nameSrc = table.namePtr(r);
      nameLength = table.nameLength(r);
    }

    // The value.
    if (p >= end) return NEED_MORE;
    const valueHuffman = (load<u8>(p) & 0x80) != 0;
    const len = decodeInteger(p, end, 7);
    if (len < 0) return len == INTEGER_INCOMPLETE ? NEED_MORE : HPACK_ERR_INTEGER_OVERFLOW;
    p = integerEnd;
    if (<usize>len > end - p) return NEED_MORE;
    const valueSrc = p;
    const valueEncoded = <u32>len;
    p += <usize>len;
    integerEnd = p; // the whole representation is here: from now on it is applied

    // Past a limit, only insertions matter; an entry certainly larger than the table just empties it.
    if (this.limitError || this.fieldCount >= this.maxPairs) {
      const nameMin = nameHuffman ? (<u64>nameLength << 3) / 30 : <u64>nameLength;
      const valueMin = valueHuffman ? (<u64>valueEncoded << 3) / 30 : <u64>valueEncoded;
      if (!indexing || nameMin + valueMin + ENTRY_OVERHEAD > <u64>table.capacity) {
        // Not materialised, but a malformed Huffman string is still a decoding error (§5.2).
        if (nameHuffman && !this.huffmanValid(nameSrc, nameLength)) return HPACK_ERR_INVALID_HUFFMAN;
        if (valueHuffman && !this.huffmanValid(valueSrc, valueEncoded)) return HPACK_ERR_INVALID_HUFFMAN;
        this.admit(<u32>nameMin, <u32>valueMin);
        if (indexing) table.clear();
        return 0;
      }
    }

    // Decode (or copy) name then value into the arena.
    const nameBound = nameHuffman ? huffmanDecodedBound(nameLength) : <usize>nameLength;
    const valueBound = valueHuffman ? huffmanDecodedBound(valueEncoded) : <usize>valueEncoded;
    this.ensureArena(nameBound + valueBound);
    const nameAt = this.arenaLength;
    let nameOut = <usize>nameLength;
    let high = false; // some octet above 0x7f (Huffman reports it; raw octets are scanned)
    if (kind != HPACK_KIND_STATIC_NAME) {
      if (nameHuffman) {
        const r = huffmanDecode(nameSrc, nameLength, this.arena + nameAt);
        if (r < 0) return HPACK_ERR_INVALID_HUFFMAN;
        nameOut = <usize>r;
        high = huffmanHigh;
      } else {
        copyBytes(this.arena + nameAt, nameSrc, nameLength);
        high = anyHigh(nameSrc, nameLength);
      }
    }
    const nameStored: usize = kind == HPACK_KIND_STATIC_NAME ? 0 : nameOut;
    const valueAt = nameAt + nameStored;
    let valueOut = <usize>valueEncoded;
    if (valueHuffman) {
      const r = huffmanDecode(valueSrc, valueEncoded, this.arena + valueAt);
      if (r < 0) return HPACK_ERR_INVALID_HUFFMAN;
      valueOut = <usize>r;
      high = high || huffmanHigh;
    } else {
      copyBytes(this.arena + valueAt, valueSrc, valueEncoded);
      high = high || anyHigh(valueSrc, valueEncoded);
    }

    const keep = this.admit(<u32>nameOut, <u32>valueOut);
    let flags: u32 = neverIndexed ? HPACK_FLAG_NEVER_INDEXED : 0;
    let newId: u32 = 0;
    if (indexing) {
      const namePtr = kind == HPACK_KIND_STATIC_NAME ? nameSrc : this.arena + nameAt;
      if (table.insert(namePtr, <u32>nameOut, this.arena + valueAt, <u32>valueOut)) {
        flags |= HPACK_FLAG_INSERTED;
        newId = table.inserted - 1;
      }
    }
    if (keep) {
      if (high) this.arenaHigh = 0x80;
      this.arenaLength = valueAt + valueOut;
      this.pushRecord(kind, flags, staticIndex, refId, newId, nameAt, <u32>nameOut, valueAt, <u32>valueOut);
    }
    return 0;
  }
}
