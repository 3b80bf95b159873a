// Errors of the core API: Node-style codes for calls, and texts for protocol error reasons.
import * as abi from './abi.gen.ts';

export class H2Error extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'H2Error';
    this.code = code;
  }
}

const SUBMIT_ERRORS: Record<number, [string, string]> = {
  [abi.E_INVALID_STREAM]: ['ERR_HTTP2_INVALID_STREAM', 'The stream has been destroyed'],
  [abi.E_STREAM_STATE]: ['ERR_HTTP2_INVALID_STREAM', 'The stream is not in a state that allows this'],
  [abi.E_OUT_OF_STREAMS]: ['ERR_HTTP2_OUT_OF_STREAMS', 'No stream ID is available because maximum stream ID has been reached'],
  [abi.E_GOAWAY]: ['ERR_HTTP2_GOAWAY_SESSION', 'New streams cannot be created after receiving a GOAWAY'],
  [abi.E_HEADERS_SENT]: ['ERR_HTTP2_HEADERS_SENT', 'Response has already been initiated.'],
  [abi.E_PUSH_DISABLED]: ['ERR_HTTP2_PUSH_DISABLED', 'HTTP/2 client has disabled push streams'],
  [abi.E_SESSION_CLOSED]: ['ERR_HTTP2_INVALID_SESSION', 'The session has been destroyed'],
  [abi.E_TRAILERS_SENT]: ['ERR_HTTP2_TRAILERS_ALREADY_SENT', 'Trailing headers have already been sent'],
  [abi.E_INVALID_ARG]: ['ERR_INVALID_ARG_VALUE', 'The argument is invalid for this session'],
  [abi.E_HEADERS]: ['ERR_HTTP2_HEADERS_OBJECT', 'The headers could not be encoded'],
};

export function submitError(status: number): H2Error {
  const [code, message] = SUBMIT_ERRORS[status] ?? ['ERR_HTTP2_ERROR', `core status ${status}`];
  return new H2Error(code, message);
}

export const REASONS: Record<number, string> = {
  [abi.R_NONE]: '',
  [abi.R_BAD_PREFACE]: 'invalid connection preface',
  [abi.R_FIRST_NOT_SETTINGS]: 'the first frame was not SETTINGS',
  [abi.R_FRAME_SIZE]: 'frame size is invalid',
  [abi.R_BAD_STREAM_ID]: 'invalid stream identifier',
  [abi.R_STREAM_STATE]: 'frame not allowed in the stream state',
  [abi.R_BAD_SETTING]: 'invalid setting value',
  [abi.R_FLOW_CONTROL]: 'flow-control window exceeded',
  [abi.R_WINDOW_OVERFLOW]: 'flow-control window above 2^31-1',
  [abi.R_ZERO_INCREMENT]: 'WINDOW_UPDATE with a zero increment',
  [abi.R_PADDING]: 'invalid padding',
  [abi.R_CONTINUATION]: 'unexpected or interleaved CONTINUATION',
  [abi.R_COMPRESSION]: 'header block could not be decompressed',
  [abi.R_HEADER_LIST_TOO_LARGE]: 'header list exceeds the limits',
  [abi.R_MALFORMED]: 'malformed message (RFC 9113 §8)',
  [abi.R_CONTENT_LENGTH]: 'content-length does not match the DATA received',
  [abi.R_REFUSED]: 'stream refused: concurrency or memory limit',
  [abi.R_PUSH]: 'invalid server push',
  [abi.R_RAPID_RESET]: 'too many stream resets (rapid reset)',
  [abi.R_GLITCHES]: 'too many protocol errors from the peer',
  [abi.R_ACK_FLOOD]: 'too many PING/SETTINGS acknowledgements queued',
  [abi.R_SETTINGS_FLOOD]: 'too many entries in one SETTINGS frame',
  [abi.R_OUTBOUND_QUEUE]: 'outbound frame queue is full',
  [abi.R_SELF_DEPENDENCY]: 'stream depends on itself',
  [abi.R_PEER_RESET]: 'the peer reset the stream',
  [abi.R_CLOSED_STREAM]: 'frame on a closed stream',
  [abi.R_TOO_MANY_CONTINUATIONS]: 'too many CONTINUATION frames in one header block',
  [abi.R_PRIORITY_UPDATE]: 'invalid PRIORITY_UPDATE',
  [abi.R_MEMORY]: 'session memory limit reached',
  [abi.R_GOAWAY]: 'not processed: above the last stream id of the peer\'s GOAWAY',
};
