// Against nghttp2's own tools: our fetch against nghttpd, and nghttp calling our serve.
// A missing tool skips its tests with a one-line reason, except under CI=true (a failure).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { serve, createFetch } from '../../bindings/fetch/index.ts';
import { HOST, MiB, body, digest, scoped, sha256, sleep, within, type Scope } from './helpers/pair.ts';
import { start, withTool } from '../interop/helpers/util.ts';

const test = suite('fetch: nghttpd and nghttp');


async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, HOST, () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}


/** nghttpd --no-tls serving a temporary directory; resolves with its base URL once it accepts. */
async function nghttpd(s: Scope, files: Record<string, Uint8Array>): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'h2wasm-fetch-'));
  s.defer(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  const port = await freePort();
  const p = start(s, 'nghttpd', ['--no-tls', '-a', HOST, '-d', dir, String(port)]);
  await within((async () => {
    for (;;) {
      const ok = await new Promise<boolean>((r) => {
        const c = net.connect(port, HOST, () => { c.destroy(); r(true); });
        c.on('error', () => r(false));
      });
      if (ok) return;
      if (p.child.exitCode !== null) throw new Error(`nghttpd exited: ${p.out()}${p.err()}`);
      await sleep(20);
    }
  })(), 10_000, 'nghttpd to listen');
  return `http://${HOST}:${port}`;
}

withTool(test, 'nghttpd', () => {
  test('fetch → nghttpd: a 16 MiB file by sha256, 404, HEAD, 20 concurrent GETs on one session', scoped(async (s) => {
    const big = body(16 * MiB);
    const base = await nghttpd(s, { 'big.bin': big, 'small.txt': new TextEncoder().encode('small file\n') });
    let conns = 0;
    const { nodeConnect } = await import('../../bindings/fetch/node.ts');
    const f = createFetch({ connect: (u) => { conns++; return nodeConnect(u); } });
    s.defer(() => f.close());
    const r = await f(`${base}/big.bin`);
    assert.is(r.status, 200);
    assert.is(r.headers.get('content-length'), String(big.length));
    const got = await digest(r.body);
    assert.is(got.octets, big.length);
    assert.is(got.hash, sha256(big));
    const missing = await f(`${base}/nope`);
    assert.is(missing.status, 404);
    await missing.body?.cancel();
    const head = await f(`${base}/small.txt`, { method: 'HEAD' });
    assert.is(head.status, 200);
    assert.is(head.body, null);
    const texts = await Promise.all(Array.from({ length: 20 }, () => f(`${base}/small.txt`).then((x) => x.text())));
    assert.ok(texts.every((t) => t === 'small file\n'));
    assert.is(conns, 1);
  }, 30_000));

  test('fetch → nghttpd: abort mid-download, then the session still serves', scoped(async (s) => {
    const base = await nghttpd(s, { 'big.bin': body(16 * MiB), 'small.txt': new TextEncoder().encode('ok') });
    const f = createFetch();
    s.defer(() => f.close());
    const ac = new AbortController();
    const r = await f(`${base}/big.bin`, { signal: ac.signal });
    const reader = r.body!.getReader();
    await reader.read();
    ac.abort();
    const err = await (async () => { for (;;) if ((await reader.read()).done) return null; })().catch((e) => e);
    assert.is(err?.name, 'AbortError');
    assert.is(await (await f(`${base}/small.txt`)).text(), 'ok');
    assert.is(f.sessions, 1);
  }));
});

withTool(test, 'nghttp', () => {
  test('nghttp → serve: GET, and a 1 MiB upload with a trailer, hashed by the handler', scoped(async (s) => {
    const dir = mkdtempSync(join(tmpdir(), 'h2wasm-fetch-'));
    s.defer(() => rmSync(dir, { recursive: true, force: true }));
    const upload = join(dir, 'up.bin');
    writeFileSync(upload, body(MiB));
    const { requestTrailers } = await import('../../bindings/fetch/index.ts');
    const server = serve(async (req) => {
      const d = await digest(req.body);
      const t = await requestTrailers(req);
      return new Response(`${req.method} ${d.octets} ${d.hash} ${t.get('x-t') ?? '-'}\n`);
    }, { port: 0, hostname: HOST });
    await server.ready;
    s.defer(() => server.shutdown());
    const url = `http://${HOST}:${server.port}/x`;
    const get = start(s, 'nghttp', [url]);
    assert.is((await within(get.exited, 10_000, 'nghttp GET')).code, 0, get.out() + get.err());
    assert.is(get.out(), `GET 0 ${sha256(new Uint8Array(0))} -\n`);
    const post = start(s, 'nghttp', ['-d', upload, '--trailer', 'x-t: yes', url]);
    assert.is((await within(post.exited, 10_000, 'nghttp POST')).code, 0, post.out() + post.err());
    assert.is(post.out(), `POST ${MiB} ${sha256(body(MiB))} yes\n`);
  }));
});

test.run();
