// getDefaultSettings / getPackedSettings / getUnpackedSettings behave as node:http2's (Node 20).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import http2 from 'node:http2';
import fc from 'fast-check';
import { getDefaultSettings, getPackedSettings, getUnpackedSettings } from '../../bindings/node/settings.ts';
import { constants } from '../../bindings/node/constants.gen.ts';

function outcome(fn: () => unknown): unknown {
  try {
    const v = fn();
    return v instanceof Uint8Array ? Buffer.from(v).toString('hex') : JSON.parse(JSON.stringify(v));
  } catch (e) {
    const err = e as Error & { code?: string };
    return { code: err.code, class: Object.getPrototypeOf(err).constructor.name, message: err.message };
  }
}

test('constants are node:http2\'s, every name and value', () => {
  assert.equal({ ...constants }, { ...http2.constants });
});

test('getDefaultSettings matches node:http2 (null prototype)', () => {
  assert.equal({ ...getDefaultSettings() }, { ...http2.getDefaultSettings() });
  assert.is(Object.getPrototypeOf(getDefaultSettings()), null);
});

test('getPackedSettings: the same octets and the same errors as node:http2', () => {
  const cases: unknown[] = [
    {}, { enablePush: false }, { headerTableSize: 1.5 }, { initialWindowSize: 100, maxFrameSize: 20000, enableConnectProtocol: true },
    { headerTableSize: -1 }, { enablePush: 2 }, { enablePush: 'x' }, { maxFrameSize: 100 }, { maxFrameSize: 2 ** 24 },
    { initialWindowSize: 2 ** 31 }, { maxConcurrentStreams: 2 ** 32 }, { maxHeaderListSize: 2 ** 32 - 1 }, { maxHeaderSize: 5 },
    { enableConnectProtocol: 1 }, { customSettings: { 10: 5 } }, { customSettings: { 70000: 1 } }, { customSettings: { 10: 2 ** 32 } },
    { customSettings: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [20 + i, 1])) }, 5, null, { foo: 1 },
  ];
  for (const c of cases) {
    assert.equal(outcome(() => getPackedSettings(c as never)), outcome(() => http2.getPackedSettings(c as never)), JSON.stringify(c));
  }
});

test('getPackedSettings agrees with node:http2 on random valid settings', () => {
  const settings = fc.record({
    headerTableSize: fc.integer({ min: 0, max: 2 ** 32 - 1 }), enablePush: fc.boolean(),
    initialWindowSize: fc.integer({ min: 0, max: 2 ** 31 - 1 }), maxFrameSize: fc.integer({ min: 16384, max: 2 ** 24 - 1 }),
    maxConcurrentStreams: fc.integer({ min: 0, max: 2 ** 32 - 1 }), maxHeaderListSize: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
    enableConnectProtocol: fc.boolean(),
  }, { requiredKeys: [] });
  fc.assert(fc.property(settings, (s) => {
    const ours = getPackedSettings(s);
    assert.is(Buffer.from(ours).toString('hex'), http2.getPackedSettings(s).toString('hex'));
    assert.equal({ ...getUnpackedSettings(ours) }, { ...http2.getUnpackedSettings(http2.getPackedSettings(s)) });
  }), { numRuns: 300 });
});

test('getUnpackedSettings: the same objects and errors as node:http2, validate option included', () => {
  const cases = [[0, 1, 0, 0, 0, 1], [0, 9, 0, 0, 0, 1, 0, 0x20, 0, 0, 0, 5], [0, 1, 0], [0, 6, 0, 0, 0, 9], [0, 2, 0, 0, 0, 5]];
  for (const b of cases) {
    assert.equal(outcome(() => ({ ...getUnpackedSettings(Buffer.from(b)) })), outcome(() => ({ ...http2.getUnpackedSettings(Buffer.from(b)) })), String(b));
  }
  for (const b of [[0, 5, 0, 0, 0, 1], [0, 4, 0x80, 0, 0, 0], [0, 8, 0, 0, 0, 3]]) {
    assert.equal(outcome(() => ({ ...getUnpackedSettings(Buffer.from(b), { validate: true }) })),
      outcome(() => ({ ...(http2.getUnpackedSettings as (b: Buffer, o: object) => object)(Buffer.from(b), { validate: true }) })), String(b));
  }
  assert.equal(outcome(() => getUnpackedSettings('x' as never)), outcome(() => http2.getUnpackedSettings('x' as never)));
});

test.run();
