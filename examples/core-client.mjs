#!/usr/bin/env node
// An HTTP/2 client (h2c: cleartext, prior knowledge) built from the sans-IO core and node:net:
// sends one GET and prints the response status, headers and body.
//
//   node examples/core-client.mjs http://127.0.0.1:8080/
import net from 'node:net';
import { Session } from 'h2wasm/core';

const url = new URL(process.argv[2] ?? '');
if (url.protocol !== 'http:') {
  console.error('usage: node examples/core-client.mjs http://host:port/path  (h2c only)');
  process.exit(2);
}

const session = new Session({ role: 'client' });
const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80), noDelay: true });
let streamId = 0;
let finished = false;

function flush() {
  const chunks = session.pull();
  if (chunks.length === 0) return;
  socket.cork();
  for (const chunk of chunks) socket.write(chunk);
  socket.uncork();
}

function finish(code) {
  finished = true;
  process.exitCode = code;
  session.goaway(); // tell the server we are leaving
  flush();
  socket.end();
}

socket.on('connect', () => {
  streamId = session.request([
    [':method', 'GET'],
    [':scheme', 'http'],
    [':authority', url.host],
    [':path', url.pathname + url.search],
    ['user-agent', 'h2wasm-core-client'],
  ], { endStream: true });
  flush(); // connection preface, SETTINGS and the request in one write
});

socket.on('data', (chunk) => {
  for (const event of session.receive(chunk)) {
    if (event.streamId !== undefined && event.streamId !== streamId && event.streamId !== 0) continue;
    switch (event.type) {
      case 'informational':
      case 'response':
      case 'trailers':
        for (const [name, value] of event.headers) process.stdout.write(`${name}: ${value}\n`);
        process.stdout.write('\n');
        break;
      case 'data':
        process.stdout.write(event.bytes);
        session.consume(streamId, event.bytes.length);
        break;
      case 'stream-end':
        finish(0);
        break;
      case 'reset':
        console.error(`stream reset by the server (code ${event.code})`);
        finish(1);
        break;
      case 'goaway':
        if (event.lastStreamId < streamId) {
          console.error(`the server refused the request (GOAWAY code ${event.code})`);
          finish(1);
        }
        break;
      case 'error':
        console.error(`${event.scope} error: ${event.reason} (code ${event.code})`);
        finish(1);
        break;
    }
  }
  flush();
});
socket.on('error', (err) => {
  console.error(err.message);
  process.exitCode = 1;
});
socket.on('close', () => {
  session.destroy();
  if (!finished) {
    console.error('the connection closed before the response ended');
    process.exitCode = 1;
  }
});
