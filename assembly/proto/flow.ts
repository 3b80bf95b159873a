// Flow-control windows (RFC 9113 §6.9): signed, at most 2^31−1; arithmetic checked in i64.
import { MAX_WINDOW } from '../frame/types';

/** Whether adding `increment` to `window` stays within 2^31−1 (§6.9.1). */
// @ts-ignore: decorator
@inline export function windowFits(window: i64, increment: i64): bool {
  return window + increment <= MAX_WINDOW;
}

/**
 * How much of `unacked` consumed octets to give back now: all of it once it reaches half the
 * window (so a sender never stalls on a dry window), else nothing.
 */
// @ts-ignore: decorator
@inline export function windowUpdateDue(unacked: u32, windowSize: u32): u32 {
  return unacked > 0 && unacked >= (windowSize >> 1) ? unacked : 0;
}
