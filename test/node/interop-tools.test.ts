// Interop over real sockets with nghttp2's tools and curl: our node:http2 API as a client of
// nghttpd, and as a server for curl and nghttp, over h2c and TLS. Bodies compared by sha256.
// A missing tool skips its tests with a one-line reason, except under CI=true (a failure).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type http2 from 'node:http2';
import { HOST, KiB, MiB, body, inCI, scoped, sha256, sizeName, tool, within, type Scope } from '../interop/helpers/util.ts';
import {
  blank, certFiles, dial, exchange, freePort, observe, routes, run, serve, start, tempDir, waitForPort, type Mode, type Outcome,
} from './helpers/h2peers.ts';

const test = suite('node API interop: curl, nghttp, nghttpd');
const SIZES = [0, 1, 16 * KiB, MiB];

/** Registers tests needing `name`: skipped with a reason, or failing under CI, when it is missing. */
function withTool(name: string, args: string[], register: () => void) {
  const t = tool(name, args);
  if (t.ok) register();
  else if (inCI) test(`${name} is installed (CI=true)`, () => assert.unreachable(t.reason));
  else {
    console.log(`# skip: ${t.reason.replace('nghttp2-client', 'nghttp2-client nghttp2-server')}`);
    test.skip(`${name} tests`, () => {});
  }
}

/** Our server's routes plus /push (pushes /pushed.js) and Expect: 100-continue. */
function ourRoutes(st: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
  if (headers.expect === '100-continue') st.additionalHeaders({ ':status': 100 });
  if (headers[':path'] === '/push') {
    st.pushStream({ ':path': '/pushed.js' }, (err, ps) => {
      if (err) { st.respond({ ':status': 500 }, { endStream: true }); return; }
      ps.respond({ ':status': 200, 'x-pushed': 'yes' });
      ps.end(body(16 * KiB));
      st.respond({ ':status': 200 });
      st.end('main');
    });
    return;
  }
  routes(st, headers);
}

const show = (r: { code: number | null; stdout: string; stderr: string }) =>
  `exit ${r.code}\nstdout: ${r.stdout.slice(-3000)}\nstderr: ${r.stderr.slice(-2000)}`;

// ---------------------------------------------------------------- our client ↔ nghttpd

/** nghttpd on a free port serving `dir` (TLS with the test leaf unless h2c). */
async function nghttpd(s: Scope, mode: Mode, dir: string, extra: string[] = []): Promise<number> {
  const port = await freePort();
  const tlsArgs = mode === 'tls' ? (() => { const f = certFiles(tempDir(s)); return [String(port), f.key, f.cert]; })() : ['--no-tls', String(port)];
  const proc = start(s, 'nghttpd', ['-a', HOST, '-d', dir, ...extra, ...tlsArgs]);
  await waitForPort(port, proc);
  return port;
}

withTool('nghttpd', ['--version'], () => {
  for (const mode of ['h2c', 'tls'] as Mode[]) {
    test(`[${mode}] our client → nghttpd: downloads of ${SIZES.map(sizeName).join(', ')} by sha256`, scoped(async (s) => {
      const dir = tempDir(s);
      for (const n of SIZES) writeFileSync(join(dir, `f${n}`), body(n));
      const port = await nghttpd(s, mode, dir);
      const session = await dial(s, 'ours', mode, port);
      if (mode === 'tls') assert.is(session.alpnProtocol, 'h2');
      const results = await Promise.all(SIZES.map((n) => exchange(session, { ':path': `/f${n}` })));
      SIZES.forEach((n, i) => {
        assert.is(results[i].status, 200, `${sizeName(n)}: ${JSON.stringify(results[i])}`);
        assert.match(String(results[i].headers.server), /^nghttpd nghttp2\//);
        assert.is(results[i].octets, n);
        assert.is(results[i].hash, sha256(body(n)), sizeName(n));
        assert.is(results[i].rstCode, 0);
      });
      const missing = await exchange(session, { ':path': '/nope' });
      assert.is(missing.status, 404);
    }));

    test(`[${mode}] our client → nghttpd --echo-upload: uploads of 1 B, 16 KiB, 1 MiB come back whole`, scoped(async (s) => {
      const port = await nghttpd(s, mode, tempDir(s), ['--echo-upload']);
      const session = await dial(s, 'ours', mode, port);
      for (const n of [1, 16 * KiB, MiB]) {
        const r = await exchange(session, { ':method': 'POST', ':path': '/echo' }, body(n));
        assert.is(r.status, 200, JSON.stringify(r));
        assert.is(r.headers['nghttpd-response'], 'echo');
        assert.is(r.octets, n);
        assert.is(r.hash, sha256(body(n)), sizeName(n));
      }
    }));
  }

  test('[h2c] our client → nghttpd --trailer: response trailers arrive as the "trailers" event, before "end"', scoped(async (s) => {
    const dir = tempDir(s);
    writeFileSync(join(dir, 'f'), body(16 * KiB));
    const port = await nghttpd(s, 'h2c', dir, ['--trailer', 'x-h2wasm-check: 42']);
    const session = await dial(s, 'ours', 'h2c', port);
    const r = await exchange(session, { ':path': '/f' });
    assert.is(r.hash, sha256(body(16 * KiB)));
    assert.is(r.trailers?.['x-h2wasm-check'], '42', JSON.stringify(r));
    assert.ok(r.events.indexOf('trailers') < r.events.indexOf('end'), r.events.join(' '));
  }));

  test('[tls] our client → nghttpd -p: pushed stream as session "stream" then "push", body by sha256', scoped(async (s) => {
    const dir = tempDir(s);
    writeFileSync(join(dir, 'index.html'), 'index');
    writeFileSync(join(dir, 'pushed.css'), body(MiB));
    const port = await nghttpd(s, 'tls', dir, ['-p/index.html=/pushed.css']);
    const session = await dial(s, 'ours', 'tls', port);
    let promised: http2.IncomingHttpHeaders = {};
    const pushed = new Promise<Outcome>((resolve) => session.once('stream', (ps: http2.ClientHttp2Stream, headers) => {
      promised = headers;
      resolve(observe(ps, blank()));
    }));
    const main = await exchange(session, { ':path': '/index.html' });
    assert.is(main.hash, sha256(Buffer.from('index')));
    const p = await within(pushed, 5000, 'the pushed stream');
    assert.is(promised[':path'], '/pushed.css');
    assert.is(p.events[0], 'push', p.events.join(' '));
    assert.is(p.status, 200);
    assert.is(p.hash, sha256(body(MiB)));
  }));
});

// ---------------------------------------------------------------- curl → our server

withTool('curl', ['--version'], () => {
  test(`[h2c] curl --http2-prior-knowledge → our server: downloads of ${[...SIZES, 64 * MiB].map(sizeName).join(', ')} by sha256`, scoped(async (s) => {
    const srv = await serve(s, 'ours', 'h2c', ourRoutes);
    const dir = tempDir(s);
    for (const n of [...SIZES, 64 * MiB]) {
      const file = join(dir, `d${n}`);
      const r = await run(s, 'curl', ['-sS', '--http2-prior-knowledge', '-o', file, '-w', '%{http_version} %{http_code}', `${srv.url}/bytes/${n}`]);
      assert.is(r.code, 0, show(r));
      assert.is(r.stdout, '2 200', show(r));
      assert.is(sha256(readFileSync(file)), sha256(body(n)), sizeName(n));
    }
    assert.equal(srv.errors, []);
  }, 30_000));

  test(`[tls] curl --http2 --cacert → our server: downloads and uploads of ${SIZES.map(sizeName).join(', ')}, and a 64 MiB upload`, scoped(async (s) => {
    const srv = await serve(s, 'ours', 'tls', ourRoutes);
    const dir = tempDir(s);
    const { ca } = certFiles(dir);
    const curl = (...args: string[]) => run(s, 'curl', ['-sS', '--http2', '--cacert', ca, ...args]);
    for (const n of SIZES) {
      const file = join(dir, `d${n}`);
      const r = await curl('-o', file, '-w', '%{http_version} %{http_code}', `${srv.url}/bytes/${n}`);
      assert.is(r.stdout, '2 200', show(r));
      assert.is(sha256(readFileSync(file)), sha256(body(n)), `download ${sizeName(n)}`);
    }
    for (const n of [...SIZES, 64 * MiB]) {
      const file = join(dir, `u${n}`);
      writeFileSync(file, body(n));
      // -T streams the file (PUT); no Expect: 100-continue wait
      const r = await curl('-T', file, '-X', 'POST', '-H', 'Expect:', '-D', '-', '-o', '/dev/null', `${srv.url}/upload`);
      assert.is(r.code, 0, show(r));
      assert.match(r.stdout, /^HTTP\/2 200/m, show(r));
      assert.match(r.stdout, new RegExp(`^x-sha256: ${sha256(body(n))}\\r?$`, 'm'), `upload ${sizeName(n)}: ${show(r)}`);
    }
    assert.equal(srv.errors, []);
  }, 30_000));

  test('[h2c] curl → our server: Expect: 100-continue gets our 100 and the 1 MiB body follows; response trailers are shown', scoped(async (s) => {
    const srv = await serve(s, 'ours', 'h2c', ourRoutes);
    const dir = tempDir(s);
    const file = join(dir, 'u');
    writeFileSync(file, body(MiB));
    const t0 = Date.now();
    const r = await run(s, 'curl', ['-sS', '--http2-prior-knowledge', '-H', 'Expect: 100-continue', '-T', file, '-X', 'POST',
      '-D', '-', '-o', '/dev/null', `${srv.url}/trailers`]);
    assert.is(r.code, 0, show(r));
    assert.match(r.stdout, /^HTTP\/2 100/m, show(r));
    assert.match(r.stdout, /^HTTP\/2 200/m, show(r));
    // curl waits 1 s for a 100 that never comes; ours sent it, so no wait
    assert.ok(Date.now() - t0 < 900, `took ${Date.now() - t0} ms`);
    assert.match(r.stdout, new RegExp(`^x-sha256: ${sha256(body(MiB))}\\r?$`, 'm'), show(r));
  }));
});

// ---------------------------------------------------------------- nghttp -v → our server

withTool('nghttp', ['--version'], () => {
  for (const mode of ['h2c', 'tls'] as Mode[]) {
    test(`[${mode}] nghttp -v → our server: the push shows as PUSH_PROMISE and the pushed stream's response`, scoped(async (s) => {
      const srv = await serve(s, 'ours', mode, ourRoutes);
      // -n: bodies not printed; nghttp's request is stream 13 (1-11 are its priority anchors)
      const r = await run(s, 'nghttp', ['-nv', '-y', `${srv.url}/push`]);
      assert.is(r.code, 0, show(r));
      assert.match(r.stdout, /recv PUSH_PROMISE frame <length=\d+, flags=0x04, stream_id=13>/, show(r));
      assert.match(r.stdout, /promised_stream_id=2\)/, show(r));
      assert.match(r.stdout, /recv \(stream_id=13\) :path: \/pushed\.js/, show(r));
      assert.match(r.stdout, /recv \(stream_id=2\) x-pushed: yes/, show(r));
      assert.match(r.stdout, /recv DATA frame <length=\d+, flags=0x01, stream_id=2>/, show(r));
      assert.match(r.stdout, /recv DATA frame <length=4, flags=0x01, stream_id=13>/, show(r));
      assert.not.match(r.stdout, /RST_STREAM|error_code=(?!NO_ERROR)/, show(r));
      assert.equal(srv.errors, []);
    }));
  }

  test('[h2c] nghttp -d --trailer → our server: upload by sha256, request trailer seen by our server', scoped(async (s) => {
    const srv = await serve(s, 'ours', 'h2c', ourRoutes);
    const file = join(tempDir(s), 'u');
    writeFileSync(file, body(MiB));
    const r = await run(s, 'nghttp', ['-nv', '-d', file, '--trailer', 'x-check: from-nghttp', `${srv.url}/upload`]);
    assert.is(r.code, 0, show(r));
    assert.match(r.stdout, /recv \(stream_id=13\) :status: 200/, show(r));
    assert.match(r.stdout, new RegExp(`recv \\(stream_id=13\\) x-sha256: ${sha256(body(MiB))}`), show(r));
    assert.match(r.stdout, /recv \(stream_id=13\) x-trailer: from-nghttp/, show(r));
  }));

  test('[tls] nghttp --expect-continue -d → our server: 100 first, then the echoed body with trailers', scoped(async (s) => {
    const srv = await serve(s, 'ours', 'tls', ourRoutes);
    const file = join(tempDir(s), 'u');
    writeFileSync(file, body(16 * KiB));
    const r = await run(s, 'nghttp', ['-nv', '-y', '--expect-continue', '-d', file, `${srv.url}/trailers`]);
    assert.is(r.code, 0, show(r));
    const i100 = r.stdout.indexOf('recv (stream_id=13) :status: 100');
    const i200 = r.stdout.indexOf('recv (stream_id=13) :status: 200');
    assert.ok(i100 >= 0 && i200 > i100, show(r));
    assert.match(r.stdout, new RegExp(`recv \\(stream_id=13\\) x-sha256: ${sha256(body(16 * KiB))}`), show(r));
    assert.match(r.stdout, /recv \(stream_id=13\) x-octets: 16384/, show(r));
  }));
});

test.run();
