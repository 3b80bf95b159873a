// Node side: picks the hpack-test-case stories the runtime checks use (from
// test/fixtures/hpack-test-case, see its SOURCE.md) and shapes them for checks.mjs:
// headers as [name, value] pairs, wire as hex. The result is written as JSON next to the
// hosts, which read it their own way and pass it to runChecks().
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

const FIXTURES = new URL('../fixtures/hpack-test-case/', import.meta.url);

/** Short stories from several encoders: plain, Huffman, larger and changing table sizes. */
export const DECODE_STORIES = [
  'nghttp2/story_01',
  'go-hpack/story_05',
  'python-hpack/story_12',
  'node-http2-hpack/story_08',
  'swift-nio-hpack-plain-text/story_02',
  'swift-nio-hpack-huffman/story_26',
  'nghttp2-16384-4096/story_03',
  'nghttp2-change-table-size/story_24',
];

export const ROUND_TRIP_STORIES = ['raw-data/story_08', 'raw-data/story_24'];

const folders = new Map();
function folder(name) {
  if (!folders.has(name)) {
    const gz = readFileSync(new URL(`${name}.json.gz`, FIXTURES));
    folders.set(name, JSON.parse(gunzipSync(gz).toString('utf8')));
  }
  return folders.get(name);
}

function story(id) {
  const [name, key] = id.split('/');
  const s = folder(name)[key];
  if (!s) throw new Error(`no story ${id} in test/fixtures/hpack-test-case`);
  return s;
}

const pairs = (headers) => headers.map((h) => {
  const k = Object.keys(h)[0];
  return [k, h[k]];
});

export function buildCheckData() {
  return {
    stories: DECODE_STORIES.map((id) => ({
      name: id,
      cases: story(id).cases.map((c) => {
        const out = { seqno: c.seqno, wire: c.wire, headers: pairs(c.headers) };
        if (typeof c.header_table_size === 'number') out.header_table_size = c.header_table_size;
        return out;
      }),
    })),
    roundTrip: ROUND_TRIP_STORIES.map((id) => ({
      name: id,
      cases: story(id).cases.map((c) => ({ headers: pairs(c.headers) })),
    })),
  };
}
