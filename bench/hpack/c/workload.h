/* Reader for the benchmark's binary workload files (layout documented in ../wire.mjs). */
#ifndef HPACK_BENCH_WORKLOAD_H
#define HPACK_BENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *data;
  size_t len;
} octets_t;

/* blocks file: stories of header blocks */
typedef struct {
  size_t nblocks;
  octets_t *blocks;
} block_story_t;

typedef struct {
  size_t nstories;
  block_story_t *stories;
  uint8_t *file; /* owns the bytes the blocks point into */
} block_file_t;

/* headers file: stories of header lists of (name, value) */
typedef struct {
  size_t nfields;
  octets_t *names;
  octets_t *values;
} header_list_t;

typedef struct {
  size_t nlists;
  header_list_t *lists;
} header_story_t;

typedef struct {
  size_t nstories;
  header_story_t *stories;
  uint8_t *file;
} header_file_t;

int read_block_file(const char *path, block_file_t *out);
int read_header_file(const char *path, header_file_t *out);
int write_block_file(const char *path, const block_file_t *in);

#endif
