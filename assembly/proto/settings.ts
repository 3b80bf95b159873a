// SETTINGS values (RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1) and their validation.
import { SettingId, ErrorCode, MAX_WINDOW, MIN_MAX_FRAME_SIZE, MAX_MAX_FRAME_SIZE } from '../frame/types';

export const UNLIMITED: u32 = 0xffffffff;

@unmanaged
export class Settings {
  headerTableSize: u32 = 4096;
  enablePush: u32 = 1;
  maxConcurrentStreams: u32 = UNLIMITED;
  initialWindowSize: u32 = 65535;
  maxFrameSize: u32 = 16384;
  maxHeaderListSize: u32 = UNLIMITED;
  enableConnectProtocol: u32 = 0;
  noRfc7540Priorities: u32 = 0;

  get(id: u32): u32 {
    switch (id) {
      case SettingId.HEADER_TABLE_SIZE: return this.headerTableSize;
      case SettingId.ENABLE_PUSH: return this.enablePush;
      case SettingId.MAX_CONCURRENT_STREAMS: return this.maxConcurrentStreams;
      case SettingId.INITIAL_WINDOW_SIZE: return this.initialWindowSize;
      case SettingId.MAX_FRAME_SIZE: return this.maxFrameSize;
      case SettingId.MAX_HEADER_LIST_SIZE: return this.maxHeaderListSize;
      case SettingId.ENABLE_CONNECT_PROTOCOL: return this.enableConnectProtocol;
      case SettingId.NO_RFC7540_PRIORITIES: return this.noRfc7540Priorities;
    }
    return 0;
  }

  /** Stores a known setting; unknown ids are ignored (RFC 9113 §6.5.2). */
  set(id: u32, value: u32): void {
    switch (id) {
      case SettingId.HEADER_TABLE_SIZE: this.headerTableSize = value; break;
      case SettingId.ENABLE_PUSH: this.enablePush = value; break;
      case SettingId.MAX_CONCURRENT_STREAMS: this.maxConcurrentStreams = value; break;
      case SettingId.INITIAL_WINDOW_SIZE: this.initialWindowSize = value; break;
      case SettingId.MAX_FRAME_SIZE: this.maxFrameSize = value; break;
      case SettingId.MAX_HEADER_LIST_SIZE: this.maxHeaderListSize = value; break;
      case SettingId.ENABLE_CONNECT_PROTOCOL: this.enableConnectProtocol = value; break;
      case SettingId.NO_RFC7540_PRIORITIES: this.noRfc7540Priorities = value; break;
    }
  }

  copyFrom(other: Settings): void {
    memory.copy(changetype<usize>(this), changetype<usize>(other), offsetof<Settings>());
  }
}

/**
 * The error a received setting causes, or 0 when it is acceptable.
 * `receiverIsClient`: a server must not enable push (RFC 9113 §6.5.2).
 */
export function settingError(id: u32, value: u32, receiverIsClient: bool, current: Settings): u32 {
  switch (id) {
    case SettingId.ENABLE_PUSH:
      if (value > 1 || (receiverIsClient && value == 1)) return ErrorCode.PROTOCOL_ERROR;
      break;
    case SettingId.INITIAL_WINDOW_SIZE:
      if (<i64>value > MAX_WINDOW) return ErrorCode.FLOW_CONTROL_ERROR;
      break;
    case SettingId.MAX_FRAME_SIZE:
      if (value < MIN_MAX_FRAME_SIZE || value > MAX_MAX_FRAME_SIZE) return ErrorCode.PROTOCOL_ERROR;
      break;
    case SettingId.ENABLE_CONNECT_PROTOCOL:
      // RFC 8441 §3: 0 or 1, and once 1 it stays 1.
      if (value > 1 || (value == 0 && current.enableConnectProtocol == 1)) return ErrorCode.PROTOCOL_ERROR;
      break;
    case SettingId.NO_RFC7540_PRIORITIES:
      if (value > 1) return ErrorCode.PROTOCOL_ERROR;
      break;
  }
  return 0;
}
