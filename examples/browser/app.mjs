// One HTTP/2 request from a browser page to a real server: the page has no TCP sockets, so the
// bytes travel as WebSocket messages to `h2wasm relay`, which pipes them to the server over TCP.
// The core Session runs in the page; observe() shows every frame exchanged.
import { init, Session, connectSession, fromWebSocket, describeFrame } from 'h2wasm';

/**
 * Sends one request through the relay and resolves with the response and the frame trace:
 * { status, headers, body, trailers, frames: [{ direction, type, flags, streamId, length, text }] }.
 * `url` names the server behind the relay (its :scheme, :authority and :path).
 */
export async function exchange({ relay, url, method = 'GET', headers = [], body, timeout = 15_000, onFrame }) {
  await init(); // compiles dist/h2wasm.wasm once
  const target = new URL(url);
  const transport = fromWebSocket(new WebSocket(relay));
  const session = new Session({ role: 'client' });
  const started = Date.now();
  const frames = [];
  session.observe((f) => {
    const frame = { direction: f.direction, type: f.type, flags: f.flags, streamId: f.streamId, length: f.length, text: describeFrame(f, started) };
    frames.push(frame);
    onFrame?.(frame);
  });

  return new Promise((resolve, reject) => {
    const result = { status: 0, headers: [], body: '', trailers: [], frames };
    const chunks = [];
    let id = 0;
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`no complete response within ${timeout} ms`)), timeout);
    const settle = (fn) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const fail = (err) => settle(() => { transport.close(err); session.destroy(); reject(err); });
    const done = () => settle(() => {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of chunks) { all.set(c, at); at += c.length; }
      result.body = new TextDecoder().decode(all);
      // A graceful GOAWAY, then the WebSocket closes once the relay has had it.
      session.goaway();
      flush();
      setTimeout(() => { transport.close(); session.destroy(); }, 50);
      resolve(result);
    });

    const flush = connectSession(session, transport, (events) => {
      for (const e of events) {
        if (e.type === 'error' && (e.scope === 'connection' || e.streamId === id)) fail(new Error(`HTTP/2 error ${e.code}: ${e.reason}`));
        else if (e.type === 'goaway' && e.code !== 0) fail(new Error(`GOAWAY ${e.code}`));
        if (e.streamId !== id) continue;
        if (e.type === 'response') {
          result.headers = e.headers;
          result.status = Number(e.headers.find(([n]) => n === ':status')?.[1]);
        } else if (e.type === 'data') {
          chunks.push(e.bytes);
          session.consume(id, e.bytes.length); // we took the octets: the window opens again
        } else if (e.type === 'trailers') {
          result.trailers = e.headers;
        } else if (e.type === 'reset') {
          fail(new Error(`the server reset the stream (code ${e.code})`));
        } else if (e.type === 'stream-end') {
          done();
        }
      }
    });
    transport.on('close', (err) => fail(err ?? new Error('the relay closed the connection before the response ended')));

    id = session.request([
      [':method', method], [':scheme', target.protocol.slice(0, -1)], [':authority', target.host],
      [':path', target.pathname + target.search], ...headers,
    ], { endStream: body === undefined });
    if (body !== undefined) session.data(id, new TextEncoder().encode(body), { endStream: true });
    flush();
  });
}

// The page's form (absent when a test imports this module on its own page).
const form = globalThis.document?.getElementById('request');
if (form) {
  const params = new URLSearchParams(location.search);
  for (const name of ['relay', 'url']) if (params.has(name)) form.elements[name].value = params.get(name);
  const out = document.getElementById('frames');
  const show = (text, cls) => {
    const line = document.createElement('div');
    line.textContent = text;
    if (cls) line.className = cls;
    out.append(line);
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.textContent = '';
    const { relay, url } = form.elements;
    try {
      const r = await exchange({ relay: relay.value, url: url.value, onFrame: (f) => show(f.text, f.direction) });
      show(`\n:status ${r.status}`, 'result');
      for (const [n, v] of r.headers) show(`${n}: ${v}`, 'result');
      show(`\n${r.body}`, 'result');
      for (const [n, v] of r.trailers) show(`(trailer) ${n}: ${v}`, 'result');
    } catch (err) {
      show(String(err), 'error');
    }
  });
}
