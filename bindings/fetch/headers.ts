// WHATWG Headers ↔ HTTP/2 field lists, and the h2wasm-specific trailer accessors.
import type { HeaderPairs } from '../core/session.ts';

// RFC 9113 §8.2.2: connection-specific fields never go into an HTTP/2 message.
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings']);

/** Fields to send: lowercase, without connection-specific ones (te only as "trailers"). */
export function toPairs(headers: Headers | HeadersInit | undefined, skip?: Set<string>): HeaderPairs {
  const out: HeaderPairs = [];
  if (!headers) return out;
  const h = headers instanceof Headers ? headers : new Headers(headers);
  let cookies = false;
  h.forEach((value, name) => {
    if (CONNECTION_SPECIFIC.has(name) || name.startsWith(':') || skip?.has(name)) return;
    if (name === 'te' && value.trim().toLowerCase() !== 'trailers') return;
    // Each Set-Cookie stays its own field (Headers would join them with ", ").
    if (name === 'set-cookie') {
      if (!cookies) for (const c of h.getSetCookie()) out.push([name, c]);
      cookies = true;
    } else out.push([name, value]);
  });
  return out;
}

/** Received fields as Headers (pseudo-headers left out); cookie crumbs joined (RFC 9113 §8.2.3). */
export function toHeaders(pairs: HeaderPairs): Headers {
  const h = new Headers();
  const cookies: string[] = [];
  for (const [name, value] of pairs) {
    if (name.startsWith(':')) continue;
    if (name === 'cookie') cookies.push(value);
    else h.append(name, value);
  }
  if (cookies.length) h.set('cookie', cookies.join('; '));
  return h;
}

export function pseudo(pairs: HeaderPairs, name: string): string | undefined {
  for (const [n, v] of pairs) if (n === name) return v;
  return undefined;
}

// ------------------------------------------------------------------ trailers

/** Trailers received on a message: resolved when its body ends (empty Headers when there were none). */
export class TrailerSlot {
  #value: Headers | null = null;
  #error: unknown = null;
  #promise: Promise<Headers> | null = null;
  #resolve: ((h: Headers) => void) | null = null;
  #reject: ((e: unknown) => void) | null = null;

  /** Made on first ask, so an unread failure is never an unhandled rejection. */
  get promise(): Promise<Headers> {
    if (!this.#promise) {
      if (this.#value) this.#promise = Promise.resolve(this.#value);
      else if (this.#error !== null) this.#promise = Promise.reject(this.#error);
      else this.#promise = new Promise((resolve, reject) => { this.#resolve = resolve; this.#reject = reject; });
    }
    return this.#promise;
  }

  resolve(h: Headers): void {
    if (this.#value || this.#error !== null) return;
    this.#value = h;
    this.#resolve?.(h);
  }

  reject(e: unknown): void {
    if (this.#value || this.#error !== null) return;
    this.#error = e;
    this.#reject?.(e);
  }
}

const received = new WeakMap<object, TrailerSlot>();

export function attachTrailers(message: Request | Response, slot: TrailerSlot): void {
  received.set(message, slot);
}

/**
 * The trailers of a request that `serve` received: resolves with them (an empty Headers
 * when there were none) once the body has ended; rejects when the stream was reset.
 */
export function requestTrailers(request: Request): Promise<Headers> {
  const slot = received.get(request);
  return slot ? slot.promise : Promise.resolve(new Headers());
}

/** The trailers of a response that h2wasm's fetch received (as `requestTrailers`). */
export function responseTrailers(response: Response): Promise<Headers> {
  const slot = received.get(response);
  return slot ? slot.promise : Promise.resolve(new Headers());
}

export type TrailersInit = HeadersInit | Promise<HeadersInit> | (() => HeadersInit | Promise<HeadersInit>);

const outgoing = new WeakMap<object, TrailersInit>();

/**
 * Sends trailers after the body of `message` (a Response returned to `serve`, or a Request
 * given to h2wasm's fetch): Headers, a promise of them, or a function called once the body
 * has been sent. Returns `message`.
 */
export function withTrailers<T extends Request | Response>(message: T, trailers: TrailersInit): T {
  outgoing.set(message, trailers);
  return message;
}

export function trailersOf(message: object): TrailersInit | undefined {
  return outgoing.get(message);
}

export async function resolveTrailers(t: TrailersInit): Promise<HeaderPairs> {
  const v = typeof t === 'function' ? await t() : await t;
  return toPairs(v);
}
