// The encoder's indexing policy (docs/hpack.md, RFC 7541 §6.2 and §7.1.3) and its table size
// updates (RFC 7541 §4.2, §6.3), read off the wire with our own representation walker and
// hpack.js for the field names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HpackDecoder, HpackEncoder } from '../../bindings/hpack/index.ts';
import { entrySize, representations, sizeUpdate, toHex, type Rep } from '../helpers/hpack-wire.ts';
import { ReferenceDecoder } from '../helpers/hpack-reference.ts';

type Headers = Array<[string, string]>;
type EncoderOptions = ConstructorParameters<typeof HpackEncoder>[0];
interface Field { name: string; value: string; kind: Rep['kind']; index: number; neverIndex: boolean; first: number }

/**
 * One connection: our encoder, with our decoder and hpack.js decoding what it sends. `send`
 * returns each field with the representation it went out as.
 */
class Link {
  readonly encoder: HpackEncoder;
  readonly decoder: HpackDecoder;
  readonly reference: ReferenceDecoder;
  lastBlock: Uint8Array = new Uint8Array();
  lastReps: Rep[] = [];

  /** The encoder's maxTableSize stands for the peer's SETTINGS_HEADER_TABLE_SIZE (as in C.5). */
  constructor(options?: EncoderOptions) {
    this.encoder = new HpackEncoder(options);
    const settings = options?.maxTableSize ?? 4096;
    this.decoder = new HpackDecoder({ maxTableSize: settings });
    this.reference = new ReferenceDecoder(settings);
  }

  send(headers: Parameters<HpackEncoder['encode']>[0], options?: Parameters<HpackEncoder['encode']>[1]): Field[] {
    const out = this.encoder.encode(headers, options);
    this.lastBlock = out;
    this.lastReps = representations(out);
    const decoded = this.decoder.decode(out);
    const fields = this.reference.decodeFields(out);
    assert.equal(decoded, fields.map((f) => [f.name, f.value]), 'our decoder and hpack.js agree');
    assert.is(this.decoder.tableSize, this.encoder.tableSize, 'decoder and encoder tables in step');
    const reps = this.lastReps.filter((r) => r.kind !== 'size-update');
    assert.is(reps.length, fields.length);
    return fields.map((f, i) => ({ ...f, kind: reps[i].kind, index: reps[i].index, first: out[reps[i].offset] }));
  }

  sizeUpdates(): number[] {
    return this.lastReps.filter((r) => r.kind === 'size-update').map((r) => r.index);
  }

  free() {
    this.encoder.free();
    this.decoder.free();
  }
}

function withLink(options: EncoderOptions, fn: (l: Link) => void) {
  const link = new Link(options);
  try {
    fn(link);
  } finally {
    link.free();
  }
}

const byName = (fields: Field[], name: string): Field => {
  const f = fields.find((x) => x.name === name);
  assert.ok(f, `field ${name} is in the block`);
  return f!;
};

/** RFC 7541 §6.2.3: first octet 0001xxxx. */
function assertNeverIndexed(f: Field, why: string) {
  assert.is(f.first & 0xf0, 0x10, `${why}: first octet ${f.first.toString(16)} is not 0001xxxx`);
  assert.is(f.kind, 'never', why);
  assert.ok(f.neverIndex, `${why}: hpack.js sees it never indexed`);
}

// -- never indexed (RFC 7541 §7.1.3) -------------------------------------------------------------

for (const name of ['authorization', 'proxy-authorization']) {
  test(`'${name}' is sent never indexed, every time`, () => {
    withLink({}, (l) => {
      for (let i = 0; i < 3; i++) {
        const fields = l.send([[':method', 'GET'], [name, 'Basic dXNlcjpwYXNzd29yZA=='], ['user-agent', 'test']]);
        assertNeverIndexed(byName(fields, name), `${name}, block ${i}`);
        assert.equal(l.decoder.lastNeverIndexed, [name], 'the decoder reports it');
      }
      // only user-agent entered the table
      assert.is(l.encoder.tableSize, entrySize('user-agent', 'test'));
    });
  });
}

test('a cookie shorter than 20 octets is never indexed; from 20 octets it is indexed', () => {
  withLink({}, (l) => {
    for (const value of ['a=1', 'sid=0123456789abcde']) {
      assert.ok(value.length < 20);
      assertNeverIndexed(byName(l.send([['cookie', value]]), 'cookie'), `cookie of ${value.length} octets`);
    }
    assert.is(l.encoder.tableSize, 0);
    const twenty = 'sid=0123456789abcdef';
    assert.is(twenty.length, 20);
    const f = byName(l.send([['cookie', twenty]]), 'cookie');
    assert.is(f.kind, 'incremental', 'a 20-octet cookie');
    assert.is(l.encoder.tableSize, entrySize('cookie', twenty));
    // and the next time it is a reference to the dynamic table (RFC 7541 §6.1)
    const again = byName(l.send([['cookie', twenty]]), 'cookie');
    assert.is(again.kind, 'indexed');
    assert.is(again.index, 62);
  });
});

test('names in `sensitive` are sent never indexed, the others as usual', () => {
  withLink({}, (l) => {
    const headers: Headers = [['x-api-key', 'k3y'], ['user-agent', 'curl/8'], ['x-other', 'o']];
    const fields = l.send(headers, { sensitive: ['x-api-key', 'user-agent'] });
    assertNeverIndexed(byName(fields, 'x-api-key'), 'x-api-key');
    assertNeverIndexed(byName(fields, 'user-agent'), 'user-agent (a static name)');
    assert.is(byName(fields, 'user-agent').index, 58, 'the name still comes from the static table');
    assert.is(byName(fields, 'x-other').kind, 'incremental');
    assert.equal([...l.decoder.lastNeverIndexed].sort(), ['user-agent', 'x-api-key']);
    assert.is(l.encoder.tableSize, entrySize('x-other', 'o'));
    // a block without never-indexed fields resets lastNeverIndexed
    l.send([['x-other', 'o']]);
    assert.equal(l.decoder.lastNeverIndexed, []);
  });
});

test('`sensitive` wins over indexing all and none (RFC 7541 §7.1.3: a sensitive field is never indexed)', () => {
  for (const indexing of ['all', 'none'] as const) {
    withLink({ indexing }, (l) => {
      assertNeverIndexed(byName(l.send([['x-api-key', 'k3y']], { sensitive: ['x-api-key'] }), 'x-api-key'), `indexing ${indexing}`);
      assert.is(l.encoder.tableSize, 0);
    });
  }
});

// -- without indexing -------------------------------------------------------------------------

test("':path' is not indexed under 'auto', block after block", () => {
  withLink({}, (l) => {
    for (let i = 0; i < 3; i++) {
      const f = byName(l.send([[':method', 'GET'], [':path', '/articles/2024/hpack?page=2']]), ':path');
      assert.is(f.kind, 'without', `block ${i}`);
      assert.is(f.first & 0xf0, 0x00, 'first octet 0000xxxx (RFC 7541 §6.2.2)');
      assert.ok(f.index === 4 || f.index === 5, 'name from the static table');
    }
    assert.is(l.encoder.tableSize, 0);
    // a :path in the static table is still a static reference (RFC 7541 C.3.1)
    const slash = byName(l.send([[':path', '/']]), ':path');
    assert.is(slash.kind, 'indexed');
    assert.is(slash.index, 4);
  });
});

const RARELY_REPEATED: Headers = [
  ['content-length', '1234'],
  ['etag', '"33a64df551425fcc55e4d42a148795d9f25f89d4"'],
  ['if-modified-since', 'Wed, 21 Oct 2015 07:28:00 GMT'],
  ['if-none-match', '"bfc13a64729c4290ef5b2c2730249c88ca92d82d"'],
  ['location', 'https://www.example.com/new/place'],
  ['set-cookie', 'id=a3fWa; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Secure; HttpOnly'],
  ['age', '24'],
];

for (const [name, value] of RARELY_REPEATED) {
  test(`'${name}' is not indexed under 'auto'`, () => {
    withLink({}, (l) => {
      for (let i = 0; i < 2; i++) assert.is(byName(l.send([[name, value]]), name).kind, 'without', `block ${i}`);
      assert.is(l.encoder.tableSize, 0);
    });
  });
}

test("a field larger than three quarters of the table is not indexed under 'auto'; a smaller one is", () => {
  withLink({}, (l) => {
    // 4096 × 3/4 = 3072
    assert.is(byName(l.send([['x-large', 'v'.repeat(3500)]]), 'x-large').kind, 'without');
    assert.is(l.encoder.tableSize, 0);
    assert.is(byName(l.send([['x-medium', 'v'.repeat(2000)]]), 'x-medium').kind, 'incremental');
    assert.is(l.encoder.tableSize, entrySize('x-medium', 'v'.repeat(2000)));
  });
  withLink({ maxTableSize: 256 }, (l) => {
    // 256 × 3/4 = 192
    assert.is(byName(l.send([['x-l', 'v'.repeat(200)]]), 'x-l').kind, 'without');
    assert.is(byName(l.send([['x-m', 'v'.repeat(100)]]), 'x-m').kind, 'incremental');
  });
});

test("an ordinary field is indexed under 'auto', then sent as a dynamic table reference", () => {
  withLink({}, (l) => {
    const first = byName(l.send([['user-agent', 'h2wasm-test/1.0']]), 'user-agent');
    assert.is(first.kind, 'incremental');
    assert.is(first.index, 58, 'user-agent is static name 58');
    assert.is(first.first & 0xc0, 0x40, 'first octet 01xxxxxx (RFC 7541 §6.2.1)');
    const second = byName(l.send([['user-agent', 'h2wasm-test/1.0']]), 'user-agent');
    assert.is(second.kind, 'indexed');
    assert.is(second.index, 62);
    assert.is(l.encoder.tableSize, entrySize('user-agent', 'h2wasm-test/1.0'));
  });
});

test("indexing 'none' never adds to the table; 'all' indexes even :path and set-cookie", () => {
  withLink({ indexing: 'none' }, (l) => {
    for (let i = 0; i < 3; i++) {
      const fields = l.send([['user-agent', 'x'], ['x-custom', 'y'], [':path', '/p']]);
      for (const f of fields) assert.is(f.kind, 'without', `${f.name}, block ${i}`);
    }
    assert.is(l.encoder.tableSize, 0);
  });
  withLink({ indexing: 'all' }, (l) => {
    const first = l.send([[':path', '/p'], ['set-cookie', 'a=b']]);
    for (const f of first) assert.is(f.kind, 'incremental', f.name);
    const again = l.send([[':path', '/p'], ['set-cookie', 'a=b']]);
    for (const f of again) assert.is(f.kind, 'indexed', f.name);
    assert.is(l.encoder.tableSize, entrySize(':path', '/p') + entrySize('set-cookie', 'a=b'));
  });
});

// -- headers as a record ------------------------------------------------------------------------

test('a record of headers: one field per key, an array value gives one field per element, in order', () => {
  withLink({}, (l) => {
    const fields = l.send({ ':method': 'GET', accept: ['text/html', 'application/json'], 'x-empty': '' });
    assert.equal(
      fields.map((f) => [f.name, f.value]),
      [[':method', 'GET'], ['accept', 'text/html'], ['accept', 'application/json'], ['x-empty', '']],
    );
    const again = l.send({ ':status': '200', 'set-cookie': ['a=1', 'b=2'] });
    assert.equal(again.map((f) => [f.name, f.value]), [[':status', '200'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
  });
});

test('encode returns a fresh Uint8Array each time, unchanged by later calls', () => {
  withLink({}, (l) => {
    const a = l.encoder.encode([['x-a', 'first'], [':path', '/one']]);
    const snapshot = toHex(a);
    const b = l.encoder.encode([['x-b', 'second'], [':path', '/two'], ['x-c', 'v'.repeat(3000)]]);
    for (let i = 0; i < 50; i++) l.encoder.encode([[`x-${i}`, 'w'.repeat(200)]]);
    assert.is(toHex(a), snapshot);
    assert.ok(a.buffer !== b.buffer, 'two blocks share one buffer');
  });
});

// -- size updates (RFC 7541 §4.2, §6.3) ------------------------------------------------------

const C3: Headers[] = [
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
  [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
];

/** RFC 7541 C.3 on an encoder that indexes everything: 164 octets in three entries. */
function primed(l: Link) {
  for (const h of C3) l.send(h);
  assert.is(l.encoder.tableSize, 164);
  assert.equal(l.sizeUpdates(), []);
}

test('no size update without setMaxTableSize', () => {
  withLink({}, (l) => {
    for (const h of C3) {
      l.send(h);
      assert.equal(l.sizeUpdates(), []);
    }
  });
});

test('setMaxTableSize(100): the next block begins with one size update to 100, then evictions show in tableSize', () => {
  withLink({ indexing: 'all', huffman: 'never' }, (l) => {
    primed(l);
    l.encoder.setMaxTableSize(100);
    l.decoder.setMaxTableSize(100);
    // an empty header list is then just the update
    assert.is(toHex(l.encoder.encode([])), toHex(sizeUpdate(100)));
    l.reference.decode(Uint8Array.from(sizeUpdate(100)));
    assert.equal(l.decoder.decode(Uint8Array.from(sizeUpdate(100))), []);
    // 164 → evict :authority (57), cache-control (53) → 54
    assert.is(l.encoder.tableSize, 54);
    assert.is(l.decoder.tableSize, 54);
    assert.is(l.reference.tableSize, 54);
    // custom-key survived and is referenced; no further update
    const fields = l.send([['custom-key', 'custom-value']]);
    assert.equal(l.sizeUpdates(), []);
    assert.is(fields[0].kind, 'indexed');
    assert.is(fields[0].index, 62);
  });
});

test('the update is the first representation of the next block, before any field', () => {
  withLink({ indexing: 'all', huffman: 'never' }, (l) => {
    primed(l);
    l.encoder.setMaxTableSize(2000);
    l.decoder.setMaxTableSize(2000);
    l.send([[':method', 'GET'], ['x-new', 'v']]);
    assert.is(l.lastReps[0].kind, 'size-update');
    assert.is(l.lastReps[0].index, 2000);
    assert.is(l.lastReps.filter((r) => r.kind === 'size-update').length, 1);
    assert.is(l.lastBlock[0] & 0xe0, 0x20, 'first octet 001xxxxx (RFC 7541 §6.3)');
  });
});

const SHRINK_THEN_GROW: Array<[number[], number[]]> = [
  [[0, 4096], [0, 4096]],
  [[100, 4096], [100, 4096]],
  [[100, 2000], [100, 2000]],
  [[2000, 3000], [2000, 3000]],
  [[50, 3000, 1000], [50, 1000]],
];

for (const [calls, updates] of SHRINK_THEN_GROW) {
  test(`setMaxTableSize ${calls.join(' then ')} between blocks: the block begins with updates ${updates.join(', ')} (smallest, then final)`, () => {
    withLink({ indexing: 'all', huffman: 'never' }, (l) => {
      primed(l);
      for (const n of calls) {
        l.encoder.setMaxTableSize(n);
        l.decoder.setMaxTableSize(n);
      }
      const fields = l.send([['custom-key', 'custom-value'], ['x-after', 'resize']]);
      assert.equal(l.sizeUpdates(), updates);
      const smallest = Math.min(...calls);
      // §4.3: the smallest size evicted what did not fit; custom-key (54) survives 100 but not 50 or 0
      const survived = smallest >= 164 ? 'all' : smallest >= 54 ? 'custom-key' : 'none';
      assert.is(fields[0].kind, survived === 'none' ? 'incremental' : 'indexed', `custom-key after shrinking to ${smallest}`);
      const expected =
        (survived === 'all' ? 164 : survived === 'custom-key' ? 54 : entrySize('custom-key', 'custom-value')) + entrySize('x-after', 'resize');
      assert.is(l.encoder.tableSize, expected);
      assert.is(l.reference.tableSize, expected, 'hpack.js agrees');
      l.send([['x-later', '1']]);
      assert.equal(l.sizeUpdates(), [], 'updates are sent once');
    });
  });
}

test('setMaxTableSize 3000 then 2000: the block signals 2000, the smallest and final size', () => {
  withLink({ indexing: 'all', huffman: 'never' }, (l) => {
    primed(l);
    for (const n of [3000, 2000]) {
      l.encoder.setMaxTableSize(n);
      l.decoder.setMaxTableSize(n);
    }
    l.send([['x-a', 'b']]);
    const updates = l.sizeUpdates();
    assert.ok(updates.length >= 1 && updates.length <= 2, `updates ${updates}`);
    assert.is(updates[updates.length - 1], 2000);
    assert.is(Math.min(...updates), 2000);
  });
});

test('after setMaxTableSize(0) nothing is indexed until the table grows again', () => {
  withLink({}, (l) => {
    l.encoder.setMaxTableSize(0);
    l.decoder.setMaxTableSize(0);
    for (let i = 0; i < 3; i++) l.send([['user-agent', 'u'], ['x-a', 'b']]);
    assert.is(l.encoder.tableSize, 0);
    l.encoder.setMaxTableSize(4096);
    l.decoder.setMaxTableSize(4096);
    l.send([['user-agent', 'u']]);
    assert.equal(l.sizeUpdates(), [4096]);
    assert.is(l.encoder.tableSize, entrySize('user-agent', 'u'));
    assert.is(byName(l.send([['user-agent', 'u']]), 'user-agent').kind, 'indexed');
  });
});

test.run();
