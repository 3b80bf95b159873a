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
