// The frame observer and the nghttp -v style trace built on it (an observer outside the core).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Session, traceFrames } from '../../bindings/core/index.ts';

const GET = [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'example']] as Array<[string, string]>;

test('traceFrames prints each frame both ways as nghttp -v does', () => {
  const client = new Session({ role: 'client' });
  const server = new Session({ role: 'server' });
  const lines: string[] = [];
  traceFrames(client, (l) => lines.push(l));
  const id = client.request(GET, { endStream: true });
  for (const c of client.pull()) server.receive(c);
  server.respond(id, [[':status', '204']], { endStream: true });
  server.ping(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
  for (const c of server.pull()) client.receive(c);
  const text = lines.join('\n');
  // Client magic is not a frame; the first frame is our SETTINGS.
  assert.match(lines[0], /\] send SETTINGS frame <length=\d+, flags=0x00, stream_id=0>/);
  assert.match(text, /send HEADERS frame <length=\d+, flags=0x05, stream_id=1>\n\s+; END_STREAM \| END_HEADERS\n/);
  assert.match(text, /recv SETTINGS frame <length=\d+, flags=0x00, stream_id=0>\n\s+\(niv=1\)\n\s+\[SETTINGS_MAX_CONCURRENT_STREAMS\(0x03\):100\]/);
  assert.match(text, /recv HEADERS frame <length=\d+, flags=0x05/);
  assert.match(text, /recv PING frame <length=8, flags=0x00, stream_id=0>\n\s+\(opaque_data=0102030405060708\)/);
  client.destroy(); server.destroy();
});

test('observe() reports frames split across chunks exactly once, and stops when unsubscribed', () => {
  const client = new Session({ role: 'client' });
  const server = new Session({ role: 'server' });
  const seen: string[] = [];
  const stop = server.observe((f) => seen.push(`${f.direction} ${f.type} ${f.streamId}`));
  client.request(GET, { endStream: true });
  const bytes = Uint8Array.from(client.pull().flatMap((c) => Array.from(c)));
  for (let i = 0; i < bytes.length; i += 7) server.receive(bytes.subarray(i, i + 7));
  assert.equal(seen.filter((s) => s.startsWith('recv')), ['recv 4 0', 'recv 1 1']);
  server.pull();
  assert.ok(seen.includes('send 4 0'));
  stop();
  const before = seen.length;
  server.ping();
  server.pull();
  assert.is(seen.length, before);
  client.destroy(); server.destroy();
});

test('an observer installed mid-connection starts at the next frame, in step (magic and partial frames)', () => {
  const client = new Session({ role: 'client' });
  const server = new Session({ role: 'server' });
  for (const c of client.pull()) server.receive(c); // magic + SETTINGS already gone by
  client.request(GET, { endStream: true });
  const bytes = Uint8Array.from(client.pull().flatMap((c) => Array.from(c)));
  server.receive(bytes.subarray(0, 5)); // half a frame header is held by the core
  const seenServer: string[] = [];
  server.observe((f) => seenServer.push(`${f.direction} ${f.type} ${f.streamId} ${f.length}`));
  server.receive(bytes.subarray(5));
  assert.equal(seenServer, [`recv 1 1 ${bytes.length - 9}`]);
  const seenClient: string[] = [];
  client.observe((f) => seenClient.push(`${f.direction} ${f.type} ${f.streamId}`));
  client.ping();
  client.pull();
  assert.equal(seenClient, ['send 6 0']);
  client.destroy(); server.destroy();
});

test.run();
