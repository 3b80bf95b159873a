// The exported functions of the WASM core: numbers in, numbers out, no logic here.
import { HpackDecoder } from './hpack/decoder';
import { HpackEncoder } from './hpack/encoder';

export function hpack_decoder_new(maxTableSize: u32, maxListSize: u32, maxPairs: u32, maxFieldSize: u32): usize {
  return changetype<usize>(new HpackDecoder(maxTableSize, maxListSize, maxPairs, maxFieldSize));
}
export function hpack_decoder_free(d: usize): void {
  changetype<HpackDecoder>(d).dispose();
  heap.free(d);
}
export function hpack_decoder_input(d: usize, n: usize): usize { return changetype<HpackDecoder>(d).inputPtr(n); }
export function hpack_decode(d: usize, n: usize, final: bool): i32 { return changetype<HpackDecoder>(d).decode(n, final); }
export function hpack_decoder_records(d: usize): usize { return changetype<HpackDecoder>(d).records; }
export function hpack_decoder_arena(d: usize): usize { return changetype<HpackDecoder>(d).arena; }
/** The arena's length when all of it is ASCII, else −1. */
export function hpack_decoder_arena_ascii(d: usize): i32 {
  const decoder = changetype<HpackDecoder>(d);
  return decoder.arenaAscii() ? <i32>decoder.arenaLength : -1;
}
export function hpack_decoder_set_max_table_size(d: usize, n: u32): void { changetype<HpackDecoder>(d).setMaxTableSize(n); }
export function hpack_decoder_table_size(d: usize): u32 { return changetype<HpackDecoder>(d).table.size; }
export function hpack_decoder_table_capacity(d: usize): u32 { return changetype<HpackDecoder>(d).table.capacity; }

export function hpack_encoder_new(maxTableSize: u32, huffman: i32, indexing: i32): usize {
  return changetype<usize>(new HpackEncoder(maxTableSize, huffman, indexing));
}
export function hpack_encoder_free(e: usize): void {
  changetype<HpackEncoder>(e).dispose();
  heap.free(e);
}
export function hpack_encoder_input(e: usize, n: usize): usize { return changetype<HpackEncoder>(e).inputPtr(n); }
export function hpack_encode(e: usize, n: usize, count: u32): i32 { return changetype<HpackEncoder>(e).encode(n, count); }
export function hpack_encoder_output(e: usize): usize { return changetype<HpackEncoder>(e).output; }
export function hpack_encoder_set_max_table_size(e: usize, n: u32): void { changetype<HpackEncoder>(e).setMaxTableSize(n); }
export function hpack_encoder_table_size(e: usize): u32 { return changetype<HpackEncoder>(e).table.size; }
