// The test page's module (test/browser/chromium.test.ts serves it with an import map that points
// `h2wasm` at the package's "browser" export). It exposes the checks as window.checks; each
// resolves with plain data that the test asserts on.
import {
  init, Session, serve, createFetch, createMemoryPair, fromWebSocket, withTrailers, requestTrailers, responseTrailers,
} from 'h2wasm';
import { exchange } from '/examples/browser/app.mjs';

const entries = (h) => Object.fromEntries([...h]);

/** serve() and createFetch() in this page, joined by the in-memory pair. */
async function memory() {
  await init();
  const [client, server] = createMemoryPair();
  const seen = {};
  const srv = serve(async (request) => {
    seen.method = request.method;
    seen.url = request.url;
    seen.body = await request.text();
    seen.trailers = entries(await requestTrailers(request));
    const reply = new Response(`echo ${seen.body.toUpperCase()}`, { status: 201, headers: { 'x-reply': 'yes' } });
    return withTrailers(reply, { 'x-checksum': String(seen.body.length) });
  }, { transport: server });
  const fetch = createFetch({ transport: client });
  try {
    const res = await fetch('http://in-memory/upload?x=1', {
      method: 'POST', body: 'hello from the page', headers: { 'content-type': 'text/plain' }, trailers: { 'x-sent': 'all' },
    });
    const body = await res.text();
    const session = new Session({ role: 'client' });
    const nextStreamId = session.state.nextStreamId;
    session.destroy();
    return { status: res.status, reply: res.headers.get('x-reply'), body, trailers: entries(await responseTrailers(res)), seen, nextStreamId };
  } finally {
    await fetch.close();
    await srv.shutdown();
  }
}

/** createFetch over a WebSocket to the relay: `url` names the server behind it. */
async function relayFetch(relay, url, options = {}) {
  await init();
  let sockets = 0;
  const fetch = createFetch({ connect: () => { sockets++; return fromWebSocket(new WebSocket(relay)); } });
  try {
    const res = await fetch(url, options);
    const body = await res.text();
    return { status: res.status, body, headers: entries(res.headers), trailers: entries(await responseTrailers(res)), sockets };
  } finally {
    await fetch.close();
  }
}

/** The example page's exchange() (the core Session with a frame trace) through the relay. */
async function relayExchange(relay, url, options = {}) {
  return exchange({ relay, url, ...options });
}

window.checks = { memory, relayFetch, relayExchange };
window.checksReady = true;
