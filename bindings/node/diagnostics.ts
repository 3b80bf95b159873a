// What node:http2 reports about itself: NODE_DEBUG=http2 lines (util.debuglog, Node's wording)
// and PerformanceObserver entries of type 'http2' for each closed Http2Session and Http2Stream.
//
// Runtimes give no public way to add entries to PerformanceObserver, so when this module loads
// it puts a subclass in place of `perf_hooks.PerformanceObserver` (and the global one) that
// remembers its callback; observers made from it that observe 'http2' also receive our entries.
// An observer constructed before h2wasm was loaded only sees node:http2's own entries.
import { debuglog } from 'node:util';
import * as perfHooks from 'node:perf_hooks';
import { createRequire } from 'node:module';

// Node's debuglog itself warns that NODE_DEBUG=http2 can expose sensitive data.
const debug = debuglog('http2');

/** Whether NODE_DEBUG names http2 (checked before building any message). */
export function debugEnabled(): boolean {
  return debug.enabled;
}

export function debugSession(type: string, message: string): void {
  if (debugEnabled()) debug(`Http2Session ${type}: ${message}`);
}

export function debugStream(id: number, type: string, message: string): void {
  if (debugEnabled()) debug(`Http2Stream ${id} [Http2Session ${type}]: ${message}`);
}

// ---------------------------------------------------------------- performance entries

export interface Http2Entry {
  name: 'Http2Session' | 'Http2Stream';
  entryType: 'http2';
  startTime: number;
  duration: number;
  detail: Record<string, number | string>;
  toJSON(): object;
}

type ObserverCallback = (list: EntryList, observer: unknown) => void;
interface EntryList {
  getEntries(): Http2Entry[];
  getEntriesByType(type: string): Http2Entry[];
  getEntriesByName(name: string, type?: string): Http2Entry[];
}

const watching = new Map<object, { callback: ObserverCallback; queue: Http2Entry[] }>();

function wantsHttp2(options: { entryTypes?: string[]; type?: string } | undefined): boolean {
  return !!options && (options.type === 'http2' || (Array.isArray(options.entryTypes) && options.entryTypes.includes('http2')));
}

function installObserverHook(): void {
  const Original = perfHooks.PerformanceObserver as unknown as { new (cb: ObserverCallback): { observe(o: object): void; disconnect(): void } };
  if (typeof Original !== 'function' || (Original as { h2wasm?: boolean }).h2wasm) return;
  const callbacks = new WeakMap<object, ObserverCallback>();
  class PerformanceObserver extends Original {
    static h2wasm = true;
    constructor(callback: ObserverCallback) {
      super(callback);
      callbacks.set(this, callback);
    }
    override observe(options: { entryTypes?: string[]; type?: string }): void {
      super.observe(options);
      const callback = callbacks.get(this);
      if (callback && wantsHttp2(options)) watching.set(this, { callback, queue: [] });
    }
    override disconnect(): void {
      super.disconnect();
      watching.delete(this);
    }
  }
  try {
    // Later `require('perf_hooks')` and `import { PerformanceObserver } from 'node:perf_hooks'` see it.
    const require = createRequire(import.meta.url);
    const cjs = require('node:perf_hooks') as { PerformanceObserver: unknown };
    cjs.PerformanceObserver = PerformanceObserver;
    (require('node:module') as { syncBuiltinESMExports?: () => void }).syncBuiltinESMExports?.();
    if ((globalThis as { PerformanceObserver?: unknown }).PerformanceObserver === Original) {
      (globalThis as { PerformanceObserver?: unknown }).PerformanceObserver = PerformanceObserver;
    }
  } catch { /* a runtime whose built-ins are frozen: only node:http2's own entries then */ }
}

installObserverHook();

/** Whether any observer wants 'http2' entries (so sessions only gather figures when asked). */
export function observingHttp2(): boolean {
  return watching.size > 0;
}

/** Queues an entry for every 'http2' observer; each gets its batch on the next turn, as Node delivers. */
export function emitEntry(name: Http2Entry['name'], startTime: number, detail: Http2Entry['detail']): void {
  if (!watching.size) return;
  const duration = perfHooks.performance.now() - startTime;
  const entry: Http2Entry = {
    name, entryType: 'http2', startTime, duration, detail,
    toJSON() { return { name, entryType: 'http2', startTime, duration, detail }; },
  };
  for (const [observer, w] of watching) {
    if (w.queue.push(entry) > 1) continue;
    setImmediate(() => {
      const entries = w.queue.splice(0);
      if (!watching.has(observer) || !entries.length) return;
      w.callback({
        getEntries: () => entries.slice(),
        getEntriesByType: (type) => entries.filter((e) => e.entryType === type),
        getEntriesByName: (n, type) => entries.filter((e) => e.name === n && (type === undefined || e.entryType === type)),
      }, observer);
    });
  }
}
