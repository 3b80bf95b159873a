/* nghttp2's HPACK inflater/deflater driven over the benchmark workload, in its ordinary
 * configuration: nghttp2_hd_inflate_new, nghttp2_hd_deflate_new with a 4096-octet table. */
#ifndef HPACK_BENCH_CODEC_H
#define HPACK_BENCH_CODEC_H

#include <nghttp2/nghttp2.h>

#include "fieldsum.h"
#include "workload.h"

/* Inflates every story with a fresh inflater. Every field is hashed into sum when hash is
 * set (the check pass), else only counted (timed passes). Returns 0, or -1 on error. */
int inflate_stories(const block_file_t *in, fieldsum_t *sum, int hash);

/* A header file's lists as nghttp2_nv arrays, built once outside the timed loop. */
typedef struct {
  size_t nlists;
  size_t *nfields;
  nghttp2_nv **nva;
} nv_story_t;

typedef struct {
  size_t nstories;
  nv_story_t *stories;
  uint64_t fields;
  size_t max_block; /* a safe output buffer size for any one list */
} nv_input_t;

void nv_input_build(const header_file_t *hf, nv_input_t *out);

/* Deflates every story with a fresh deflater into buf. When record is not NULL, it gets a
 * copy of every block (as a block file). Returns total encoded octets, or -1. */
long long deflate_stories(const nv_input_t *in, uint8_t *buf, size_t cap, block_file_t *record);

#endif
