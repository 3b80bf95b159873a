// Headless Chromium (playwright-core driving the system chromium) loads a page that imports the
// package's "browser" export (dist/browser.mjs, the core compiled asynchronously from
// dist/h2wasm.wasm) and runs:
//   - serve() and createFetch() in the same page over the in-memory pair (status, body, trailers
//     both ways);
//   - through `h2wasm relay` (bin/, started here) to nghttpd (h2c, with a --trailer) and to our
//     own node:http2 API server on h2c: createFetch over the WebSocket transport, and the example
//     page's exchange() (examples/browser/app.mjs: a core Session with a frame trace).
// A missing chromium / playwright-core / nghttpd skips with a one-line reason, except under
// CI=true, where it fails.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import http2 from '../../bindings/node/index.ts';
import { inCI, scoped, within, type Scope } from '../interop/helpers/util.ts';
import { HOST, ROOT, distMissing, nghttpd, nghttpdMissing, onPath, pkg, relay, resolveExport } from './lib.ts';

const test = suite('browser: the browser build in Chromium');

// The flags of test/runtimes/run.mjs: without the background-networking ones Chromium keeps
// trying to reach hosts this machine cannot reach.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const chromiumPath = process.env.CHROMIUM_PATH || onPath('chromium') || onPath('chromium-browser');
let playwright: typeof import('playwright-core') | null = null;
try { playwright = await import('playwright-core'); } catch { /* reported below */ }
const browserTarget = resolveExport(pkg().exports['.'], ['browser', 'import', 'default']);
const missing = !chromiumPath ? 'chromium not found on PATH (apt-get install -y chromium)'
  : !playwright ? 'playwright-core is not installed (npm ci)'
  : distMissing(['dist/browser.mjs', 'dist/h2wasm.wasm']);

// ------------------------------------------------------------------ the page and the browser

const MIME: Record<string, string> = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
// Only what the page needs is served: the package's dist/, the example and this folder.
const SERVED = ['dist', 'examples', join('test', 'browser')].map((d) => join(ROOT, d) + sep);

function pageServer(): Promise<Server> {
  const page = [
    '<!doctype html><meta charset="utf-8"><title>h2wasm browser build</title><link rel="icon" href="data:,">',
    `<script type="importmap">${JSON.stringify({ imports: { h2wasm: '/' + browserTarget!.replace(/^\.\//, '') } })}</script>`,
    '<script type="module" src="/test/browser/page.mjs"></script>',
  ].join('\n');
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    if (path === '/') { res.writeHead(200, { 'content-type': 'text/html' }).end(page); return; }
    const file = resolve(ROOT, '.' + path);
    if (!SERVED.some((d) => file.startsWith(d))) { res.writeHead(403).end(); return; }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok, fail) => server.once('error', fail).listen(0, HOST, () => ok(server)));
}

interface World { page: Page; problems: string[] }
let world: Promise<World> | null = null;
let context: BrowserContext | null = null;
let httpServer: Server | null = null;
let profile: string | null = null;

/** The page server and the browser, started once, by the first test. */
function setup(): Promise<World> {
  world ??= (async () => {
    httpServer = await pageServer();
    profile = mkdtempSync(join(tmpdir(), 'h2wasm-browser-profile-'));
    context = await playwright!.chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath!, headless: true, args: CHROMIUM_ARGS, timeout: 30_000,
    });
    const page = context.pages()[0] ?? await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('response', (res) => { if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`); });
    await page.goto(`http://${HOST}:${(httpServer.address() as AddressInfo).port}/`, { timeout: 20_000 });
    await page.waitForFunction(() => (window as any).checksReady === true, null, { timeout: 20_000 })
      .catch((err) => { throw new Error(`the page did not load: ${problems.join('; ') || err.message}`); });
    return { page, problems };
  })();
  return world;
}

async function teardown(): Promise<void> {
  await context?.close().catch(() => {});
  if (httpServer) await new Promise((r) => { httpServer!.closeAllConnections(); httpServer!.close(r); });
  if (profile) rmSync(profile, { recursive: true, force: true });
}

/** Runs window.checks[name](...args) in the page. */
async function check<T = any>(name: string, ...args: unknown[]): Promise<T> {
  const { page } = await setup();
  return page.evaluate(([n, a]) => (window as any).checks[n as string](...(a as unknown[])), [name, args] as const) as Promise<T>;
}

/** Our node:http2 API server on h2c: echoes what it got, with a header and a trailer. */
async function nodeServer(s: Scope): Promise<number> {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => { body += c; });
    stream.on('end', () => {
      const status = headers[':path'] === '/missing' ? 404 : 200;
      stream.respond({ ':status': status, 'content-type': 'text/plain', 'x-server': 'h2wasm-node' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-node-trailer': `len=${body.length}` }));
      stream.end(`node saw ${headers[':method']} ${headers[':path']} [${body}]`);
    });
  });
  await new Promise<void>((r) => server.listen(0, HOST, () => r()));
  s.defer(() => new Promise<void>((r) => server.close(() => r())));
  return (server.address() as AddressInfo).port;
}

const frameNames = (frames: Array<{ direction: string; type: number }>, dir: string) =>
  frames.filter((f) => f.direction === dir).map((f) => f.type);
const HEADERS = 1, DATA = 0, SETTINGS = 4;

// ------------------------------------------------------------------ tests

if (missing) {
  if (inCI) test('chromium, playwright-core and the browser build are available (CI=true)', () => assert.unreachable(missing));
  else {
    console.log(`# skip: ${missing}`);
    test.skip('browser build in Chromium', () => {});
  }
} else {
  test('the "browser" condition of h2wasm resolves to the browser build', () => {
    assert.is(browserTarget, './dist/browser.mjs');
  });

  test('in one page: serve() and createFetch() over the in-memory pair (status, body, trailers both ways)', scoped(async () => {
    const r = await within(check('memory'), 20_000, 'the in-memory exchange');
    assert.is(r.status, 201);
    assert.is(r.reply, 'yes');
    assert.is(r.body, 'echo HELLO FROM THE PAGE');
    assert.equal(r.trailers, { 'x-checksum': String('hello from the page'.length) });
    assert.is(r.seen.method, 'POST');
    assert.is(r.seen.url, 'http://in-memory/upload?x=1');
    assert.is(r.seen.body, 'hello from the page');
    assert.equal(r.seen.trailers, { 'x-sent': 'all' });
    assert.is(r.nextStreamId, 1);
    assert.equal((await setup()).problems, []);
  }, 40_000));

  const nghttpdReason = nghttpdMissing();
  if (nghttpdReason && !inCI) {
    console.log(`# skip: ${nghttpdReason}`);
    test.skip('relay → nghttpd', () => {});
  } else {
    test('through h2wasm relay to nghttpd (h2c): createFetch and the example page\'s core Session', scoped(async (s) => {
      assert.not.ok(nghttpdReason, nghttpdReason ?? '');
      const text = 'served by nghttpd\n'.repeat(2000); // 34 KB: several DATA frames
      const port = await nghttpd(s, { 'hello.txt': text }, 'x-nghttpd-trailer: done');
      const r = await relay(s, `${HOST}:${port}`);
      const base = `http://${HOST}:${port}`;

      const got = await within(check('relayFetch', r.url, `${base}/hello.txt`), 15_000, 'fetch via the relay');
      assert.is(got.status, 200);
      assert.is(got.body, text);
      assert.is(got.headers['content-length'], String(text.length));
      assert.equal(got.trailers, { 'x-nghttpd-trailer': 'done' });
      assert.is(got.sockets, 1);

      const notFound = await within(check('relayFetch', r.url, `${base}/nope`), 15_000, 'a 404 via the relay');
      assert.is(notFound.status, 404);

      const ex = await within(check('relayExchange', r.url, `${base}/hello.txt`), 15_000, 'exchange() via the relay');
      assert.is(ex.status, 200);
      assert.is(ex.body, text);
      assert.equal(ex.trailers, [['x-nghttpd-trailer', 'done']]);
      // The trace: our preface SETTINGS and HEADERS out; the server's SETTINGS, HEADERS, DATA and trailing HEADERS in.
      const sent = frameNames(ex.frames, 'send'), recv = frameNames(ex.frames, 'recv');
      assert.ok(sent.includes(SETTINGS) && sent.includes(HEADERS), `sent ${sent}`);
      assert.ok(recv.includes(SETTINGS) && recv.includes(DATA), `received ${recv}`);
      assert.is(recv.filter((t) => t === HEADERS).length, 2, 'response headers and trailers');
      assert.match(ex.frames.find((f: any) => f.direction === 'recv' && f.type === DATA).text, /recv DATA frame <length=\d+, flags=/);
      assert.equal((await setup()).problems, []);
    }, 40_000));
  }

  test('through h2wasm relay to our node:http2 API server (h2c): POST body, 404, trailers', scoped(async (s) => {
    const port = await nodeServer(s);
    const r = await relay(s, `${HOST}:${port}`);
    const base = `http://${HOST}:${port}`;

    const got = await within(check('relayFetch', r.url, `${base}/echo?q=1`, { method: 'POST', body: 'abc' }), 15_000, 'POST via the relay');
    assert.is(got.status, 200);
    assert.is(got.body, 'node saw POST /echo?q=1 [abc]');
    assert.is(got.headers['x-server'], 'h2wasm-node');
    assert.equal(got.trailers, { 'x-node-trailer': 'len=3' });

    const missing404 = await within(check('relayFetch', r.url, `${base}/missing`), 15_000, 'a 404 via the relay');
    assert.is(missing404.status, 404);
    assert.is(missing404.body, 'node saw GET /missing []');

    const ex = await within(check('relayExchange', r.url, `${base}/x`, { method: 'PUT', body: 'hello' }), 15_000, 'exchange() via the relay');
    assert.is(ex.status, 200);
    assert.is(ex.body, 'node saw PUT /x [hello]');
    assert.equal(ex.trailers, [['x-node-trailer', 'len=5']]);
    assert.ok(frameNames(ex.frames, 'send').includes(DATA), 'the request body went out as DATA');
    assert.equal((await setup()).problems, []);

    // The example page itself (its own import map to ../../dist/browser.mjs): fill in, send, read the trace.
    const page = await context!.newPage();
    s.defer(() => page.close());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const q = new URLSearchParams({ relay: r.url, url: `${base}/from-example` });
    await page.goto(`http://${HOST}:${(httpServer!.address() as AddressInfo).port}/examples/browser/index.html?${q}`, { timeout: 15_000 });
    await page.click('button');
    await page.waitForFunction(() => /node saw GET \/from-example|Error/.test(document.getElementById('frames')!.textContent!), null, { timeout: 15_000 });
    const shown = await page.textContent('#frames');
    assert.equal(errors, []);
    assert.match(shown!, /send HEADERS frame <length=\d+, flags=0x05, stream_id=1>\n\s+; END_STREAM \| END_HEADERS/);
    assert.match(shown!, /recv DATA frame/);
    assert.match(shown!, /:status 200/);
    assert.match(shown!, /node saw GET \/from-example \[\]/);
    assert.match(shown!, /\(trailer\) x-node-trailer: len=0/);
  }, 40_000));
}

test.after(teardown);
test.run();
