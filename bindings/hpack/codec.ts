// HpackEncoder / HpackDecoder over the WASM core (docs/hpack.md is the contract).
import * as abi from '../core/abi.gen.ts';
import { core, Core } from '../core/load.ts';
import {
  forEachField, packedSize, packField, readRecords, HeaderStringCache, type HeaderPairs, type HeaderInput,
} from '../core/headers.ts';
import { HpackError, HpackTypeError, statusError, isLimitStatus } from './errors.ts';

export { HpackError, HpackTypeError } from './errors.ts';
export type { HpackErrorCode } from './errors.ts';

export type { HeaderPairs, HeaderInput } from '../core/headers.ts';

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
  #cache = new HeaderStringCache();
  // Where the next block goes while no partial input is pending (from the core's result slot).
  #inPtr = 0;
  #inCap = 0;
  #pending = false;
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
    this.#cache.size(this.#maxTableSize);
    registry?.register(this, { core: c, handle: this.#handle, free: (h) => c.exports.hpack_decoder_free(h) }, this);
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
    this.#cache.size(n);
  }

  /** Decodes one complete header block. */
  decode(block: Uint8Array): HeaderPairs {
    return this.#read(this.#feed(block, true, true));
  }

  /** Feeds part of a header block; `end()` finishes it. */
  write(chunk: Uint8Array): void {
    this.#feed(chunk, false, true);
  }

  /** Ends the block fed by `write`. */
  end(): HeaderPairs {
    return this.#read(this.#feed(new Uint8Array(0), true, true));
  }

  /** Decodes into the core's packed records only (no JS strings); returns the field count. */
  decodeToRecords(block: Uint8Array): number {
    return this.#feed(block, true, false);
  }

  /** `caching`: the block's records will be read into strings (entries then cached by id). */
  #feed(chunk: Uint8Array, final: boolean, caching: boolean): number {
    this.#check();
    const c = this.#core;
    const e = c.exports;
    let status: number;
    try {
      const n = chunk.length;
      const ptr = !this.#pending && n <= this.#inCap ? this.#inPtr : e.hpack_decoder_input(this.#handle, n);
      c.refresh();
      c.u8.set(chunk, ptr);
      status = e.hpack_decode(this.#handle, n, (final ? 1 : 0) | (caching ? 2 : 0));
    } catch (err) {
      throw trapped(c, err);
    }
    c.refresh();
    const r = c.result, u32 = c.u32;
    this.#inPtr = u32[r];
    this.#inCap = u32[r + 1];
    this.#pending = !final && status >= 0;
    if (status < 0) {
      this.#pending = false;
      this.#inCap = 0;
      if (!isLimitStatus(status)) this.#usable = false;
      throw statusError(status);
    }
    return status;
  }

  #read(count: number): HeaderPairs {
    const c = this.#core;
    const r = c.result, u32 = c.u32;
    const never: string[] = [];
    const out = readRecords(c.u8, u32, u32[r + 2] >>> 2, count, u32[r + 3], u32[r + 4] | 0, this.#cache, never);
    this.lastNeverIndexed = never;
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

function invalidChar(): HpackTypeError {
  return new HpackTypeError('ERR_HPACK_INVALID_CHAR', 'header names and values are octet strings: characters above U+00FF are not allowed');
}

/** Packs a field or throws on a character above U+00FF. */
function packInto(u8: Uint8Array, at: number, name: string, value: string, sensitive: Set<string> | null): number {
  const p = packField(u8, at, name, value, sensitive !== null && sensitive.has(name));
  if (p < 0) throw invalidChar();
  return p;
}

export class HpackEncoder {
  #core: Core;
  #handle: number;
  #freed = false;
  #inPtr = 0; // the core's input buffer (from its result slot)
  #inCap = 0;
  #outPtr = 0; // where the last block is

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
    let n: number;
    try {
      const ptr = packed.length <= this.#inCap ? this.#inPtr : e.hpack_encoder_input(this.#handle, packed.length);
      c.refresh();
      c.u8.set(packed, ptr);
      n = e.hpack_encode_counted(this.#handle, packed.length);
    } catch (err) {
      throw trapped(c, err);
    }
    this.#noteInput();
    if (n < 0) throw statusError(n);
    return n;
  }

  #noteInput(): void {
    const c = this.#core;
    c.refresh();
    this.#outPtr = c.u32[c.result];
    this.#inPtr = c.u32[c.result + 1];
    this.#inCap = c.u32[c.result + 2];
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
      ptr = bytes <= this.#inCap ? this.#inPtr : e.hpack_encoder_input(this.#handle, bytes);
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
    this.#noteInput();
    if (n < 0) throw statusError(n);
    return n;
  }

  #output(n: number): Uint8Array {
    const c = this.#core;
    c.refresh();
    return c.u8.slice(this.#outPtr, this.#outPtr + n);
  }

  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    registry?.unregister(this);
    if (!this.#core.broken) this.#core.exports.hpack_encoder_free(this.#handle);
  }
}
