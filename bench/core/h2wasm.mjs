// The h2wasm side of bench/core.mjs: a client and a server `Session` (h2wasm/core, sans-IO)
// in this process, joined directly: what one's pull() returns goes into the other's receive().

const HELLO = new TextEncoder().encode('hello world');
const REQUEST = [[':method', 'GET'], [':path', '/'], [':scheme', 'http'], [':authority', 'bench.invalid']];
const RESPONSE = [[':status', '200'], ['content-type', 'text/plain']];
const RESPONSE_BINARY = [[':status', '200'], ['content-type', 'application/octet-stream']];

/**
 * Moves `from`'s pending output into `to`, handing each resulting event to `onEvent`.
 * Returns the number of octets moved. With `join`, the chunks of one pull() go in as one
 * receive() (one copy, one call); otherwise chunk by chunk (no copy).
 */
function move(from, to, onEvent, join) {
  const chunks = from.pull();
  const count = chunks.length;
  if (count === 0) return 0;
  let octets = 0;
  if (join && count > 1) {
    for (let i = 0; i < count; i++) octets += chunks[i].length;
    const all = new Uint8Array(octets);
    let at = 0;
    for (let i = 0; i < count; i++) { all.set(chunks[i], at); at += chunks[i].length; }
    const events = to.receive(all);
    for (let j = 0; j < events.length; j++) onEvent(events[j]);
    return octets;
  }
  for (let i = 0; i < count; i++) {
    octets += chunks[i].length;
    const events = to.receive(chunks[i]);
    for (let j = 0; j < events.length; j++) onEvent(events[j]);
  }
  return octets;
}

function fail(ev) {
  throw new Error(`h2wasm: unexpected ${ev.type} event ${JSON.stringify(ev, (k, v) => (v instanceof Uint8Array ? `<${v.length} octets>` : v))}`);
}

/** Runs the two sessions until `finished()`; throws if neither has anything left to send. */
function pump(client, server, onServerEvent, onClientEvent, finished, join) {
  while (!finished()) {
    const up = move(client, server, onServerEvent, join);
    const down = move(server, client, onClientEvent, join);
    if (up === 0 && down === 0 && !finished()) throw new Error('h2wasm: both sessions are idle before the end');
  }
}

/**
 * `n` GET exchanges, `concurrency` streams at a time. Returns the elapsed ms (the caller
 * times it); throws if any response is not a 200 with the body `hello world`.
 */
export function h2wasmExchanges(Session, n, concurrency, { settings, join = true } = {}) {
  const client = new Session({ role: 'client', settings });
  const server = new Session({ role: 'server', settings });
  try {
    let started = 0;
    let done = 0;
    const lengths = new Map();
    const onServerEvent = (ev) => {
      if (ev.type === 'request') {
        server.respond(ev.streamId, RESPONSE);
        server.data(ev.streamId, HELLO, { endStream: true });
      } else if (ev.type === 'error') fail(ev);
    };
    const onClientEvent = (ev) => {
      switch (ev.type) {
        case 'response':
          if (ev.headers[0][0] !== ':status' || ev.headers[0][1] !== '200') fail(ev);
          lengths.set(ev.streamId, 0);
          break;
        case 'data':
          lengths.set(ev.streamId, lengths.get(ev.streamId) + ev.bytes.length);
          client.consume(ev.streamId, ev.bytes.length);
          break;
        case 'stream-end':
          if (lengths.get(ev.streamId) !== HELLO.length) fail(ev);
          lengths.delete(ev.streamId);
          done++;
          if (started < n) { client.request(REQUEST, { endStream: true }); started++; }
          break;
        case 'reset': case 'error': case 'goaway':
          fail(ev);
      }
    };
    for (; started < Math.min(concurrency, n); started++) client.request(REQUEST, { endStream: true });
    pump(client, server, onServerEvent, onClientEvent, () => done === n, join);
  } finally {
    client.destroy();
    server.destroy();
  }
}

/**
 * One GET whose response body is `body`. Returns the received chunks (to hash outside the
 * timed part).
 */
export function h2wasmTransfer(Session, body, { settings, connectionWindow, join = true } = {}) {
  const client = new Session({ role: 'client', settings });
  const server = new Session({ role: 'server' });
  try {
    if (connectionWindow) client.setLocalWindowSize(connectionWindow);
    const chunks = [];
    let length = 0;
    let ended = false;
    const onServerEvent = (ev) => {
      if (ev.type === 'request') {
        server.respond(ev.streamId, RESPONSE_BINARY);
        server.data(ev.streamId, body, { endStream: true });
      } else if (ev.type === 'error') fail(ev);
    };
    const onClientEvent = (ev) => {
      switch (ev.type) {
        case 'data':
          chunks.push(ev.bytes);
          length += ev.bytes.length;
          client.consume(ev.streamId, ev.bytes.length);
          break;
        case 'stream-end':
          ended = true;
          break;
        case 'reset': case 'error': case 'goaway':
          fail(ev);
      }
    };
    client.request(REQUEST, { endStream: true });
    pump(client, server, onServerEvent, onClientEvent, () => ended, join);
    if (length !== body.length) throw new Error(`h2wasm transfer: ${length} of ${body.length} octets`);
    return chunks;
  } finally {
    client.destroy();
    server.destroy();
  }
}
