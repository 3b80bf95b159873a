// HpackEncoder / HpackDecoder over the WASM core (docs/hpack.md is the contract).
import * as abi from '../core/abi.gen.ts';
import { core, Core } from '../core/load.ts';
import { STATIC_NAMES, STATIC_VALUES } from '../core/static-table.gen.ts';
import { latin1Decode, latin1Encode } from '../core/latin1.ts';
import { HpackError, HpackTypeError, statusError, isLimitStatus } from './errors.ts';

export { HpackError, HpackTypeError } from './errors.ts';
export type { HpackErrorCode } from './errors.ts';

export type HeaderPairs = Array<[string, string]>;
export type HeaderInput = HeaderPairs | Record<string, string | number | Array<string | number> | undefined>;

export interface HpackDecoderOptions {
  maxTableSize?: number;
  maxHeaderListSize?: number;
  maxHeaderListPairs?: number;
  maxHeaderFieldSize?: number;
}
export interface HpackEncoderOptions {
  maxTableSize?: number;
  huffman?: 'auto' | 'always' | 'never';
  indexing?: 'auto' | 'all' | 'none';
}
export interface EncodeOptions { sensitive?: string[] }

// Decodes all-ASCII octets only (exact for them; Latin-1 text goes through latin1Decode).
const TEXT = new TextDecoder();

// First static index of every static name: lets the core skip its own name lookup.
const STATIC_NAME_INDEX = new Map<string, number>();
for (let i = STATIC_NAMES.length - 1; i >= 1; i--) STATIC_NAME_INDEX.set(STATIC_NAMES[i], i);

interface Held { core: Core; handle: number; free: (h: number) => void }
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<Held>((held) => { if (!held.core.broken) held.free(held.handle); })
  : null;

function limit(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new HpackError('ERR_HPACK_INVALID_ARG', `${name} must be an integer from 0 to 2^32-1, got ${value}`);
  }
  return value;
}

/** A call into the core threw: the instance trapped (a core bug), so retire it and fail clearly. */
function trapped(c: Core, err: unknown): HpackError {
  c.markBroken();
  const e = new HpackError('ERR_HPACK_INTERNAL', `h2wasm core trapped: ${(err as Error)?.message ?? err}`);
  (e as { cause?: unknown }).cause = err;
  return e;
}

export class HpackDecoder {
  #core: Core;
  #handle: number;
  #freed = false;
  #usable = true;
  #maxTableSize: number;
  // Strings of dynamic-table entries by absolute id: repeated fields cost no string decoding.
  #cacheId: Int32Array;
  #cacheName: string[];
  #cacheValue: string[];
  #mask: number;
  /** Names of the never-indexed fields of the last decoded block. */
  lastNeverIndexed: string[] = [];

  constructor(options: HpackDecoderOptions = {}) {
    this.#maxTableSize = limit(options.maxTableSize, 4096, 'maxTableSize');
    const c = this.#core = core();
    this.#handle = c.exports.hpack_decoder_new(
      this.#maxTableSize,
      limit(options.maxHeaderListSize, 65536, 'maxHeaderListSize'),
      limit(options.maxHeaderListPairs, 128, 'maxHeaderListPairs'),
      limit(options.maxHeaderFieldSize, 65536, 'maxHeaderFieldSize'),
    );
    this.#mask = 0; this.#cacheId = new Int32Array(0); this.#cacheName = []; this.#cacheValue = [];
    this.#sizeCache();
    registry?.register(this, { core: c, handle: this.#handle, free: (h) => c.exports.hpack_decoder_free(h) }, this);
  }

  #sizeCache(): void {
    let slots = 8;
    while (slots < this.#maxTableSize / 32 + 1) slots <<= 1;
    if (slots - 1 <= this.#mask) return;
    this.#mask = slots - 1;
    this.#cacheId = new Int32Array(slots).fill(-1);
    this.#cacheName = new Array(slots).fill('');
    this.#cacheValue = new Array(slots).fill('');
  }

  #check(): void {
    if (this.#freed) throw new HpackError('ERR_HPACK_FREED', 'HpackDecoder was freed');
    if (this.#core.broken) throw new HpackError('ERR_HPACK_INTERNAL', 'HpackDecoder lost its WASM instance to a trap');
    if (!this.#usable) throw statusError(abi.HPACK_ERR_UNUSABLE);
  }

  get usable(): boolean { return this.#usable && !this.#freed && !this.#core.broken; }

  get tableSize(): number {
    this.#check();
    return this.#core.exports.hpack_decoder_table_size(this.#handle);
  }

  setMaxTableSize(n: number): void {
    this.#check();
    this.#maxTableSize = limit(n, 0, 'maxTableSize');
    this.#core.exports.hpack_decoder_set_max_table_size(this.#handle, n);
    this.#sizeCache();
  }

  /** Decodes one complete header block. */
  decode(block: Uint8Array): HeaderPairs {
    return this.#read(this.#feed(block, true));
  }

  /** Feeds part of a header block; `end()` finishes it. */
  write(chunk: Uint8Array): void {
    this.#feed(chunk, false);
  }

  /** Ends the block fed by `write`. */
  end(): HeaderPairs {
    return this.#read(this.#feed(new Uint8Array(0), true));
  }

  /** Decodes into the core's packed records only (no JS strings); returns the field count. */
  decodeToRecords(block: Uint8Array): number {
    return this.#feed(block, true);
  }

  #feed(chunk: Uint8Array, final: boolean): number {
    this.#check();
    const c = this.#core;
    const e = c.exports;
    let status: number;
    try {
      const ptr = e.hpack_decoder_input(this.#handle, chunk.length);
      c.refresh();
      c.u8.set(chunk, ptr);
      status = e.hpack_decode(this.#handle, chunk.length, final ? 1 : 0);
    } catch (err) {
      throw trapped(c, err);
    }
    if (status < 0) {
      if (!isLimitStatus(status)) this.#usable = false;
      throw statusError(status);
    }
    return status;
  }

  #read(count: number): HeaderPairs {
    const c = this.#core;
    c.refresh();
    const e = c.exports;
    const u8 = c.u8, u32 = c.u32;
    const h = this.#handle;
    const arena = e.hpack_decoder_arena(h);
    let r = e.hpack_decoder_records(h) >>> 2;
    // An all-ASCII arena becomes one string at the first cache miss; fields are its slices.
    const asciiLength = e.hpack_decoder_arena_ascii(h);
    let text: string | null = null;
    const str = (offset: number, length: number): string => {
      if (asciiLength < 0) return latin1Decode(u8, arena + offset, length);
      if (text === null) text = TEXT.decode(u8.subarray(arena, arena + asciiLength));
      return text.substring(offset, offset + length);
    };
    const mask = this.#mask, cacheId = this.#cacheId, cacheName = this.#cacheName, cacheValue = this.#cacheValue;
    const out: HeaderPairs = new Array(count);
    let never: string[] | null = null;
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
          if (cacheId[slot] === (id | 0)) { out[i] = [cacheName[slot], cacheValue[slot]]; continue; }
        }
        if (kind === abi.HPACK_KIND_STATIC_NAME) name = STATIC_NAMES[w0 >>> 16];
        else if (kind === abi.HPACK_KIND_DYNAMIC_NAME && cacheId[u32[r + 1] & mask] === (u32[r + 1] | 0)) name = cacheName[u32[r + 1] & mask];
        else name = str(u32[r + 3], u32[r + 4]);
        value = str(u32[r + 5], u32[r + 6]);
        const flags = (w0 >>> 8) & 0xff;
        if (flags) {
          if (flags & abi.HPACK_FLAG_INSERTED) {
            const id = u32[r + 2];
            const slot = id & mask;
            cacheId[slot] = id | 0; cacheName[slot] = name; cacheValue[slot] = value;
          }
          if (flags & abi.HPACK_FLAG_NEVER_INDEXED) (never ??= []).push(name);
        }
      }
      out[i] = [name, value];
    }
    this.lastNeverIndexed = never ?? [];
    return out;
  }

  /** Releases the decoder's WASM memory now. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    registry?.unregister(this);
    if (!this.#core.broken) this.#core.exports.hpack_decoder_free(this.#handle);
  }
}

const HUFFMAN = { auto: abi.HPACK_HUFFMAN_AUTO, always: abi.HPACK_HUFFMAN_ALWAYS, never: abi.HPACK_HUFFMAN_NEVER } as const;
const INDEXING = { auto: abi.HPACK_INDEXING_AUTO, all: abi.HPACK_INDEXING_ALL, none: abi.HPACK_INDEXING_NONE } as const;
const HEAD = abi.HPACK_PACKED_HEAD;

/** Calls `fn(name, value)` for every field of either input shape. */
function forEachField(headers: HeaderInput, fn: (name: string, value: string) => void): void {
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

function invalidChar(): HpackTypeError {
  return new HpackTypeError('ERR_HPACK_INVALID_CHAR', 'header names and values are octet strings: characters above U+00FF are not allowed');
}

/** Packs fields into `u8` at `at` (see abi.ts HPACK_PACKED_HEAD); returns the end offset. */
function packInto(u8: Uint8Array, at: number, name: string, value: string, sensitive: Set<string> | null): number {
  const known = STATIC_NAME_INDEX.get(name) ?? 0;
  u8[at] = abi.HPACK_PACK_NAME_KNOWN | (sensitive !== null && sensitive.has(name) ? abi.HPACK_PACK_SENSITIVE : 0);
  u8[at + 1] = known;
  const nl = name.length, vl = value.length;
  u8[at + 2] = nl; u8[at + 3] = nl >>> 8; u8[at + 4] = nl >>> 16; u8[at + 5] = nl >>> 24;
  u8[at + 6] = vl; u8[at + 7] = vl >>> 8; u8[at + 8] = vl >>> 16; u8[at + 9] = vl >>> 24;
  let p = latin1Encode(name, u8, at + HEAD);
  if (p >= 0) p = latin1Encode(value, u8, p);
  if (p < 0) throw invalidChar();
  return p;
}

function packedSize(headers: HeaderInput): [bytes: number, count: number] {
  let bytes = 0, count = 0;
  forEachField(headers, (n, v) => { bytes += HEAD + n.length + v.length; count++; });
  return [bytes, count];
}

export class HpackEncoder {
  #core: Core;
  #handle: number;
  #freed = false;

  constructor(options: HpackEncoderOptions = {}) {
    const huffman = HUFFMAN[options.huffman ?? 'auto'];
    const indexing = INDEXING[options.indexing ?? 'auto'];
    if (huffman === undefined) throw new HpackError('ERR_HPACK_INVALID_ARG', `huffman must be 'auto', 'always' or 'never'`);
    if (indexing === undefined) throw new HpackError('ERR_HPACK_INVALID_ARG', `indexing must be 'auto', 'all' or 'none'`);
    const c = this.#core = core();
    this.#handle = c.exports.hpack_encoder_new(limit(options.maxTableSize, 4096, 'maxTableSize'), huffman, indexing);
    registry?.register(this, { core: c, handle: this.#handle, free: (h) => c.exports.hpack_encoder_free(h) }, this);
  }

  #check(): void {
    if (this.#freed) throw new HpackError('ERR_HPACK_FREED', 'HpackEncoder was freed');
    if (this.#core.broken) throw new HpackError('ERR_HPACK_INTERNAL', 'HpackEncoder lost its WASM instance to a trap');
  }

  get tableSize(): number {
    this.#check();
    return this.#core.exports.hpack_encoder_table_size(this.#handle);
  }

  /** Resizes the table; the size update opens the next block (RFC 7541 §4.2). */
  setMaxTableSize(n: number): void {
    this.#check();
    this.#core.exports.hpack_encoder_set_max_table_size(this.#handle, limit(n, 0, 'maxTableSize'));
  }

  /** Encodes one header block; returns a fresh Uint8Array. */
  encode(headers: HeaderInput, options?: EncodeOptions): Uint8Array {
    const n = this.#encode(headers, options);
    return this.#output(n);
  }

  /** The packed form `encode` builds: u32 field count (little-endian), then the fields. */
  static pack(headers: HeaderInput, options?: EncodeOptions): Uint8Array {
    const [bytes, count] = packedSize(headers);
    const out = new Uint8Array(4 + bytes);
    new DataView(out.buffer).setUint32(0, count, true);
    const sensitive = options?.sensitive ? new Set(options.sensitive) : null;
    let at = 4;
    forEachField(headers, (name, value) => { at = packInto(out, at, name, value, sensitive); });
    return out;
  }

  /** Encodes a packed list; returns the block length, leaving the block in WASM memory. */
  encodePacked(packed: Uint8Array): number {
    this.#check();
    const c = this.#core;
    const e = c.exports;
    const count = packed[0] | (packed[1] << 8) | (packed[2] << 16) | (packed[3] << 24);
    const bytes = packed.length - 4;
    let n: number;
    try {
      const ptr = e.hpack_encoder_input(this.#handle, bytes);
      c.refresh();
      c.u8.set(packed.subarray(4), ptr);
      n = e.hpack_encode(this.#handle, bytes, count);
    } catch (err) {
      throw trapped(c, err);
    }
    if (n < 0) throw statusError(n);
    return n;
  }

  /** A copy of the block the last `encodePacked` produced, of length `n`. */
  lastBlock(n: number): Uint8Array {
    this.#check();
    return this.#output(n);
  }

  #encode(headers: HeaderInput, options?: EncodeOptions): number {
    this.#check();
    const [bytes, count] = packedSize(headers);
    const sensitive = options?.sensitive ? new Set(options.sensitive.map((s) => s.toLowerCase())) : null;
    return this.#run(bytes, count, (u8, ptr) => {
      let at = ptr;
      forEachField(headers, (name, value) => { at = packInto(u8, at, name, value, sensitive); });
    });
  }

  #run(bytes: number, count: number, fill: (u8: Uint8Array, ptr: number) => void): number {
    const c = this.#core;
    const e = c.exports;
    let ptr: number;
    try {
      ptr = e.hpack_encoder_input(this.#handle, bytes);
    } catch (err) {
      throw trapped(c, err);
    }
    c.refresh();
    fill(c.u8, ptr); // may throw on a caller's bad input: the core has not been touched yet
    let n: number;
    try {
      n = e.hpack_encode(this.#handle, bytes, count);
    } catch (err) {
      throw trapped(c, err);
    }
    if (n < 0) throw statusError(n);
    return n;
  }

  #output(n: number): Uint8Array {
    const c = this.#core;
    c.refresh();
    const ptr = c.exports.hpack_encoder_output(this.#handle);
    return c.u8.slice(ptr, ptr + n);
  }

  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    registry?.unregister(this);
    if (!this.#core.broken) this.#core.exports.hpack_encoder_free(this.#handle);
  }
}
