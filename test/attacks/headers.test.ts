// Header attacks: HPACK bombs, empty names, header lists over the limits, CONTINUATION floods,
// request smuggling shapes. Blocks are written octet by octet (test/limits/blocks.ts), so the
// attacker controls exactly what enters the server's dynamic table.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ErrorCode, concat, continuationFrame, dataFrame, headersFrame } from '../helpers/frames.ts';
import { indexed, literal, literalIndexedName } from '../limits/blocks.ts';
import { Attacker, answered, attack, get, headerFrames, post, repeat, stillServes } from './harness.ts';

const test = suite('attacks: headers');

const rejected = (answer: string | undefined) => answer === 'status 431' || answer === 'RST PROTOCOL_ERROR' || answer === 'RST REFUSED_STREAM';

test('HPACK bomb: one 4 KB entry referenced thousands of times', attack('HPACK bomb: big entry x thousands', async ({ s, port, server }) => {
  const a = await Attacker.open(s, port);
  const t0 = performance.now();
  // 4000 + 6 + 32 = 4038 octets: the table's whole default 4096. Each reference decodes to 4 KB.
  a.write(headersFrame(1, get('/evil-seed', literal('x-bomb', 'a'.repeat(4000), 'incremental')), { endStream: true }));
  const ids: number[] = [];
  for (let i = 0; i < 60; i++) {
    const id = 3 + 2 * i;
    ids.push(id);
    // 4000 one-octet references: 16 MB decoded from 4 KB on the wire, per request.
    a.write(headersFrame(id, get('/evil-bomb', repeat(4000, () => indexed(62))), { endStream: true }));
  }
  await answered(a, ids);
  assert.is(a.answer(1), 'status 200', 'the request that seeds the table (4 KB: within the limits)');
  for (const id of ids) assert.ok(rejected(a.answer(id)), `stream ${id}: ${a.answer(id)}`);
  assert.is((await server.stats()).evil, 1, 'only the seed reached the application');
  await stillServes(a, 201);
  return { note: `60 bombs answered ${a.answer(3)} in ${Math.round(performance.now() - t0)} ms` };
}));

test('HPACK bomb: many tiny entries, each referenced many times', attack('HPACK bomb: tiny entries', async ({ s, port, server }) => {
  const a = await Attacker.open(s, port);
  const t0 = performance.now();
  // 100 entries of 34 octets ('a' + 'b' + 32) fill the table; the seed request carries them.
  a.write(headersFrame(1, get('/evil-seed', repeat(100, (i) => literal(`a${i % 10}`, `${i}`, 'incremental'))), { endStream: true }));
  const ids = Array.from({ length: 40 }, (_, i) => 3 + 2 * i);
  for (const id of ids) a.write(headersFrame(id, get('/evil-tiny', repeat(3000, (i) => indexed(62 + (i % 100)))), { endStream: true }));
  await answered(a, ids);
  for (const id of ids) assert.ok(rejected(a.answer(id)), `stream ${id}: ${a.answer(id)}`);
  assert.ok((await server.stats()).evil <= 1, 'no bomb reached the application');
  await stillServes(a, 201);
  return { note: `40 bombs answered ${a.answer(3)} in ${Math.round(performance.now() - t0)} ms` };
}));

test('cookie crumbs: thousands of cookie fields', attack('HPACK bomb: cookie crumbs', async ({ s, port, server }) => {
  const a = await Attacker.open(s, port);
  const t0 = performance.now();
  // static 32 is `cookie`; the crumb enters the table once (62) and is referenced 5000 times.
  const ids = Array.from({ length: 40 }, (_, i) => 1 + 2 * i);
  for (const id of ids) {
    const first = id === 1 ? literalIndexedName(32, 'c=1', 'incremental') : indexed(62);
    a.write(headersFrame(id, get('/evil-cookie', first, repeat(5000, () => indexed(62))), { endStream: true }));
  }
  await answered(a, ids);
  for (const id of ids) assert.ok(rejected(a.answer(id)), `stream ${id}: ${a.answer(id)}`);
  assert.is((await server.stats()).evil, 0);
  await stillServes(a, 201);
  return { note: `40 crumb lists answered ${a.answer(1)} in ${Math.round(performance.now() - t0)} ms` };
}));

test('empty and 0-length header fields', attack('empty names / 0-length fields', async ({ s, port, server }) => {
  const a = await Attacker.open(s, port);
  a.write(headersFrame(1, get('/ok-empty-value', literal('x-empty', '')), { endStream: true })); // legal
  a.write(headersFrame(3, get('/evil-empty-name', literal('', 'v')), { endStream: true }));
  a.write(headersFrame(5, get('/evil-empty-both', literal('', '')), { endStream: true }));
  a.write(headerFrames(7, get('/evil-many-empty', repeat(20000, () => literal('', '')))));
  await answered(a, [1, 3, 5, 7]);
  assert.is(a.answer(1), 'status 200', 'an empty value is legal');
  for (const id of [3, 5, 7]) {
    const ans = a.answer(id);
    assert.ok(ans === 'status 400' || ans === 'RST PROTOCOL_ERROR' || ans === 'status 431', `stream ${id}: ${ans}`);
  }
  assert.is((await server.stats()).evil, 0);
  await stillServes(a, 9);
  return { note: `empty name: ${a.answer(3)}; 20000 empty fields: ${a.answer(7)}` };
}));

test('header lists over the limits: one 70 KB field, 200 fields, 100 KB in CONTINUATIONs', attack('header lists over the limits', async ({ s, port, server }) => {
  const a = await Attacker.open(s, port);
  a.write(headerFrames(1, get('/evil-field', literal('x-big', 'b'.repeat(70_000)))));
  a.write(headersFrame(3, get('/evil-count', repeat(200, (i) => literal(`x-${i}`, 'v'))), { endStream: true }));
  a.write(headerFrames(5, get('/evil-size', repeat(20, (i) => literal(`x-${i}`, 'c'.repeat(4000))))));
  // Within the limits: 100 fields of 500 octets (about 53 KB).
  a.write(headerFrames(7, get('/fine', repeat(100, (i) => literal(`x-${i}`, 'd'.repeat(500))))));
  await answered(a, [1, 3, 5, 7]);
  for (const id of [1, 3, 5]) assert.is(a.answer(id), 'status 431', `stream ${id}`);
  assert.is(a.answer(7), 'status 200', 'a large list within the limits');
  assert.is((await server.stats()).evil, 0);
  await stillServes(a, 9);
}));

test('CONTINUATION flood with valid HPACK: GOAWAY ENHANCE_YOUR_CALM', attack('CONTINUATION flood, valid HPACK', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(headersFrame(1, get('/evil-cont'), { endStream: true, endHeaders: false }));
  const field = repeat(100, (i) => literal(`x-${i}`, 'v'));
  const r = a.flood(continuationFrame(1, field, { endHeaders: false }), 5000, () => a.goaway !== undefined);
  const closeMs = await a.expectGoaway(ErrorCode.ENHANCE_YOUR_CALM);
  await r;
  return { closeMs };
}));

test('CONTINUATION flood with garbage HPACK: GOAWAY COMPRESSION_ERROR', attack('CONTINUATION flood, invalid HPACK', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(headersFrame(1, get('/evil-cont'), { endStream: true, endHeaders: false }));
  // 0xff…: an indexed field whose index never ends (RFC 7541 §5.1 integer overflow).
  const r = a.flood(continuationFrame(1, new Uint8Array(16384).fill(0xff), { endHeaders: false }), 5000, () => a.goaway !== undefined);
  const closeMs = await a.expectGoaway(ErrorCode.COMPRESSION_ERROR);
  await r;
  return { closeMs };
}));

test('CONTINUATION flood with empty frames: GOAWAY ENHANCE_YOUR_CALM', attack('CONTINUATION flood, empty frames', async ({ s, port }) => {
  const a = await Attacker.open(s, port);
  a.write(headersFrame(1, new Uint8Array(0), { endStream: true, endHeaders: false }));
  const r = a.flood(repeat(100, () => continuationFrame(1, new Uint8Array(0), { endHeaders: false })), 5000, () => a.goaway !== undefined);
  const closeMs = await a.expectGoaway(ErrorCode.ENHANCE_YOUR_CALM);
  await r;
  return { closeMs };
}));

// ---------------------------------------------------------------- smuggling shapes

const SHAPES: Array<[string, Uint8Array, Uint8Array?]> = [
  ['content-length above the body', post('/cl-above', literalIndexedName(28, '10')), dataFrame(0, 'hello', { endStream: true })],
  ['content-length below the body', post('/cl-below', literalIndexedName(28, '2')), dataFrame(0, 'hello', { endStream: true })],
  ['two different content-lengths', post('/evil-cl-two', literalIndexedName(28, '5'), literalIndexedName(28, '6')), dataFrame(0, 'hello', { endStream: true })],
  ['transfer-encoding: chunked', post('/evil-te', literal('transfer-encoding', 'chunked')), dataFrame(0, '5\r\nhello\r\n0\r\n\r\n', { endStream: true })],
  ['connection: keep-alive', get('/evil-conn', literal('connection', 'keep-alive'))],
  ['te: gzip', get('/evil-te-gzip', literal('te', 'gzip'))],
  ['CR in a name', get('/evil-cr-name', literal('x-a\rb', 'v'))],
  ['LF in a value', get('/evil-lf-value', literal('x-a', 'v\r\nx-injected: 1'))],
  ['NUL in a value', get('/evil-nul-value', literal('x-a', 'v\0w'))],
  ['NUL in a name', get('/evil-nul-name', literal('x-\0', 'v'))],
  ['uppercase name', get('/evil-upper', literal('X-Upper', 'v'))],
  ['space in a name', get('/evil-space-name', literal('x a', 'v'))],
  ['value with leading space', get('/evil-ws-value', literal('x-a', ' v'))],
  ['duplicate :path', concat(get('/evil-dup-path'), literalIndexedName(4, '/evil-other'))],
  ['duplicate :method', concat(get('/evil-dup-method'), indexed(3))],
  ['unknown pseudo-header', get('/evil-unknown-pseudo', literal(':foo', 'bar'))],
  ['pseudo-header after a regular field', concat(indexed(2), indexed(6), literal('x-a', 'v'), literalIndexedName(4, '/evil-late'), literalIndexedName(1, 'localhost'))],
  [':path with a space', get('/evil path HTTP/1.1')],
  [':path empty', concat(indexed(2), indexed(6), literalIndexedName(4, ''), literalIndexedName(1, 'localhost'))],
  ['no :path', concat(indexed(2), indexed(6), literalIndexedName(1, 'localhost'), literal('x-evil', '1'))],
  ['response pseudo-header :status in a request', get('/evil-status', indexed(8))],
];

test('request smuggling shapes are refused, never reach the application', attack('request smuggling shapes', async ({ s, port, server }) => {
  const a = await Attacker.open(s, port);
  const ids: number[] = [];
  SHAPES.forEach(([, block, data], i) => {
    const id = 1 + 2 * i;
    ids.push(id);
    a.write(headersFrame(id, block, { endStream: !data }));
    if (data) a.write(concat(data.subarray(0, 5), Uint8Array.of(0, 0, 0, id), data.subarray(9))); // DATA on this stream
  });
  await answered(a, ids);
  const wrong = SHAPES.map(([what], i) => [what, a.answer(ids[i])]).filter(([, ans]) => ans !== 'status 400' && ans !== 'RST PROTOCOL_ERROR');
  assert.equal(wrong, [], 'each malformed request gets 400 or RST_STREAM PROTOCOL_ERROR');
  assert.is((await server.stats()).evil, 0, 'no malformed request reached the application');
  await stillServes(a, 1 + 2 * SHAPES.length);
  return { note: `${SHAPES.length} shapes refused` };
}));

test.run();
