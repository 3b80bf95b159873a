// An nghttp -v style frame trace, built from the session's frame observer.
import type { Session, FrameInfo } from './session.ts';
import { ERROR_NAMES } from './constants.ts';

export const FRAME_TYPE_NAMES: Record<number, string> = {
  0: 'DATA', 1: 'HEADERS', 2: 'PRIORITY', 3: 'RST_STREAM', 4: 'SETTINGS', 5: 'PUSH_PROMISE', 6: 'PING',
  7: 'GOAWAY', 8: 'WINDOW_UPDATE', 9: 'CONTINUATION', 10: 'ALTSVC', 12: 'ORIGIN', 16: 'PRIORITY_UPDATE',
};
export const SETTING_ID_NAMES: Record<number, string> = {
  1: 'SETTINGS_HEADER_TABLE_SIZE', 2: 'SETTINGS_ENABLE_PUSH', 3: 'SETTINGS_MAX_CONCURRENT_STREAMS',
  4: 'SETTINGS_INITIAL_WINDOW_SIZE', 5: 'SETTINGS_MAX_FRAME_SIZE', 6: 'SETTINGS_MAX_HEADER_LIST_SIZE',
  8: 'SETTINGS_ENABLE_CONNECT_PROTOCOL', 9: 'SETTINGS_NO_RFC7540_PRIORITIES',
};

/** The names of the flags set on a frame of `type`, as nghttp prints them. */
export function frameFlagNames(type: number, flags: number): string[] {
  const names: string[] = [];
  if ((type === 0 || type === 1) && flags & 1) names.push('END_STREAM');
  if ((type === 4 || type === 6) && flags & 1) names.push('ACK');
  if ((type === 1 || type === 5 || type === 9) && flags & 4) names.push('END_HEADERS');
  if ((type === 0 || type === 1 || type === 5) && flags & 8) names.push('PADDED');
  if (type === 1 && flags & 0x20) names.push('PRIORITY');
  return names;
}

const u32 = (p: Uint8Array, at: number) => ((p[at] << 24) | (p[at + 1] << 16) | (p[at + 2] << 8) | p[at + 3]) >>> 0;

/** One frame as nghttp -v prints it. */
export function describeFrame(f: FrameInfo, startedAt: number): string {
  const t = ((Date.now() - startedAt) / 1000).toFixed(3);
  const dir = f.direction === 'send' ? 'send' : 'recv';
  const name = FRAME_TYPE_NAMES[f.type] ?? `UNKNOWN(0x${f.type.toString(16)})`;
  let s = `[${t.padStart(7)}] ${dir} ${name} frame <length=${f.length}, flags=0x${f.flags.toString(16).padStart(2, '0')}, stream_id=${f.streamId}>`;
  const flags = frameFlagNames(f.type, f.flags);
  if (flags.length) s += `\n          ; ${flags.join(' | ')}`;
  const p = f.payload;
  if (f.type === 4 && !(f.flags & 1)) {
    s += `\n          (niv=${f.length / 6})`;
    for (let i = 0; i + 6 <= p.length; i += 6) s += `\n          [${SETTING_ID_NAMES[(p[i] << 8) | p[i + 1]] ?? 'UNKNOWN'}(0x${((p[i] << 8) | p[i + 1]).toString(16).padStart(2, '0')}):${u32(p, i + 2)}]`;
  } else if (f.type === 3 && p.length >= 4) {
    s += `\n          (error_code=${ERROR_NAMES[u32(p, 0)] ?? u32(p, 0)}(0x${u32(p, 0).toString(16).padStart(2, '0')}))`;
  } else if (f.type === 7 && p.length >= 8) {
    s += `\n          (last_stream_id=${u32(p, 0) & 0x7fffffff}, error_code=${ERROR_NAMES[u32(p, 4)] ?? u32(p, 4)}(0x${u32(p, 4).toString(16).padStart(2, '0')}), opaque_data(${p.length - 8})=[${String.fromCharCode(...p.subarray(8, 72))}])`;
  } else if (f.type === 8 && p.length >= 4) {
    s += `\n          (window_size_increment=${u32(p, 0) & 0x7fffffff})`;
  } else if (f.type === 6) {
    s += `\n          (opaque_data=${Array.from(p, (b) => b.toString(16).padStart(2, '0')).join('')})`;
  } else if (f.type === 5 && p.length >= 4) {
    s += `\n          (promised_stream_id=${u32(p, (f.flags & 8) ? 1 : 0) & 0x7fffffff})`;
  }
  return s;
}

/** Prints every frame of `session` through `write` (e.g. to stderr); returns a function that stops it. */
export function traceFrames(session: Session, write: (line: string) => void): () => void {
  const started = Date.now();
  return session.observe((f) => write(describeFrame(f, started)));
}
