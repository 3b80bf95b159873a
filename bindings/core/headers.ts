// Header fields across the WASM boundary: packing outgoing fields for the encoder, and turning
// decoded records (abi HPACK_RECORD_WORDS) back into [name, value] strings.
import * as abi from './abi.gen.ts';
import { STATIC_NAMES, STATIC_VALUES } from './static-table.gen.ts';
import { latin1Decode, latin1Encode } from './latin1.ts';

export type HeaderPairs = Array<[string, string]>;
export type HeaderInput = HeaderPairs | Record<string, string | number | Array<string | number> | undefined>;

// First static index of every static name: lets the core skip its own name lookup.
const STATIC_NAME_INDEX = new Map<string, number>();
for (let i = STATIC_NAMES.length - 1; i >= 1; i--) STATIC_NAME_INDEX.set(STATIC_NAMES[i], i);

// Decodes all-ASCII octets only (exact for them; Latin-1 text goes through latin1Decode).
const TEXT = new TextDecoder();
const HEAD = abi.HPACK_PACKED_HEAD;

/** Calls `fn(name, value)` for every field of either input shape. */
export function forEachField(headers: HeaderInput, fn: (name: string, value: string) => void): void {
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i++) fn(String(headers[i][0]), String(headers[i][1]));
    return;
  }
  for (const name of Object.keys(headers)) {
    const v = headers[name];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const one of v) fn(name, String(one));
    else fn(name, String(v));
  }
}

/** Octets and field count of the packed form. */
export function packedSize(headers: HeaderInput): [bytes: number, count: number] {
  let bytes = 0, count = 0;
  forEachField(headers, (n, v) => { bytes += HEAD + n.length + v.length; count++; });
  return [bytes, count];
}

/**
 * Packs one field into `u8` at `at` (abi HPACK_PACKED_HEAD layout); returns the end offset,
 * or −1 when a character is above U+00FF.
 */
export function packField(u8: Uint8Array, at: number, name: string, value: string, sensitive: boolean): number {
  const known = STATIC_NAME_INDEX.get(name) ?? 0;
  u8[at] = abi.HPACK_PACK_NAME_KNOWN | (sensitive ? abi.HPACK_PACK_SENSITIVE : 0);
  u8[at + 1] = known;
  const nl = name.length, vl = value.length;
  u8[at + 2] = nl; u8[at + 3] = nl >>> 8; u8[at + 4] = nl >>> 16; u8[at + 5] = nl >>> 24;
  u8[at + 6] = vl; u8[at + 7] = vl >>> 8; u8[at + 8] = vl >>> 16; u8[at + 9] = vl >>> 24;
  const p = latin1Encode(name, u8, at + HEAD);
  return p < 0 ? p : latin1Encode(value, u8, p);
}

/**
 * Strings of dynamic-table entries by absolute id: a field that HPACK indexed arrives as a
 * number, and its strings are not decoded again.
 */
export class HeaderStringCache {
  ids = new Int32Array(0);
  names: string[] = [];
  values: string[] = [];
  mask = -1;
  wantMask = 7; // what size() asked for: the arrays come with the first block (idle sessions hold none)

  /** Room for the entries a table of `tableSize` octets can hold (kept entries stay). */
  size(tableSize: number): void {
    let slots = 8;
    while (slots < tableSize / 32 + 1) slots <<= 1;
    if (slots - 1 > this.wantMask) this.wantMask = slots - 1;
  }

  /** Makes the arrays as large as size() asked for. */
  grow(): void {
    const slots = this.wantMask + 1;
    if (slots - 1 <= this.mask) return;
    const { ids, names, values } = this;
    this.mask = slots - 1;
    this.ids = new Int32Array(slots).fill(-1);
    this.names = new Array(slots).fill('');
    this.values = new Array(slots).fill('');
    // Ids in distinct old slots differ in their low bits, so they land in distinct new slots.
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === -1) continue;
      const slot = ids[i] & this.mask;
      this.ids[slot] = ids[i]; this.names[slot] = names[i]; this.values[slot] = values[i];
    }
  }
}

/**
 * Reads `count` records at u32 index `r` whose strings sit at `arena` (offsets in the records).
 * `asciiLength` ≥ 0: the arena's first asciiLength octets are all ASCII (decoded at once).
 * `never`: receives the names of never-indexed fields when given.
 */
export function readRecords(u8: Uint8Array, u32: Uint32Array, r: number, count: number, arena: number,
  asciiLength: number, cache: HeaderStringCache, never: string[] | null): HeaderPairs {
  let text: string | null = null;
  const str = (offset: number, length: number): string => {
    if (asciiLength < 0) return latin1Decode(u8, arena + offset, length);
    if (text === null) text = TEXT.decode(u8.subarray(arena, arena + asciiLength));
    return text.substring(offset, offset + length);
  };
  if (cache.mask < cache.wantMask) cache.grow();
  const { mask, ids, names, values } = cache;
  const out: HeaderPairs = new Array(count);
  for (let i = 0; i < count; i++, r += abi.HPACK_RECORD_WORDS) {
    const w0 = u32[r];
    const kind = w0 & 0xff;
    let name: string, value: string;
    if (kind === abi.HPACK_KIND_STATIC) {
      name = STATIC_NAMES[w0 >>> 16];
      value = STATIC_VALUES[w0 >>> 16];
    } else {
      if (kind === abi.HPACK_KIND_DYNAMIC) {
        const id = u32[r + 1];
        const slot = id & mask;
        if (ids[slot] === (id | 0)) { out[i] = [names[slot], values[slot]]; continue; }
        if ((w0 >>> 8) & abi.HPACK_FLAG_NO_COPY) throw new Error(`h2wasm: header strings of table entry ${id} are missing`);
      }
      if (kind === abi.HPACK_KIND_STATIC_NAME) name = STATIC_NAMES[w0 >>> 16];
      else if (kind === abi.HPACK_KIND_DYNAMIC_NAME && ids[u32[r + 1] & mask] === (u32[r + 1] | 0)) name = names[u32[r + 1] & mask];
      else name = str(u32[r + 3], u32[r + 4]);
      value = str(u32[r + 5], u32[r + 6]);
      const flags = (w0 >>> 8) & 0xff;
      if (flags) {
        if (flags & abi.HPACK_FLAG_INSERTED) {
          const id = u32[r + 2];
          const slot = id & mask;
          ids[slot] = id | 0; names[slot] = name; values[slot] = value;
        }
        if (flags & abi.HPACK_FLAG_NEVER_INDEXED && never) never.push(name);
      }
    }
    out[i] = [name, value];
  }
  return out;
}
