// The tests for one runtime (deno.test.ts, bun.test.ts): node:http2 servers and nghttpd run here,
// runtime/main.ts runs once in the runtime (it asks this process for node:http2 clients), and
// each test asserts on a part of the JSON it prints.
// A missing runtime or nghttpd skips its tests with a one-line reason; under CI=true it fails.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { testCerts, type TestCerts } from '../../helpers/certs.ts';
import { MiB } from './checks.ts';
import { Cleanup, inCI, nghttpd, nodeServers, runRuntime, runtimeTool, show, tool, type RuntimeRun } from './host.ts';

type Seen = Record<string, any>;

/** A node:http2-API client's view of one peer: `server` is who must have answered. */
function expectPeer(c: Seen, what: string, o: { tls: boolean; server: string | null; checks: string[]; nghttpd?: boolean }) {
  assert.ok(c, `${what}: no result`);
  const ctx = (x: unknown) => `${what}: ${JSON.stringify(x)}`;
  assert.is(c.connected, true, ctx(c));
  assert.is(c.sessionError, '', ctx(c));
  assert.is(c.encrypted, o.tls, ctx(c));
  assert.is(c.alpn, o.tls ? 'h2' : 'h2c', ctx(c));
  const r = c.results;
  for (const name of o.checks) {
    assert.ok(r[name], ctx(c));
    assert.is(r[name].error, undefined, `${what} ${name}: ${r[name].error}`);
    assert.is(r[name].status, 200, ctx(r[name]));
    assert.is(r[name].server, o.server, ctx(r[name]));
  }
  const checks = new Set(o.checks);
  if (checks.has('get')) assert.is(r.get.body, 'hello world', ctx(r.get));
  if (checks.has('post')) {
    assert.is(r.post.length, MiB, ctx(r.post));
    assert.is(r.post.received, r.post.sent, `${what}: 1 MiB echoed back changed`);
    // nghttpd only echoes; ours and Node's also hash what arrived.
    if (!o.nghttpd) assert.equal(r.post.trailers, { 'x-sha256': r.post.sent, 'x-length': String(MiB) }, ctx(r.post));
  }
  if (checks.has('trailers')) {
    if (o.nghttpd) {
      assert.is(r.trailers.body, 'up', ctx(r.trailers));
      assert.equal(r.trailers.trailers, { 'x-res-trailer': 'down' }, ctx(r.trailers));
    } else {
      assert.is(r.trailers.body, 'trailers', ctx(r.trailers));
      assert.equal(r.trailers.trailers, { 'x-res-trailer': 'down', 'x-got': 'up', 'x-body': 'up' }, 'request trailer in, response trailers out: ' + ctx(r.trailers));
    }
  }
  if (checks.has('push')) {
    assert.is(r.push.body, 'push parent', ctx(r.push));
    assert.equal(r.push.pushed, { path: '/pushed', status: 200, body: 'pushed body' }, ctx(r.push));
  }
  if (checks.has('info')) {
    assert.equal(r.info.infos, [103], '103 Early Hints before the response: ' + ctx(r.info));
    assert.is(r.info.body, 'after 103', ctx(r.info));
  }
}

/** h2wasm/fetch's view (fetchChecks): GET, POST 1 MiB with its hash in the trailers, trailers both ways. */
function expectFetch(f: Seen, what: string, server: string) {
  assert.ok(f, `${what}: no result`);
  const ctx = (x: unknown) => `${what}: ${JSON.stringify(x)}`;
  for (const name of ['get', 'post', 'trailers']) {
    assert.is(f[name].error, undefined, `${what} ${name}: ${f[name].error}`);
    assert.is(f[name].status, 200, ctx(f[name]));
    assert.is(f[name].server, server, ctx(f[name]));
  }
  assert.is(f.get.body, 'hello world', ctx(f.get));
  assert.is(f.post.length, MiB, ctx(f.post));
  assert.is(f.post.received, f.post.sent, `${what}: 1 MiB echoed back changed`);
  assert.equal(f.post.trailers, { 'x-sha256': f.post.sent, 'x-length': String(MiB) }, ctx(f.post));
  assert.is(f.trailers.body, 'trailers', ctx(f.trailers));
  assert.equal(f.trailers.trailers, { 'x-res-trailer': 'down', 'x-got': 'up', 'x-body': 'up' }, ctx(f.trailers));
}

const ALL = ['get', 'post', 'trailers', 'push', 'info'];
const FETCH = ['get', 'post', 'trailers'];

export function runtimeSuite(name: 'deno' | 'bun') {
  const Name = name === 'deno' ? 'Deno' : 'Bun';
  const test = suite(`runtimes-interop: ${Name}`);
  const rt = runtimeTool(name);
  if (!rt.ok) {
    if (inCI) test(`${name} is installed (CI=true)`, () => assert.unreachable(rt.reason));
    else {
      console.log(`# skip: ${rt.reason}`);
      test.skip(`${Name} interop tests`, () => {});
    }
    return test.run();
  }
  const ng = tool('nghttpd');
  const cleanup = new Cleanup();
  let certs: TestCerts;
  let run: RuntimeRun;
  test.before(async () => {
    certs = testCerts();
    const node = await nodeServers(cleanup, certs);
    const nghttpdPorts = ng.ok ? await nghttpd(cleanup, certs) : null;
    // deno: net for sockets, read for the sources, env for node:process and node:tls.
    const args = name === 'deno' ? ['run', '--allow-net', '--allow-read', '--allow-env'] : ['run'];
    run = await runRuntime(rt.cmd, args, { certs, node, nghttpd: nghttpdPorts }, certs, 60_000);
  });
  test.after(() => cleanup.run());
  const part = (key: string) => {
    assert.ok(run.result, `no result from ${name}:\n${show(run)}`);
    return run.result[key];
  };

  test(`${Name}: the script ran to its end`, () => {
    assert.is(run.code, 0, show(run));
    assert.ok(run.result, show(run));
    assert.is(run.result.runtime, name, show(run));
    assert.is(run.asks, 4, `node:http2 clients asked for: ${run.asks}\n${show(run)}`);
  });

  test(`${Name}: our client → node:http2 server (h2c): GET, POST 1 MiB, trailers, push, 103`, () => {
    expectPeer(part('client').nodeH2c, 'client→node h2c', { tls: false, server: 'node', checks: ALL });
  });
  test(`${Name}: our client → node:http2 server (TLS, ALPN h2): GET, POST 1 MiB, trailers, push, 103`, () => {
    expectPeer(part('client').nodeTls, 'client→node tls', { tls: true, server: 'node', checks: ALL });
  });
  test(`${Name}: node:http2 client → our server (h2c): GET, POST 1 MiB, trailers, push, 103`, () => {
    expectPeer(part('server').nodeH2c, 'node→server h2c', { tls: false, server: 'h2wasm', checks: ALL });
  });
  test(`${Name}: node:http2 client → our secure server (TLS): GET, POST 1 MiB, trailers, push, 103; close()`, () => {
    expectPeer(part('server').nodeTls, 'node→server tls', { tls: true, server: 'h2wasm', checks: ALL });
    assert.is(part('server').closed, true, 'our servers closed once their sessions were');
  });

  if (ng.ok) {
    test(`${Name}: our client → nghttpd (h2c and TLS): GET, POST 1 MiB echoed, trailer, push`, () => {
      const checks = ['get', 'post', 'trailers', 'push'];
      expectPeer(part('client').nghttpdH2c, 'client→nghttpd h2c', { tls: false, server: null, checks, nghttpd: true });
      expectPeer(part('client').nghttpdTls, 'client→nghttpd tls', { tls: true, server: null, checks, nghttpd: true });
      assert.equal(part('client').nghttpdH2c.results.get.trailers, { 'x-res-trailer': 'down' });
    });
  } else if (inCI) test('nghttpd is installed (CI=true)', () => assert.unreachable(ng.reason));
  else {
    console.log(`# skip: ${ng.reason}`);
    test.skip(`${Name}: nghttpd tests`, () => {});
  }

  const transport = name === 'deno' ? 'DenoTransport' : 'BunTransport';
  test(`${Name}: h2wasm/fetch serve ↔ createFetch on ${transport} (h2c and TLS)`, () => {
    const f = part('fetch');
    expectFetch(f.selfH2c, 'fetch↔serve h2c', 'h2wasm/fetch');
    expectFetch(f.selfTls, 'fetch↔serve tls', 'h2wasm/fetch');
    // The runtime's own sockets on both ends, not the node:net path fetch takes by default.
    assert.equal(f.transports, { server: [transport], client: [transport] }, JSON.stringify(f.transports));
    assert.ok(f.alpn.server.includes('h2') && f.alpn.client.includes('h2'), `ALPN h2 on the TLS connections: ${JSON.stringify(f.alpn)}`);
  });
  test(`${Name}: createFetch → node:http2 server (h2c and TLS)`, () => {
    expectFetch(part('fetch').toNodeH2c, 'fetch→node h2c', 'node');
    expectFetch(part('fetch').toNodeTls, 'fetch→node tls', 'node');
  });
  test(`${Name}: node:http2 client → serve() (h2c and TLS); shutdown()`, () => {
    expectPeer(part('fetch').fromNodeH2c, 'node→serve h2c', { tls: false, server: 'h2wasm/fetch', checks: FETCH });
    expectPeer(part('fetch').fromNodeTls, 'node→serve tls', { tls: true, server: 'h2wasm/fetch', checks: FETCH });
    assert.is(part('fetch').shutdown, true, 'serve().shutdown() finished');
  });

  return test.run();
}
