// The dynamic table, RFC 7541 §2.3.2, §4.
import { DynamicTable } from '../../assembly/hpack/dynamic-table';
import { stringToMemory, memoryToString } from './helpers.include';

function add(t: DynamicTable, name: string, value: string): bool {
  return t.insert(stringToMemory(name), name.length, stringToMemory(value), value.length);
}
function nameAt(t: DynamicTable, index: u32): string {
  const r = t.record(index);
  return memoryToString(t.namePtr(r), t.nameLength(r));
}
function valueAt(t: DynamicTable, index: u32): string {
  const r = t.record(index);
  return memoryToString(t.valuePtr(r), t.valueLength(r));
}

describe('RFC 7541 §4.1 entry size', () => {
  it('counts name + value + 32 octets', () => {
    const t = new DynamicTable(4096);
    add(t, 'custom-key', 'custom-header'); // C.3.1-style: 10 + 13 + 32
    expect(t.size).toBe(55);
    expect(t.count).toBe(1);
  });
});

describe('RFC 7541 §2.3.3 indexing', () => {
  it('index 1 is the newest entry', () => {
    const t = new DynamicTable(4096);
    add(t, 'a', '1'); add(t, 'b', '2'); add(t, 'c', '3');
    expect(nameAt(t, 1)).toBe('c');
    expect(valueAt(t, 3)).toBe('1');
    expect(t.indexOfId(0)).toBe(3);
    expect(t.indexOfId(2)).toBe(1);
    expect(t.indexOfId(3)).toBe(0);
  });
});

describe('RFC 7541 §4.4 eviction', () => {
  it('evicts the oldest entries until the new one fits', () => {
    const t = new DynamicTable(100); // room for two 34-octet entries plus one more, not four
    add(t, 'a', '1'); add(t, 'b', '2'); add(t, 'c', '3');
    expect(t.count).toBe(2);
    expect(nameAt(t, 2)).toBe('b');
    expect(t.size).toBe(68);
    expect(t.indexOfId(0)).toBe(0);
  });
  it('an entry larger than the table empties it and is not added', () => {
    const t = new DynamicTable(64);
    add(t, 'a', '1');
    expect(add(t, 'name', 'a value long enough to exceed')).toBe(false);
    expect(t.count).toBe(0);
    expect(t.size).toBe(0);
  });
  it('an entry exactly the table size fits alone', () => {
    const t = new DynamicTable(40);
    add(t, 'x', 'y');
    expect(add(t, 'abcd', 'efgh')).toBe(true); // 4 + 4 + 32 = 40
    expect(t.count).toBe(1);
    expect(t.size).toBe(40);
  });
  it('keeps entries intact across many insertions (compaction)', () => {
    const t = new DynamicTable(256);
    for (let i = 0; i < 1000; i++) add(t, 'k' + i.toString(), 'value-' + i.toString());
    expect(nameAt(t, 1)).toBe('k999');
    expect(valueAt(t, 1)).toBe('value-999');
    const oldest = t.count;
    expect(nameAt(t, oldest)).toBe('k' + (1000 - <i32>oldest).toString());
    expect(t.size <= 256).toBe(true);
  });
});

describe('RFC 7541 §4.3 maximum size changes', () => {
  it('shrinking evicts oldest entries; growing keeps them', () => {
    const t = new DynamicTable(4096);
    for (let i = 0; i < 10; i++) add(t, 'n' + i.toString(), 'v');
    expect(t.count).toBe(10);
    t.setCapacity(70); // two 35-octet entries
    expect(t.count).toBe(2);
    expect(nameAt(t, 1)).toBe('n9');
    t.setCapacity(8192);
    expect(t.count).toBe(2);
    for (let i = 0; i < 100; i++) add(t, 'm' + i.toString(), 'w');
    expect(t.count).toBe(102);
    expect(nameAt(t, 102)).toBe('n8');
  });
  it('size 0 empties the table', () => {
    const t = new DynamicTable(4096);
    add(t, 'a', 'b');
    t.setCapacity(0);
    expect(t.count).toBe(0);
    expect(add(t, 'a', 'b')).toBe(false);
  });
});
