// Interop over real sockets, bodies and trailers: our node:http2 API (bindings/node) against
// node:http2 itself, in both roles, over h2c and TLS. Bodies are compared by sha256.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KiB, MiB, body, scoped, sha256, sizeName } from '../interop/helpers/util.ts';
import { dial, exchange, routes, serve, type Impl, type Mode } from './helpers/h2peers.ts';

const test = suite('node API interop: bodies and trailers');
const SIZES = [0, 1, 16 * KiB, MiB];

const pairs: Array<{ server: Impl; client: Impl }> = [{ server: 'node', client: 'ours' }, { server: 'ours', client: 'node' }];

for (const mode of ['h2c', 'tls'] as Mode[]) {
  for (const { server, client } of pairs) {
    const who = `${client} client → ${server} server [${mode}]`;

    test(`${who}: downloads of ${SIZES.map(sizeName).join(', ')} by sha256, concurrently on one session`, scoped(async (s) => {
      const srv = await serve(s, server, mode, routes);
      const session = await dial(s, client, mode, srv.port);
      const results = await Promise.all(SIZES.map((n) => exchange(session, { ':path': `/bytes/${n}` })));
      SIZES.forEach((n, i) => {
        const r = results[i];
        assert.is(r.status, 200, `${n}: ${r.errorCode}`);
        assert.is(Number(r.headers['content-length']), n);
        assert.is(r.octets, n);
        assert.is(r.hash, sha256(body(n)), `${sizeName(n)} body`);
        assert.is(r.rstCode, 0);
        assert.is(r.errorCode, null);
      });
      assert.equal(srv.errors, []);
    }));

    test(`${who}: uploads of ${SIZES.map(sizeName).join(', ')} by sha256`, scoped(async (s) => {
      const srv = await serve(s, server, mode, routes);
      const session = await dial(s, client, mode, srv.port);
      for (const n of SIZES) {
        const r = await exchange(session, { ':method': 'POST', ':path': '/upload' }, body(n));
        assert.is(r.status, 200, `${n}: ${r.errorCode}`);
        assert.is(r.headers['x-octets'], String(n));
        assert.is(r.headers['x-sha256'], sha256(body(n)), `${sizeName(n)} upload`);
        assert.is(r.errorCode, null);
      }
      assert.equal(srv.errors, []);
    }));

    test(`${who}: trailers both ways (request trailers after a 16 KiB body, response trailers after the echo)`, scoped(async (s) => {
      const srv = await serve(s, server, mode, routes);
      const session = await dial(s, client, mode, srv.port);
      for (const payload of [body(16 * KiB), Buffer.alloc(0)]) {
        const r = await exchange(session, { ':method': 'POST', ':path': '/trailers' }, payload, { trailers: { 'x-check': 'abc' } });
        assert.is(r.status, 200);
        assert.is(r.hash, sha256(payload));
        assert.ok(r.trailers, 'response trailers arrived');
        assert.is(r.trailers!['x-octets'], String(payload.length));
        assert.is(r.trailers!['x-sha256'], sha256(payload));
        assert.is(r.trailers!['x-trailer'], 'abc', 'the server saw the request trailer');
        // 'trailers' comes before 'end', as node:http2 emits them
        assert.ok(r.events.indexOf('trailers') < r.events.indexOf('end'), r.events.join(' '));
      }
      // an upload with trailers to the header-only answer
      const u = await exchange(session, { ':method': 'POST', ':path': '/upload' }, body(1), { trailers: { 'x-check': 'q' } });
      assert.is(u.headers['x-trailer'], 'q');
      assert.is(u.headers['x-sha256'], sha256(body(1)));
      assert.equal(srv.errors, []);
    }));
  }
}

// 64 MiB only once each way per pairing, on different transports, to keep the run short.
for (const [server, client, mode] of [['node', 'ours', 'tls'], ['ours', 'node', 'h2c']] as Array<[Impl, Impl, Mode]>) {
  test(`${client} client → ${server} server [${mode}]: 64 MiB download and 64 MiB upload by sha256`, scoped(async (s) => {
    const srv = await serve(s, server, mode, routes);
    const session = await dial(s, client, mode, srv.port);
    const n = 64 * MiB;
    const down = await exchange(session, { ':path': `/bytes/${n}` });
    assert.is(down.octets, n);
    assert.is(down.hash, sha256(body(n)));
    const up = await exchange(session, { ':method': 'POST', ':path': '/upload' }, body(n));
    assert.is(up.headers['x-octets'], String(n));
    assert.is(up.headers['x-sha256'], sha256(body(n)));
  }, 30_000));
}

test.run();
