// The h2wasm command line end to end over real sockets: `serve` (run from the TS sources as a
// child process) fetched by curl, nghttp and our own `get`; `get` against nghttpd and `serve`.
// A missing curl / nghttp / nghttpd skips its tests with a one-line reason, except under
// CI=true, where it is a failure.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate, randomFillSync } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scoped, within, sha256, withTool } from '../interop/helpers/util.ts';

const test = suite('cli: h2wasm serve / get');
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'bindings', 'cli', 'main.ts');
const MiB = 1024 * 1024;

// One temp tree per run: the served directory (with a secret beside it), the cert cache, outputs.
const TMP = mkdtempSync(join(tmpdir(), 'h2wasm-cli-'));
const WWW = join(TMP, 'www');
const CACHE = join(TMP, 'cache');
const OUT = join(TMP, 'out');
const SECRET = 'top secret outside the served directory';
const FILES: Record<string, number> = { 'zero.bin': 0, 'one.bin': 1, 'mib.bin': MiB, 'big.bin': 64 * MiB };
const HASH: Record<string, string> = {};
const INDEX = '<!doctype html><title>root index</title>\n';
const SUB_INDEX = '<!doctype html><title>sub index</title>\n';

function setupFiles(): void {
  mkdirSync(join(WWW, 'sub'), { recursive: true });
  mkdirSync(OUT, { recursive: true });
  for (const [name, n] of Object.entries(FILES)) {
    const b = randomFillSync(Buffer.allocUnsafe(n));
    writeFileSync(join(WWW, name), b);
    HASH[name] = sha256(b);
  }
  writeFileSync(join(WWW, 'index.html'), INDEX);
  writeFileSync(join(WWW, 'sub', 'index.html'), SUB_INDEX);
  writeFileSync(join(WWW, 'style.css'), 'body { color: red }\n');
  writeFileSync(join(WWW, 'digits.txt'), '0123456789');
  writeFileSync(join(TMP, 'secret.txt'), SECRET);
}

const ENV = { ...process.env, XDG_CACHE_HOME: CACHE };

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: string }
interface Proc { child: ChildProcess; out: () => string; err: () => string; exited: Promise<Run> }
const live = new Set<ChildProcess>();

function start(cmd: string, args: string[], input?: Buffer): Proc {
  const child = spawn(cmd, args, { cwd: ROOT, env: ENV, stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  live.add(child);
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d) => { stderr += d; });
  if (input) child.stdin!.end(input);
  const exited = new Promise<Run>((resolve) => child.on('close', (code, signal) => {
    live.delete(child);
    resolve({ code, signal, stdout: Buffer.concat(out), stderr });
  }));
  return { child, out: () => Buffer.concat(out).toString('latin1'), err: () => stderr, exited };
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), 3000);
  await p.exited;
  clearTimeout(t);
}

/** Runs a command to its end; killed (and the test failed) after `ms`. */
async function run(cmd: string, args: string[], ms = 30_000, input?: Buffer): Promise<Run> {
  const p = start(cmd, args, input);
  try {
    return await within(p.exited, ms, `${cmd} ${args.join(' ')}`);
  } finally {
    await stop(p);
  }
}

const cli = (args: string[], ms?: number, input?: Buffer) => run(process.execPath, ['--import', 'tsx', MAIN, ...args], ms, input);
const show = (r: Run) => `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\nstdout: ${r.stdout.subarray(0, 2000).toString('latin1')}\nstderr: ${r.stderr.slice(0, 3000)}`;

function fileHash(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex'))).on('error', reject);
  });
}

interface Server { proc: Proc; port: number; url: string; base: string; log: () => string }

/** Starts `h2wasm serve` on a free port; resolves once it prints its URL. */
async function startServe(extra: string[]): Promise<Server> {
  const proc = start(process.execPath, ['--import', 'tsx', MAIN, 'serve', WWW, '--port', '0', '--host', '127.0.0.1', ...extra]);
  const url = await within((async () => {
    for (;;) {
      const m = /(https?):\/\/[^\s/]+:(\d+)\//.exec(proc.out());
      if (m) return m;
      if (proc.child.exitCode !== null) throw new Error(`serve exited ${proc.child.exitCode}: ${proc.err()}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  })(), 20_000, 'h2wasm serve to print its URL');
  const port = Number(url[2]);
  return { proc, port, url: url[0], base: `${url[1]}://127.0.0.1:${port}`, log: proc.out };
}

let tls: Server;
let h2c: Server;
const CA = () => join(CACHE, 'h2wasm', 'ca.pem');

test.before(async () => {
  setupFiles();
  [tls, h2c] = await Promise.all([startServe([]), startServe(['--h2c'])]);
});

test.after(async () => {
  // Every child still running (the two servers, anything a failed test left behind).
  await Promise.all([...live].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('close', () => { clearTimeout(t); resolve(); });
    child.kill('SIGTERM');
  })));
  rmSync(TMP, { recursive: true, force: true });
});

/** A free TCP port (listened on, then released). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function waitForPort(port: number, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = net.connect({ port, host: '127.0.0.1' }, () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}



// ------------------------------------------------------------------ serve: certificates

test('serve: prints its URL, the CA path; CA and localhost leaf are separate, with the right extensions', scoped(async () => {
  assert.match(tls.log(), /https:\/\/localhost:\d+\//);
  assert.ok(tls.log().includes(CA()), tls.log());
  assert.match(h2c.log(), /http:\/\/localhost:\d+\//);
  const ca = new X509Certificate(readFileSync(CA()));
  const leaf = new X509Certificate(readFileSync(join(CACHE, 'h2wasm', 'localhost.pem')));
  assert.ok(ca.ca, 'the CA has basicConstraints CA:true');
  assert.not.ok(leaf.ca, 'the leaf has CA:false');
  assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'the CA signed the leaf');
  assert.is(leaf.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  assert.equal(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extendedKeyUsage serverAuth');
  assert.ok(leaf.checkHost('localhost') && leaf.checkIP('127.0.0.1') && leaf.checkIP('::1'));
  assert.ok(ca.fingerprint256 !== leaf.fingerprint256);
}));

test('serve: a second start reuses the cached certificates (the CA stays trusted)', scoped(async (s) => {
  const before = readFileSync(CA(), 'utf8');
  const again = await startServe([]);
  s.defer(() => stop(again.proc));
  assert.is(readFileSync(CA(), 'utf8'), before);
  assert.not.match(again.log(), /Generated/);
}));

test('serve: a directory that does not exist fails with one line and exit 1', scoped(async () => {
  const r = await cli(['serve', join(TMP, 'nope'), '--port', '0']);
  assert.is(r.code, 1, show(r));
  assert.match(r.stderr, /^h2wasm serve: error: not a directory: .*nope\n$/, show(r));
}));

// ------------------------------------------------------------------ serve ← curl

withTool(test, 'curl', () => {
  const curlTls = (args: string[]) => run('curl', ['-sS', '--http2', '--cacert', CA(), ...args]);
  const curlH2c = (args: string[]) => run('curl', ['-sS', '--http2-prior-knowledge', ...args]);

  for (const [label, fetch, base] of [['TLS', curlTls, () => `https://localhost:${tls.port}`], ['h2c', curlH2c, () => h2c.base]] as const) {
    test(`serve ← curl (${label}): 0 B, 1 B, 1 MiB, 64 MiB by sha256, over HTTP/2`, scoped(async () => {
      for (const name of Object.keys(FILES)) {
        const out = join(OUT, `curl-${label}-${name}`);
        const r = await fetch(['-o', out, '-w', '%{http_code} %{http_version} %{size_download}', `${base()}/${name}`]);
        assert.is(r.code, 0, show(r));
        assert.is(r.stdout.toString(), `200 2 ${FILES[name]}`, name);
        assert.is(await fileHash(out), HASH[name], name);
      }
    }, 60_000));
  }

  test('serve ← curl: index.html, a directory redirect, content types, 404, HEAD, 405', scoped(async () => {
    const base = `https://localhost:${tls.port}`;
    let r = await curlTls(['-i', `${base}/`]);
    assert.match(r.stdout.toString(), /^HTTP\/2 200/);
    assert.match(r.stdout.toString(), /\r\ncontent-type: text\/html; charset=utf-8\r\n/);
    assert.ok(r.stdout.toString().endsWith(INDEX), show(r));
    r = await curlTls(['-i', `${base}/sub?x=1`]);
    assert.match(r.stdout.toString(), /^HTTP\/2 301/, show(r));
    assert.match(r.stdout.toString(), /\r\nlocation: \/sub\/\?x=1\r\n/, show(r));
    r = await curlTls(['-L', `${base}/sub`]);
    assert.is(r.stdout.toString(), SUB_INDEX);
    r = await curlTls(['-i', `${base}/style.css`]);
    assert.match(r.stdout.toString(), /\r\ncontent-type: text\/css; charset=utf-8\r\n/);
    r = await curlTls(['-o', '/dev/null', '-w', '%{http_code}', `${base}/missing.txt`]);
    assert.is(r.stdout.toString(), '404');
    r = await curlTls(['-I', `${base}/mib.bin`]);
    assert.match(r.stdout.toString(), /^HTTP\/2 200/);
    assert.match(r.stdout.toString(), new RegExp(`\\r\\ncontent-length: ${MiB}\\r\\n`));
    r = await curlTls(['-i', '-X', 'DELETE', `${base}/one.bin`]);
    assert.match(r.stdout.toString(), /^HTTP\/2 405/);
    assert.match(r.stdout.toString(), /\r\nallow: GET, HEAD\r\n/);
  }));

  test('serve ← curl: ranges: 206 with content-range (first, middle, suffix, open), 416 beyond the end', scoped(async () => {
    const base = `https://localhost:${tls.port}`;
    for (const [range, body, cr] of [
      ['0-0', '0', 'bytes 0-0/10'], ['3-6', '3456', 'bytes 3-6/10'], ['-3', '789', 'bytes 7-9/10'],
      ['8-', '89', 'bytes 8-9/10'], ['5-100', '56789', 'bytes 5-9/10'],
    ]) {
      const r = await curlTls(['-i', '-r', range, `${base}/digits.txt`]);
      const text = r.stdout.toString();
      assert.match(text, /^HTTP\/2 206/, `${range}: ${text}`);
      assert.ok(text.includes(`\r\ncontent-range: ${cr}\r\n`), `${range}: ${text}`);
      assert.ok(text.includes(`\r\ncontent-length: ${body.length}\r\n`), `${range}: ${text}`);
      assert.ok(text.endsWith(`\r\n\r\n${body}`), `${range}: ${text}`);
    }
    // A range of the 64 MiB file, checked against the file's bytes.
    const out = join(OUT, 'range.bin');
    let r = await curlTls(['-r', `${32 * MiB}-${33 * MiB - 1}`, '-o', out, '-w', '%{http_code}', `${base}/big.bin`]);
    assert.is(r.stdout.toString(), '206');
    assert.is(await fileHash(out), sha256(readFileSync(join(WWW, 'big.bin')).subarray(32 * MiB, 33 * MiB)));
    r = await curlTls(['-i', '-r', '10-20', `${base}/digits.txt`]);
    assert.match(r.stdout.toString(), /^HTTP\/2 416/);
    assert.ok(r.stdout.toString().includes('\r\ncontent-range: bytes */10\r\n'), show(r));
    r = await curlTls(['-i', '-r', '0-', `${base}/zero.bin`]);
    assert.match(r.stdout.toString(), /^HTTP\/2 416/);
  }));

  test('serve ← curl: last-modified, then 304 on if-modified-since (200 when older)', scoped(async () => {
    const base = `https://localhost:${tls.port}`;
    const head = (await curlTls(['-I', `${base}/digits.txt`])).stdout.toString();
    const lm = /\r\nlast-modified: ([^\r]+)\r\n/.exec(head)?.[1];
    assert.ok(lm, head);
    assert.is(Date.parse(lm!), Math.floor(statSync(join(WWW, 'digits.txt')).mtimeMs / 1000) * 1000);
    let r = await curlTls(['-i', '-H', `if-modified-since: ${lm}`, `${base}/digits.txt`]);
    assert.match(r.stdout.toString(), /^HTTP\/2 304/, show(r));
    assert.ok(r.stdout.toString().endsWith('\r\n\r\n'), 'no body');
    r = await curlTls(['-i', '-H', `if-modified-since: ${new Date(Date.parse(lm!) - 60_000).toUTCString()}`, `${base}/digits.txt`]);
    assert.match(r.stdout.toString(), /^HTTP\/2 200/, show(r));
    assert.ok(r.stdout.toString().endsWith('0123456789'));
  }));

  test('serve ← curl: path traversal (raw, encoded, backslash) is refused; the secret never leaves', scoped(async () => {
    const base = `https://localhost:${tls.port}`;
    for (const p of ['/../secret.txt', '/sub/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/..%5csecret.txt', '/sub/..%2f..%2fsecret.txt']) {
      const r = await curlTls(['--path-as-is', '-i', `${base}${p}`]);
      assert.match(r.stdout.toString(), /^HTTP\/2 403/, `${p}: ${show(r)}`);
      assert.not.ok(r.stdout.toString().includes(SECRET), p);
    }
    const r = await curlTls(['--path-as-is', '-o', '/dev/null', '-w', '%{http_code}', `${base}/%00`]);
    assert.is(r.stdout.toString(), '400');
  }));

  test('serve: one log line per request (method path status bytes ms)', scoped(async () => {
    const r = await curlH2c(['-o', '/dev/null', `${h2c.base}/one.bin?log=1`]);
    assert.is(r.code, 0, show(r));
    await within((async () => { while (!/GET \/one\.bin\?log=1 200 1 \d+(\.\d+)?ms\n/.test(h2c.log())) await new Promise((res) => setTimeout(res, 20)); })(), 5000, 'the log line');
    assert.match(tls.log(), /HEAD \/mib\.bin 200 0 \d+(\.\d+)?ms/);
  }));
});

// ------------------------------------------------------------------ serve ← nghttp

withTool(test, 'nghttp', () => {
  for (const label of ['TLS', 'h2c'] as const) {
    test(`serve ← nghttp (${label}): 0 B, 1 B, 1 MiB, 64 MiB by sha256`, scoped(async () => {
      const base = label === 'TLS' ? tls.base : h2c.base;
      for (const name of Object.keys(FILES)) {
        const r = await run('nghttp', [`${base}/${name}`]);
        assert.is(r.code, 0, show(r));
        assert.is(r.stdout.length, FILES[name], name);
        assert.is(sha256(r.stdout), HASH[name], name);
      }
    }, 60_000));
  }
});

// ------------------------------------------------------------------ get ← serve

test('get ← serve (TLS, --cacert; h2c): 0 B, 1 B, 1 MiB, 64 MiB to stdout and with -o, by sha256', scoped(async () => {
  for (const name of Object.keys(FILES)) {
    const r = await cli(['get', '--cacert', CA(), `https://localhost:${tls.port}/${name}`]);
    assert.is(r.code, 0, show(r));
    assert.is(r.stderr, '', 'nothing on stderr (not a terminal: no progress bar)');
    assert.is(sha256(r.stdout), HASH[name], name);
    const out = join(OUT, `get-${name}`);
    const o = await cli(['get', '-o', out, `${h2c.base}/${name}`]);
    assert.is(o.code, 0, show(o));
    assert.is(o.stdout.length, 0);
    assert.is(await fileHash(out), HASH[name], name);
  }
}, 90_000));

test('get: -i prints the response head; -H sends headers (range → 206, if-modified-since → 304)', scoped(async () => {
  let r = await cli(['get', '-i', `${h2c.base}/digits.txt`]);
  assert.match(r.stdout.toString(), /^HTTP\/2 200\n(.+\n)*content-type: text\/plain; charset=utf-8\n(.+\n)*\n0123456789$/, show(r));
  assert.match(r.stdout.toString(), /\ncontent-length: 10\n/, show(r));
  r = await cli(['get', '-i', '-H', 'Range: bytes=2-4', `${h2c.base}/digits.txt`]);
  assert.match(r.stdout.toString(), /^HTTP\/2 206\n/, show(r));
  assert.match(r.stdout.toString(), /\ncontent-range: bytes 2-4\/10\n(.+\n)*\n234$/, show(r));
  const lm = new Date(Math.floor(statSync(join(WWW, 'digits.txt')).mtimeMs / 1000) * 1000).toUTCString();
  r = await cli(['get', '-i', '-H', `if-modified-since: ${lm}`, `${h2c.base}/digits.txt`]);
  assert.match(r.stdout.toString(), /^HTTP\/2 304\n/, show(r));
  // HTTP errors are responses: exit 0, or 22 with -f (as curl).
  r = await cli(['get', `${h2c.base}/missing`]);
  assert.is(r.code, 0, show(r));
  assert.is(r.stdout.toString(), 'Not Found\n');
  r = await cli(['get', '-f', `${h2c.base}/missing`]);
  assert.is(r.code, 22, show(r));
  assert.match(r.stderr, /^h2wasm get: error: the server answered 404\n$/);
}, 40_000));

test('get -d: a POST with the data (inline and @file), its DATA frame in the -v trace', scoped(async () => {
  let r = await cli(['get', '-v', '-d', 'hello=world', `${h2c.base}/index.html`]);
  assert.is(r.stdout.toString(), 'Method Not Allowed\n', show(r)); // serve takes GET and HEAD only
  assert.match(r.stderr, /send HEADERS frame <length=\d+, flags=0x04, stream_id=1>\n\s+; END_HEADERS\n(.*\n)*\s+:method: POST\n(.*\n)*\s+content-length: 11\n/, r.stderr);
  assert.match(r.stderr, /send DATA frame <length=11, flags=0x01, stream_id=1>\n\s+; END_STREAM\n/, r.stderr);
  const file = join(OUT, 'post.bin');
  writeFileSync(file, Buffer.alloc(40_000, 7));
  r = await cli(['get', '-v', '-d', `@${file}`, `${h2c.base}/index.html`]);
  const sent = [...r.stderr.matchAll(/send DATA frame <length=(\d+), flags=0x0(\d), stream_id=1>/g)];
  assert.is(sent.reduce((n, m) => n + Number(m[1]), 0), 40_000, r.stderr);
  assert.is(sent.at(-1)![2], '1', 'END_STREAM on the last DATA frame');
}, 30_000));

test('get: certificate errors, refused connections, bad arguments: one line on stderr, non-zero exit', scoped(async () => {
  let r = await cli(['get', `https://localhost:${tls.port}/one.bin`]);
  assert.is(r.code, 1, show(r));
  assert.match(r.stderr, /^h2wasm get: error: TLS: self[- ]signed certificate in certificate chain \(.*--insecure\)\n$/, show(r));
  r = await cli(['get', '--insecure', `https://localhost:${tls.port}/one.bin`]);
  assert.is(r.code, 0, show(r));
  assert.is(sha256(r.stdout), HASH['one.bin']);
  const port = await freePort();
  r = await cli(['get', `http://127.0.0.1:${port}/`]);
  assert.is(r.code, 1, show(r));
  assert.match(r.stderr, /^h2wasm get: error: connect ECONNREFUSED 127\.0\.0\.1:\d+ \(is the server running\?\)\n$/, show(r));
  r = await cli(['get', '--bogus', 'http://x/']);
  assert.is(r.code, 2, show(r));
  assert.match(r.stderr, /^h2wasm get: error: unknown option --bogus/);
  r = await cli(['get', 'ftp://x/']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^h2wasm get: error: unsupported scheme ftp:/);
  r = await cli(['frobnicate']);
  assert.is(r.code, 2);
}, 40_000));

// The trace's lines as nghttp -v prints them (the same patterns are checked on nghttp's own output).
const TRACE_PATTERNS: Array<[string, RegExp]> = [
  ['our SETTINGS', /^\[ *\d+\.\d{3}\] send SETTINGS frame <length=\d+, flags=0x00, stream_id=0>\n {10}\(niv=\d+\)\n {10}\[SETTINGS_[A-Z_]+\(0x0\d\):\d+\]/m],
  ['the request HEADERS', /^\[ *\d+\.\d{3}\] send HEADERS frame <length=\d+, flags=0x[0-9a-f]{2}, stream_id=(\d+)>\n {10}; END_STREAM \| END_HEADERS.*\n(?: {10}\(.*\)\n)? {10}; Open new stream\n {10}:method: GET\n/m],
  ['the peer SETTINGS ACK', /^\[ *\d+\.\d{3}\] recv SETTINGS frame <length=0, flags=0x01, stream_id=0>\n {10}; ACK\n {10}\(niv=0\)$/m],
  ['our SETTINGS ACK', /^\[ *\d+\.\d{3}\] send SETTINGS frame <length=0, flags=0x01, stream_id=0>\n {10}; ACK\n {10}\(niv=0\)$/m],
  ['the decoded response fields', /^\[ *\d+\.\d{3}\] recv \(stream_id=\d+\) :status: 200$/m],
  ['the response HEADERS', /^\[ *\d+\.\d{3}\] recv HEADERS frame <length=\d+, flags=0x04, stream_id=\d+>\n {10}; END_HEADERS\n {10}\(padlen=0\)\n {10}; First response header$/m],
  ['the last DATA', /\[ *\d+\.\d{3}\] recv DATA frame <length=\d+, flags=0x01, stream_id=\d+>\n {10}; END_STREAM$/m],
];

function checkTrace(text: string, who: string): void {
  for (const [what, re] of TRACE_PATTERNS) assert.match(text, re, `${who}: ${what}\n${text.slice(0, 4000)}`);
}

test('get -v: an nghttp -v style trace on stderr (SETTINGS, HEADERS with fields, DATA, WINDOW_UPDATE)', scoped(async () => {
  const r = await cli(['get', '-v', '--cacert', CA(), `https://localhost:${tls.port}/mib.bin`]);
  assert.is(r.code, 0, show(r));
  assert.is(sha256(r.stdout), HASH['mib.bin'], 'the body is still on stdout');
  checkTrace(r.stderr, 'h2wasm get -v');
  assert.match(r.stderr, /^\[ *\d+\.\d{3}\] Connected\nThe negotiated protocol: h2\n/);
  assert.match(r.stderr, /\n {10}:path: \/mib\.bin\n {10}:authority: localhost:\d+\n {10}:scheme: https\n/);
  assert.match(r.stderr, /recv \(stream_id=1\) content-length: 1048576\n/);
  assert.match(r.stderr, /send WINDOW_UPDATE frame <length=4, flags=0x00, stream_id=0>\n {10}\(window_size_increment=\d+\)/);
  const data = [...r.stderr.matchAll(/recv DATA frame <length=(\d+), flags=0x0[01], stream_id=1>/g)];
  assert.is(data.reduce((n, m) => n + Number(m[1]), 0), MiB, 'the DATA frames add up to the body');
}, 30_000));

withTool(test, 'nghttp', () => {
  test('the trace patterns hold for nghttp -v itself (same format)', scoped(async () => {
    const r = await run('nghttp', ['-v', `${h2c.base}/digits.txt`]);
    assert.is(r.code, 0, show(r));
    checkTrace(r.stdout.toString(), 'nghttp -v');
  }));
});

// ------------------------------------------------------------------ get ← nghttpd

withTool(test, 'nghttpd', () => {
  async function nghttpd(s: { defer: (fn: () => unknown) => void }, args: string[]): Promise<number> {
    const port = await freePort();
    const proc = start('nghttpd', ['-d', WWW, ...args.map((a) => (a === 'PORT' ? String(port) : a))]);
    s.defer(() => stop(proc));
    await waitForPort(port);
    return port;
  }

  test('get ← nghttpd --no-tls: 0 B, 1 B, 1 MiB, 64 MiB by sha256; -o; -i', scoped(async (s) => {
    const port = await nghttpd(s, ['--no-tls', 'PORT']);
    for (const name of Object.keys(FILES)) {
      const r = await cli(['get', `http://127.0.0.1:${port}/${name}`]);
      assert.is(r.code, 0, show(r));
      assert.is(sha256(r.stdout), HASH[name], name);
    }
    const out = join(OUT, 'nghttpd-big.bin');
    let r = await cli(['get', '-o', out, `http://127.0.0.1:${port}/big.bin`]);
    assert.is(r.code, 0, show(r));
    assert.is(await fileHash(out), HASH['big.bin']);
    r = await cli(['get', '-i', `http://127.0.0.1:${port}/digits.txt`]);
    assert.match(r.stdout.toString(), /^HTTP\/2 200\n(.+\n)*server: nghttpd.*\n(.+\n)*\n0123456789$/, show(r));
    r = await cli(['get', '-i', `http://127.0.0.1:${port}/nope`]);
    assert.match(r.stdout.toString(), /^HTTP\/2 404\n/, show(r));
  }, 60_000));

  test('get ← nghttpd (TLS with the serve certificates): --cacert, -H, -d, -v', scoped(async (s) => {
    const dir = join(CACHE, 'h2wasm');
    const chain = join(OUT, 'chain.pem');
    writeFileSync(chain, readFileSync(join(dir, 'localhost.pem'), 'utf8') + readFileSync(CA(), 'utf8'));
    const port = await nghttpd(s, ['PORT', join(dir, 'localhost-key.pem'), chain]);
    let r = await cli(['get', '--cacert', CA(), `https://localhost:${port}/mib.bin`]);
    assert.is(r.code, 0, show(r));
    assert.is(sha256(r.stdout), HASH['mib.bin']);
    r = await cli(['get', '-v', '--cacert', CA(), '-H', 'x-test: one two', `https://127.0.0.1:${port}/digits.txt`]);
    assert.is(r.code, 0, show(r));
    assert.is(r.stdout.toString(), '0123456789', show(r));
    checkTrace(r.stderr, 'h2wasm get -v ← nghttpd');
    assert.match(r.stderr, /\n {10}x-test: one two\n/);
    assert.match(r.stderr, /recv \(stream_id=1\) server: nghttpd/);
    r = await cli(['get', '-v', '--cacert', CA(), '-d', 'abc', `https://127.0.0.1:${port}/digits.txt`]);
    assert.is(r.code, 0, show(r));
    assert.is(r.stdout.toString(), '0123456789', show(r)); // nghttpd answers a POST to a file with the file
    assert.match(r.stderr, /\n {10}:method: POST\n/);
    assert.match(r.stderr, /send DATA frame <length=3, flags=0x01, stream_id=1>/);
    r = await cli(['get', `https://localhost:${port}/digits.txt`]);
    assert.is(r.code, 1, 'not trusted without --cacert');
  }, 40_000));
});

test.run();
