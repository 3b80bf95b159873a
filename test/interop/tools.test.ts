// examples/core-server.mjs and examples/core-client.mjs against curl, nghttp and node:http2.
// A missing curl or nghttp skips its tests with a one-line reason, except under CI=true,
// where it is a failure.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HOST, MiB, body, scoped, within, withTool, start as startIn, run as runIn, type Run, type Scope } from './helpers/util.ts';
import { once } from 'node:events';
import { nodeClient, nodeRequest, nodeServer } from './helpers/node-peers.ts';

const test = suite('interop: examples with curl, nghttp, node:http2');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = join(ROOT, 'examples', 'core-server.mjs');
const CLIENT = join(ROOT, 'examples', 'core-client.mjs');

const start = (s: Scope, cmd: string, args: string[]) => startIn(s, cmd, args, ROOT);
const run = (s: Scope, cmd: string, args: string[], ms = 15_000) => runIn(s, cmd, args, ms, ROOT);

/** Starts examples/core-server.mjs on an ephemeral port; resolves with its URL. */
async function exampleServer(s: Scope): Promise<{ url: string; proc: ReturnType<typeof start> }> {
  const proc = start(s, process.execPath, [SERVER, '--port', '0', '--host', HOST]);
  const url = await within((async () => {
    for (;;) {
      const m = /http:\/\/[^\s]+:\d+/.exec(proc.out());
      if (m) return m[0];
      if (proc.child.exitCode !== null) throw new Error(`core-server exited ${proc.child.exitCode}: ${proc.err()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  })(), 10_000, 'examples/core-server.mjs to listen');
  return { url: `${url}/`, proc };
}

const show = (r: Run) => `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\nstdout: ${r.stdout.slice(0, 3000)}\nstderr: ${r.stderr.slice(0, 3000)}`;


withTool(test, 'curl', () => {
  test('curl --http2-prior-knowledge GET → 200 hello world', scoped(async (s) => {
    const { url, proc } = await exampleServer(s);
    const r = await run(s, 'curl', ['-sS', '--http2-prior-knowledge', '-D', '-', '-w', '\n%{http_code} %{http_version}\n', url]);
    assert.is(r.code, 0, show(r) + proc.err());
    assert.match(r.stdout, /^HTTP\/2 200 ?\r?$/m, show(r));
    assert.match(r.stdout, /^content-type: text\/plain\r?$/mi, show(r));
    assert.match(r.stdout, /\r\n\r\nhello world\n200 2\n$/, show(r));
  }));

  test('curl --http2-prior-knowledge POST with a body, and several connections at once', scoped(async (s) => {
    const { url, proc } = await exampleServer(s);
    const dir = mkdtempSync(join(tmpdir(), 'h2wasm-interop-'));
    s.defer(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'body.bin');
    writeFileSync(file, body(4 * MiB));
    const r = await run(s, 'curl', ['-sS', '--http2-prior-knowledge', '--data-binary', `@${file}`, '-w', '\n%{http_code} %{http_version} %{size_upload}\n', url]);
    assert.is(r.code, 0, show(r) + proc.err());
    assert.is(r.stdout, `hello world\n200 2 ${4 * MiB}\n`, show(r));
    // One curl per connection: curl 7.88 fails its second transfer on a reused h2c
    // prior-knowledge connection (against node:http2 too), with -Z or without.
    const all = await Promise.all(Array.from({ length: 8 }, () =>
      run(s, 'curl', ['-sS', '--http2-prior-knowledge', '-w', ' %{http_code}', url])));
    for (const p of all) {
      assert.is(p.code, 0, show(p));
      assert.is(p.stdout, 'hello world 200', show(p));
    }
  }));
});

withTool(test, 'nghttp', () => {
  test('nghttp -v: SETTINGS, HEADERS, DATA with END_STREAM', scoped(async (s) => {
    const { url, proc } = await exampleServer(s);
    const r = await run(s, 'nghttp', ['-v', '-n', url]);
    assert.is(r.code, 0, show(r) + proc.err());
    const out = r.stdout;
    assert.match(out, /recv SETTINGS frame <length=\d+, flags=0x00, stream_id=0>/, show(r));
    assert.match(out, /recv SETTINGS frame <length=0, flags=0x01, stream_id=0>/, 'our ACK of nghttp\'s SETTINGS\n' + show(r));
    // nghttp opens its request on stream 13 (after PRIORITY frames on 3 to 11).
    assert.match(out, /recv \(stream_id=\d+\) :status: 200/, show(r));
    assert.match(out, /recv \(stream_id=\d+\) content-type: text\/plain/, show(r));
    assert.match(out, /recv HEADERS frame <length=\d+, flags=0x04, stream_id=\d+>/, show(r));
    assert.match(out, /recv DATA frame <length=11, flags=0x01, stream_id=\d+>\s+; END_STREAM/, show(r));
    assert.not.match(out, /GOAWAY frame[^\n]*\n[^\n]*error_code=(?!NO_ERROR)/, show(r));
  }));

  test('nghttp -v with a request body (-d)', scoped(async (s) => {
    const { url, proc } = await exampleServer(s);
    const dir = mkdtempSync(join(tmpdir(), 'h2wasm-interop-'));
    s.defer(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'body.bin');
    writeFileSync(file, body(MiB));
    const r = await run(s, 'nghttp', ['-v', '-d', file, url]);
    assert.is(r.code, 0, show(r) + proc.err());
    assert.match(r.stdout, /send DATA frame <length=\d+, flags=0x01, stream_id=\d+>/, show(r));
    assert.match(r.stdout, /recv \(stream_id=\d+\) :status: 200/, show(r));
    assert.match(r.stdout, /hello world/, show(r));
    assert.match(r.stdout, /recv WINDOW_UPDATE frame/, 'we consume() the body, so windows reopen\n' + show(r));
  }));
});

test('core-client.mjs GET against node:http2', scoped(async (s) => {
  const ns = await nodeServer(s, (stream, headers) => {
    stream.respond({ ':status': 200, 'content-type': 'text/plain', 'x-path': String(headers[':path']) });
    stream.end('hello from node');
  });
  const r = await run(s, process.execPath, [CLIENT, `http://${HOST}:${ns.port}/some/path?q=1`]);
  assert.is(r.code, 0, show(r));
  assert.match(r.stdout, /^:status: 200$/m, show(r));
  assert.match(r.stdout, /^x-path: \/some\/path\?q=1$/m, show(r));
  assert.match(r.stdout, /\n\nhello from node$/, show(r));
  assert.equal(ns.troubles, []);
}));

test('core-client.mjs GET against core-server.mjs', scoped(async (s) => {
  const { url, proc } = await exampleServer(s);
  const r = await run(s, process.execPath, [CLIENT, url]);
  assert.is(r.code, 0, show(r) + proc.err());
  assert.match(r.stdout, /^:status: 200$/m, show(r));
  assert.match(r.stdout, /^content-type: text\/plain$/m, show(r));
  assert.match(r.stdout, /\n\nhello world$/, show(r));
}));

test('core-server.mjs on SIGTERM: GOAWAY to a connected node:http2 client, then exit', scoped(async (s) => {
  const { url, proc } = await exampleServer(s);
  const nc = await nodeClient(s, Number(new URL(url).port));
  const first = await within(nodeRequest(nc, { ':path': '/' }), 5000, 'a first request');
  assert.is(first.status, 200);
  const goaway = within(once(nc.client, 'goaway'), 5000, 'GOAWAY from core-server');
  proc.child.kill('SIGTERM');
  const [code] = await goaway;
  assert.is(code, 0, 'NO_ERROR');
  const r = await within(proc.exited, 5000, 'core-server to exit');
  assert.is(r.code, 0, show(r));
  assert.equal(nc.troubles, []);
}));

test.run();
