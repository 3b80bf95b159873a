// The one source of the numbers shared with TypeScript (scripts/gen-abi.mjs copies every
// `export const NAME: type = value;` line below into bindings/core/abi.gen.ts).

// HPACK statuses: 0 and above are successes; each negative value is one kind of failure.
export const HPACK_OK: i32 = 0;
export const HPACK_ERR_TRUNCATED: i32 = -1;
export const HPACK_ERR_INTEGER_OVERFLOW: i32 = -2;
export const HPACK_ERR_INVALID_INDEX: i32 = -3;
export const HPACK_ERR_INVALID_HUFFMAN: i32 = -4;
export const HPACK_ERR_TABLE_SIZE_UPDATE: i32 = -5;
export const HPACK_ERR_HEADER_LIST_TOO_LARGE: i32 = -6;
export const HPACK_ERR_TOO_MANY_HEADERS: i32 = -7;
export const HPACK_ERR_HEADER_FIELD_TOO_LARGE: i32 = -8;
export const HPACK_ERR_UNUSABLE: i32 = -9;
export const HPACK_ERR_OUT_OF_MEMORY: i32 = -10;
export const HPACK_ERR_INVALID_INPUT: i32 = -11;

// A decoded field record: HPACK_RECORD_WORDS u32 words.
//   word 0: kind | flags << 8 | static index << 16
//   word 1: absolute id of the dynamic entry referenced (kinds DYNAMIC_*)
//   word 2: absolute id of the entry this field inserted (flag INSERTED)
//   words 3–6: name offset, name length, value offset, value length (in WASM memory)
export const HPACK_RECORD_WORDS: i32 = 8;
export const HPACK_KIND_LITERAL: i32 = 0;
export const HPACK_KIND_STATIC: i32 = 1;
export const HPACK_KIND_STATIC_NAME: i32 = 2;
export const HPACK_KIND_DYNAMIC: i32 = 3;
export const HPACK_KIND_DYNAMIC_NAME: i32 = 4;
export const HPACK_FLAG_NEVER_INDEXED: i32 = 1;
export const HPACK_FLAG_INSERTED: i32 = 2;
export const HPACK_FLAG_NO_COPY: i32 = 4; // an indexed entry's octets were left out (the caller has its strings)

// An outgoing field as packed by JS: u8 flags, u8 static name index (0: none), u32 name
// length, u32 value length (little-endian), then the name and value octets.
export const HPACK_PACKED_HEAD: i32 = 10;
export const HPACK_PACK_SENSITIVE: i32 = 1;
export const HPACK_PACK_NAME_KNOWN: i32 = 2;

export const HPACK_HUFFMAN_AUTO: i32 = 0;
export const HPACK_HUFFMAN_ALWAYS: i32 = 1;
export const HPACK_HUFFMAN_NEVER: i32 = 2;
export const HPACK_INDEXING_AUTO: i32 = 0;
export const HPACK_INDEXING_ALL: i32 = 1;
export const HPACK_INDEXING_NONE: i32 = 2;

// Stream states, RFC 9113 §5.1.
export const STREAM_IDLE: i32 = 0;
export const STREAM_RESERVED_LOCAL: i32 = 1;
export const STREAM_RESERVED_REMOTE: i32 = 2;
export const STREAM_OPEN: i32 = 3;
export const STREAM_HALF_CLOSED_LOCAL: i32 = 4;
export const STREAM_HALF_CLOSED_REMOTE: i32 = 5;
export const STREAM_CLOSED: i32 = 6;

// Session events: HPACK_RECORD_WORDS-like records of H2_EVENT_WORDS u32 words:
//   kind, flags, stream id, a, b, c, d, e (meaning per kind below).
export const H2_EVENT_WORDS: i32 = 8;
export const EV_REQUEST: i32 = 1; // a: first header record, b: count
export const EV_RESPONSE: i32 = 2; // same
export const EV_INFORMATIONAL: i32 = 3; // same
export const EV_TRAILERS: i32 = 4; // same
export const EV_PUSH: i32 = 5; // same; c: promised stream id
export const EV_DATA: i32 = 6; // a: payload pointer, b: length
export const EV_STREAM_END: i32 = 7;
export const EV_RESET: i32 = 8; // a: error code
export const EV_SETTINGS: i32 = 9;
export const EV_SETTINGS_ACK: i32 = 10;
export const EV_PING: i32 = 11; // a: payload pointer (8 octets)
export const EV_PING_ACK: i32 = 12; // a: payload pointer
export const EV_GOAWAY: i32 = 13; // a: code, b: last stream id, c: debug pointer, d: length
export const EV_ALTSVC: i32 = 14; // a: origin pointer, b: length, c: value pointer, d: length
export const EV_ORIGIN: i32 = 15; // a: payload pointer, b: length (RFC 8336 entries)
export const EV_PRIORITY_UPDATE: i32 = 16; // stream: prioritized id; a: value pointer, b: length
export const EV_WINDOW_UPDATE: i32 = 17; // a: increment
export const EV_UNKNOWN_FRAME: i32 = 18; // a: type, b: flags, c: payload pointer, d: length
export const EV_ERROR: i32 = 19; // a: error code, b: reason; flags: EVF_CONNECTION, EVF_LOCAL
export const EVF_END_STREAM: i32 = 1;
export const EVF_CONNECTION: i32 = 2;
export const EVF_REMOTE: i32 = 4; // the error was reported by the peer (else detected here)

// Why an error happened (EV_ERROR b); bindings/core/errors.ts has the texts.
export const R_NONE: i32 = 0;
export const R_BAD_PREFACE: i32 = 1;
export const R_FIRST_NOT_SETTINGS: i32 = 2;
export const R_FRAME_SIZE: i32 = 3;
export const R_BAD_STREAM_ID: i32 = 4;
export const R_STREAM_STATE: i32 = 5;
export const R_BAD_SETTING: i32 = 6;
export const R_FLOW_CONTROL: i32 = 7;
export const R_WINDOW_OVERFLOW: i32 = 8;
export const R_ZERO_INCREMENT: i32 = 9;
export const R_PADDING: i32 = 10;
export const R_CONTINUATION: i32 = 11;
export const R_COMPRESSION: i32 = 12;
export const R_HEADER_LIST_TOO_LARGE: i32 = 13;
export const R_MALFORMED: i32 = 14;
export const R_CONTENT_LENGTH: i32 = 15;
export const R_REFUSED: i32 = 16;
export const R_PUSH: i32 = 17;
export const R_RAPID_RESET: i32 = 18;
export const R_GLITCHES: i32 = 19;
export const R_ACK_FLOOD: i32 = 20;
export const R_SETTINGS_FLOOD: i32 = 21;
export const R_OUTBOUND_QUEUE: i32 = 22;
export const R_SELF_DEPENDENCY: i32 = 23;
export const R_PEER_RESET: i32 = 24;
export const R_CLOSED_STREAM: i32 = 25;
export const R_TOO_MANY_CONTINUATIONS: i32 = 26;
export const R_PRIORITY_UPDATE: i32 = 27;
export const R_MEMORY: i32 = 28;
export const R_GOAWAY: i32 = 29;

// Submissions (h2_submit_headers kinds) and their failures.
export const SUBMIT_REQUEST: i32 = 1;
export const SUBMIT_RESPONSE: i32 = 2;
export const SUBMIT_INFORMATIONAL: i32 = 3;
export const SUBMIT_TRAILERS: i32 = 4;
export const SUBMIT_PUSH: i32 = 5;
export const SUBMITF_END_STREAM: i32 = 1;
export const SUBMITF_HEAD: i32 = 2; // a HEAD request (its response has no body)
export const SUBMITF_CONNECT: i32 = 4; // a CONNECT request: the stream becomes a tunnel (§8.5)
export const SUBMITF_NO_BODY: i32 = 8; // a 204/304 response: no body may follow
export const E_INVALID_STREAM: i32 = -100;
export const E_STREAM_STATE: i32 = -101;
export const E_OUT_OF_STREAMS: i32 = -102;
export const E_GOAWAY: i32 = -103;
export const E_HEADERS_SENT: i32 = -104;
export const E_PUSH_DISABLED: i32 = -105;
export const E_SESSION_CLOSED: i32 = -106;
export const E_TRAILERS_SENT: i32 = -107;
export const E_INVALID_ARG: i32 = -108;
export const E_HEADERS: i32 = -109;

// Limits (h2_set_limit ids).
export const L_MAX_HEADER_LIST_SIZE: i32 = 1;
export const L_MAX_HEADER_LIST_PAIRS: i32 = 2;
export const L_MAX_HEADER_FIELD_SIZE: i32 = 3;
export const L_MAX_CONTINUATIONS: i32 = 4;
export const L_RESET_BURST: i32 = 5;
export const L_RESET_RATE: i32 = 6;
export const L_GLITCH_BURST: i32 = 7;
export const L_GLITCH_RATE: i32 = 8;
export const L_MAX_QUEUED_ACKS: i32 = 9;
export const L_MAX_SETTINGS_ENTRIES: i32 = 10;
export const L_MAX_QUEUED_FRAMES: i32 = 11;
export const L_MAX_SESSION_MEMORY: i32 = 12;
export const L_CONNECTION_WINDOW: i32 = 13;
export const L_ENCODER_TABLE_SIZE: i32 = 14;
export const L_PADDING_STRATEGY: i32 = 15; // PADDING_* below
export const L_PEER_MAX_CONCURRENT_STREAMS: i32 = 16; // assumed until the peer's SETTINGS say otherwise
export const L_MAX_RESERVED_REMOTE_STREAMS: i32 = 17; // promises beyond it are cancelled

// Padding of sent HEADERS and DATA (the numbers are node:http2's PADDING_STRATEGY_*).
export const PADDING_NONE: i32 = 0;
export const PADDING_ALIGNED: i32 = 1; // frame length including its header a multiple of 8
export const PADDING_MAX: i32 = 2; // 255 octets of padding, as far as limits allow

// h2_session_info / h2_stream_info selectors.
export const I_SEND_WINDOW: i32 = 1;
export const I_RECV_WINDOW: i32 = 2;
export const I_NEXT_STREAM_ID: i32 = 3;
export const I_OPEN_STREAMS: i32 = 4;
export const I_LAST_PEER_STREAM: i32 = 5;
export const I_GOAWAY_SENT: i32 = 6;
export const I_GOAWAY_RECEIVED: i32 = 7;
export const I_DEAD: i32 = 8;
export const I_STATE: i32 = 9;
export const I_PENDING: i32 = 10;
export const I_PENDING_SETTINGS: i32 = 11;
export const I_GOAWAY_LAST_STREAM: i32 = 12;
export const I_MEMORY: i32 = 13;
export const I_FRAMES_RECEIVED: i32 = 14;
export const I_FRAMES_SENT: i32 = 15;
export const I_DEFLATE_TABLE_SIZE: i32 = 16; // octets (RFC 7541 §4.1) in our encoder's dynamic table
export const I_INFLATE_TABLE_SIZE: i32 = 17; // and in our decoder's
