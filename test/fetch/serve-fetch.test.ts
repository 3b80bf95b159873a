// serve ↔ fetch (ours on both ends) over the in-memory transport pair and over real TCP:
// messages, 16 MiB bodies both ways, flow control that follows the reader, trailers, aborts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { requestTrailers, responseTrailers, withTrailers } from '../../bindings/fetch/index.ts';
import { KINDS, MiB, body, counted, digest, hashing, pair, scoped, sha256, sleep, until, within } from './helpers/pair.ts';

const test = suite('fetch: serve ↔ fetch');

for (const kind of KINDS) {
  test(`${kind}: request line, headers, status, response headers`, scoped(async (s) => {
    const seen: Array<{ method: string; url: string; ua: string | null; cookie: string | null; body: string }> = [];
    const p = await pair(s, kind, async (req) => {
      seen.push({ method: req.method, url: req.url, ua: req.headers.get('user-agent'), cookie: req.headers.get('cookie'), body: await req.text() });
      const h = new Headers({ 'content-type': 'text/plain', 'x-answer': '42' });
      h.append('set-cookie', 'a=1');
      h.append('set-cookie', 'b=2');
      return new Response(`${req.method} ${new URL(req.url).pathname}`, { status: 201, headers: h });
    });
    const r = await p.fetch(`${p.base}/a/b?c=d`, { method: 'PUT', body: 'payload', headers: { 'user-agent': 'h2wasm-test', cookie: 'x=1' } });
    assert.is(r.status, 201);
    assert.is(r.headers.get('x-answer'), '42');
    assert.equal(r.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.is(await r.text(), 'PUT /a/b');
    assert.is(r.url, `${p.base}/a/b?c=d`);
    assert.equal(seen, [{ method: 'PUT', url: `${p.base}/a/b?c=d`, ua: 'h2wasm-test', cookie: 'x=1', body: 'payload' }]);
    // HEAD and 204: no body either way; the same session serves them all.
    const head = await p.fetch(`${p.base}/h`, { method: 'HEAD' });
    assert.is(head.status, 201);
    assert.is(head.body, null);
    assert.is(p.connections(), 1);
  }));

  test(`${kind}: 16 MiB up and 16 MiB down, streamed, by sha256 (echo with a digest trailer)`, scoped(async (s) => {
    const SIZE = 16 * MiB;
    const data = body(SIZE);
    const p = await pair(s, kind, (req) => {
      const h = hashing();
      // Streamed through: the response starts before the request body has ended.
      return withTrailers(new Response(req.body!.pipeThrough(h.transform)), () => ({ 'x-sha256': h.hash(), 'x-octets': String(h.octets()) }));
    });
    const src = counted(data);
    const r = await p.fetch(`${p.base}/echo`, { method: 'POST', body: src.stream, duplex: 'half' } as RequestInit);
    assert.is(r.status, 200);
    const got = await digest(r.body);
    assert.is(got.octets, SIZE);
    assert.is(got.hash, sha256(data));
    const t = await responseTrailers(r);
    assert.is(t.get('x-sha256'), sha256(data));
    assert.is(t.get('x-octets'), String(SIZE));
  }, 40_000));

  test(`${kind}: a slow server reader makes the client's body wait (flow control follows request.body)`, scoped(async (s) => {
    const SIZE = 8 * MiB;
    const data = body(SIZE);
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let arrived = false;
    const p = await pair(s, kind, async (req) => {
      arrived = true;
      await gate; // not reading yet
      const d = await digest(req.body);
      return new Response(`${d.octets} ${d.hash}`);
    });
    const src = counted(data);
    const pending = p.fetch(`${p.base}/slow`, { method: 'POST', body: src.stream, duplex: 'half' } as RequestInit);
    pending.catch(() => {}); // awaited below; a failed assertion first must not leave it unhandled
    await until(() => arrived, 5000, 'the request');
    await sleep(300);
    const early = src.pulled();
    // At most one stream window (1 MiB) in flight plus what the pump may hold (64 KiB) and a chunk.
    assert.ok(early <= MiB + 256 * 1024, `the client read ${early} octets of its body while nobody read them`);
    assert.ok(early >= 256 * 1024, `only ${early} octets went out before the window closed`);
    release();
    const r = await within(pending, 20_000, 'the response');
    assert.is(await r.text(), `${SIZE} ${sha256(data)}`);
    assert.is(src.pulled(), SIZE);
  }, 30_000));

  test(`${kind}: a slow client reader makes the server's response wait`, scoped(async (s) => {
    const SIZE = 8 * MiB;
    const data = body(SIZE);
    const src = counted(data);
    const p = await pair(s, kind, () => new Response(src.stream));
    const r = await p.fetch(`${p.base}/big`);
    await sleep(300);
    const early = src.pulled();
    assert.ok(early <= MiB + 256 * 1024, `the server read ${early} octets of its body while the client read none`);
    assert.ok(early >= 256 * 1024, `only ${early} octets went out before the window closed`);
    const got = await digest(r.body);
    assert.is(got.octets, SIZE);
    assert.is(got.hash, sha256(data));
  }, 30_000));

  test(`${kind}: trailers both ways (request trailers after a streamed body, response trailers from a promise)`, scoped(async (s) => {
    let bodyFirst = '';
    const p = await pair(s, kind, async (req) => {
      const t0 = requestTrailers(req);
      bodyFirst = await req.text();
      const t = await t0;
      let done!: (h: HeadersInit) => void;
      const later = new Promise<HeadersInit>((r) => { done = r; });
      setTimeout(() => done({ 'grpc-status': '0', 'x-echo': t.get('x-checksum') ?? 'none' }), 20);
      return withTrailers(new Response('body', { headers: { 'content-type': 'text/plain' } }), later);
    });
    const stream = new ReadableStream<Uint8Array>({
      start(c) { c.enqueue(new TextEncoder().encode('part1,')); c.enqueue(new TextEncoder().encode('part2')); c.close(); },
    });
    const r = await p.fetch(`${p.base}/t`, { method: 'POST', body: stream, duplex: 'half', trailers: { 'x-checksum': 'abc' } } as RequestInit);
    assert.is(await r.text(), 'body');
    const t = await responseTrailers(r);
    assert.is(t.get('grpc-status'), '0');
    assert.is(t.get('x-echo'), 'abc');
    assert.is(bodyFirst, 'part1,part2');
    // Without trailers: both accessors resolve with empty Headers.
    const p2 = await pair(s, kind, async (req) => {
      const names: string[] = [];
      (await requestTrailers(req)).forEach((_, n) => names.push(n));
      return new Response(names.join(',') || 'none');
    });
    const r2 = await p2.fetch(`${p2.base}/`, { method: 'POST', body: 'x' });
    assert.is(await r2.text(), 'none');
    let count = 0;
    (await responseTrailers(r2)).forEach(() => count++);
    assert.is(count, 0);
  }));

  test(`${kind}: client abort → the server's request.signal aborts; the fetch and the body reject`, scoped(async (s) => {
    const aborts: string[] = [];
    let tick!: () => void;
    const started = new Promise<void>((r) => { tick = r; });
    const p = await pair(s, kind, (req) => {
      req.signal.addEventListener('abort', () => aborts.push(new URL(req.url).pathname));
      tick();
      if (req.url.endsWith('/before')) return new Promise<Response>(() => {}); // never answers
      // A body that never ends.
      return new Response(new ReadableStream({ pull: (c) => sleep(10).then(() => c.enqueue(new Uint8Array(10))) }));
    });
    // Before the response: the fetch rejects with the signal's reason.
    const ac = new AbortController();
    const f = p.fetch(`${p.base}/before`, { signal: ac.signal });
    await started;
    ac.abort();
    const err = await f.then(() => null, (e) => e);
    assert.is(err?.name, 'AbortError');
    await until(() => aborts.includes('/before'), 5000, "the server's signal (before the response)");
    // After the response: reading the body rejects.
    const ac2 = new AbortController();
    const r = await p.fetch(`${p.base}/after`, { signal: ac2.signal });
    const reader = r.body!.getReader();
    assert.ok((await reader.read()).value!.length > 0);
    ac2.abort();
    const err2 = await (async () => { for (;;) { const x = await reader.read(); if (x.done) return null; } })().catch((e) => e);
    assert.is(err2?.name, 'AbortError');
    await until(() => aborts.includes('/after'), 5000, "the server's signal (during the body)");
    // The session survives: another request on it works.
    const ok = await p.fetch(`${p.base}/x`, { method: 'POST', body: 'ok' });
    assert.is(ok.status, 200);
    await ok.body?.cancel();
    assert.is(p.connections(), 1);
  }));

  test(`${kind}: a response body that fails resets the stream; the client's body read rejects`, scoped(async (s) => {
    const p = await pair(s, kind, () => {
      let n = 0;
      return new Response(new ReadableStream({
        pull(c) {
          if (n++ < 3) c.enqueue(new Uint8Array(1000));
          else c.error(new Error('disk on fire'));
        },
      }));
    });
    const r = await p.fetch(`${p.base}/broken`);
    assert.is(r.status, 200);
    const err = await r.arrayBuffer().then(() => null, (e) => e);
    assert.instance(err, TypeError);
    assert.match(String(err.cause?.message), /code 2/); // INTERNAL_ERROR
    // A handler that throws: 500 through onError's default.
    const p2 = await pair(s, kind, () => { throw new Error('boom'); }, { serve: { onError: () => new Response('sorry', { status: 503 }) } });
    const r2 = await p2.fetch(`${p2.base}/`);
    assert.is(r2.status, 503);
    assert.is(await r2.text(), 'sorry');
  }));

  test(`${kind}: 50 concurrent requests share one session`, scoped(async (s) => {
    const p = await pair(s, kind, async (req) => new Response(`${new URL(req.url).searchParams.get('i')}:${(await req.text()).length}`));
    const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => p.fetch(`${p.base}/?i=${i}`, { method: 'POST', body: 'x'.repeat(i * 100) }).then((r) => r.text())));
    assert.equal(rs, Array.from({ length: 50 }, (_, i) => `${i}:${i * 100}`));
    assert.is(p.connections(), 1);
    assert.is(p.fetch.sessions, 1);
  }));

  test(`${kind}: shutdown() sends GOAWAY and waits for the request in flight; finished resolves`, scoped(async (s) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let arrived = false;
    const p = await pair(s, kind, async () => { arrived = true; await gate; return new Response('late but whole'); });
    const inflight = p.fetch(`${p.base}/`);
    inflight.catch(() => {});
    await until(() => arrived, 5000, 'the request');
    let finished = false;
    void p.server.finished.then(() => { finished = true; });
    const stopping = p.server.shutdown();
    await sleep(50);
    assert.is(finished, false);
    release();
    const r = await within(inflight, 5000, 'the in-flight response');
    assert.is(await r.text(), 'late but whole');
    await within(stopping, 5000, 'shutdown');
    await within(p.server.finished, 5000, 'finished');
    assert.is(p.server.connections, 0);
  }));
}

test('memory: serve over a single Transport and over an async iterable of them', scoped(async (s) => {
  const { createMemoryPair } = await import('../../bindings/transport/memory.ts');
  const { serve, createFetch } = await import('../../bindings/fetch/index.ts');
  const [c1, s1] = createMemoryPair();
  const one = serve((req) => new Response(`one ${req.method}`), { transport: s1 });
  const f1 = createFetch({ transport: c1 });
  s.defer(() => f1.close());
  assert.is(await (await f1('http://one.test/')).text(), 'one GET');
  await f1.close();
  await within(one.finished, 5000, 'finished once the only transport closed');

  const queue: Array<(t: any) => void> = [];
  const pending: any[] = [];
  async function* accepted() {
    for (;;) {
      const t = pending.shift() ?? await new Promise((r) => queue.push(r));
      if (t === null) return;
      yield t;
    }
  }
  const push = (t: any) => { const q = queue.shift(); if (q) q(t); else pending.push(t); };
  const many = serve((req) => new Response(new URL(req.url).host), { transport: accepted() });
  const f2 = createFetch({ connect: () => { const [c, sv] = createMemoryPair(); push(sv); return c; } });
  s.defer(() => f2.close());
  assert.is(await (await f2('http://a.test/')).text(), 'a.test');
  assert.is(await (await f2('http://b.test/')).text(), 'b.test');
  assert.is(f2.sessions, 2);
  push(null);
  await f2.close();
  await within(many.finished, 5000, 'finished once the iterable ended and its connections closed');
}));

test('memory: an AbortSignal given to serve shuts it down', scoped(async (s) => {
  const { serve } = await import('../../bindings/fetch/index.ts');
  const ac = new AbortController();
  const server = serve(() => new Response('x'), { transport: () => {}, signal: ac.signal });
  await server.ready;
  ac.abort();
  await within(server.finished, 5000, 'finished after abort');
}));

test.run();
