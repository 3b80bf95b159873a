// h2wasm/fetch on both ends: serve()'s handler with the same routes as checks.ts's routes()
// (/hello, /echo, /trailers), and the fetch-side checks. Runs in Deno and Bun.
import { requestTrailers, responseTrailers, withTrailers } from '../../../bindings/fetch/index.ts';
import { bigBody, runEach, sha256, type Seen } from './checks.ts';

export type FetchCheck = 'get' | 'post' | 'trailers';

export async function handler(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  const base = { 'x-server': 'h2wasm/fetch' };
  if (path === '/hello') return new Response('hello world', { headers: { 'content-type': 'text/plain', ...base } });
  if (path === '/echo') {
    const body = new Uint8Array(await request.arrayBuffer());
    return withTrailers(new Response(body, { headers: base }), { 'x-sha256': sha256(body), 'x-length': String(body.length) });
  }
  if (path === '/trailers') {
    const body = await request.text();
    const t = await requestTrailers(request);
    return withTrailers(new Response('trailers', { headers: base }),
      { 'x-res-trailer': 'down', 'x-got': t.get('x-req-trailer') ?? '', 'x-body': body });
  }
  return new Response(null, { status: 404 });
}

const object = (h: Headers) => Object.fromEntries(h);

/** The fetch-side checks against `base` (an h2wasm serve() or a node:http2 server with routes()). */
export function fetchChecks(fetch: (input: string, init?: any) => Promise<Response>, base: string, checks: FetchCheck[]) {
  return runEach(checks, async (name): Promise<Seen> => {
    switch (name) {
      case 'get': {
        const r = await fetch(`${base}/hello`);
        return { status: r.status, server: r.headers.get('x-server'), body: (await r.text()).trim() };
      }
      case 'post': {
        const up = bigBody(11);
        const r = await fetch(`${base}/echo`, { method: 'POST', body: up });
        const down = new Uint8Array(await r.arrayBuffer());
        return { status: r.status, server: r.headers.get('x-server'), sent: sha256(up), received: sha256(down), length: down.length,
          trailers: object(await responseTrailers(r)) };
      }
      case 'trailers': {
        const r = await fetch(`${base}/trailers`, { method: 'POST', body: 'up', trailers: { 'x-req-trailer': 'up' } });
        return { status: r.status, server: r.headers.get('x-server'), body: await r.text(), trailers: object(await responseTrailers(r)) };
      }
    }
  });
}
