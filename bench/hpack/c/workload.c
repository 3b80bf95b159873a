/* Parses the workload files written by ../wire.mjs. Errors exit: a benchmark with a
 * broken workload has nothing useful to do. */
#include "workload.h"

#include <stdio.h>
#include <stdlib.h>

static void die(const char *what, const char *path) {
  fprintf(stderr, "workload: %s: %s\n", what, path);
  exit(2);
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p) die("out of memory", "");
  return p;
}

typedef struct {
  const uint8_t *p, *end;
  const char *path;
} cursor_t;

static uint32_t take_u32(cursor_t *c) {
  if (c->end - c->p < 4) die("truncated", c->path);
  uint32_t n = (uint32_t)c->p[0] | (uint32_t)c->p[1] << 8 | (uint32_t)c->p[2] << 16 |
               (uint32_t)c->p[3] << 24;
  c->p += 4;
  return n;
}

static octets_t take_octets(cursor_t *c) {
  octets_t o;
  o.len = take_u32(c);
  if ((size_t)(c->end - c->p) < o.len) die("truncated", c->path);
  o.data = c->p;
  c->p += o.len;
  return o;
}

static uint8_t *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = xcalloc((size_t)n, 1);
  if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) die("cannot read", path);
  fclose(f);
  *len = (size_t)n;
  return buf;
}

int read_block_file(const char *path, block_file_t *out) {
  size_t len;
  out->file = slurp(path, &len);
  cursor_t c = {out->file, out->file + len, path};
  out->nstories = take_u32(&c);
  out->stories = xcalloc(out->nstories, sizeof(block_story_t));
  for (size_t s = 0; s < out->nstories; s++) {
    block_story_t *st = &out->stories[s];
    st->nblocks = take_u32(&c);
    st->blocks = xcalloc(st->nblocks, sizeof(octets_t));
    for (size_t b = 0; b < st->nblocks; b++) st->blocks[b] = take_octets(&c);
  }
  return 0;
}

int read_header_file(const char *path, header_file_t *out) {
  size_t len;
  out->file = slurp(path, &len);
  cursor_t c = {out->file, out->file + len, path};
  out->nstories = take_u32(&c);
  out->stories = xcalloc(out->nstories, sizeof(header_story_t));
  for (size_t s = 0; s < out->nstories; s++) {
    header_story_t *st = &out->stories[s];
    st->nlists = take_u32(&c);
    st->lists = xcalloc(st->nlists, sizeof(header_list_t));
    for (size_t l = 0; l < st->nlists; l++) {
      header_list_t *hl = &st->lists[l];
      hl->nfields = take_u32(&c);
      hl->names = xcalloc(hl->nfields, sizeof(octets_t));
      hl->values = xcalloc(hl->nfields, sizeof(octets_t));
      for (size_t f = 0; f < hl->nfields; f++) {
        hl->names[f] = take_octets(&c);
        hl->values[f] = take_octets(&c);
      }
    }
  }
  return 0;
}

static void put_u32(FILE *f, size_t n) {
  uint8_t b[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
  fwrite(b, 1, 4, f);
}

int write_block_file(const char *path, const block_file_t *in) {
  FILE *f = fopen(path, "wb");
  if (!f) die("cannot create", path);
  put_u32(f, in->nstories);
  for (size_t s = 0; s < in->nstories; s++) {
    const block_story_t *st = &in->stories[s];
    put_u32(f, st->nblocks);
    for (size_t b = 0; b < st->nblocks; b++) {
      put_u32(f, st->blocks[b].len);
      fwrite(st->blocks[b].data, 1, st->blocks[b].len, f);
    }
  }
  if (fclose(f) != 0) die("cannot write", path);
  return 0;
}
