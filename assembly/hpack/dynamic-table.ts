// The HPACK dynamic table (RFC 7541 §2.3.2, §4): a FIFO of entries, sized with 32 octets of
// overhead per entry. Entry octets are appended to one buffer twice the table's size and
// compacted when they reach its end, so entries stay contiguous and insertion never
// allocates in steady state. Entries get absolute ids in insertion order; dynamic index 1 is
// the newest.
import { growBuffer, copyBytes } from '../common/memory';

export const ENTRY_OVERHEAD: u32 = 32;
const RECORD_BYTES: usize = 16; // offset, name length, value length, flags (u32 each)

/** Entry flag: the JS side holds this entry's strings (so indexed references need no copy). */
export const ENTRY_KNOWN: u32 = 1;

@unmanaged
export class DynamicTable {
  capacity: u32 = 0; // the maximum size in force (RFC 7541 §4.2)
  size: u32 = 0; // RFC 7541 §4.1 size of the entries held
  count: u32 = 0;
  inserted: u32 = 0; // absolute id the next entry gets
  data: usize = 0;
  dataCap: usize = 0;
  head: usize = 0; // offset of the oldest entry's octets
  tail: usize = 0; // where the next entry's octets go
  ring: usize = 0; // entry records, oldest at `first`
  ringMask: u32 = 0;
  first: u32 = 0;

  constructor(capacity: u32) {
    this.setCapacity(capacity);
  }

  dispose(): void {
    if (this.data) heap.free(this.data);
    if (this.ring) heap.free(this.ring);
    this.data = 0;
    this.ring = 0;
  }

  /** Changes the maximum size, evicting as needed (RFC 7541 §4.3). */
  setCapacity(capacity: u32): void {
    this.capacity = capacity;
    while (this.size > capacity) this.evict();
    if (this.ring) this.reserve(); // else the buffers come with the first entry: idle sessions hold none
  }

  /** Sizes the octet buffer and the record ring for the capacity in force. */
  private reserve(): void {
    const capacity = this.capacity;
    // Octets: twice the size, so compaction moves at most as much as was appended since the last.
    const wantData = (<usize>capacity << 1) + 64;
    if (wantData > this.dataCap) {
      this.compact();
      this.data = growBuffer(this.data, this.dataCap, wantData, this.tail);
      this.dataCap = wantData;
    }
    let slots: u32 = 4;
    while (slots < capacity / ENTRY_OVERHEAD + 2) slots <<= 1;
    if (slots > this.ringMask + 1 || !this.ring) {
      const ring = heap.alloc(<usize>slots * RECORD_BYTES);
      for (let i: u32 = 0; i < this.count; i++) {
        memory.copy(ring + <usize>i * RECORD_BYTES, this.recordAt((this.first + i) & this.ringMask), RECORD_BYTES);
      }
      if (this.ring) heap.free(this.ring);
      this.ring = ring;
      this.ringMask = slots - 1;
      this.first = 0;
    }
  }

  @inline recordAt(slot: u32): usize { return this.ring + <usize>slot * RECORD_BYTES; }

  /** The record of dynamic index `index` (1 = newest); the caller checks 1 ≤ index ≤ count. */
  @inline record(index: u32): usize {
    return this.recordAt((this.first + this.count - index) & this.ringMask);
  }
  @inline namePtr(record: usize): usize { return this.data + <usize>load<u32>(record); }
  @inline nameLength(record: usize): u32 { return load<u32>(record, 4); }
  @inline valuePtr(record: usize): usize { return this.data + <usize>load<u32>(record) + <usize>load<u32>(record, 4); }
  @inline valueLength(record: usize): u32 { return load<u32>(record, 8); }
  @inline entryFlags(record: usize): u32 { return load<u32>(record, 12); }

  /** Sets flags on the entry with absolute id `id`, if it is still in the table. */
  markId(id: u32, flags: u32): void {
    const index = this.indexOfId(id);
    if (index) { const r = this.record(index); store<u32>(r, load<u32>(r, 12) | flags, 12); }
  }

  /** Dynamic index of absolute id `id`, or 0 when evicted or never inserted. */
  @inline indexOfId(id: u32): u32 {
    const index = this.inserted - id;
    return index >= 1 && index <= this.count ? index : 0;
  }

  /** Removes the oldest entry (RFC 7541 §4.4). */
  evict(): void {
    const r = this.recordAt(this.first);
    this.size -= load<u32>(r, 4) + load<u32>(r, 8) + ENTRY_OVERHEAD;
    this.first = (this.first + 1) & this.ringMask;
    this.count--;
    if (this.count) this.head = <usize>load<u32>(this.recordAt(this.first));
    else { this.head = 0; this.tail = 0; }
  }

  clear(): void {
    while (this.count) this.evict();
  }

  private compact(): void {
    const shift = this.head;
    if (!shift) return;
    memory.copy(this.data, this.data + shift, this.tail - shift);
    for (let i: u32 = 0; i < this.count; i++) {
      const r = this.recordAt((this.first + i) & this.ringMask);
      store<u32>(r, load<u32>(r) - <u32>shift);
    }
    this.head = 0;
    this.tail -= shift;
  }

  /**
   * Adds an entry (RFC 7541 §4.4). The octets must not point into this table. An entry larger
   * than the table empties it and is not added. Returns whether it was added.
   */
  insert(name: usize, nameLength: u32, value: usize, valueLength: u32): bool {
    const entrySize = <u64>nameLength + <u64>valueLength + ENTRY_OVERHEAD;
    if (entrySize > <u64>this.capacity) {
      this.clear();
      return false;
    }
    while (<u64>this.size + entrySize > <u64>this.capacity) this.evict();
    if (!this.ring) this.reserve();
    const n = <usize>nameLength + <usize>valueLength;
    if (this.tail + n > this.dataCap) this.compact();
    const at = this.data + this.tail;
    copyBytes(at, name, nameLength);
    copyBytes(at + nameLength, value, valueLength);
    const r = this.recordAt((this.first + this.count) & this.ringMask);
    store<u32>(r, <u32>this.tail);
    store<u32>(r, nameLength, 4);
    store<u32>(r, valueLength, 8);
    store<u32>(r, 0, 12);
    this.tail += n;
    this.count++;
    this.size += <u32>entrySize;
    this.inserted++;
    return true;
  }
}
