// RFC 9113 §4–§6 requirements that MUSTS.md listed as GAP or covered in part: PUSH_PROMISE
// framing on a client Session, field blocks a Session sends (CONTINUATION), the encoder side of
// §4.3.1, one RST_STREAM per stream, PING ACK ordering, GOAWAY's minimal processing, and the
// old window of §6.9.3. Expectations come from the RFC text, never from the code under test.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ErrorCode,
  Flag,
  FrameType,
  SettingId,
  concat,
  frame,
  pingFrame,
  pushPromiseFrame,
  settingValue,
} from '../helpers/frames.ts';
import { block, incremental, indexed, representations, withoutIndexing, type Bytes } from '../helpers/hpack-wire.ts';
import { GET, connectClient, connectServer, destroySessions, newSession, req, ScriptedClient, type Headers, type SessionLike } from '../helpers/peer.ts';

const test = suite('RFC 9113 §4–§6 gaps');
test.after.each(destroySessions);

const OK: Headers = [[':status', '200']];
const POST = req({ ':method': 'POST' });
const PUSHED = req({ ':path': '/style.css' });
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

// A promised request built by hand, so that the peer's HPACK encoder is not involved (RFC 7541
// Appendix A: 2 = :method GET, 7 = :scheme https, 1 = :authority, 4 = :path).
const PUSHED_BLOCK = (path = '/style.css'): Uint8Array => block(indexed(2), indexed(7), withoutIndexing(1, 'example.com'), withoutIndexing(4, path));
// POST https://example.com/ (3 = :method POST), leaving the dynamic table alone.
const POST_FIELDS: Bytes[] = [indexed(3), indexed(7), indexed(4), withoutIndexing(1, 'example.com')];
const GET_FIELDS: Bytes[] = [indexed(2), indexed(7), indexed(4), withoutIndexing(1, 'example.com')];

/** A client Session with request 1 open (no END_STREAM), as a ScriptedServer sees it. */
function clientWithRequest() {
  const { client, peer } = connectClient();
  const id = client.request(GET);
  peer.wantHeaders(id);
  return { client, peer, id };
}

// ---------------------------------------------------------------- §4.2 PUSH_PROMISE sizes

test('§4.2 a PUSH_PROMISE over SETTINGS_MAX_FRAME_SIZE → connection error FRAME_SIZE_ERROR (client Session)', () => {
  const { peer, id } = clientWithRequest();
  peer.writeRaw(pushPromiseFrame(id, 2, PUSHED_BLOCK('/' + 'a'.repeat(16400))));
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR);
  peer.noEvent('push');
});

test('§4.2 a PUSH_PROMISE too short for its Promised Stream ID (3 octets) → connection error FRAME_SIZE_ERROR', () => {
  const { peer, id } = clientWithRequest();
  peer.writeRaw(frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS, id, [0, 0, 2]));
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR);
  peer.noEvent('push');
});

// ---------------------------------------------------------------- §4.3, §6.2, §6.6, §6.10: blocks we send

/** The frames of the field block that starts with `first`: they must follow it back to back. */
function blockRun(peer: { received: Array<{ type: number; flags: number; streamId: number; index: number }> }, first: { index: number; streamId: number }) {
  const run = [peer.received[first.index]];
  while (!(run[run.length - 1].flags & Flag.END_HEADERS)) {
    const next = peer.received[run[run.length - 1].index + 1];
    assert.ok(next, 'the block ends with END_HEADERS');
    assert.is(next.type, FrameType.CONTINUATION, `§4.3: frame ${next.index} inside the block is a CONTINUATION`);
    assert.is(next.streamId, first.streamId, '§6.10: CONTINUATION on the stream of its block');
    run.push(next);
  }
  return run;
}

test('§4.3/§6.2/§6.10 respond() with a block over SETTINGS_MAX_FRAME_SIZE while DATA of another stream is queued: HEADERS + CONTINUATION back to back', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeHeaders(3, GET, { endStream: true });
  server.respond(1, OK);
  server.data(1, new Uint8Array(60000), { endStream: true }); // queued, waiting on the windows
  const big: Headers = [[':status', '200'], ['x-big', 'b'.repeat(60000)]];
  server.respond(3, big, { endStream: true });
  const h = peer.wantHeaders(3);
  assert.is(h.flags & Flag.END_HEADERS, 0, 'the HEADERS frame does not end the block');
  const run = blockRun(peer, h);
  assert.ok(run.length >= 3, `a block of ~45000 octets (Huffman) in frames of ≤ 16384 octets needs ≥ 3 frames (got ${run.length})`);
  for (const f of run.slice(1, -1)) assert.is(f.flags & Flag.END_HEADERS, 0, '§6.10: a CONTINUATION without END_HEADERS is followed by another');
  assert.equal(h.headers, big, 'the reassembled block is the response');
  assert.ok(peer.received.some((f) => f.type === FrameType.DATA && f.streamId === 1), 'DATA of stream 1 went out too');
});

test('§6.6/§6.10 push() with a promised request over SETTINGS_MAX_FRAME_SIZE: PUSH_PROMISE + CONTINUATION back to back', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeHeaders(3, GET, { endStream: true });
  server.respond(3, OK);
  server.data(3, new Uint8Array(30000), { endStream: true });
  const promisedRequest = req({ ':path': '/' + 'p'.repeat(60000) });
  const promised = server.push(1, promisedRequest);
  const pp = peer.wantFrame(FrameType.PUSH_PROMISE, { streamId: 1 });
  assert.is(pp.promisedStreamId, promised);
  assert.is(pp.flags & Flag.END_HEADERS, 0, 'the PUSH_PROMISE does not end the block');
  const run = blockRun(peer, pp);
  assert.ok(run.length >= 3, `needs ≥ 3 frames (got ${run.length})`);
  assert.equal(pp.headers, promisedRequest, 'the reassembled promised request');
});

// ---------------------------------------------------------------- §4.3.1 our encoder

test('§4.3.1 after the client lowers SETTINGS_HEADER_TABLE_SIZE mid-connection, the server\'s next block opens with a size update within it', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  const fields: Headers = [[':status', '200'], ['x-custom-field', 'a value worth indexing']];
  server.respond(1, fields, { endStream: true });
  const first = peer.wantHeaders(1);
  const reps = representations(first.payload);
  assert.ok(reps.some((r) => r.kind === 'incremental'), 'the first response put an entry in the dynamic table (else no size update is owed)');
  peer.writeSettings([[SettingId.HEADER_TABLE_SIZE, 0]]);
  peer.wantFrame(FrameType.SETTINGS, { ack: true }); // from here the peer's decoder holds 0 octets
  peer.writeHeaders(3, GET, { endStream: true });
  server.respond(3, fields, { endStream: true });
  const next = peer.wantHeaders(3);
  const first3 = representations(next.payload)[0];
  assert.is(first3.kind, 'size-update', `§4.3.1: the block starts with a Dynamic Table Size Update (got ${first3.kind})`);
  assert.ok(first3.index <= 0, `the update is within the new limit 0 (got ${first3.index})`);
  assert.equal(next.headers, fields);
});

// ---------------------------------------------------------------- §5.1 closed: PUSH_PROMISE still reserves

test('§5.1 closed: a PUSH_PROMISE on a stream the client reset still reserves its promised id (a second promise of it → PROTOCOL_ERROR)', () => {
  const { client, peer } = connectClient();
  const a = client.request(GET);
  const b = client.request(GET);
  peer.flush();
  client.reset(a, ErrorCode.CANCEL);
  peer.wantRstStream(a, ErrorCode.CANCEL);
  peer.writeRaw(pushPromiseFrame(a, 2, PUSHED_BLOCK('/one'))); // was in flight
  // The client may reset the promised stream (it has no use for it), but this is no connection error.
  assert.not.ok(peer.takeFrame(FrameType.GOAWAY), 'no GOAWAY for a PUSH_PROMISE on a stream we reset');
  assert.is.not(client.streamState(2).state, 'idle', 'stream 2 left the idle state (reserved, or reset at once)');
  peer.writeRaw(pushPromiseFrame(b, 2, PUSHED_BLOCK('/two')));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR);
});

// ---------------------------------------------------------------- §5.1.2 pushed streams and the client's limit

test('§5.1.2 a server opens no more pushed streams than the client\'s SETTINGS_MAX_CONCURRENT_STREAMS (1)', () => {
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.MAX_CONCURRENT_STREAMS, 1]] } });
  peer.writeHeaders(1, GET, { endStream: true });
  const p1 = server.push(1, req({ ':path': '/a.css' }));
  const p2 = server.push(1, req({ ':path': '/b.css' })); // reserved streams do not count
  server.respond(p1, OK);
  let refused = false;
  try {
    server.respond(p2, OK);
  } catch {
    refused = true;
  }
  peer.wantHeaders(p1);
  assert.not.ok(peer.takeFrame(FrameType.HEADERS, { streamId: p2 }), `no HEADERS opens stream ${p2} while ${p1} is open (the client allows 1)`);
  server.data(p1, bytes('a{}'), { endStream: true });
  peer.readBody(p1);
  if (!refused) peer.wantHeaders(p2); // held, then sent once p1 closed
});

// ---------------------------------------------------------------- §5.3.2 priority from other context

test('§5.3.2 setPriority(u=0) on a response whose request carried no priority: its DATA goes ahead of an earlier default-priority response', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeHeaders(3, GET, { endStream: true });
  server.respond(1, OK);
  server.data(1, new Uint8Array(20000), { endStream: true });
  server.respond(3, OK);
  server.data(3, new Uint8Array(20000), { endStream: true });
  server.setPriority(3, 'u=0');
  peer.flush();
  const data = peer.received.filter((f) => f.type === FrameType.DATA);
  assert.ok(data.length > 0, 'some DATA went out');
  assert.is(data[0].streamId, 3, 'the urgent response is served first');
  const last3 = Math.max(...data.filter((f) => f.streamId === 3).map((f) => f.index));
  const first1 = data.find((f) => f.streamId === 1);
  assert.ok(!first1 || first1.index > last3 || data.filter((f) => f.streamId === 3).length === 0, 'stream 3 is finished (as far as the windows allow) before stream 1 starts');
});

// ---------------------------------------------------------------- §5.4 / §5.4.2 how many RST_STREAM

test('§5.4 a HEADERS with several faults (uppercase name, pseudo-header after a regular field) draws exactly one RST_STREAM', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, block(indexed(2), indexed(7), withoutIndexing(1, 'example.com'), withoutIndexing('X-Upper', 'v'), indexed(4)), { endStream: true });
  peer.wantStreamError(1, ErrorCode.PROTOCOL_ERROR);
  assert.is(peer.received.filter((f) => f.type === FrameType.RST_STREAM).length, 1, 'one RST_STREAM');
  assert.is(peer.eventsOf('error').length, 1, 'one error event');
  peer.noEvent('request');
});

test('§5.4.2 after a stream error, more frames on that stream draw no second RST_STREAM', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeData(1, 'late'); // half-closed (remote): stream error STREAM_CLOSED
  peer.wantStreamError(1, ErrorCode.STREAM_CLOSED);
  peer.writeData(1, 'later');
  peer.writeData(1, 'later still', { endStream: true });
  peer.wantAlive();
  const rst = peer.received.filter((f) => f.type === FrameType.RST_STREAM && f.streamId === 1);
  assert.is(rst.length, 1, `one RST_STREAM on stream 1 (got ${rst.length})`);
});

// ---------------------------------------------------------------- §6.4 no RST_STREAM on an idle stream

test('§6.4 a 4-octet PRIORITY on an idle stream draws no RST_STREAM on that idle stream (ignored, or connection error FRAME_SIZE_ERROR)', () => {
  const { peer } = connectServer();
  peer.writeRaw(frame(FrameType.PRIORITY, 0, 5, [0, 0, 0, 0]));
  peer.flush();
  const rst = peer.unread.find((f) => f.type === FrameType.RST_STREAM && f.streamId === 5);
  assert.not.ok(rst, '§6.4: RST_STREAM MUST NOT be sent for a stream in the idle state (PRIORITY does not open a stream, §5.1)');
  if (peer.unread.some((f) => f.type === FrameType.GOAWAY)) peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR);
  else peer.wantAlive();
});

// ---------------------------------------------------------------- §6.5.2 ENABLE_PUSH from a server

test('§6.5.2 a server created with settings { enablePush: true } puts no SETTINGS_ENABLE_PUSH = 1 on the wire', () => {
  let server;
  try {
    server = newSession({ role: 'server', settings: { enablePush: true } });
  } catch {
    return; // refused at construction: nothing is sent at all
  }
  const peer = new ScriptedClient(server as unknown as SessionLike);
  const s = peer.wantFrame(FrameType.SETTINGS, { ack: false });
  assert.is.not(settingValue(s, SettingId.ENABLE_PUSH), 1, 'a server MUST NOT send SETTINGS_ENABLE_PUSH 1');
  const v = settingValue(s, SettingId.ENABLE_PUSH);
  assert.ok(v === undefined || v === 0, `if present, it is 0 (got ${v})`);
});

// ---------------------------------------------------------------- §6.6 PUSH_PROMISE blocks and padding

test('§6.6 a PUSH_PROMISE block interrupted by a PING → connection error PROTOCOL_ERROR', () => {
  const { peer, id } = clientWithRequest();
  const b = PUSHED_BLOCK();
  peer.writeRaw(pushPromiseFrame(id, 2, b.subarray(0, 4), { endHeaders: false }));
  peer.writeRaw(pingFrame(new Uint8Array(8)));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR);
  peer.noEvent('push');
});

test('§6.6 a PUSH_PROMISE block continued on another stream → connection error PROTOCOL_ERROR', () => {
  const { client, peer } = connectClient();
  const a = client.request(GET);
  const b = client.request(GET);
  peer.flush();
  const blk = PUSHED_BLOCK();
  peer.writeRaw(concat(
    pushPromiseFrame(a, 2, blk.subarray(0, 4), { endHeaders: false }),
    frame(FrameType.CONTINUATION, Flag.END_HEADERS, b, blk.subarray(4)),
  ));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR);
  peer.noEvent('push');
});

test('§6.6 a PADDED PUSH_PROMISE whose Pad Length equals the payload length → connection error PROTOCOL_ERROR', () => {
  const { peer, id } = clientWithRequest();
  const blk = PUSHED_BLOCK();
  const payloadLength = 1 + 4 + blk.length; // Pad Length, Promised Stream ID, the block (no padding octets)
  peer.writeRaw(frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS | Flag.PADDED, id, concat([payloadLength], [0, 0, 0, 2], blk)));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR);
  peer.noEvent('push');
});

test('§6.6 a PADDED PUSH_PROMISE whose Pad Length exceeds the payload → connection error PROTOCOL_ERROR', () => {
  const { peer, id } = clientWithRequest();
  const blk = PUSHED_BLOCK();
  peer.writeRaw(frame(FrameType.PUSH_PROMISE, Flag.END_HEADERS | Flag.PADDED, id, concat([255], [0, 0, 0, 2], blk)));
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR);
});

// ---------------------------------------------------------------- §6.7 PING

test('§6.7 ping() with a payload other than 8 octets throws and sends nothing', () => {
  const { client, peer } = connectClient();
  for (const n of [0, 7, 9]) {
    assert.throws(() => client.ping(new Uint8Array(n)), undefined, `ping() with ${n} octets`);
  }
  peer.wantNothing();
});

test('§6.7 a PING ACK goes out ahead of response DATA already queued', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, OK);
  peer.wantHeaders(1);
  server.data(1, new Uint8Array(40000), { endStream: true }); // queued, not pulled yet
  const payload = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  server.receive(pingFrame(payload)); // straight in, so that nothing is pulled between
  const out = peer.flush();
  assert.ok(out.length > 1, 'the ACK and the DATA went out in the same pull');
  assert.is(out[0].type, FrameType.PING, `the first frame of the pull is the PING ACK (got ${out.map((f) => f.type).join(',')})`);
  assert.is(out[0].flags, Flag.ACK);
  assert.equal(Array.from(out[0].payload), Array.from(payload));
});

// ---------------------------------------------------------------- §6.8 GOAWAY

test('§6.8 after the client\'s GOAWAY and the last stream\'s end, the server can still send its own GOAWAY', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeGoAway(1, ErrorCode.NO_ERROR);
  peer.event('goaway');
  server.respond(1, OK, { endStream: true });
  peer.wantHeaders(1, { endStream: true });
  server.goaway();
  const g = peer.wantGoAway(ErrorCode.NO_ERROR, { lastStreamId: [1, 2147483647] });
  assert.is(g.code, ErrorCode.NO_ERROR);
});

test('§6.8 after the server\'s GOAWAY and the last stream\'s end, a client Session can still send its own GOAWAY', () => {
  const { client, peer } = connectClient();
  const id = client.request(GET, { endStream: true });
  peer.wantHeaders(id);
  peer.writeGoAway(id, ErrorCode.NO_ERROR);
  peer.writeHeaders(id, OK, { endStream: true });
  peer.event('response');
  client.goaway();
  peer.wantGoAway(ErrorCode.NO_ERROR, { lastStreamId: [0, 2147483647] });
});

/** A server Session that has sent its final GOAWAY with last stream id 1 (stream 1: an open POST). */
function afterFinalGoAway(serverOptions = {}) {
  const { server, peer } = connectServer({ server: serverOptions });
  peer.writeHeaders(1, block(...POST_FIELDS)); // open: the body and trailers are still to come
  server.goaway();
  peer.wantGoAway(ErrorCode.NO_ERROR, { lastStreamId: 2147483647 });
  const ping = peer.wantFrame(FrameType.PING, { ack: false });
  peer.writePing(ping.payload, { ack: true });
  peer.wantGoAway(ErrorCode.NO_ERROR, { lastStreamId: 1 });
  return { server, peer };
}

test('§6.8 after our GOAWAY, a field block on an ignored stream still updates HPACK: trailers on stream 1 referring to its entry decode', () => {
  const { peer } = afterFinalGoAway();
  // Stream 3 is above the last stream id: ignored, but its block inserts x-shared at index 62.
  peer.writeHeaders(3, block(...GET_FIELDS, incremental('x-shared', 'from the ignored stream')), { endStream: true });
  peer.noEvent('request', (e) => e.streamId === 3);
  peer.writeHeaders(1, block(indexed(62)), { endStream: true });
  const t = peer.event('trailers', (e) => e.streamId === 1);
  assert.equal(t.headers, [['x-shared', 'from the ignored stream']], 'the dynamic entry from stream 3 is there');
  peer.wantNoError();
});

test('§6.8 after our GOAWAY, DATA on an ignored stream still counts against the connection window', () => {
  const { peer } = afterFinalGoAway({ settings: { initialWindowSize: 1 << 20 } });
  peer.writeHeaders(3, block(...POST_FIELDS)); // ignored
  peer.writeData(3, 16000);
  for (let left = peer.sendWindow(0); left > 0; left -= Math.min(left, 16384)) peer.writeData(1, Math.min(left, 16384));
  peer.flush();
  // Whatever came back by WINDOW_UPDATE is in sendWindow(0); one octet more overruns the window
  // only if the 16000 octets of stream 3 were counted.
  peer.writeData(1, peer.sendWindow(0) + 1);
  peer.wantConnectionError(ErrorCode.FLOW_CONTROL_ERROR, { lastStreamId: 1 });
});

// ---------------------------------------------------------------- §6.9.3 lowering our initial window

test('§6.9.3 after settings({ initialWindowSize: 100 }), DATA sent against the old window before the ACK is accepted; after the ACK the new one binds', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, POST);
  server.settings({ initialWindowSize: 100 });
  peer.wantFrame(FrameType.SETTINGS, { ack: false });
  peer.writeData(1, 1000); // within the old 65535, beyond the new 100: the client had not applied it yet
  assert.is(peer.bodyOf(1).length, 1000, 'the 1000 octets are delivered');
  peer.wantNoError();
  peer.writeSettingsAck();
  peer.event('settings-ack');
  peer.writeHeaders(3, POST);
  peer.writeData(3, 101); // the new initial window of stream 3 is 100
  peer.wantError(3, [
    { scope: 'stream', code: ErrorCode.FLOW_CONTROL_ERROR },
    { scope: 'connection', code: ErrorCode.FLOW_CONTROL_ERROR },
  ]);
});

test.run();
