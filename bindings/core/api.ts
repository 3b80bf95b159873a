// The h2wasm/core API surface, without a WASM source (platform entries register one).
export { Session } from './session.ts';
export type { SessionOptions, Limits, Event, SendOptions, FrameInfo, StreamStateName, HeaderPairs, HeaderInput, Settings } from './session.ts';
export { ErrorCode, FrameType, Flag, SettingId } from './constants.ts';
export { H2Error } from './errors.ts';
export { traceFrames, describeFrame } from './trace.ts';
export { initCore, registerCoreModule, registerCoreBytes } from './load.ts';
