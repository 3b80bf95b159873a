// The same small set of resources served by node:http2 and by our server Session:
//   GET  /bytes/N      N random octets (the run's body(N)), with content-length
//   POST /hash         the request body's octet count, SHA-256 and trailers, as JSON
//   GET  /trailers/N   N octets, then trailers x-checksum (SHA-256) and x-octets
import http2 from 'node:http2';
import { body, sha256 } from './util.ts';
import { readAll } from './node-peers.ts';
import type { SocketSession, StreamRecord, Fields } from './socket-session.ts';

export interface HashReply { octets: number; hash: string; trailers: Record<string, string> | null }

const json = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));

/** node:http2 server side of the routes; returns false for other paths. */
export function nodeRoute(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): boolean {
  const path = String(headers[':path']);
  const method = headers[':method'];
  if (method === 'GET' && path.startsWith('/bytes/')) {
    const n = Number(path.slice('/bytes/'.length));
    stream.respond({ ':status': 200, 'content-type': 'application/octet-stream', 'content-length': n });
    stream.end(body(n));
    return true;
  }
  if (method === 'POST' && path === '/hash') {
    let trailers: Record<string, string> | null = null;
    stream.on('trailers', (t) => { trailers = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, String(v)])); });
    readAll(stream).then(({ octets, hash }) => {
      if (stream.destroyed) return;
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(json({ octets, hash, trailers }));
    }, () => {});
    return true;
  }
  if (method === 'GET' && path.startsWith('/trailers/')) {
    const n = Number(path.slice('/trailers/'.length));
    stream.respond({ ':status': 200, 'content-type': 'application/octet-stream' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': sha256(body(n)), 'x-octets': String(n) }));
    stream.end(body(n));
    return true;
  }
  return false;
}

const header = (fields: Fields | undefined, name: string) => fields?.find(([n]) => n === name)?.[1];

/** Our server side of the routes; returns false for other paths. */
export function ourRoute(r: StreamRecord, conn: SocketSession): boolean {
  const path = header(r.request, ':path') ?? '';
  const method = header(r.request, ':method');
  if (method === 'GET' && path.startsWith('/bytes/')) {
    const n = Number(path.slice('/bytes/'.length));
    const head: Fields = [[':status', '200'], ['content-type', 'application/octet-stream'], ['content-length', String(n)]];
    if (n === 0) conn.respond(r.id, head, { endStream: true });
    else {
      conn.respond(r.id, head);
      conn.data(r.id, body(n), { endStream: true });
    }
    return true;
  }
  if (method === 'POST' && path === '/hash') {
    r.done.then(() => {
      if (!r.ended || r.reset !== null || conn.closed) return;
      const trailers = r.trailers ? Object.fromEntries(r.trailers) : null;
      conn.respond(r.id, [[':status', '200'], ['content-type', 'application/json']]);
      conn.data(r.id, json({ octets: r.octets, hash: r.digest(), trailers }), { endStream: true });
    });
    return true;
  }
  if (method === 'GET' && path.startsWith('/trailers/')) {
    const n = Number(path.slice('/trailers/'.length));
    conn.respond(r.id, [[':status', '200'], ['content-type', 'application/octet-stream']]);
    if (n) conn.data(r.id, body(n));
    conn.trailers(r.id, [['x-checksum', sha256(body(n))], ['x-octets', String(n)]]);
    return true;
  }
  return false;
}

/** The text of a stream's DATA (the record must keep its chunks). */
export function text(r: StreamRecord): string {
  return Buffer.concat(r.chunks ?? []).toString('utf8');
}
