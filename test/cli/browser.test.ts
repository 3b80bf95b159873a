// Headless Chromium (playwright-core driving the system chromium, never a downloaded one) against
// `h2wasm serve` over TLS, run from the TS sources as a child process:
//   - examples/public loads completely: every resource that index.html (and its scripts)
//     reference, each over h2, on one connection, with the page's own "loaded" checks all green;
//   - a generated page of 200 resources loads completely over one h2 connection with the
//     default server settings (our abuse limits must not trip on a browser's ordinary burst).
// Browsers do not speak h2c, so there is no cleartext case.
// A missing chromium or playwright-core skips with a one-line reason, except under CI=true,
// where it is a failure.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { inCI, scoped, within, type Scope } from '../interop/helpers/util.ts';
import { onPath } from '../browser/lib.ts';

const test = suite('cli: h2wasm serve ← Chromium');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'bindings', 'cli', 'main.ts');
const PUBLIC = join(ROOT, 'examples', 'public');
const MANY_IMAGES = 100;
const MANY_SCRIPTS = 100;

// The flags of test/runtimes/run.mjs: without the background-networking ones Chromium keeps
// trying to reach hosts this machine cannot reach.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const chromiumPath = process.env.CHROMIUM_PATH ? (existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : null)
  : onPath('chromium') || onPath('chromium-browser');
let playwright: typeof import('playwright-core') | null = null;
try { playwright = await import('playwright-core'); } catch { /* reported below */ }
const missing = !chromiumPath ? `chromium not found ${process.env.CHROMIUM_PATH ? `at CHROMIUM_PATH=${process.env.CHROMIUM_PATH}` : 'on PATH'} (apt-get install -y chromium)`
  : !playwright ? 'playwright-core is not installed (npm ci)' : null;

// ------------------------------------------------------------------ servers and the browser

interface Server { child: ChildProcess; url: string; out: () => string; exited: Promise<void> }
interface World { tmp: string; pub: Server; many: Server; context: BrowserContext }

const live = new Set<ChildProcess>();
let tmp: string | null = null;
let context: BrowserContext | null = null;
// Set by teardown: a setup still under way (past a test's time limit) must not start anything after it.
let tornDown = false;

/** Starts `h2wasm serve DIR` (TLS, default settings) on a free port; resolves once it prints its URL. */
async function startServe(dir: string, cache: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', dir, '--port', '0', '--host', '127.0.0.1'], {
    cwd: ROOT, env: { ...process.env, XDG_CACHE_HOME: cache }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<void>((resolve) => child.on('close', () => { live.delete(child); resolve(); }));
  const url = await within((async () => {
    for (;;) {
      const m = /https:\/\/localhost:\d+\//.exec(out);
      if (m) return m[0];
      if (child.exitCode !== null) throw new Error(`serve exited ${child.exitCode}: ${err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  })(), 20_000, `h2wasm serve ${dir} to print its URL`);
  return { child, url, out: () => out, exited };
}

/** Base64 SHA-256 of a certificate's SubjectPublicKeyInfo, as --ignore-certificate-errors-spki-list wants it. */
function spkiHash(pem: string): string {
  const spki = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** A page of MANY_IMAGES images and MANY_SCRIPTS scripts, each marking itself loaded. */
function writeManyPage(dir: string): void {
  mkdirSync(join(dir, 'img'), { recursive: true });
  mkdirSync(join(dir, 'js'), { recursive: true });
  // Interleaved, as a real page mixes them.
  const tags: string[] = [];
  for (let i = 0; i < Math.max(MANY_IMAGES, MANY_SCRIPTS); i++) {
    if (i < MANY_IMAGES) {
      const fill = (i * 40503 % 0xffffff).toString(16).padStart(6, '0');
      writeFileSync(join(dir, 'img', `${i}.svg`), `<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#${fill}"/></svg>\n`);
      tags.push(`<img src="img/${i}.svg" width="8" height="8" alt="" onload="loadedImages.add(${i})">`);
    }
    if (i < MANY_SCRIPTS) {
      writeFileSync(join(dir, 'js', `${i}.js`), `ranScripts.add(${i});\n`);
      tags.push(`<script src="js/${i}.js" defer></script>`);
    }
  }
  // The Resource Timing buffer is raised above its default of 250 entries; an inline icon
  // keeps Chromium from asking for /favicon.ico (a 404) at a moment of its choosing.
  writeFileSync(join(dir, 'index.html'), `<!doctype html>
<meta charset="utf-8">
<title>many</title>
<link rel="icon" href="data:,">
<script>performance.setResourceTimingBufferSize(1000); var loadedImages = new Set(), ranScripts = new Set();</script>
${tags.join('\n')}
`);
}

let world: Promise<World> | null = null;

/** Both servers and the browser, started once, on the first test that needs them. */
function setup(): Promise<World> {
  world ??= (async () => {
    tmp = mkdtempSync(join(tmpdir(), 'h2wasm-browser-'));
    const cache = join(tmp, 'cache');
    writeManyPage(join(tmp, 'many'));
    // One after the other: the first start generates the certificates the second reuses.
    const pub = await startServe(PUBLIC, cache);
    if (tornDown) throw new Error('torn down');
    const many = await startServe(join(tmp, 'many'), cache);
    if (tornDown) throw new Error('torn down');
    // Trust: Chromium accepts exactly the generated leaf key (this flag needs a user data dir,
    // which the persistent context gives it), not any certificate as ignoreHTTPSErrors would.
    const leaf = readFileSync(join(cache, 'h2wasm', 'localhost.pem'), 'utf8');
    context = await playwright!.chromium.launchPersistentContext(join(tmp, 'profile'), {
      executablePath: chromiumPath!, headless: true, timeout: 30_000,
      args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${spkiHash(leaf)}`],
    });
    if (tornDown) { await context.close(); rmSync(tmp, { recursive: true, force: true }); throw new Error('torn down'); }
    return { tmp, pub, many, context };
  })();
  return world;
}

async function teardown(): Promise<void> {
  tornDown = true;
  await within(context?.close() ?? Promise.resolve(), 10_000, 'closing Chromium').catch(() => {});
  await Promise.all([...live].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('close', () => { clearTimeout(t); resolve(); });
    child.kill('SIGTERM');
  })));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}

// A crash past uvu's hooks must not leave a server behind.
process.once('exit', () => { for (const child of live) child.kill('SIGKILL'); });

// ------------------------------------------------------------------ one page load, watched

interface Response { url: string; status: number; protocol: string; connectionId: number }
interface Load { page: Page; responses: Response[]; problems: string[] }

/** Opens `url` in a new tab, recording every response (protocol, connection) and every problem. */
async function load(s: Scope, ctx: BrowserContext, url: string): Promise<Load> {
  const page = await ctx.newPage();
  s.defer(() => page.close());
  const problems: string[] = [];
  const responses: Response[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
  // The DevTools protocol names the connection each response came on, which the page cannot see.
  const cdp = await ctx.newCDPSession(page);
  cdp.on('Network.responseReceived', (e) => {
    responses.push({ url: e.response.url, status: e.response.status, protocol: e.response.protocol ?? '', connectionId: e.response.connectionId });
    if (e.response.status >= 400) problems.push(`HTTP ${e.response.status} for ${e.response.url}`);
  });
  await cdp.send('Network.enable');
  const nav = await page.goto(url, { waitUntil: 'load', timeout: 20_000 });
  assert.is(nav?.status(), 200, `navigation to ${url}`);
  return { page, responses, problems };
}

interface Timing { name: string; type: string; protocol: string; status: number }
const timings = (page: Page): Promise<Timing[]> => page.evaluate(() =>
  [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map((e) => {
    const r = e as PerformanceResourceTiming & { responseStatus?: number };
    return { name: r.name, type: r.entryType, protocol: r.nextHopProtocol, status: r.responseStatus ?? 0 };
  }));

/** Every entry h2 and 200, every response h2 and 200 on one connection, nothing failed. */
function assertAllH2(what: string, l: Load, entries: Timing[]): void {
  assert.equal(l.problems, [], `${what}: no failed requests, HTTP errors or console errors`);
  const navs = entries.filter((e) => e.type === 'navigation');
  assert.is(navs.length, 1, `${what}: one navigation entry`);
  for (const e of entries) {
    assert.is(e.protocol, 'h2', `${what}: ${e.type} ${e.name} nextHopProtocol`);
    assert.is(e.status, 200, `${what}: ${e.type} ${e.name} status`);
  }
  assert.ok(l.responses.length >= entries.length, `${what}: the protocol saw every response`);
  for (const r of l.responses) {
    assert.is(r.protocol, 'h2', `${what}: response protocol of ${r.url}`);
    assert.is(r.status, 200, `${what}: status of ${r.url}`);
  }
  const connections = new Set(l.responses.map((r) => r.connectionId));
  assert.equal([...connections].length, 1, `${what}: all ${l.responses.length} responses on one connection, saw ${[...connections].join(', ')}`);
}

/** Paths the served log shows answered with `status`, one per request line (`GET /path 200 bytes ms`). */
const served = (log: string, status = 200) =>
  [...log.matchAll(/^GET (\S+) (\d+) \d+ [\d.]+ms(.*)$/gm)].filter((m) => Number(m[2]) === status && m[3] === '').map((m) => m[1]);

/** Waits (briefly) for `ok`: the server logs a request when its stream closes, a moment after the browser has it. */
async function eventually(ok: () => boolean, ms = 3000): Promise<void> {
  for (const until = Date.now() + ms; !ok() && Date.now() < until;) await new Promise((r) => setTimeout(r, 25));
}

// ------------------------------------------------------------------ what examples/public references

const attr = (tag: string, name: string) => new RegExp(`\\s${name}\\s*=\\s*"([^"]*)"`, 'i').exec(tag)?.[1];

/**
 * From index.html and the scripts it loads: `loads`, what the page itself fetches (stylesheets,
 * scripts, images, fetch() and imports in those scripts), and `links`, what it only links to.
 * The icon is neither: the browser fetches it outside the page, and not in Resource Timing.
 */
function references(): { loads: string[]; links: string[]; icons: string[] } {
  const html = readFileSync(join(PUBLIC, 'index.html'), 'utf8');
  const loads = new Set<string>();
  const links: string[] = [];
  const icons: string[] = [];
  for (const [tag, name] of html.matchAll(/<(link|script|img|a)\b[^>]*>/gi)) {
    const kind = name.toLowerCase();
    if (kind === 'link') {
      const rel = attr(tag, 'rel') ?? '';
      if (/\bstylesheet\b/i.test(rel)) loads.add(attr(tag, 'href')!);
      else if (/\bicon\b/i.test(rel)) icons.push(attr(tag, 'href')!);
    } else if (kind === 'script' && attr(tag, 'src')) loads.add(attr(tag, 'src')!);
    else if (kind === 'img') loads.add(attr(tag, 'src')!);
    else if (kind === 'a' && attr(tag, 'href')) links.push(attr(tag, 'href')!);
  }
  for (const script of [...loads].filter((p) => p.endsWith('.js'))) {
    const js = readFileSync(join(PUBLIC, script), 'utf8');
    for (const m of js.matchAll(/\bfetch\(\s*['"]([^'"]+)['"]|\bimport\b[^'"()]*['"](\.{1,2}\/[^'"]+)['"]/g)) loads.add(m[1] ?? m[2]);
  }
  return { loads: [...loads], links, icons };
}

// ------------------------------------------------------------------ tests

if (missing) {
  if (inCI) test('chromium and playwright-core are installed (CI=true)', () => assert.unreachable(missing));
  else {
    console.log(`# skip: ${missing}`);
    test.skip('Chromium tests', () => {});
  }
} else {
  test.after(teardown);

  test('examples/public: every referenced resource loads over h2 on one connection; the page shows all loaded', scoped(async (s) => {
    const { pub, context: ctx } = await setup();
    const refs = references();
    // The page's references are real files of examples/public (a broken one would only 404).
    for (const p of [...refs.loads, ...refs.icons, ...refs.links]) assert.ok(existsSync(join(PUBLIC, p)), `examples/public/${p} exists`);
    assert.ok(refs.loads.length >= 4, `index.html loads a stylesheet, a script, an image and data: ${refs.loads}`);

    const l = await load(s, ctx, pub.url);
    const { page } = l;
    // app.js marks each resource as it arrives; the stylesheet hides the pending text itself.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#checks .pending')).every((e) => getComputedStyle(e).display === 'none'),
      null, { timeout: 10_000 }).catch(() => {});
    const checks = await page.evaluate(() => Array.from(document.querySelectorAll('#checks li')).map((li) => {
      const span = li.querySelector('span')!;
      return { id: li.id, state: span.className, text: span.textContent, shown: getComputedStyle(span).display !== 'none', after: getComputedStyle(li, '::after').content };
    }));
    assert.equal(checks.map((c) => c.id), ['css-check', 'js-check', 'img-check', 'data-check'], 'the page has its four checks');
    for (const c of checks) {
      if (c.id === 'css-check') assert.ok(!c.shown && c.after === '"loaded"', `the stylesheet marks itself loaded: ${JSON.stringify(c)}`);
      else assert.ok(c.state === 'ok' && c.shown, `${c.id} shows loaded: ${JSON.stringify(c)}`);
    }
    const data = JSON.parse(readFileSync(join(PUBLIC, 'data.json'), 'utf8'));
    assert.equal(checks.map((c) => c.text).slice(1), ['ran', 'loaded', `fetched: ${data.message}`]);
    assert.is(await page.textContent('#protocol'), 'This page came over HTTP/2 (h2).');
    assert.ok(await page.evaluate(() => document.querySelector<HTMLImageElement>('header img')!.naturalWidth > 0), 'the SVG logo decoded');

    // The linked files too, fetched from the page on the same connection.
    const linked = await page.evaluate((hrefs) => Promise.all(hrefs.map(async (h) => {
      const r = await fetch(h);
      return { href: h, status: r.status, body: await r.text() };
    })), refs.links);
    for (const r of linked) {
      assert.is(r.status, 200, `link ${r.href}`);
      if (!r.href.endsWith('/')) assert.is(r.body, readFileSync(join(PUBLIC, r.href), 'utf8'), `link ${r.href} body`);
      else assert.match(r.body, /<title>Index of \//, `link ${r.href} lists the directory`);
    }

    const entries = await timings(page);
    assertAllH2('examples/public', l, entries);
    const nav = entries.find((e) => e.type === 'navigation')!;
    assert.is(nav.name, pub.url);
    const fetched = entries.filter((e) => e.type === 'resource').map((e) => new URL(e.name).pathname.slice(1));
    for (const p of [...refs.loads, ...refs.links]) assert.ok(fetched.includes(p), `${p} in Resource Timing: ${fetched.join(', ')}`);
    for (const p of fetched) assert.ok(refs.loads.includes(p) || refs.links.includes(p), `${p} is one the page references`);

    // The server answered each of them itself (no cache in between), none reset.
    const want = ['/', ...[...refs.loads, ...refs.links].map((x) => `/${x}`)];
    await eventually(() => want.every((p) => served(pub.out()).includes(p)));
    const log = served(pub.out());
    for (const p of want) assert.ok(log.includes(p), `served ${p}: ${pub.out()}`);
    assert.not.match(pub.out(), /\(reset \d+\)/, 'no stream was reset');
  }, 40_000));

  test(`${MANY_IMAGES + MANY_SCRIPTS} resources on one page: all loaded over one h2 connection with default settings`, scoped(async (s) => {
    const { many, context: ctx } = await setup();
    const l = await load(s, ctx, many.url);
    const { page } = l;
    const done = await page.evaluate(() => ({
      images: Array.from(document.images).filter((i) => i.complete && i.naturalWidth === 8).length,
      onload: (window as unknown as { loadedImages: Set<number> }).loadedImages.size,
      scripts: (window as unknown as { ranScripts: Set<number> }).ranScripts.size,
    }));
    assert.equal(done, { images: MANY_IMAGES, onload: MANY_IMAGES, scripts: MANY_SCRIPTS }, 'every image decoded and every script ran');
    const entries = await timings(page);
    assertAllH2('many', l, entries);
    const paths = entries.filter((e) => e.type === 'resource').map((e) => new URL(e.name).pathname);
    assert.is(paths.length, MANY_IMAGES + MANY_SCRIPTS, 'each resource in Resource Timing');
    assert.is(new Set(paths).size, paths.length, 'each resource fetched once');
    assert.is(l.responses.length, MANY_IMAGES + MANY_SCRIPTS + 1, 'one response per resource and the page');
    await eventually(() => served(many.out()).length >= MANY_IMAGES + MANY_SCRIPTS + 1);
    const log = served(many.out());
    assert.is(log.length, MANY_IMAGES + MANY_SCRIPTS + 1, 'one request each');
    assert.is(new Set(log).size, MANY_IMAGES + MANY_SCRIPTS + 1, `the server answered all of them: ${many.out().slice(-2000)}`);
    assert.not.match(many.out(), /\(reset \d+\)/, 'no stream was reset');
  }, 40_000));
}

test.run();
