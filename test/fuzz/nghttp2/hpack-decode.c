/* nghttp2's HPACK inflater as a reference decoder for the differential fuzz test.
 * stdin: cases, each  u32 table_size, u32 nblocks, then nblocks x (u32 len, len octets)  (big-endian).
 * stdout per block: "OK <n>" then n lines "<name hex> <value hex>", or "ERR"; after an ERR the
 * case's remaining blocks print "SKIP" (the decoder's state is gone, as on a connection). */
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <sys/types.h>

static int read_u32(uint32_t *v) {
  unsigned char b[4];
  if (fread(b, 1, 4, stdin) != 4) return 0;
  *v = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
  return 1;
}

static void hex(FILE *f, const uint8_t *p, size_t n) {
  if (n == 0) fputc('-', f); /* an empty string, still one token */
  for (size_t i = 0; i < n; i++) fprintf(f, "%02x", p[i]);
}

/* Returns 0 and prints the fields, or -1. */
static int inflate_block(nghttp2_hd_inflater *inf, uint8_t *in, size_t len, char **out, size_t *outlen) {
  FILE *f = open_memstream(out, outlen);
  size_t count = 0;
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    /* hd2, not hd3: hd3 only exists from nghttp2 1.61 (Debian 12 has 1.52) */
    ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, in, len, 1);
    if (rv < 0) { fclose(f); return -1; }
    in += rv;
    len -= (size_t)rv;
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      hex(f, nv.name, nv.namelen); fputc(' ', f); hex(f, nv.value, nv.valuelen); fputc('\n', f);
      count++;
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) { nghttp2_hd_inflate_end_headers(inf); break; }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && rv == 0) { fclose(f); return -1; }
  }
  fclose(f);
  printf("OK %zu\n", count);
  return 0;
}

int main(void) {
  uint32_t table, nblocks;
  while (read_u32(&table) && read_u32(&nblocks)) {
    nghttp2_hd_inflater *inf;
    if (nghttp2_hd_inflate_new(&inf) != 0) return 2;
    nghttp2_hd_inflate_change_table_size(inf, table);
    int failed = 0;
    for (uint32_t i = 0; i < nblocks; i++) {
      uint32_t len;
      if (!read_u32(&len)) return 2;
      uint8_t *buf = malloc(len ? len : 1);
      if (len && fread(buf, 1, len, stdin) != len) return 2;
      if (failed) { puts("SKIP"); free(buf); continue; }
      char *text = NULL;
      size_t textlen = 0;
      if (inflate_block(inf, buf, len, &text, &textlen) != 0) { puts("ERR"); failed = 1; }
      else fwrite(text, 1, textlen, stdout);
      free(text);
      free(buf);
    }
    nghttp2_hd_inflate_del(inf);
  }
  return 0;
}
