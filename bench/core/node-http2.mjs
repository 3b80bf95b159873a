// The node:http2 side of bench/core.mjs: a client and a server (the core API, `stream`
// events) in this process, joined by an in-memory Duplex pair.
import http2 from 'node:http2';
import { once } from 'node:events';
import { duplexPair } from './duplex-pair.mjs';

const HELLO = Buffer.from('hello world');

/** A connected node:http2 client and server; `respond(stream, headers)` answers each request. */
async function pair(respond, { settings } = {}) {
  const server = http2.createServer({ settings });
  server.on('stream', respond);
  const [a, b] = duplexPair();
  server.emit('connection', b);
  const client = http2.connect('http://bench.invalid', { createConnection: () => a, settings });
  await once(client, 'remoteSettings');
  const close = async () => {
    client.close();
    a.destroy();
    b.destroy();
    server.close();
  };
  return { client, close };
}

const REQUEST = { ':method': 'GET', ':path': '/', ':scheme': 'http', ':authority': 'bench.invalid' };

/**
 * `n` GET exchanges, `concurrency` streams at a time. Resolves with the elapsed ms; rejects
 * if any response is not a 200 with the body `hello world`.
 */
export async function nodeExchanges(n, concurrency, settings) {
  const { client, close } = await pair((stream) => {
    stream.respond({ ':status': 200, 'content-type': 'text/plain' });
    stream.end(HELLO);
  }, { settings });
  try {
    return await new Promise((resolve, reject) => {
      let started = 0;
      let done = 0;
      const t0 = performance.now();
      const one = () => {
        started++;
        const req = client.request(REQUEST, { endStream: true });
        let status = 0;
        let length = 0;
        req.on('response', (h) => { status = h[':status']; });
        req.on('data', (chunk) => { length += chunk.length; });
        req.on('error', reject);
        req.on('end', () => {
          if (status !== 200 || length !== HELLO.length) {
            reject(new Error(`node:http2 exchange: status ${status}, ${length} body octets`));
            return;
          }
          done++;
          if (started < n) one();
          else if (done === n) resolve(performance.now() - t0);
        });
      };
      for (let i = 0; i < Math.min(concurrency, n); i++) one();
    });
  } finally {
    await close();
  }
}

/**
 * One GET whose response body is `body`. Resolves with { ms, chunks } (the received chunks,
 * for hashing outside the timed part).
 */
export async function nodeTransfer(body, settings, connectionWindow) {
  const { client, close } = await pair((stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/octet-stream' });
    stream.end(body);
  }, { settings });
  try {
    if (connectionWindow) client.setLocalWindowSize(connectionWindow);
    return await new Promise((resolve, reject) => {
      const chunks = [];
      let length = 0;
      const t0 = performance.now();
      const req = client.request(REQUEST, { endStream: true });
      req.on('data', (chunk) => { chunks.push(chunk); length += chunk.length; });
      req.on('error', reject);
      req.on('end', () => {
        const ms = performance.now() - t0;
        if (length !== body.length) reject(new Error(`node:http2 transfer: ${length} of ${body.length} octets`));
        else resolve({ ms, chunks });
      });
    });
  } finally {
    await close();
  }
}
