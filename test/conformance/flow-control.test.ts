// RFC 9113 §5.2 flow control and §6.9 WINDOW_UPDATE: receiving (errors, accounting) and
// sending (the session keeps within the windows we advertise; the peer checks every DATA).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, FrameType, SettingId, equalBytes, filler, windowIncrement } from '../helpers/frames.ts';
import { GET, connectClient, connectServer, destroySessions, req } from '../helpers/peer.ts';

const test = suite('RFC 9113 §5.2, §6.9 flow control');
test.after.each(destroySessions);

const POST = req({ ':method': 'POST' });
const OK: Array<[string, string]> = [[':status', '200']];
const MAX = 2147483647;

// ---------------------------------------------------------------- WINDOW_UPDATE errors

test('§6.9 WINDOW_UPDATE with increment 0 on the connection → connection error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeWindowUpdate(0, 0);
  peer.wantConnectionError(ErrorCode.PROTOCOL_ERROR, { lastStreamId: 0 });
});

test('§6.9 WINDOW_UPDATE with increment 0 on a stream → stream error PROTOCOL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeWindowUpdate(1, 0);
  peer.wantStreamError(1, ErrorCode.PROTOCOL_ERROR);
});

test('§6.9 WINDOW_UPDATE of 3 octets → connection error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeFrame(FrameType.WINDOW_UPDATE, 0, 0, [0, 0, 1]);
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 0 });
});

test('§6.9 WINDOW_UPDATE of 5 octets on a stream → connection error FRAME_SIZE_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeFrame(FrameType.WINDOW_UPDATE, 0, 1, [0, 0, 0, 1, 0]);
  peer.wantConnectionError(ErrorCode.FRAME_SIZE_ERROR, { lastStreamId: 1 });
});

test('§6.9.1 a connection window above 2^31−1 → connection error FLOW_CONTROL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeWindowUpdate(0, MAX); // 65535 + 2^31−1
  peer.wantConnectionError(ErrorCode.FLOW_CONTROL_ERROR, { lastStreamId: 0 });
});

test('§6.9.1 a connection window above 2^31−1 in two steps → connection error FLOW_CONTROL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeWindowUpdate(0, MAX - 65535); // exactly 2^31−1: fine
  peer.wantNoError();
  peer.writeWindowUpdate(0, 1);
  peer.wantConnectionError(ErrorCode.FLOW_CONTROL_ERROR, { lastStreamId: 0 });
});

test('§6.9.1 a stream window above 2^31−1 → stream error FLOW_CONTROL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeWindowUpdate(1, MAX);
  peer.wantStreamError(1, ErrorCode.FLOW_CONTROL_ERROR);
});

test('§6.9.1 a stream window of exactly 2^31−1 is fine', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeWindowUpdate(1, MAX - 65535);
  peer.wantAlive();
  peer.wantNoError();
});

test('§6.9 WINDOW_UPDATE on a half-closed (remote) or closed stream is not an error', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeWindowUpdate(1, 100); // half-closed (remote)
  server.respond(1, OK, { endStream: true });
  peer.wantHeaders(1, { endStream: true });
  peer.writeWindowUpdate(1, 100); // closed
  peer.wantAlive();
  peer.wantNoError();
});

test('§6.9.2 SETTINGS_INITIAL_WINDOW_SIZE taking an open stream window above 2^31−1 → connection error FLOW_CONTROL_ERROR', () => {
  const { peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeWindowUpdate(1, MAX - 65535); // the stream window is now 2^31−1
  peer.writeSettings([[SettingId.INITIAL_WINDOW_SIZE, 65536]]); // +1 on every stream
  peer.wantConnectionError(ErrorCode.FLOW_CONTROL_ERROR, { lastStreamId: 1 });
});

// ---------------------------------------------------------------- receiving DATA

test('§6.9.1 DATA beyond the connection window → connection error FLOW_CONTROL_ERROR', () => {
  // Stream windows of 1 MiB; the connection window stays at 65535.
  const { peer } = connectServer({ server: { settings: { initialWindowSize: 1 << 20 } } });
  peer.writeHeaders(1, POST);
  peer.writeData(1, 16384);
  peer.writeData(1, 16384);
  peer.writeData(1, 16384);
  peer.writeData(1, 16383); // 65535 in all
  peer.flush();
  const room = peer.sendWindow(0);
  if (room > 16000) peer.fail(`the server re-opened the connection window by ${room} without the data being consumed; cannot overrun it`);
  peer.writeData(1, room + 1);
  peer.wantConnectionError(ErrorCode.FLOW_CONTROL_ERROR, { lastStreamId: 1 });
});

test('§6.9.1 DATA beyond the stream window → FLOW_CONTROL_ERROR', () => {
  const { peer } = connectServer({ server: { settings: { initialWindowSize: 100 } } });
  peer.writeHeaders(1, POST);
  peer.writeData(1, 100);
  peer.flush();
  const room = peer.sendWindow(1);
  peer.writeData(1, room + 1);
  peer.wantError(1, [
    { scope: 'stream', code: ErrorCode.FLOW_CONTROL_ERROR },
    { scope: 'connection', code: ErrorCode.FLOW_CONTROL_ERROR },
  ]);
});

test('§6.1 the padding of DATA counts against the flow-control windows', () => {
  const { peer } = connectServer({ server: { settings: { initialWindowSize: 300 } } });
  peer.writeHeaders(1, POST);
  peer.writeData(1, 10, { padLength: 189 }); // 200 octets of payload, 10 of data
  peer.writeData(1, 0, { padLength: 99 }); //  100 octets of payload: the window of 300 is used up
  peer.flush();
  const room = peer.sendWindow(1); // what the server gave back meanwhile, if anything
  peer.writeData(1, room + 1);
  peer.wantError(1, [
    { scope: 'stream', code: ErrorCode.FLOW_CONTROL_ERROR },
    { scope: 'connection', code: ErrorCode.FLOW_CONTROL_ERROR },
  ]);
});

test('§6.9 DATA that causes a stream error still counts against the connection window', () => {
  // Stream windows of 1 MiB; the connection window is 65535.
  const { peer } = connectServer({ server: { settings: { initialWindowSize: 1 << 20 } } });
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeData(1, 16000); // half-closed (remote): stream error STREAM_CLOSED, but 16000 octets were sent
  peer.wantStreamError(1, ErrorCode.STREAM_CLOSED);
  peer.writeHeaders(3, POST);
  for (let left = peer.sendWindow(0); left > 0; left -= Math.min(left, 16384)) peer.writeData(3, Math.min(left, 16384));
  peer.flush();
  // Whatever the server gave back by WINDOW_UPDATE is in sendWindow(0); one octet more overruns it.
  peer.writeData(3, peer.sendWindow(0) + 1);
  peer.wantConnectionError(ErrorCode.FLOW_CONTROL_ERROR, { lastStreamId: 3 });
});

test('§6.9 DATA on a stream the server reset still counts against the connection window', () => {
  const { server, peer } = connectServer({ server: { settings: { initialWindowSize: 1 << 20 } } });
  peer.writeHeaders(1, POST);
  server.reset(1, ErrorCode.CANCEL);
  peer.wantRstStream(1, ErrorCode.CANCEL);
  peer.writeData(1, 16000); // in flight when the server reset the stream
  peer.writeHeaders(3, POST);
  for (let left = peer.sendWindow(0); left > 0; left -= Math.min(left, 16384)) peer.writeData(3, Math.min(left, 16384));
  peer.flush();
  peer.writeData(3, peer.sendWindow(0) + 1);
  peer.wantConnectionError(ErrorCode.FLOW_CONTROL_ERROR, { lastStreamId: 3 });
});

test('§6.9 consume() gives the window back: WINDOW_UPDATE for the stream and the connection', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, POST);
  for (let i = 0; i < 3; i++) peer.writeData(1, 16384);
  peer.writeData(1, 16383); // the whole 65535 of both windows
  assert.is(peer.bodyOf(1).length, 65535, 'all data delivered');
  server.consume(1, 65535);
  peer.flush();
  assert.ok(peer.sendWindow(0) > 0, `connection window after consume: ${peer.sendWindow(0)}`);
  assert.ok(peer.sendWindow(1) > 0, `stream window after consume: ${peer.sendWindow(1)}`);
  const updates = peer.takeFrames(FrameType.WINDOW_UPDATE);
  for (const u of updates) assert.ok(windowIncrement(u) > 0, 'increments are positive');
  // The peer can now send again.
  peer.writeData(1, Math.min(peer.sendWindow(0), peer.sendWindow(1), 1000), { endStream: true });
  peer.event('stream-end', (e) => e.streamId === 1);
  peer.wantNoError();
});

test('§6.9 a stream we reset with its whole window unread gives the connection window back', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, POST);
  for (let i = 0; i < 3; i++) peer.writeData(1, 16384);
  peer.writeData(1, 16383); // both windows spent, nothing consumed
  peer.flush();
  assert.is(peer.sendWindow(0), 0, 'nothing given back before the reset');
  server.reset(1, ErrorCode.CANCEL);
  peer.flush();
  assert.is(peer.sendWindow(0), 65535, 'the reset stream\'s octets reopen the connection window');
});

test('§6.9 consume() after the stream closed credits the connection nothing twice', () => {
  const { server, peer } = connectServer();
  peer.writeHeaders(1, POST);
  peer.writeData(1, 16384);
  peer.writeData(1, 16384);
  peer.writeData(1, 7232, { endStream: true }); // 40000
  peer.writeHeaders(3, POST);
  peer.writeData(3, 16384);
  peer.writeData(3, 3616); // 20000, held by the application, never consumed
  peer.flush();
  server.respond(1, OK, { endStream: true }); // stream 1 closes with its 40000 octets unread: credited
  peer.flush();
  assert.is(peer.sendWindow(0), 65535 - 60000 + 40000);
  server.consume(1, 40000); // the application reads them afterwards: nothing more to credit
  server.consume(1, 40000); // and again, by mistake
  peer.writeHeaders(5, POST);
  peer.writeData(5, 15000);
  peer.flush();
  server.consume(5, 15000); // below half the window: no WINDOW_UPDATE yet
  peer.flush();
  // Had the late consume() of stream 1 been credited again, 20000 + 15000 would have been due.
  assert.is(peer.sendWindow(0), 65535 - 60000 + 40000 - 15000);
});

test('§6.9.1 setLocalWindowSize raises the connection window with a WINDOW_UPDATE on stream 0', () => {
  const { server, peer } = connectServer();
  server.setLocalWindowSize(1 << 20);
  const u = peer.wantFrame(FrameType.WINDOW_UPDATE, { streamId: 0 });
  assert.is(windowIncrement(u), (1 << 20) - 65535, 'increment');
});

// ---------------------------------------------------------------- sending DATA

test('§6.9.1 a body larger than the stream window waits for WINDOW_UPDATE', () => {
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.INITIAL_WINDOW_SIZE, 1000]] } });
  peer.writeHeaders(1, GET, { endStream: true });
  const body = filler(2500);
  server.respond(1, OK);
  server.data(1, body, { endStream: true });
  peer.wantHeaders(1);
  let got = peer.readBody(1, { untilEnd: false });
  assert.is(got.body.length, 1000, 'first the window of 1000');
  assert.is(got.ended, false, 'not ended');
  peer.writeWindowUpdate(1, 1000);
  got = peer.readBody(1, { untilEnd: false });
  assert.is(got.body.length, 1000, 'then 1000 more');
  peer.writeWindowUpdate(1, 5000);
  got = peer.readBody(1);
  assert.is(got.body.length, 500, 'then the rest, with END_STREAM');
  assert.is(server.bufferedAmount(1), 0, 'nothing left queued');
});

test('§6.9.1 a body larger than the connection window waits for a connection WINDOW_UPDATE', () => {
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.INITIAL_WINDOW_SIZE, 1 << 20]] } });
  peer.writeHeaders(1, GET, { endStream: true });
  const body = filler(100000);
  server.respond(1, OK);
  server.data(1, body, { endStream: true });
  peer.wantHeaders(1);
  const first = peer.readBody(1, { untilEnd: false });
  assert.is(first.body.length, 65535, 'the connection window of 65535');
  peer.writeWindowUpdate(0, 100000);
  const rest = peer.readBody(1);
  assert.ok(equalBytes(new Uint8Array([...first.body, ...rest.body]), body), 'the body arrives whole');
});

test('§6.9.1 the connection window is shared: two streams together never exceed it', () => {
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.INITIAL_WINDOW_SIZE, 1 << 20]] } });
  peer.writeHeaders(1, GET, { endStream: true });
  peer.writeHeaders(3, GET, { endStream: true });
  for (const id of [1, 3]) {
    server.respond(id, OK);
    server.data(id, filler(50000), { endStream: true });
  }
  peer.flush(); // the peer fails the test on DATA beyond a window
  const sent = peer.takeFrames(FrameType.DATA).reduce((n, f) => n + f.length, 0);
  assert.is(sent, 65535, 'exactly the connection window');
});

test('§6.9.2 a larger SETTINGS_INITIAL_WINDOW_SIZE applies to open streams at once', () => {
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.INITIAL_WINDOW_SIZE, 100]] } });
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, OK);
  server.data(1, filler(1000), { endStream: true });
  peer.wantHeaders(1);
  assert.is(peer.readBody(1, { untilEnd: false }).body.length, 100, 'the first 100');
  peer.writeSettings([[SettingId.INITIAL_WINDOW_SIZE, 300]]); // +200 on stream 1
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  assert.is(peer.readBody(1, { untilEnd: false }).body.length, 200, 'exactly 200 more');
});

test('§6.9.2 a smaller SETTINGS_INITIAL_WINDOW_SIZE can make a window negative; sending waits until it is positive', () => {
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.INITIAL_WINDOW_SIZE, 150]] } });
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, OK);
  server.data(1, filler(1000), { endStream: true });
  peer.wantHeaders(1);
  assert.is(peer.readBody(1, { untilEnd: false }).body.length, 150, 'the first 150');
  peer.writeSettings([[SettingId.INITIAL_WINDOW_SIZE, 50]]); // window 0 − 100 = −100
  peer.wantFrame(FrameType.SETTINGS, { ack: true });
  peer.writeWindowUpdate(1, 80); // −20: still nothing may be sent
  assert.is(peer.readBody(1, { untilEnd: false }).body.length, 0, 'nothing while negative');
  peer.writeWindowUpdate(1, 50); // 30
  assert.is(peer.readBody(1, { untilEnd: false }).body.length, 30, 'exactly 30');
});

test('§6.9.2 SETTINGS_INITIAL_WINDOW_SIZE does not change the connection window', () => {
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.INITIAL_WINDOW_SIZE, 1 << 20]] } });
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, OK);
  server.data(1, filler(70000), { endStream: true });
  peer.wantHeaders(1);
  assert.is(peer.readBody(1, { untilEnd: false }).body.length, 65535, 'the connection window is still 65535');
});

test('§5.2.1 HEADERS are not flow controlled: a response goes out with a window of 0', () => {
  const { server, peer } = connectServer({ peer: { settings: [[SettingId.INITIAL_WINDOW_SIZE, 0]] } });
  peer.writeHeaders(1, GET, { endStream: true });
  server.respond(1, OK);
  server.data(1, filler(10), { endStream: true });
  peer.wantHeaders(1, { endStream: false });
  assert.is(peer.readBody(1, { untilEnd: false }).body.length, 0, 'no DATA yet');
  peer.writeWindowUpdate(1, 10);
  assert.is(peer.readBody(1).body.length, 10, 'the body after the update');
});

test('§6.9.1 a client Session keeps its request body within the server windows', () => {
  const { client, peer } = connectClient({ peer: { settings: [[SettingId.INITIAL_WINDOW_SIZE, 500]] } });
  const id = client.request(POST);
  client.data(id, filler(1200), { endStream: true });
  peer.wantHeaders(id);
  assert.is(peer.readBody(id, { untilEnd: false }).body.length, 500, 'the stream window');
  peer.writeWindowUpdate(id, 700);
  assert.is(peer.readBody(id).body.length, 700, 'the rest after WINDOW_UPDATE');
});

test('§6.9.1 a client Session: a connection window above 2^31−1 → connection error FLOW_CONTROL_ERROR', () => {
  const { peer } = connectClient();
  peer.writeWindowUpdate(0, MAX);
  peer.wantConnectionError(ErrorCode.FLOW_CONTROL_ERROR, { lastStreamId: 0 });
});

test.run();
