// Every Core-API code example of the node:http2 reference (shared/reference/node-http2-api.txt)
// run as a test, on h2wasm's bindings/node and, for comparison, on node:http2 itself. Each
// example keeps its code; the adaptations: our module instead of require('http2'), ephemeral
// ports on 127.0.0.1, the test certificates (written to a temp dir where the example reads
// PEM files), temp files for '/some/file', shorter timeouts, a captured `console`, and a peer
// (node:http2, or ours) where the example needs one. Line numbers are the reference's.
//
// Covered:
//   L24   Server-side example (createSecureServer)        ┐ run together, every server × client
//   L53   Client-side example (connect, response, data)   ┘ pairing of ours and node:http2
//   L133  'localSettings' (session.settings({ enablePush: false }))
//   L143  'remoteSettings'
//   L151  session 'stream' event (respond, write, end)
//   L166  server 'stream' event on http2.createServer()   } same code as L959, one test
//   L185  session.setTimeout() / 'timeout'
//   L255  session.ping(Buffer.from('abcdefgh'), …)
//   L328  serverhttp2session.altsvc()
//   L367  client 'altsvc' event
//   L392  clienthttp2session.request() with HTTP2_HEADER_* constants
//   L480  stream 'trailers' event
//   L543  http2stream.setTimeout() → req.close(NGHTTP2_CANCEL)
//   L569  http2stream.sendTrailers()
//   L593  'headers' event (1xx informational)
//   L601  'push' event
//   L609  'response' event
//   L642  http2stream.pushStream()
//   L662  http2stream.respond()
//   L673  respond() with waitForTrailers
//   L689  respondWithFD()
//   L716  respondWithFD() with waitForTrailers
//   L749  respondWithFile() with statCheck and onError
//   L772  respondWithFile() statCheck returning false (304)
//   L795  respondWithFile() with waitForTrailers
//   L838  Http2Server 'stream' event with constants
//   L895  Http2SecureServer 'stream' event (getOptionsSomehow → the test certificates)
//   L959  http2.createServer()
//   L1000 http2.createSecureServer()
//   L1045 http2.connect() … client.close()
//   L1082 getPackedSettings({ enablePush: false }) prints AAIAAAAA
//   L1097 Headers Object (array value, mixed case name)
//   L1107 headers have a null prototype (headers.ABC is undefined)
//   L1133 options.selectPadding with PADDING_STRATEGY_CALLBACK
//   L1171 push streams on the client
//   L1190 CONNECT: TCP server  ┐
//   L1203 CONNECT: proxy       ├ run together, every proxy × client pairing
//   L1231 CONNECT: client      ┘
//   L1684 PerformanceObserver 'http2' entries for Http2Session and Http2Stream
// Skipped:
//   L12   `const http2 = require('http2')` alone: every test imports our module instead.
//   L46   the openssl command line: not code; testCerts() makes the certificates.
//   L1260 onwards, the Compatibility API (next issue): createServer((req, res) => …), ALPN
//         negotiation with allowHTTP1 (L1278), request.headers / rawHeaders logging, the
//         url.parse REPL sessions, response.getHeader / getHeaderNames / getHeaders / hasHeader /
//         removeHeader / setHeader / statusCode / writeHead snippets, the req.socket example
//         (L1598) and the setHeader + writeHead merge servers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import ours from '../../bindings/node/index.ts';
import { testCerts } from '../helpers/certs.ts';
import { scoped, listen, HOST, type Scope } from '../interop/helpers/util.ts';
import {
  IMPLS, capture, lines, until, normDate, tempDir, certFiles, connectTo, exchange, fetchOnce,
  type H2, type Reply,
} from './helpers/example-kit.ts';

const { NGHTTP2_CANCEL, NGHTTP2_REFUSED_STREAM } = http2.constants;
const T = 10_000; // per-test limit

/** The parts of a reply that the server decides: header names sorted (order is not the contract), dates masked, long bodies by hash. */
const shape = (r: Reply) => {
  const sorted = (h: object | undefined) => h && Object.fromEntries(Object.entries(h).sort(([a], [b]) => (a < b ? -1 : 1)));
  const body = r.body.length > 200 ? `${r.body.length} octets, sha256 ${createHash('sha256').update(r.body).digest('hex')}` : r.body;
  return normDate(JSON.stringify({ headers: sorted(r.headers), body, trailers: sorted(r.trailers), rstCode: r.rstCode }));
};

/** Runs a server example on each implementation, fetches from it with node:http2, and checks that both answer alike. */
async function serverExample(s: Scope, make: (h2: H2) => unknown, headers: object = { ':path': '/' }, secure = false) {
  const replies: Record<string, Reply> = {};
  for (const [name, h2] of IMPLS) {
    const server = make(h2) as net.Server;
    const port = await listen(s, server);
    replies[name] = await fetchOnce(s, port, headers, secure);
  }
  assert.is(shape(replies.h2wasm), shape(replies['node:http2']), 'h2wasm answers as node:http2 does');
  return replies.h2wasm;
}

// ------------------------------------------------------------------ Server-side / Client-side

test('L24+L53 server-side and client-side examples: every pairing prints the headers, then the body', scoped(async (s) => {
  const files = certFiles(s);
  for (const [serverName, serverImpl] of IMPLS) {
    const serverOut = capture();
    const port = await (async (http2: H2, console: typeof serverOut) => {
      const server = http2.createSecureServer({
        key: fs.readFileSync(files.key),
        cert: fs.readFileSync(files.cert),
      });
      server.on('error', (err: Error) => console.error(err));

      server.on('stream', (stream: H2, headers: H2) => {
        // stream is a Duplex
        stream.respond({
          'content-type': 'text/html',
          ':status': 200,
        });
        stream.end('<h1>Hello World</h1>');
      });

      return listen(s, server); // server.listen(8443)
    })(serverImpl, serverOut);

    for (const [clientName, clientImpl] of IMPLS) {
      const out = capture();
      await new Promise<void>((done) => ((http2: H2, console: typeof out) => {
        const client = http2.connect(`https://${HOST}:${port}`, {
          ca: fs.readFileSync(files.ca),
        });
        s.defer(() => client.destroy());
        client.on('error', (err: Error) => console.error(err));
        client.on('close', done);

        const req = client.request({ ':path': '/' });

        req.on('response', (headers: H2, flags: number) => {
          for (const name in headers) {
            console.log(`${name}: ${headers[name]}`);
          }
        });

        req.setEncoding('utf8');
        let data = '';
        req.on('data', (chunk: string) => { data += chunk; });
        req.on('end', () => {
          console.log(`\n${data}`);
          client.close();
        });
        req.end();
      })(clientImpl, out));
      assert.equal(out.lines.map(normDate), [':status: 200', 'content-type: text/html', 'date: <date>', '\n<h1>Hello World</h1>'],
        `${serverName} server, ${clientName} client`);
    }
    assert.equal(serverOut.lines, [], `${serverName} server: no errors`);
  }
}, T));

// ------------------------------------------------------------------ Http2Session

test('L133 localSettings: settings({ enablePush: false }) takes effect when acknowledged, as on node:http2', scoped(async (s) => {
  const ns = http2.createServer();
  const port = await listen(s, ns);
  const seen: Record<string, unknown> = {};
  for (const [name, h2] of IMPLS) {
    const session = connectTo(s, h2, port);
    const events: boolean[] = [];

    session.settings({ enablePush: false });
    const pendingAfterCall = session.pendingSettingsAck;

    session.on('localSettings', (settings: H2) => {
      /* Use the new settings */
      events.push(settings.enablePush);
    });

    await until(() => events.includes(false), 'localSettings with enablePush false');
    seen[name] = { events, pendingAfterCall, now: session.localSettings.enablePush, pending: session.pendingSettingsAck };
    assert.is(pendingAfterCall, true, `${name}: pendingSettingsAck right after settings()`);
    assert.is(session.localSettings.enablePush, false, name);
    assert.is(session.pendingSettingsAck, false, name);
    assert.equal(session.errors, []);
    session.close();
  }
  assert.equal(seen.h2wasm, seen['node:http2']);
}, T));

test('L143 remoteSettings: each side sees the settings the other sent', scoped(async (s) => {
  // Client side: node:http2's server advertises maxConcurrentStreams 77.
  const ns = http2.createServer({ settings: { maxConcurrentStreams: 77 } });
  const port = await listen(s, ns);
  for (const [name, h2] of IMPLS) {
    const session = connectTo(s, h2, port);
    const got = await new Promise<H2>((r) => {
      session.on('remoteSettings', (settings: H2) => {
        /* Use the new settings */
        r(settings);
      });
    });
    assert.is(got.maxConcurrentStreams, 77, name);
    assert.is(session.remoteSettings.maxConcurrentStreams, 77, name);
    session.close();
  }
  // Server side: our server's session sees node:http2's client settings.
  const server = ours.createServer();
  const got = new Promise<H2>((r) => server.on('session', (session: H2) => {
    session.on('remoteSettings', (settings: H2) => r(settings));
  }));
  const port2 = await listen(s, server as unknown as net.Server);
  const client = connectTo(s, http2, port2, false, { settings: { initialWindowSize: 123456 } });
  assert.is((await got).initialWindowSize, 123456);
  client.close();
}, T));

test('L151 session \'stream\' event: respond, write, end on a server session', scoped(async (s) => {
  const seen: string[] = [];
  const reply = await serverExample(s, (http2) => {
    const server = http2.createServer();
    server.on('session', (session: H2) => {
      session.on('stream', (stream: H2, headers: H2, flags: number) => {
        const method = headers[':method'];
        const path = headers[':path'];
        seen.push(`${method} ${path} ${flags & http2.constants.NGHTTP2_FLAG_END_STREAM}`);
        stream.respond({
          ':status': 200,
          'content-type': 'text/plain',
        });
        stream.write('hello ');
        stream.end('world');
      });
    });
    return server;
  }, { ':path': '/greeting' });
  assert.is(reply.headers[':status'], 200);
  assert.is(reply.headers['content-type'], 'text/plain');
  assert.is(reply.body, 'hello world');
  assert.equal(seen, ['GET /greeting 1', 'GET /greeting 1']); // h2wasm, then node:http2
}, T));

test('L166+L959 http2.createServer() with a \'stream\' listener serves <h1>Hello World</h1>', scoped(async (s) => {
  const reply = await serverExample(s, (http2) => {
    // Create an unencrypted HTTP/2 server
    const server = http2.createServer();

    server.on('stream', (stream: H2, headers: H2) => {
      stream.respond({
        'content-type': 'text/html',
        ':status': 200,
      });
      stream.end('<h1>Hello World</h1>');
    });

    return server; // server.listen(80)
  });
  assert.is(reply.headers[':status'], 200);
  assert.is(reply.headers['content-type'], 'text/html');
  assert.is(reply.body, '<h1>Hello World</h1>');
}, T));

test('L185 session.setTimeout(): \'timeout\' after that long without activity', scoped(async (s) => {
  const ns = http2.createServer();
  const port = await listen(s, ns);
  for (const [name, h2] of IMPLS) {
    const session = connectTo(s, h2, port);
    await new Promise((r) => session.once('connect', r));
    const started = Date.now();
    let fired = 0;
    session.setTimeout(200); // 2000 in the reference
    session.on('timeout', () => { fired++; });
    await until(() => fired > 0, `${name}: the 'timeout' event`);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 180 && elapsed < 2000, `${name}: timeout after ${elapsed} ms`);
    assert.is(fired, 1, name);
    session.close();
  }
}, T));

test('L255 session.ping(): acknowledged, with the payload back', scoped(async (s) => {
  const pingFrom = async (session: H2, out: ReturnType<typeof capture>) => {
    ((console) => {
      session.ping(Buffer.from('abcdefgh'), (err: Error | null, duration: number, payload: Buffer) => {
        if (!err) {
          console.log(`Ping acknowledged in ${duration} milliseconds`);
          console.log(`With payload '${payload.toString()}'`);
        }
      });
    })(out);
    const [first, second] = await lines(out, 2);
    assert.match(first, /^Ping acknowledged in \d+(\.\d+)? milliseconds$/);
    assert.is(second, 'With payload \'abcdefgh\'');
  };
  // From a client session of each implementation.
  const ns = http2.createServer();
  const port = await listen(s, ns);
  for (const [, h2] of IMPLS) {
    const session = connectTo(s, h2, port);
    await new Promise((r) => session.once('connect', r)); // node:http2 cancels a ping sent before it
    await pingFrom(session, capture());
    session.close();
  }
  // From our server's session to node:http2's client.
  const server = ours.createServer();
  const serverSession = new Promise<H2>((r) => server.on('session', r));
  const port2 = await listen(s, server as unknown as net.Server);
  const client = connectTo(s, http2, port2);
  await pingFrom(await serverSession, capture());
  client.close();
}, T));

test('L328 serverhttp2session.altsvc(): origin-wide and per-stream ALTSVC reach node:http2\'s client', scoped(async (s) => {
  const results: Record<string, string[]> = {};
  for (const [name, h2] of IMPLS) {
    const server = ((http2: H2) => {
      const server = http2.createServer();
      server.on('session', (session: H2) => {
        // Set altsvc for origin https://example.org:80
        session.altsvc('h2=":8000"', 'https://example.org:80');
      });

      server.on('stream', (stream: H2) => {
        // Set altsvc for a specific stream
        stream.session.altsvc('h2=":8000"', stream.id);
      });
      return server;
    })(h2);
    const port = await listen(s, server);
    const client = connectTo(s, http2, port);
    const got: string[] = [];
    client.on('altsvc', (alt: string, origin: string, streamId: number) => got.push(`${alt} ${origin} ${streamId}`));
    const req = client.request({ ':path': '/' });
    await until(() => got.length >= 2, 'two ALTSVC frames');
    req.close();
    client.close();
    results[name] = got;
  }
  assert.equal(results.h2wasm, ['h2=":8000" https://example.org:80 0', 'h2=":8000"  1']);
  assert.equal(results.h2wasm, results['node:http2']);
}, T));

test('L367 client \'altsvc\' event: alt, origin and stream id, as node:http2 reports them', scoped(async (s) => {
  const ns = http2.createServer();
  ns.on('session', (session) => session.altsvc('h2=":8000"', 'https://example.org'));
  ns.on('stream', (stream) => {
    (stream.session as http2.ServerHttp2Session).altsvc('h2=":8001"', stream.id!);
    stream.respond();
    stream.end();
  });
  const port = await listen(s, ns);
  const results: Record<string, string[]> = {};
  for (const [name, h2] of IMPLS) {
    const out = capture();
    const client = ((http2: H2, console: typeof out) => {
      const client = connectTo(s, http2, port); // http2.connect('https://example.org')

      client.on('altsvc', (alt: string, origin: string, streamId: number) => {
        console.log(alt);
        console.log(origin);
        console.log(streamId);
      });
      return client;
    })(h2, out);
    await exchange(client);
    results[name] = await lines(out, 6);
    client.close();
  }
  assert.equal(results.h2wasm, ['h2=":8000"', 'https://example.org', '0', 'h2=":8001"', '', '1']);
  assert.equal(results.h2wasm, results['node:http2']);
}, T));

// ------------------------------------------------------------------ ClientHttp2Session / Http2Stream

/** A secure node:http2 server and a secure one of ours, both answering 200 'ok'. */
async function secureServers(s: Scope): Promise<Array<[string, number]>> {
  const { key, cert } = testCerts();
  const ports: Array<[string, number]> = [];
  for (const [name, h2] of IMPLS) {
    const server = h2.createSecureServer({ key, cert });
    server.on('stream', (stream: H2) => { stream.respond({ ':status': 200 }); stream.end('ok'); });
    ports.push([name, await listen(s, server)]);
  }
  return ports;
}

test('L392 clientSession.request() with the HTTP2_HEADER_* constants logs the status', scoped(async (s) => {
  for (const [serverName, port] of await secureServers(s)) {
    for (const [clientName, h2] of IMPLS) {
      const out = capture();
      let ended!: () => void;
      const end = new Promise<void>((r) => { ended = r; });
      const clientSession = ((http2: H2, console: typeof out) => {
        const clientSession = connectTo(s, http2, port, true); // http2.connect('https://localhost:1234')
        const {
          HTTP2_HEADER_PATH,
          HTTP2_HEADER_STATUS,
        } = http2.constants;

        const req = clientSession.request({ [HTTP2_HEADER_PATH]: '/' });
        req.on('response', (headers: H2) => {
          console.log(headers[HTTP2_HEADER_STATUS]);
          req.on('data', (chunk: Buffer) => { console.log(`data ${chunk}`); });
          req.on('end', () => { ended(); });
        });
        return clientSession;
      })(h2, out);
      await end;
      assert.equal(out.lines, ['200', 'data ok'], `${clientName} client, ${serverName} server`);
      assert.equal(clientSession.errors, []);
      clientSession.close();
    }
  }
}, T));

test('L480 \'trailers\' event: console.log(headers) prints what node:http2 prints, client and server side', scoped(async (s) => {
  const logged: Record<string, string[]> = {};
  // Client side: node:http2's server sends trailers.
  const ns = http2.createServer();
  ns.on('stream', (stream) => {
    stream.respond({ ':status': 200 }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'abc', 'X-Count': 2 }));
    stream.end('body');
  });
  const port = await listen(s, ns);
  for (const [name, h2] of IMPLS) {
    const out = capture();
    const client = connectTo(s, h2, port);
    const stream = client.request({ ':path': '/' });
    ((console: typeof out) => {
      stream.on('trailers', (headers: H2, flags: number) => {
        console.log(headers);
      });
    })(out);
    stream.resume();
    await lines(out, 1);
    logged[`client ${name}`] = out.lines;
    client.close();
  }
  // Server side: node:http2's client sends request trailers.
  for (const [name, h2] of IMPLS) {
    const out = capture();
    const server = h2.createServer();
    server.on('stream', (stream: H2) => {
      ((console: typeof out) => {
        stream.on('trailers', (headers: H2, flags: number) => {
          console.log(headers);
        });
      })(out);
      stream.resume();
      stream.on('end', () => { stream.respond(); stream.end(); });
    });
    const port2 = await listen(s, server);
    const client = connectTo(s, http2, port2);
    const req = client.request({ ':method': 'POST', ':path': '/' }, { waitForTrailers: true });
    req.on('wantTrailers', () => req.sendTrailers({ 'x-request-trailer': 'yes' }));
    req.end('request body');
    req.resume();
    await lines(out, 1);
    logged[`server ${name}`] = out.lines;
    client.close();
  }
  assert.match(logged['client h2wasm'][0], /'x-checksum': 'abc'/);
  assert.match(logged['client h2wasm'][0], /'x-count': '2'/);
  assert.match(logged['server h2wasm'][0], /'x-request-trailer': 'yes'/);
  assert.equal(logged['client h2wasm'], logged['client node:http2']);
  assert.equal(logged['server h2wasm'], logged['server node:http2']);
}, T));

test('L543 http2stream.setTimeout(): an idle request is closed with NGHTTP2_CANCEL', scoped(async (s) => {
  let serverCode: number | undefined;
  const ns = http2.createServer();
  ns.on('stream', (stream) => {
    stream.respond({ ':status': 200 }); // headers, then nothing
    stream.on('close', () => { serverCode = stream.rstCode; });
  });
  const port = await listen(s, ns);
  for (const [name, h2] of IMPLS) {
    serverCode = undefined;
    const started = Date.now();
    const req = ((http2: H2) => {
      const client = connectTo(s, http2, port); // http2.connect('http://example.org:8000')
      const { NGHTTP2_CANCEL } = http2.constants;
      const req = client.request({ ':path': '/' });

      // Cancel the stream if there's no activity after 5 seconds (200 ms here)
      req.setTimeout(200, () => req.close(NGHTTP2_CANCEL));
      return Object.assign(req, { client });
    })(h2);
    req.resume();
    await new Promise((r) => req.on('close', r));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 180, `${name}: closed after ${elapsed} ms`);
    assert.is(req.rstCode, NGHTTP2_CANCEL, name);
    await until(() => serverCode !== undefined, 'the server stream\'s close');
    assert.is(serverCode, NGHTTP2_CANCEL, `${name}: the server saw RST_STREAM(CANCEL)`);
    req.client.close();
  }
}, T));

test('L569 sendTrailers(): respond(undefined, { waitForTrailers }) then trailers after the body', scoped(async (s) => {
  const reply = await serverExample(s, (http2) => {
    const server = http2.createServer();
    server.on('stream', (stream: H2) => {
      stream.respond(undefined, { waitForTrailers: true });
      stream.on('wantTrailers', () => {
        stream.sendTrailers({ xyz: 'abc' });
      });
      stream.end('Hello World');
    });
    return server;
  });
  assert.is(reply.headers[':status'], 200);
  assert.is(reply.body, 'Hello World');
  assert.is(reply.trailers?.xyz, 'abc');
}, T));

test('L593 \'headers\' event: a 103 before the response, logged as node:http2 logs it', scoped(async (s) => {
  const ns = http2.createServer();
  ns.on('stream', (stream) => {
    stream.additionalHeaders({ ':status': 103, link: '</style.css>; rel=preload' });
    stream.respond({ ':status': 200 });
    stream.end();
  });
  const port = await listen(s, ns);
  const logged: Record<string, string[]> = {};
  for (const [name, h2] of IMPLS) {
    const out = capture();
    const client = connectTo(s, h2, port);
    const stream = client.request({ ':path': '/' });
    ((console: typeof out) => {
      stream.on('headers', (headers: H2, flags: number) => {
        console.log(headers);
      });
    })(out);
    stream.resume();
    await new Promise((r) => stream.on('close', r));
    logged[name] = out.lines;
    client.close();
  }
  assert.is(logged.h2wasm.length, 1);
  assert.match(logged.h2wasm[0], /':status': 103/);
  assert.match(logged.h2wasm[0], /link: '<\/style.css>; rel=preload'/);
  assert.equal(logged.h2wasm, logged['node:http2']);
}, T));

test('L601+L1171 \'push\' event and push streams on the client: the pushed response and data', scoped(async (s) => {
  const ns = http2.createServer();
  ns.on('stream', (stream) => {
    stream.pushStream({ ':path': '/pushed.js' }, (err, push) => {
      if (err) throw err;
      push.respond({ ':status': 200, 'content-type': 'text/javascript', date: 'Thu, 01 Jan 2026 00:00:00 GMT' });
      push.end('pushed();');
      stream.respond({ ':status': 200 });
      stream.end('page');
    });
  });
  const port = await listen(s, ns);
  const logged: Record<string, string[]> = {};
  for (const [name, h2] of IMPLS) {
    const out = capture();
    let pushEnded!: () => void;
    const pushDone = new Promise<void>((r) => { pushEnded = r; });
    const req = ((http2: H2, console: typeof out) => {
      const client = connectTo(s, http2, port); // http2.connect('http://localhost')

      client.on('stream', (pushedStream: H2, requestHeaders: H2) => {
        console.log(`pushed ${requestHeaders[':path']}`);
        pushedStream.on('push', (responseHeaders: H2) => {
          // process response headers
          console.log(responseHeaders); // the 'push' event example (L601)
        });
        pushedStream.on('data', (chunk: Buffer) => { /* handle pushed data */ console.log(`data ${chunk}`); });
        pushedStream.on('end', pushEnded);
      });

      const req = client.request({ ':path': '/' });
      return Object.assign(req, { client });
    })(h2, out);
    req.resume();
    await Promise.all([pushDone, new Promise((r) => req.on('end', r))]);
    logged[name] = out.lines;
    req.client.close();
  }
  assert.is(logged.h2wasm[0], 'pushed /pushed.js');
  assert.match(logged.h2wasm[1], /':status': 200/);
  assert.match(logged.h2wasm[1], /'content-type': 'text\/javascript'/);
  assert.is(logged.h2wasm[2], 'data pushed();');
  assert.equal(logged.h2wasm, logged['node:http2']);
}, T));

test('L609 \'response\' event logs :status, against either secure server', scoped(async (s) => {
  for (const [serverName, port] of await secureServers(s)) {
    for (const [clientName, h2] of IMPLS) {
      const out = capture();
      const req = ((http2: H2, console: typeof out) => {
        const client = connectTo(s, http2, port, true); // http2.connect('https://localhost')
        const req = client.request({ ':path': '/' });
        req.on('response', (headers: H2, flags: number) => {
          console.log(headers[':status']);
        });
        return Object.assign(req, { client });
      })(h2, out);
      req.resume();
      await new Promise((r) => req.on('end', r));
      assert.equal(out.lines, ['200'], `${clientName} client, ${serverName} server`);
      req.client.close();
    }
  }
}, T));

// ------------------------------------------------------------------ ServerHttp2Stream

test('L642 pushStream(): node:http2\'s client gets the pushed \'/\' and both bodies', scoped(async (s) => {
  for (const [name, h2] of IMPLS) {
    const server = ((http2: H2) => {
      const server = http2.createServer();
      server.on('stream', (stream: H2) => {
        stream.respond({ ':status': 200 });
        stream.pushStream({ ':path': '/' }, (err: Error | null, pushStream: H2, headers: H2) => {
          if (err) throw err;
          pushStream.respond({ ':status': 200 });
          pushStream.end('some pushed data');
        });
        stream.end('some data');
      });
      return server;
    })(h2);
    const port = await listen(s, server);
    const client = connectTo(s, http2, port);
    const pushed = new Promise<[string, number, string]>((resolve) => {
      client.on('stream', (push: H2, requestHeaders: H2) => {
        let body = '';
        push.on('push', (responseHeaders: H2) => {
          push.on('data', (d: Buffer) => { body += d; });
          push.on('end', () => resolve([requestHeaders[':path'], responseHeaders[':status'], body]));
        });
      });
    });
    const reply = await exchange(client, { ':path': '/index.html' });
    assert.is(reply.body, 'some data', name);
    assert.equal(await pushed, ['/', 200, 'some pushed data'], name);
    client.close();
  }
}, T));

test('L662 respond(): 200 and some data', scoped(async (s) => {
  const reply = await serverExample(s, (http2) => {
    const server = http2.createServer();
    server.on('stream', (stream: H2) => {
      stream.respond({ ':status': 200 });
      stream.end('some data');
    });
    return server;
  });
  assert.is(reply.headers[':status'], 200);
  assert.is(reply.body, 'some data');
  assert.is(reply.trailers, undefined);
}, T));

test('L673 respond() with waitForTrailers: the trailer name goes out lowercased', scoped(async (s) => {
  const reply = await serverExample(s, (http2) => {
    const server = http2.createServer();
    server.on('stream', (stream: H2) => {
      stream.respond({ ':status': 200 }, { waitForTrailers: true });
      stream.on('wantTrailers', () => {
        stream.sendTrailers({ ABC: 'some value to send' });
      });
      stream.end('some data');
    });
    return server;
  });
  assert.is(reply.body, 'some data');
  assert.equal({ ...reply.trailers }, { abc: 'some value to send' });
}, T));

/** '/some/file': a temp file with known content. */
function someFile(s: Scope, content = 'the contents of /some/file\n'): string {
  const file = path.join(tempDir(s), 'file');
  fs.writeFileSync(file, content);
  return file;
}

test('L689 respondWithFD(): the file\'s bytes with the example\'s headers; the fd closes with the stream', scoped(async (s) => {
  const file = someFile(s);
  const closed: string[] = [];
  const reply = await serverExample(s, (http2) => {
    const server = http2.createServer();
    server.on('stream', (stream: H2) => {
      const fd = fs.openSync(file, 'r');

      const stat = fs.fstatSync(fd);
      const headers = {
        'content-length': stat.size,
        'last-modified': stat.mtime.toUTCString(),
        'content-type': 'text/plain',
      };
      stream.respondWithFD(fd, headers);
      stream.on('close', () => { fs.closeSync(fd); closed.push('fd'); });
    });
    return server;
  });
  assert.is(reply.body, fs.readFileSync(file, 'utf8'));
  assert.is(reply.headers['content-length'], String(fs.statSync(file).size));
  assert.is(reply.headers['last-modified'], fs.statSync(file).mtime.toUTCString());
  assert.is(reply.headers['content-type'], 'text/plain');
  await until(() => closed.length === 2, 'both servers\' streams to close'); // each closeSync ran without EBADF
}, T));

test('L716 respondWithFD() with waitForTrailers: body, then the trailers', scoped(async (s) => {
  const file = someFile(s);
  const reply = await serverExample(s, (http2) => {
    const server = http2.createServer();
    server.on('stream', (stream: H2) => {
      const fd = fs.openSync(file, 'r');

      const stat = fs.fstatSync(fd);
      const headers = {
        'content-length': stat.size,
        'last-modified': stat.mtime.toUTCString(),
        'content-type': 'text/plain',
      };
      stream.respondWithFD(fd, headers, { waitForTrailers: true });
      stream.on('wantTrailers', () => {
        stream.sendTrailers({ ABC: 'some value to send' });
      });

      stream.on('close', () => fs.closeSync(fd));
    });
    return server;
  });
  assert.is(reply.body, fs.readFileSync(file, 'utf8'));
  assert.equal({ ...reply.trailers }, { abc: 'some value to send' });
}, T));

test('L749 respondWithFile() with statCheck and onError: last-modified added; a missing file gets 404', scoped(async (s) => {
  const file = someFile(s);
  const example = (http2: H2, someFile: string) => {
    const server = http2.createServer();
    server.on('stream', (stream: H2) => {
      function statCheck(stat: fs.Stats, headers: H2) {
        headers['last-modified'] = stat.mtime.toUTCString();
      }

      function onError(err: NodeJS.ErrnoException) {
        if (err.code === 'ENOENT') {
          stream.respond({ ':status': 404 });
        } else {
          stream.respond({ ':status': 500 });
        }
        stream.end();
      }

      stream.respondWithFile(someFile,
        { 'content-type': 'text/plain' },
        { statCheck, onError });
    });
    return server;
  };
  const found = await serverExample(s, (h2) => example(h2, file));
  assert.is(found.headers[':status'], 200);
  assert.is(found.headers['last-modified'], fs.statSync(file).mtime.toUTCString());
  assert.is(found.headers['content-length'], String(fs.statSync(file).size)); // set automatically
  assert.is(found.body, fs.readFileSync(file, 'utf8'));
  const missing = await serverExample(s, (h2) => example(h2, path.join(path.dirname(file), 'missing')));
  assert.is(missing.headers[':status'], 404);
  assert.is(missing.body, '');
}, T));

test('L772 respondWithFile() statCheck returning false: a 304 and no body', scoped(async (s) => {
  const file = someFile(s);
  const reply = await serverExample(s, (http2) => {
    const server = http2.createServer();
    server.on('stream', (stream: H2) => {
      function statCheck(stat: fs.Stats, headers: H2) {
        // Check the stat here...
        stream.respond({ ':status': 304 });
        return false; // Cancel the send operation
      }
      stream.respondWithFile(file,
        { 'content-type': 'text/plain' },
        { statCheck });
    });
    return server;
  });
  assert.is(reply.headers[':status'], 304);
  assert.is(reply.body, '');
  assert.is(reply.rstCode, 0);
}, T));

test('L795 respondWithFile() with waitForTrailers', scoped(async (s) => {
  const file = someFile(s, 'x'.repeat(100_000)); // more than one window's worth
  const reply = await serverExample(s, (http2) => {
    const server = http2.createServer();
    server.on('stream', (stream: H2) => {
      stream.respondWithFile(file,
        { 'content-type': 'text/plain' },
        { waitForTrailers: true });
      stream.on('wantTrailers', () => {
        stream.sendTrailers({ ABC: 'some value to send' });
      });
    });
    return server;
  });
  assert.is(reply.body.length, 100_000);
  assert.is(reply.headers['content-length'], '100000');
  assert.equal({ ...reply.trailers }, { abc: 'some value to send' });
}, T));

// ------------------------------------------------------------------ Http2Server / Http2SecureServer

/** The 'stream' listener of the L838 and L895 examples, with what it read from the headers. */
function streamListener(http2: H2, seen: string[]) {
  const {
    HTTP2_HEADER_METHOD,
    HTTP2_HEADER_PATH,
    HTTP2_HEADER_STATUS,
    HTTP2_HEADER_CONTENT_TYPE,
  } = http2.constants;
  return (stream: H2, headers: H2, flags: number) => {
    const method = headers[HTTP2_HEADER_METHOD];
    const path = headers[HTTP2_HEADER_PATH];
    seen.push(`${method} ${path}`);
    stream.respond({
      [HTTP2_HEADER_STATUS]: 200,
      [HTTP2_HEADER_CONTENT_TYPE]: 'text/plain',
    });
    stream.write('hello ');
    stream.end('world');
  };
}

test('L838 Http2Server \'stream\' event with the HTTP2_HEADER_* constants', scoped(async (s) => {
  const seen: string[] = [];
  const reply = await serverExample(s, (http2) => {
    const server = http2.createServer();
    server.on('stream', streamListener(http2, seen));
    return server;
  }, { ':method': 'POST', ':path': '/x' });
  assert.equal(seen, ['POST /x', 'POST /x']);
  assert.is(reply.headers['content-type'], 'text/plain');
  assert.is(reply.body, 'hello world');
}, T));

test('L895 Http2SecureServer \'stream\' event', scoped(async (s) => {
  const seen: string[] = [];
  const getOptionsSomehow = () => ({ key: testCerts().key, cert: testCerts().cert });
  const reply = await serverExample(s, (http2) => {
    const options = getOptionsSomehow();

    const server = http2.createSecureServer(options);
    server.on('stream', streamListener(http2, seen));
    return server;
  }, { ':path': '/secure' }, true);
  assert.equal(seen, ['GET /secure', 'GET /secure']);
  assert.is(reply.body, 'hello world');
}, T));

test('L1000 http2.createSecureServer() with key and cert read from files', scoped(async (s) => {
  const files = certFiles(s);
  const reply = await serverExample(s, (http2) => {
    const options = {
      key: fs.readFileSync(files.key), // 'server-key.pem'
      cert: fs.readFileSync(files.cert), // 'server-cert.pem'
    };

    // Create a secure HTTP/2 server
    const server = http2.createSecureServer(options);

    server.on('stream', (stream: H2, headers: H2) => {
      stream.respond({
        'content-type': 'text/html',
        ':status': 200,
      });
      stream.end('<h1>Hello World</h1>');
    });

    return server; // server.listen(80)
  }, { ':path': '/' }, true);
  assert.is(reply.headers['content-type'], 'text/html');
  assert.is(reply.body, '<h1>Hello World</h1>');
}, T));

test('L1045 http2.connect() then client.close(): closes cleanly, without an error', scoped(async (s) => {
  const { key, cert } = testCerts();
  const ns = http2.createSecureServer({ key, cert });
  const port = await listen(s, ns);
  for (const [name, h2] of IMPLS) {
    const client = connectTo(s, h2, port, true); // http2.connect('https://localhost:1234')

    /* Use the client */

    client.close();
    assert.ok(client.closed, `${name}: closed right after close()`);
    await new Promise((r) => client.on('close', r));
    assert.ok(client.destroyed, name);
    assert.equal(client.errors, [], name);
  }
}, T));

// ------------------------------------------------------------------ settings, headers, padding

test('L1082 getPackedSettings({ enablePush: false }) prints AAIAAAAA', () => {
  for (const [name, h2] of IMPLS) {
    const out = capture();
    ((http2: H2, console: typeof out) => {
      const packed = http2.getPackedSettings({ enablePush: false });

      console.log(packed.toString('base64'));
      // Prints: AAIAAAAA
    })(h2, out);
    assert.equal(out.lines, ['AAIAAAAA'], name);
  }
});

test('L1097 Headers Object: names lowercased, an array sent as repeated fields', scoped(async (s) => {
  const reply = await serverExample(s, (http2) => {
    const server = http2.createServer();
    server.on('stream', (stream: H2) => {
      const headers = {
        ':status': '200',
        'content-type': 'text-plain',
        'ABC': ['has', 'more', 'than', 'one', 'value'],
      };

      stream.respond(headers);
      stream.end();
    });
    return server;
  });
  assert.is(reply.headers[':status'], 200);
  assert.is(reply.headers['content-type'], 'text-plain');
  assert.is(reply.headers.abc, 'has, more, than, one, value');
  const raw = reply.rawHeaders.filter((_, i) => reply.rawHeaders[i - 1] === 'abc' && i % 2 === 1);
  assert.equal(raw, ['has', 'more', 'than', 'one', 'value']);
}, T));

test('L1107 incoming headers have a null prototype and lowercase names', scoped(async (s) => {
  const logged: Record<string, string[]> = {};
  for (const [name, h2] of IMPLS) {
    const out = capture();
    const server = ((http2: H2, console: typeof out) => {
      const server = http2.createServer();
      server.on('stream', (stream: H2, headers: H2) => {
        console.log(headers[':path']);
        console.log(headers.ABC);
        console.log(Object.getPrototypeOf(headers), typeof headers.hasOwnProperty, headers.abc);
      });
      return server;
    })(h2, out);
    const port = await listen(s, server);
    const client = connectTo(s, http2, port);
    const req = client.request({ ':path': '/headers', ABC: 'sent as ABC' });
    logged[name] = await lines(out, 3);
    req.close(); // the example never answers
    client.close();
  }
  assert.equal(logged.h2wasm, ['/headers', 'undefined', 'null undefined sent as ABC']);
  assert.equal(logged.h2wasm, logged['node:http2']);
}, T));

test('L1133 selectPadding with PADDING_STRATEGY_CALLBACK: accepted, and the server still serves', scoped(async (s) => {
  assert.is(ours.constants.PADDING_STRATEGY_CALLBACK, http2.constants.PADDING_STRATEGY_CALLBACK);
  const reply = await serverExample(s, (http2) => {
    const server = http2.createServer({
      paddingStrategy: http2.constants.PADDING_STRATEGY_CALLBACK,
      selectPadding(frameLen: number, maxFrameLen: number) {
        return maxFrameLen;
      },
    });
    server.on('stream', (stream: H2) => { stream.respond(); stream.end('padded?'); }); // to observe it serving
    return server;
  });
  assert.is(reply.body, 'padded?');
}, T));

// ------------------------------------------------------------------ CONNECT

test('L1190+L1203+L1231 CONNECT: every proxy × client pairing tunnels to the TCP server; other methods are refused', scoped(async (s) => {
  // A simple TCP Server
  const tcp = net.createServer((socket) => {
    let name = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => name += chunk);
    socket.on('end', () => socket.end(`hello ${name}`));
  });
  const port = await listen(s, tcp); // server.listen(8000)

  for (const [proxyName, proxyImpl] of IMPLS) {
    const tunnels: net.Socket[] = [];
    s.defer(() => tunnels.forEach((t) => t.destroy()));
    const streamErrors: string[] = [];
    const proxy = ((http2: H2) => {
      const { NGHTTP2_REFUSED_STREAM } = http2.constants;

      const proxy = http2.createServer();
      // Harness: close(NGHTTP2_REFUSED_STREAM) makes the stream emit 'error' (a non-zero,
      // non-CANCEL code), which the example leaves unhandled; record it instead.
      proxy.on('stream', (stream: H2) => stream.on('error', (err: H2) => streamErrors.push(err.code)));
      proxy.on('stream', (stream: H2, headers: H2) => {
        if (headers[':method'] !== 'CONNECT') {
          // Only accept CONNECT requests
          stream.close(NGHTTP2_REFUSED_STREAM);
          return;
        }
        const auth = new URL(`tcp://${headers[':authority']}`);
        // It's a very good idea to verify that hostname and port are
        // things this proxy should be connecting to.
        const socket = net.connect(Number(auth.port), auth.hostname, () => {
          stream.respond();
          socket.pipe(stream);
          stream.pipe(socket);
        });
        tunnels.push(socket);
        socket.on('error', (error) => {
          stream.close(http2.constants.NGHTTP2_CONNECT_ERROR);
        });
      });
      return proxy;
    })(proxyImpl);
    const proxyPort = await listen(s, proxy); // proxy.listen(8001)

    for (const [clientName, clientImpl] of IMPLS) {
      const out = capture();
      const client = await new Promise<H2>((done) => ((http2: H2, console: typeof out) => {
        const client = http2.connect(`http://${HOST}:${proxyPort}`);
        s.defer(() => client.destroy());

        // Must not specify the ':path' and ':scheme' headers
        // for CONNECT requests or an error will be thrown.
        const req = client.request({
          ':method': 'CONNECT',
          ':authority': `${HOST}:${port}`,
        });

        req.on('response', (headers: H2) => {
          console.log(headers[http2.constants.HTTP2_HEADER_STATUS]);
        });
        let data = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => data += chunk);
        req.on('end', () => {
          console.log(`The server says: ${data}`);
          done(client); // client.close() below, after the refused GET
        });
        req.end('Jane');
      })(clientImpl, out));
      const where = `${proxyName} proxy, ${clientName} client`;
      assert.equal(out.lines, ['200', 'The server says: hello Jane'], where);
      const refused = await exchange(client, { ':path': '/' });
      assert.is(refused.rstCode, NGHTTP2_REFUSED_STREAM, `${where}: GET refused`);
      await until(() => streamErrors.length > 0, 'the refused stream\'s error');
      assert.equal(streamErrors.splice(0), ['ERR_HTTP2_STREAM_ERROR'], `${where}: the refused stream's 'error'`);
      client.close();
    }
  }
}, T));

// ------------------------------------------------------------------ performance

test('L1684 PerformanceObserver sees \'http2\' entries for the session and the stream, with node:http2\'s fields', scoped(async (s) => {
  const fields: Record<string, Record<string, string[]>> = {};
  for (const [name, h2] of IMPLS) {
    const out = capture();
    const obs = ((console: typeof out) => {
      const obs = new PerformanceObserver((items) => {
        const entry = items.getEntries()[0];
        console.log(entry.entryType); // prints 'http2'
        if (entry.name === 'Http2Session') {
          // entry contains statistics about the Http2Session
        } else if (entry.name === 'Http2Stream') {
          // entry contains statistics about the Http2Stream
        }
      });
      obs.observe({ entryTypes: ['http2'] });
      return obs;
    })(out);
    // Harness: every entry (the example looks at the first of each batch only).
    const seen: Record<string, string[]> = {};
    const all = new PerformanceObserver((items) => {
      for (const e of items.getEntries()) seen[e.name] = Object.keys((e as H2).detail ?? {}).sort();
    });
    all.observe({ entryTypes: ['http2'] });
    s.defer(() => { obs.disconnect(); all.disconnect(); });
    // Both ends of one implementation, so the entries are that implementation's.
    const server = h2.createServer();
    server.on('stream', (stream: H2) => { stream.respond(); stream.end('x'); });
    const port = await listen(s, server);
    const client = connectTo(s, h2, port);
    await exchange(client);
    client.close();
    await until(() => 'Http2Stream' in seen && 'Http2Session' in seen, `${name}: both entry kinds`);
    obs.disconnect();
    all.disconnect();
    assert.ok(out.lines.length > 0 && out.lines.every((l) => l === 'http2'), `${name}: ${out.lines}`);
    fields[name] = seen;
  }
  assert.equal(fields.h2wasm, fields['node:http2'], 'the same entry kinds with the same detail fields');
}, T));

test.run();
