// The static table, RFC 7541 Appendix A.
import { staticLookupName, staticLookupValue, staticNameLength, staticValueLength, staticNamePtr, staticValuePtr } from '../../assembly/hpack/static-table';
import { stringToMemory, memoryToString } from './helpers.include';

function nameIndex(s: string): u32 { return staticLookupName(stringToMemory(s), s.length); }
function valueIndex(name: string, value: string): u32 {
  return staticLookupValue(nameIndex(name), stringToMemory(value), value.length);
}

describe('RFC 7541 Appendix A', () => {
  it('holds the entries the appendix lists', () => {
    expect(memoryToString(staticNamePtr(1), staticNameLength(1))).toBe(':authority');
    expect(memoryToString(staticValuePtr(2), staticValueLength(2))).toBe('GET');
    expect(memoryToString(staticValuePtr(16), staticValueLength(16))).toBe('gzip, deflate');
    expect(memoryToString(staticNamePtr(61), staticNameLength(61))).toBe('www-authenticate');
  });
  it('finds a name at its first index', () => {
    expect(nameIndex(':method')).toBe(2);
    expect(nameIndex(':status')).toBe(8);
    expect(nameIndex('user-agent')).toBe(58);
    expect(nameIndex('www-authenticate')).toBe(61);
    expect(nameIndex('x-custom')).toBe(0);
    expect(nameIndex('')).toBe(0);
    expect(nameIndex('Accept')).toBe(0); // names are case-sensitive octets
  });
  it('finds a name and value', () => {
    expect(valueIndex(':method', 'POST')).toBe(3);
    expect(valueIndex(':status', '404')).toBe(13);
    expect(valueIndex(':status', '201')).toBe(0);
    expect(valueIndex(':path', '/index.html')).toBe(5);
    expect(valueIndex('accept-encoding', 'gzip, deflate')).toBe(16);
    expect(valueIndex('accept', '')).toBe(19);
  });
});
