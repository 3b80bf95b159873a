// Big-endian loads and stores (network byte order, RFC 9113 §4.1).

// @ts-ignore: decorator
@inline export function load32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
// @ts-ignore: decorator
@inline export function load24(p: usize): u32 { return (<u32>load<u8>(p) << 16) | (<u32>load<u8>(p + 1) << 8) | <u32>load<u8>(p + 2); }
// @ts-ignore: decorator
@inline export function load16(p: usize): u32 { return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p + 1); }
// @ts-ignore: decorator
@inline export function store32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }
// @ts-ignore: decorator
@inline export function store16(p: usize, v: u32): void { store<u8>(p, <u8>(v >> 8)); store<u8>(p + 1, <u8>v); }

/** Writes a frame header (RFC 9113 §4.1); returns where the payload starts. */
export function writeFrameHeader(p: usize, length: u32, type: u8, flags: u8, streamId: u32): usize {
  store<u8>(p, <u8>(length >> 16));
  store<u8>(p + 1, <u8>(length >> 8));
  store<u8>(p + 2, <u8>length);
  store<u8>(p + 3, type);
  store<u8>(p + 4, flags);
  store32(p + 5, streamId & 0x7fffffff);
  return p + 9;
}
