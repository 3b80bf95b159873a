// The idle timers of session.setTimeout() and stream.setTimeout(), as Node's setStreamTimeout.
import type { EventEmitter } from 'node:events';
import { errorOf, invalidArgType } from './errors.ts';

/**
 * Node's setStreamTimeout for sessions and streams: validates `ms` as timers do, clears the old
 * timer, and arms an unref'd one that emits 'timeout' (0 disarms and drops `callback`).
 */
export function idleTimer(emitter: EventEmitter, old: ReturnType<typeof setTimeout> | undefined, ms: unknown, callback: unknown): ReturnType<typeof setTimeout> | undefined {
  if (typeof ms !== 'number') throw invalidArgType('msecs', 'of type number', ms);
  if (ms < 0 || !Number.isFinite(ms)) throw errorOf('ERR_OUT_OF_RANGE', `The value of "msecs" is out of range. It must be a non-negative finite number. Received ${ms}`, RangeError);
  (emitter as { timeout?: number }).timeout = ms;
  clearTimeout(old);
  if (ms === 0) {
    if (callback !== undefined) {
      if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
      emitter.removeListener('timeout', callback as () => void);
    }
    return undefined;
  }
  const timer = setTimeout(() => emitter.emit('timeout'), Math.min(ms, 2 ** 31 - 1));
  timer.unref();
  if (callback !== undefined) {
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    emitter.once('timeout', callback as () => void);
  }
  return timer;
}
