// Protocol numbers, named as RFC 9113 (and RFC 7838, 8336, 8441, 9218) name them.

export namespace FrameType {
  export const DATA: u8 = 0x0;
  export const HEADERS: u8 = 0x1;
  export const PRIORITY: u8 = 0x2;
  export const RST_STREAM: u8 = 0x3;
  export const SETTINGS: u8 = 0x4;
  export const PUSH_PROMISE: u8 = 0x5;
  export const PING: u8 = 0x6;
  export const GOAWAY: u8 = 0x7;
  export const WINDOW_UPDATE: u8 = 0x8;
  export const CONTINUATION: u8 = 0x9;
  export const ALTSVC: u8 = 0xa; // RFC 7838
  export const ORIGIN: u8 = 0xc; // RFC 8336
  export const PRIORITY_UPDATE: u8 = 0x10; // RFC 9218
}

export namespace Flag {
  export const END_STREAM: u8 = 0x1;
  export const ACK: u8 = 0x1;
  export const END_HEADERS: u8 = 0x4;
  export const PADDED: u8 = 0x8;
  export const PRIORITY: u8 = 0x20;
}

export namespace ErrorCode {
  export const NO_ERROR: u32 = 0x0;
  export const PROTOCOL_ERROR: u32 = 0x1;
  export const INTERNAL_ERROR: u32 = 0x2;
  export const FLOW_CONTROL_ERROR: u32 = 0x3;
  export const SETTINGS_TIMEOUT: u32 = 0x4;
  export const STREAM_CLOSED: u32 = 0x5;
  export const FRAME_SIZE_ERROR: u32 = 0x6;
  export const REFUSED_STREAM: u32 = 0x7;
  export const CANCEL: u32 = 0x8;
  export const COMPRESSION_ERROR: u32 = 0x9;
  export const CONNECT_ERROR: u32 = 0xa;
  export const ENHANCE_YOUR_CALM: u32 = 0xb;
  export const INADEQUATE_SECURITY: u32 = 0xc;
  export const HTTP_1_1_REQUIRED: u32 = 0xd;
}

export namespace SettingId {
  export const HEADER_TABLE_SIZE: u32 = 0x1;
  export const ENABLE_PUSH: u32 = 0x2;
  export const MAX_CONCURRENT_STREAMS: u32 = 0x3;
  export const INITIAL_WINDOW_SIZE: u32 = 0x4;
  export const MAX_FRAME_SIZE: u32 = 0x5;
  export const MAX_HEADER_LIST_SIZE: u32 = 0x6;
  export const ENABLE_CONNECT_PROTOCOL: u32 = 0x8; // RFC 8441
  export const NO_RFC7540_PRIORITIES: u32 = 0x9; // RFC 9218
}

export const FRAME_HEADER_LENGTH: u32 = 9;
export const MAX_WINDOW: i64 = 0x7fffffff; // RFC 9113 §6.9.1
export const DEFAULT_WINDOW: i32 = 65535;
export const MIN_MAX_FRAME_SIZE: u32 = 16384;
export const MAX_MAX_FRAME_SIZE: u32 = 16777215;
export const MAX_STREAM_ID: u32 = 0x7fffffff;
