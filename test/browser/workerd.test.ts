// workerd (Cloudflare's runtime, from npm) runs a worker built on h2wasm's workerd entry
// (dist/workerd.mjs + dist/h2wasm.wasm, the core as a precompiled module): connect() from
// cloudflare:sockets, wrapped in the streams transport, speaks HTTP/2 to a local nghttpd (h2c).
// The test writes a config (a loopback network service as globalOutbound, so connect() may reach
// 127.0.0.1; no nodejs_compat: the build needs no node:* module), starts workerd on a free port,
// and fetches the worker's URL. A missing workerd or nghttpd skips with a reason (fails under CI=true).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inCI, scoped, within } from '../interop/helpers/util.ts';
import { HOST, ROOT, distMissing, freePort, nghttpd, nghttpdMissing, pkg, resolveExport, start, waitForPort } from './lib.ts';

const test = suite('browser: the workerd build in workerd');
const WORKERD = join(ROOT, 'node_modules', 'workerd', 'bin', 'workerd');
const workerdTarget = resolveExport(pkg().exports['.'], ['workerd', 'worker', 'browser', 'import', 'default']);
const missing = !existsSync(WORKERD) ? 'workerd is not installed (npm ci)'
  : nghttpdMissing() ?? distMissing(['dist/workerd.mjs', 'dist/h2wasm.wasm']);

function config(port: number): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .mainWorker),
               (name = "loopback", network = (allow = ["local"])) ],
  sockets = [ (name = "http", address = "${HOST}:${port}", http = (), service = "main") ],
);
const mainWorker :Workerd.Worker = (
  modules = [ (name = "worker.mjs", esModule = embed "worker.mjs"),
              (name = "h2wasm/workerd.mjs", esModule = embed "h2wasm/workerd.mjs"),
              (name = "h2wasm/h2wasm.wasm", wasm = embed "h2wasm/h2wasm.wasm") ],
  compatibilityDate = "2025-09-01",
  globalOutbound = "loopback",
);
`;
}

if (missing) {
  if (inCI) test('workerd, nghttpd and the workerd build are available (CI=true)', () => assert.unreachable(missing));
  else {
    console.log(`# skip: ${missing}`);
    test.skip('workerd build', () => {});
  }
} else {
  test('the "workerd" condition of h2wasm resolves to the workerd build (before "browser")', () => {
    assert.is(workerdTarget, './dist/workerd.mjs');
  });

  test('a worker: connect() + streams transport + createFetch → nghttpd (h2c): statuses, bodies, trailers', scoped(async (s) => {
    const text = 'hello from nghttpd via workerd\n'.repeat(1000); // 31 KB
    const target = await nghttpd(s, { 'index.txt': text, 'small.txt': 'small\n' }, 'x-edge-trailer: yes');

    const dir = mkdtempSync(join(tmpdir(), 'h2wasm-workerd-'));
    s.defer(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'h2wasm'));
    copyFileSync(join(ROOT, 'test', 'browser', 'worker.mjs'), join(dir, 'worker.mjs'));
    copyFileSync(join(ROOT, 'dist', 'workerd.mjs'), join(dir, 'h2wasm', 'workerd.mjs'));
    copyFileSync(join(ROOT, 'dist', 'h2wasm.wasm'), join(dir, 'h2wasm', 'h2wasm.wasm'));
    const port = await freePort();
    writeFileSync(join(dir, 'config.capnp'), config(port));
    const w = start(s, WORKERD, ['serve', join(dir, 'config.capnp')], { cwd: dir });
    await waitForPort(port, w, 'workerd', 20_000);

    const query = new URLSearchParams([['target', `${HOST}:${target}`], ['path', '/index.txt'], ['path', '/small.txt'], ['path', '/absent']]);
    const res = await within(fetch(`http://${HOST}:${port}/?${query}`), 20_000, 'the worker to answer');
    const r = await res.json() as any;
    assert.is(res.status, 200, `worker failed: ${r.error}\n${r.cause}\n${w.out()}`);
    assert.is(r.sockets, 1, 'one HTTP/2 connection for the three requests');
    assert.is(r.results[0].status, 200);
    assert.is(r.results[0].body, text);
    assert.equal(r.results[0].trailers, { 'x-edge-trailer': 'yes' });
    assert.is(r.results[1].status, 200);
    assert.is(r.results[1].body, 'small\n');
    assert.equal(r.results[1].trailers, { 'x-edge-trailer': 'yes' });
    assert.is(r.results[2].status, 404);
    assert.is(r.preface, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  }, 60_000));
}

test.run();
