// Huffman coding, RFC 7541 §5.2 and Appendix B.
import { huffmanDecode, huffmanEncode, huffmanEncodedLength, huffmanDecodedBound, HUFFMAN_INVALID } from '../../assembly/hpack/huffman';
import { hexToMemory, memoryToHex, stringToMemory, memoryToString } from './helpers.include';

function decodeHex(hex: string): string {
  const src = hexToMemory(hex);
  const n = hex.length >> 1;
  const dst = heap.alloc(huffmanDecodedBound(n));
  const r = huffmanDecode(src, n, dst);
  return r < 0 ? '<invalid>' : memoryToString(dst, r);
}
function encodeHex(s: string): string {
  const src = stringToMemory(s);
  const dst = heap.alloc(s.length * 4 + 8);
  const end = huffmanEncode(src, s.length, dst);
  expect(<i32>(end - dst)).toBe(<i32>huffmanEncodedLength(src, s.length));
  return memoryToHex(dst, end - dst);
}

describe('RFC 7541 Appendix C Huffman strings', () => {
  it('C.4.1 www.example.com', () => {
    expect(encodeHex('www.example.com')).toBe('f1e3c2e5f23a6ba0ab90f4ff');
    expect(decodeHex('f1e3c2e5f23a6ba0ab90f4ff')).toBe('www.example.com');
  });
  it('C.4.2 no-cache', () => {
    expect(encodeHex('no-cache')).toBe('a8eb10649cbf');
    expect(decodeHex('a8eb10649cbf')).toBe('no-cache');
  });
  it('C.4.3 custom-key / custom-value', () => {
    expect(encodeHex('custom-key')).toBe('25a849e95ba97d7f');
    expect(encodeHex('custom-value')).toBe('25a849e95bb8e8b4bf');
    expect(decodeHex('25a849e95bb8e8b4bf')).toBe('custom-value');
  });
  it('C.6.1 a date and a URL', () => {
    expect(encodeHex('Mon, 21 Oct 2013 20:13:21 GMT')).toBe('d07abe941054d444a8200595040b8166e082a62d1bff');
    expect(decodeHex('9d29ad171863c78f0b97c8e9ae82ae43d3')).toBe('https://www.example.com');
  });
  it('C.6.3 a long cookie value', () => {
    const hex = '94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007';
    expect(decodeHex(hex)).toBe('foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1');
  });
});

describe('RFC 7541 §5.2 every symbol', () => {
  it('round-trips each of the 256 octets alone and all of them in a row', () => {
    const all = heap.alloc(256);
    for (let i = 0; i < 256; i++) store<u8>(all + i, <u8>i);
    const enc = heap.alloc(2048);
    const dec = heap.alloc(4096);
    for (let i = 0; i < 256; i++) {
      const end = huffmanEncode(all + i, 1, enc);
      const n = huffmanDecode(enc, end - enc, dec);
      expect(n).toBe(1);
      expect(load<u8>(dec)).toBe(<u8>i);
    }
    const end = huffmanEncode(all, 256, enc);
    expect(huffmanDecode(enc, end - enc, dec)).toBe(256);
    for (let i = 0; i < 256; i++) expect(load<u8>(dec + i)).toBe(<u8>i);
  });
  it('decodes the empty string to nothing', () => {
    expect(decodeHex('')).toBe('');
  });
});

describe('RFC 7541 §5.2 invalid strings', () => {
  it('rejects padding longer than 7 bits', () => {
    // '0' is 00000 (5 bits); then 11 one-bits of padding.
    expect(decodeHex('07ff')).toBe('<invalid>');
    // A whole octet of ones alone is 8 bits of padding.
    expect(decodeHex('ff')).toBe('<invalid>');
  });
  it('rejects padding that is not all ones', () => {
    // '0' (00000) then padding 110 instead of 111.
    expect(decodeHex('06')).toBe('<invalid>');
  });
  it('accepts exactly 7 bits of all-ones padding', () => {
    // 'a' is 00011 (5 bits): 00011 111 = 0x1f.
    expect(decodeHex('1f')).toBe('a');
  });
  it('rejects EOS (30 ones) inside the string', () => {
    expect(decodeHex('fffffffc')).toBe('<invalid>');
    expect(decodeHex('ffffffff')).toBe('<invalid>');
  });
  it('rejects a code cut off by the end of the string', () => {
    // 13-bit code of octet 0 (1ff8 = 11111111 11000), cut to 12 bits and padded: ff cf? use one octet ff then 1100 → 'ffcf' has 16 bits:
    // 11111111 11001111: the 13-bit prefix 1111111111001 is '$' (1ff9), then 111 padding → valid '$'.
    expect(decodeHex('ffcf')).toBe('$');
    // 11111111 110 + 5 ones of padding would need 16 bits; 'ffc0' ends with zeros → invalid.
    expect(decodeHex('ffc0')).toBe('<invalid>');
  });
});
