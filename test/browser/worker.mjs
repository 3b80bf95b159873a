// The worker that test/browser/workerd.test.ts runs in workerd: h2wasm's workerd build (the core
// as a precompiled .wasm module import) with connect() from cloudflare:sockets wrapped in the
// streams transport, talking HTTP/2 (h2c) to the server named by ?target=host:port.
import { connect } from 'cloudflare:sockets';
import { createFetch, fromStreams, responseTrailers, Session } from './h2wasm/workerd.mjs';

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const target = url.searchParams.get('target');
    const paths = url.searchParams.getAll('path');
    const [hostname, port] = target.split(':');
    let sockets = 0;
    const fetch = createFetch({
      connect: () => { sockets++; return fromStreams(connect({ hostname, port: Number(port) })); },
    });
    try {
      const results = [];
      for (const path of paths) {
        const res = await fetch(`http://${target}${path}`);
        const body = await res.text();
        results.push({ status: res.status, body, contentType: res.headers.get('content-type'), trailers: Object.fromEntries(await responseTrailers(res)) });
      }
      // The core itself, outside fetch: a client session's preface starts with the connection magic.
      const session = new Session({ role: 'client' });
      const preface = new TextDecoder().decode(session.pull()[0].subarray(0, 24));
      session.destroy();
      return Response.json({ results, sockets, preface });
    } catch (err) {
      return Response.json({ error: String(err?.stack ?? err), cause: String(err?.cause?.stack ?? err?.cause ?? '') }, { status: 500 });
    } finally {
      await fetch.close();
    }
  },
};
