#!/usr/bin/env node
// An HTTP/2 server (h2c: cleartext, prior knowledge) built from the sans-IO core and node:net.
// The Session does all of HTTP/2; this file only moves bytes: socket data goes into
// session.receive(), session.pull() goes out to the socket. Any transport works the same way.
//
//   node examples/core-server.mjs --port 8080 [--host 127.0.0.1]
//   curl --http2-prior-knowledge http://127.0.0.1:8080/
//
// Every request gets 200, content-type text/plain, body `hello world`, once its body has
// been read to the end. Ctrl-C sends a graceful GOAWAY to every connection and exits once
// they have finished.
import net from 'node:net';
import { Session } from 'h2wasm/core';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(option('--port', '8080'));
const host = option('--host', '127.0.0.1');

const BODY = new TextEncoder().encode('hello world');
const HEADERS = [[':status', '200'], ['content-type', 'text/plain'], ['content-length', String(BODY.length)]];

const connections = new Set();

function serve(socket) {
  // One Session per connection; all of them share one WebAssembly instance.
  const session = new Session({ role: 'server' });
  let waitingForDrain = false;
  const connection = { shutdown };
  connections.add(connection);

  // Send what the session has queued (frames, and body slices that are never copied) as
  // one gathered write. When the socket's buffer is full, stop reading until it drains.
  function flush() {
    if (waitingForDrain || socket.destroyed) return;
    const chunks = session.pull();
    if (chunks.length > 0) {
      socket.cork();
      let ok = true;
      for (const chunk of chunks) ok = socket.write(chunk);
      socket.uncork();
      if (!ok) {
        waitingForDrain = true;
        socket.pause();
        socket.once('drain', () => {
          waitingForDrain = false;
          socket.resume();
          flush();
        });
        return;
      }
    }
    // After a GOAWAY (ours or the peer's), close once the last stream is done.
    const state = session.state;
    if (state.closed || ((state.goawaySent || state.goawayReceived) && state.openStreams === 0)) socket.end();
  }

  function handle(event) {
    switch (event.type) {
      case 'data':
        // We are done with these octets: the session may now widen the peer's window.
        if (event.bytes.length > 0) session.consume(event.streamId, event.bytes.length);
        break;
      case 'stream-end':
        // The request, and its body if any, has arrived: answer it. END_STREAM goes on the DATA frame.
        session.respond(event.streamId, HEADERS);
        session.data(event.streamId, BODY, { endStream: true });
        break;
      case 'error':
        // A stream error already queued RST_STREAM; a connection error queued GOAWAY.
        if (event.scope === 'connection') console.error(`connection error: ${event.reason} (code ${event.code})`);
        break;
      // 'request' (headers), 'reset', 'goaway', 'ping', 'settings'…: nothing to do here;
      // the session already queued whatever HTTP/2 requires in answer.
    }
  }

  socket.on('data', (chunk) => {
    for (const event of session.receive(chunk)) handle(event);
    flush();
  });
  socket.on('error', (err) => {
    if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') console.error(`socket error: ${err.message}`);
  });
  socket.on('close', () => {
    connections.delete(connection);
    session.destroy();
  });

  function shutdown() {
    // Graceful: streams already open finish, new ones are refused.
    if (!session.state.goawaySent) session.goaway();
    flush();
  }

  flush(); // our SETTINGS go out first
}

const server = net.createServer({ noDelay: true }, serve);
server.on('error', (err) => {
  console.error(err.message);
  process.exit(1);
});
server.listen(port, host, () => {
  const { address, port: actual } = server.address();
  console.log(`h2wasm core server listening on http://${address.includes(':') ? `[${address}]` : address}:${actual}`);
});

function stop() {
  server.close();
  for (const c of connections) c.shutdown();
  // Connections that do not finish in time are cut.
  setTimeout(() => process.exit(0), 3000).unref();
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
