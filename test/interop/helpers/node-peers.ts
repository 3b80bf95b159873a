// node:http2 (nghttp2) peers for the interop tests: a server and a client over real
// sockets, recording everything node reports going wrong (session and stream errors,
// frameError events, goaway) so failures can say what node:http2 saw.
import http2 from 'node:http2';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { HOST, type Scope } from './util.ts';

export const C = http2.constants;

export interface NodeTrouble {
  /** node:http2 `error` events (session and stream) and frameError events, as text. */
  troubles: string[];
}

function watchSession(session: http2.Http2Session, t: NodeTrouble, who: string) {
  session.on('error', (err: any) => t.troubles.push(`${who} session error: ${err.code ?? ''} ${err.message}`));
  session.on('frameError', (type: number, code: number, id: number) =>
    t.troubles.push(`${who} frameError: frame type ${type}, code ${code}, stream ${id}`));
  session.on('goaway', (code: number, last: number, data?: Buffer) => {
    if (code !== C.NGHTTP2_NO_ERROR) t.troubles.push(`${who} received GOAWAY code ${code}, last stream ${last}${data?.length ? `, debug ${JSON.stringify(data.toString('latin1'))}` : ''}`);
  });
}

export interface NodeServer extends NodeTrouble {
  server: http2.Http2Server;
  port: number;
  sessions: http2.ServerHttp2Session[];
  /** Resolves with the first server session. */
  session(): Promise<http2.ServerHttp2Session>;
}

/** A node:http2 server on 127.0.0.1 (core API: `stream` events go to `onStream`). */
export async function nodeServer(
  s: Scope,
  onStream: ((stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, session: http2.ServerHttp2Session) => void) | null,
  options: http2.ServerOptions = {},
  onRequest?: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
): Promise<NodeServer> {
  const server = onRequest ? http2.createServer(options, onRequest) : http2.createServer(options);
  const ns: NodeServer = {
    server,
    port: 0,
    sessions: [],
    troubles: [],
    session: () => (ns.sessions.length ? Promise.resolve(ns.sessions[0]) : once(server, 'session').then(([x]) => x)),
  };
  server.on('session', (session: http2.ServerHttp2Session) => {
    ns.sessions.push(session);
    watchSession(session, ns, 'node server');
  });
  if (onStream) {
    server.on('stream', (stream, headers) => {
      stream.on('error', (err: any) => ns.troubles.push(`node server stream ${stream.id} error: ${err.code ?? ''} ${err.message}`));
      onStream(stream, headers, stream.session as http2.ServerHttp2Session);
    });
  }
  server.listen(0, HOST);
  await once(server, 'listening');
  ns.port = (server.address() as { port: number }).port;
  s.defer(() => new Promise<void>((resolve) => {
    for (const x of ns.sessions) x.destroy();
    server.close(() => resolve());
  }));
  return ns;
}

export interface NodeClient extends NodeTrouble {
  client: http2.ClientHttp2Session;
}

/** A node:http2 client connected to 127.0.0.1:port (destroyed at the end of the test). */
export async function nodeClient(s: Scope, port: number, options: http2.ClientSessionOptions = {}): Promise<NodeClient> {
  const client = http2.connect(`http://${HOST}:${port}`, options);
  const nc: NodeClient = { client, troubles: [] };
  watchSession(client, nc, 'node client');
  s.defer(() => { if (!client.destroyed) client.destroy(); });
  await once(client, 'connect');
  return nc;
}

export interface NodeResponse {
  headers: http2.IncomingHttpHeaders;
  status: number;
  informational: http2.IncomingHttpHeaders[];
  trailers: http2.IncomingHttpHeaders | null;
  octets: number;
  hash: string;
  rstCode: number | undefined;
  error: any;
}

/**
 * A request from a node:http2 client. `body` is sent whole (null: END_STREAM on HEADERS);
 * resolves when the stream closes, with what arrived.
 */
export function nodeRequest(
  nc: NodeClient,
  headers: http2.OutgoingHttpHeaders,
  body: Uint8Array | null = null,
  opts: { trailers?: http2.OutgoingHttpHeaders; onStream?: (req: http2.ClientHttp2Stream) => void } = {},
): Promise<NodeResponse> {
  const req = nc.client.request(headers, { endStream: body === null && !opts.trailers, waitForTrailers: Boolean(opts.trailers) });
  const res: NodeResponse = { headers: {}, status: 0, informational: [], trailers: null, octets: 0, hash: '', rstCode: undefined, error: null };
  const h = createHash('sha256');
  req.on('response', (hs) => { res.headers = hs; res.status = Number(hs[':status']); });
  req.on('headers', (hs) => res.informational.push(hs));
  req.on('trailers', (hs) => { res.trailers = hs; });
  req.on('data', (c: Buffer) => { res.octets += c.length; h.update(c); });
  req.on('error', (err) => { res.error = err; });
  if (opts.trailers) req.on('wantTrailers', () => req.sendTrailers(opts.trailers!));
  opts.onStream?.(req);
  if (body !== null) req.end(body);
  else if (opts.trailers) req.end();
  return new Promise((resolve) => req.on('close', () => {
    res.hash = h.digest('hex');
    res.rstCode = req.rstCode;
    resolve(res);
  }));
}

/** Reads a node stream to its end: octet count and SHA-256. */
export async function readAll(stream: AsyncIterable<unknown>): Promise<{ octets: number; hash: string }> {
  const h = createHash('sha256');
  let octets = 0;
  for await (const c of stream as AsyncIterable<Buffer>) {
    octets += c.length;
    h.update(c);
  }
  return { octets, hash: h.digest('hex') };
}
