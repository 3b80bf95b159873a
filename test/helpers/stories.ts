// Loads the HPACK test stories carried in test/fixtures (see its SOURCE.md).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface StoryCase {
  seqno: number;
  wire?: string;
  headers: Array<Record<string, string>>;
  header_table_size?: number;
}
export interface Story { cases: StoryCase[]; description?: string }

export const STORY_FOLDERS = [
  'go-hpack', 'nghttp2', 'nghttp2-16384-4096', 'nghttp2-change-table-size', 'node-http2-hpack',
  'python-hpack', 'swift-nio-hpack-huffman', 'swift-nio-hpack-plain-text', 'raw-data',
] as const;

const dir = new URL('../fixtures/hpack-test-case/', import.meta.url);

/** Stories of one folder, by name (`story_00` …), in order. */
export function loadStories(folder: string): Map<string, Story> {
  const json = JSON.parse(gunzipSync(readFileSync(new URL(`${folder}.json.gz`, dir))).toString('utf8'));
  return new Map(Object.keys(json).sort().map((k) => [k, json[k] as Story]));
}

/** A case's headers as [name, value] pairs. */
export function pairs(c: StoryCase): Array<[string, string]> {
  return c.headers.map((h) => { const k = Object.keys(h)[0]; return [k, h[k]]; });
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
