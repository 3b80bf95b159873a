// http2.connect(authority, options, listener): a ClientHttp2Session over node:net (http:) or
// node:tls with ALPN "h2" (https:), or over `options.createConnection`.
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { ClientHttp2Session, type SessionOptions } from './session.ts';
import { errorOf } from './errors.ts';

export type ConnectOptions = SessionOptions & tls.ConnectionOptions & {
  createConnection?: (authority: URL, options: ConnectOptions) => Duplex;
};

export function connect(authority: string | URL, options?: ConnectOptions | ((s: ClientHttp2Session) => void),
  listener?: (s: ClientHttp2Session) => void): ClientHttp2Session {
  if (typeof options === 'function') { listener = options; options = {}; }
  const opts: ConnectOptions = options ?? {};
  const url = typeof authority === 'string' ? new URL(authority) : authority;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw errorOf('ERR_HTTP2_UNSUPPORTED_PROTOCOL', `protocol "${url.protocol}" is unsupported.`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  let socket: Duplex;
  let event = 'connect';
  if (opts.createConnection) socket = opts.createConnection(url, opts);
  else if (url.protocol === 'https:') {
    socket = tls.connect({ ...opts, host, port, servername: opts.servername ?? (net.isIP(host) ? undefined : host), ALPNProtocols: ['h2'] });
    event = 'secureConnect';
  } else socket = net.connect({ ...(opts as net.NetConnectOpts), host, port } as net.NetConnectOpts); // every net option, as Node passes them
  let session: ClientHttp2Session;
  try {
    session = new ClientHttp2Session(socket, opts, url);
  } catch (err) {
    socket.on('error', () => {}); // the caller gets the error thrown; the socket just goes
    socket.destroy();
    throw err;
  }
  if (listener) session.once('connect', listener);
  const connected = () => {
    if (socket instanceof tls.TLSSocket) { session.encrypted = true; session.alpnProtocol = socket.alpnProtocol || undefined; }
    session.emit('connect', session, socket);
  };
  // A TLS socket (ours or from createConnection) is connected once its handshake is done.
  const handshaking = socket instanceof tls.TLSSocket && !(socket as tls.TLSSocket & { _secureEstablished?: boolean })._secureEstablished;
  if (handshaking) socket.once('secureConnect', connected);
  else if ((socket as net.Socket).connecting === false || opts.createConnection) queueMicrotask(connected);
  else socket.once(event, connected);
  return session;
}
