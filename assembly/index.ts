// The exported functions of the WASM core: numbers in, numbers out, no logic here.
import { HpackDecoder } from './hpack/decoder';
import { HpackEncoder } from './hpack/encoder';
import { RESULT } from './common/result';

/** Where calls leave extra results (see common/result.ts). */
export function h2wasm_result(): usize { return RESULT; }

export function hpack_decoder_new(maxTableSize: u32, maxListSize: u32, maxPairs: u32, maxFieldSize: u32): usize {
  return changetype<usize>(new HpackDecoder(maxTableSize, maxListSize, maxPairs, maxFieldSize));
}
export function hpack_decoder_free(d: usize): void {
  changetype<HpackDecoder>(d).dispose();
  heap.free(d);
}
export function hpack_decoder_input(d: usize, n: usize): usize { return changetype<HpackDecoder>(d).inputPtr(n); }
/** flags: 1 = the block ends here; 2 = the caller keeps the strings it is shown (see decoder.caching). */
export function hpack_decode(d: usize, n: usize, flags: u32): i32 {
  const decoder = changetype<HpackDecoder>(d);
  decoder.caching = (flags & 2) != 0;
  return decoder.decode(n, (flags & 1) != 0);
}
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
export function hpack_encode_counted(e: usize, n: usize): i32 { return changetype<HpackEncoder>(e).encodeCounted(n); }
export function hpack_encoder_output(e: usize): usize { return changetype<HpackEncoder>(e).output; }
export function hpack_encoder_set_max_table_size(e: usize, n: u32): void { changetype<HpackEncoder>(e).setMaxTableSize(n); }
export function hpack_encoder_table_size(e: usize): u32 { return changetype<HpackEncoder>(e).table.size; }

// ---------------------------------------------------------------- HTTP/2 sessions
import { Session } from './proto/session';

export function h2_session_new(isServer: bool, firstStreamId: u32): usize {
  return changetype<usize>(new Session(isServer, firstStreamId));
}
export function h2_session_free(s: usize): void {
  changetype<Session>(s).dispose();
  heap.free(s);
}
export function h2_set_limit(s: usize, id: i32, value: u32): void { changetype<Session>(s).setLimit(id, value); }
export function h2_set_initial_setting(s: usize, id: u32, value: u32): void { changetype<Session>(s).setInitialSetting(id, value); }
export function h2_input(s: usize, n: usize): usize { return changetype<Session>(s).inputPtr(n); }
export function h2_recv(s: usize, n: usize, now: f64): i32 { return changetype<Session>(s).recv(n, now); }
export function h2_events(s: usize): usize { return changetype<Session>(s).events; }
export function h2_event_count(s: usize): u32 { return changetype<Session>(s).eventCount; }
export function h2_hdr_records(s: usize): usize { return changetype<Session>(s).hdrRecords; }
export function h2_hdr_bytes(s: usize): usize { return changetype<Session>(s).hdrBytes; }
/** Octets of header strings when all ASCII, else −1. */
export function h2_hdr_ascii(s: usize): i32 {
  const session = changetype<Session>(s);
  return session.hdrHigh ? -1 : <i32>session.hdrLength;
}
export function h2_scratch(s: usize, n: usize): usize { return changetype<Session>(s).scratchPtr(n); }
export function h2_headers_input(s: usize, n: usize): usize { return changetype<Session>(s).encoder.inputPtr(n); }
export function h2_submit_headers(s: usize, id: u32, kind: i32, n: usize, count: u32, flags: i32): i32 {
  return changetype<Session>(s).submitHeaders(id, kind, n, count, flags);
}
export function h2_submit_data(s: usize, id: u32, n: u32, endStream: bool): i32 { return changetype<Session>(s).submitData(id, n, endStream); }
export function h2_rst(s: usize, id: u32, code: u32): i32 { return changetype<Session>(s).submitRst(id, code); }
export function h2_ping(s: usize): i32 { return changetype<Session>(s).submitPing(); }
export function h2_settings(s: usize, count: u32): i32 { return changetype<Session>(s).submitSettings(count); }
export function h2_goaway(s: usize, code: u32, graceful: bool, debugLength: u32, lastStreamId: u32): i32 {
  return changetype<Session>(s).submitGoaway(code, graceful, debugLength, lastStreamId);
}
export function h2_consume(s: usize, id: u32, n: u32): void { changetype<Session>(s).consume(id, n); }
export function h2_set_local_window(s: usize, n: u32): void { changetype<Session>(s).setLocalWindow(n); }
export function h2_priority_update(s: usize, id: u32, n: u32): i32 { return changetype<Session>(s).submitPriorityUpdate(id, n); }
export function h2_set_priority(s: usize, id: u32, n: u32): i32 { return changetype<Session>(s).setPriority(id, n); }
export function h2_raw_frame(s: usize, type: u8, id: u32, n: u32): i32 { return changetype<Session>(s).submitRaw(type, id, n); }
export function h2_pull(s: usize): i32 { return changetype<Session>(s).pull(); }
export function h2_out(s: usize): usize { return changetype<Session>(s).out; }
export function h2_segs(s: usize): usize { return changetype<Session>(s).segs; }
export function h2_seg_count(s: usize): u32 { return changetype<Session>(s).segCount; }
export function h2_wants_write(s: usize): bool { return changetype<Session>(s).wantsWrite(); }
export function h2_session_info(s: usize, what: i32): f64 { return changetype<Session>(s).sessionInfo(what); }
export function h2_stream_info(s: usize, id: u32, what: i32): f64 { return changetype<Session>(s).streamInfo(id, what); }
export function h2_local_setting(s: usize, id: u32): u32 { return changetype<Session>(s).local.get(id); }
export function h2_remote_setting(s: usize, id: u32): u32 { return changetype<Session>(s).remote.get(id); }
export function h2_snaps(s: usize): usize { return changetype<Session>(s).snaps; }
export function h2_pending_input(s: usize): u32 { return changetype<Session>(s).pendingInput(); }

// Debug builds only (asconfig "debug" sets --use DEBUG_EXPORTS=1): lets tests force a trap to
// check the bindings' recovery. In release the body compiles away to nothing.
export function h2_debug_trap(): void {
  if (isDefined(DEBUG_EXPORTS)) unreachable();
}
