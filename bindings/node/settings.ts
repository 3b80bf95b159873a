// http2.getDefaultSettings / getPackedSettings / getUnpackedSettings, as Node 20 defines them
// (RFC 9113 §6.5.1 wire form: 16-bit id, 32-bit value, per setting).
import { Buffer } from 'node:buffer';
import { errorOf, invalidArgType } from './errors.ts';

export interface Settings {
  headerTableSize?: number;
  enablePush?: boolean;
  initialWindowSize?: number;
  maxFrameSize?: number;
  maxConcurrentStreams?: number;
  maxHeaderListSize?: number;
  maxHeaderSize?: number;
  enableConnectProtocol?: boolean;
  customSettings?: Record<number, number>;
}

const U32 = 0xffffffff;
// name, id, min, max (numbers) — in id order, the order Node packs them.
const NUMERIC: Array<[keyof Settings, number, number, number]> = [
  ['headerTableSize', 0x1, 0, U32],
  ['maxConcurrentStreams', 0x3, 0, U32],
  ['initialWindowSize', 0x4, 0, 0x7fffffff],
  ['maxFrameSize', 0x5, 16384, 16777215],
  ['maxHeaderListSize', 0x6, 0, U32],
];
const MAX_CUSTOM_SETTINGS = 10;

export function getDefaultSettings(): Settings {
  return Object.assign(Object.create(null), {
    headerTableSize: 4096,
    enablePush: true,
    initialWindowSize: 65535,
    maxFrameSize: 16384,
    maxConcurrentStreams: 4294967295,
    maxHeaderSize: 65535,
    maxHeaderListSize: 65535,
    enableConnectProtocol: false,
  });
}

function invalid(name: string, value: unknown, type: 'range' | 'type'): Error {
  return errorOf('ERR_HTTP2_INVALID_SETTING_VALUE', `Invalid value for setting "${name}": ${value}`, type === 'range' ? RangeError : TypeError);
}

/** Validates a settings object as Node does; returns the (id, value) pairs in Node's packing order. */
export function settingPairs(settings: Settings): Array<[number, number]> {
  if (settings === null || typeof settings !== 'object') {
    throw invalidArgType('settings', 'of type object', settings);
  }
  const s = { ...settings };
  if (s.maxHeaderSize !== undefined) {
    if (s.maxHeaderListSize !== undefined) process.emitWarning('settings.maxHeaderSize overwrite settings.maxHeaderListSize');
    s.maxHeaderListSize = s.maxHeaderSize;
  }
  const pairs: Array<[number, number]> = [];
  const numeric = (name: keyof Settings, id: number, min: number, max: number) => {
    const v = s[name];
    if (v === undefined) return;
    if (typeof v !== 'number' || v < min || v > max || Number.isNaN(v)) throw invalid(name, v, 'range');
    pairs.push([id, v >>> 0]);
  };
  const flag = (name: 'enablePush' | 'enableConnectProtocol', id: number) => {
    const v = s[name];
    if (v === undefined) return;
    if (typeof v !== 'boolean') throw invalid(name, v, 'type');
    pairs.push([id, v ? 1 : 0]);
  };
  numeric(...NUMERIC[0]);
  flag('enablePush', 0x2);
  for (const n of NUMERIC.slice(1)) numeric(...n);
  flag('enableConnectProtocol', 0x8);
  if (s.customSettings !== undefined) {
    const ids = Object.keys(s.customSettings);
    if (ids.length > MAX_CUSTOM_SETTINGS) throw errorOf('ERR_HTTP2_TOO_MANY_CUSTOM_SETTINGS', 'Number of custom settings exceeds MAX_ADDITIONAL_SETTINGS', Error);
    for (const key of ids) {
      const id = Number(key), v = s.customSettings[id];
      if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw invalid('customSettings:id', key, 'range');
      if (typeof v !== 'number' || v < 0 || v > U32) throw invalid('customSettings:value', v, 'range');
      pairs.push([id, v >>> 0]);
    }
  }
  return pairs;
}

export function getPackedSettings(settings: Settings = {}): Buffer {
  const pairs = settingPairs(settings);
  const out = Buffer.alloc(pairs.length * 6);
  pairs.forEach(([id, v], i) => { out.writeUInt16BE(id, i * 6); out.writeUInt32BE(v, i * 6 + 2); });
  return out;
}

export function getUnpackedSettings(buf: Uint8Array, options: { validate?: boolean } = {}): Settings {
  if (!ArrayBuffer.isView(buf)) {
    throw invalidArgType('buf', 'an instance of Buffer or TypedArray', buf);
  }
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length % 6 !== 0) throw errorOf('ERR_HTTP2_INVALID_PACKED_SETTINGS_LENGTH', 'Packed settings length must be a multiple of six', RangeError);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = Object.create(null) as Settings;
  for (let i = 0; i < bytes.length; i += 6) {
    const id = dv.getUint16(i), v = dv.getUint32(i + 2);
    switch (id) {
      case 0x1: out.headerTableSize = v; break;
      case 0x2: out.enablePush = v !== 0; break;
      case 0x3: out.maxConcurrentStreams = v; break;
      case 0x4: out.initialWindowSize = v; break;
      case 0x5: out.maxFrameSize = v; break;
      case 0x6: out.maxHeaderSize = out.maxHeaderListSize = v; break;
      case 0x8: out.enableConnectProtocol = v !== 0; break;
      default: (out.customSettings ??= {})[id] = v;
    }
  }
  if (options.validate) {
    const check = { ...out };
    delete check.maxHeaderSize;
    for (const [name, , min, max] of NUMERIC) {
      const v = check[name] as number | undefined;
      if (v !== undefined && (v < min || v > max)) throw invalid(name, v, 'range');
    }
  }
  return out;
}
