/* The nghttp2 worker: same commands and JSON output as the node workers (../worker-main.mjs).
 *   checksum <blocks.bin>
 *   encode <headers.bin> <outDir>
 *   bench <seconds> <warmup> <decode.bin> <headers.bin> <huffman.bin>
 * Timing is process CPU time (CLOCK_PROCESS_CPUTIME_ID) over whole passes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "codec.h"

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *what) {
  fprintf(stderr, "nghttp2 worker: %s failed\n", what);
  exit(1);
}

typedef void (*pass_fn)(const void *ctx);
typedef struct {
  long passes;
  double cpu;
} timing_t;

static timing_t loop(pass_fn pass, const void *ctx, double seconds) {
  timing_t t = {0, 0};
  double start = cpu_now();
  do {
    pass(ctx);
    t.passes++;
    t.cpu = cpu_now() - start;
  } while (t.cpu < seconds);
  return t;
}

/* Warm-up mirrors the node workers' so every implementation is timed the same way. */
static timing_t time_passes(pass_fn pass, const void *ctx, double seconds, double warmup) {
  if (warmup > 0) loop(pass, ctx, warmup);
  return loop(pass, ctx, seconds);
}

static void inflate_pass(const void *ctx) {
  fieldsum_t sum;
  fieldsum_init(&sum);
  if (inflate_stories(ctx, &sum, 0) != 0) fail("inflate");
}

typedef struct {
  const nv_input_t *in;
  uint8_t *buf;
  size_t cap;
} deflate_ctx_t;

static long long deflate_once(const deflate_ctx_t *d, block_file_t *record) {
  long long n = deflate_stories(d->in, d->buf, d->cap, record);
  if (n < 0) fail("deflate");
  return n;
}

static void deflate_pass(const void *ctx) { deflate_once(ctx, NULL); }

static fieldsum_t check(const block_file_t *bf) {
  fieldsum_t sum;
  fieldsum_init(&sum);
  if (inflate_stories(bf, &sum, 1) != 0) fail("inflate");
  return sum;
}

static void print_sum(const fieldsum_t *s) {
  printf("\"fields\":%llu,\"octets\":%llu,\"checksum\":\"%08x\"", (unsigned long long)s->fields,
         (unsigned long long)s->octets, s->h);
}

static void print_timing(timing_t t) { printf(",\"passes\":%ld,\"cpu\":%.6f", t.passes, t.cpu); }

static void time_decode(const char *figure, const block_file_t *bf, double s, double w) {
  fieldsum_t sum = check(bf); /* the harness verifies this before trusting the timing */
  timing_t t = time_passes(inflate_pass, bf, s, w);
  printf("\"%s\":{", figure);
  print_sum(&sum);
  print_timing(t);
  printf("}");
}

static deflate_ctx_t deflate_setup(const char *headers_path, header_file_t *hf, nv_input_t *in) {
  read_header_file(headers_path, hf);
  nv_input_build(hf, in);
  deflate_ctx_t d = {in, NULL, in->max_block * 2};
  d.buf = malloc(d.cap);
  if (!d.buf) fail("malloc");
  return d;
}

static int cmd_bench(char **argv) {
  double seconds = atof(argv[0]), warmup = atof(argv[1]);
  block_file_t wired, huffman;
  header_file_t hf;
  nv_input_t in;
  read_block_file(argv[2], &wired);
  read_block_file(argv[4], &huffman);
  deflate_ctx_t d = deflate_setup(argv[3], &hf, &in);

  printf("{\"nghttp2\":{");
  time_decode("decode", &wired, seconds, warmup);
  long long bytes = deflate_once(&d, NULL);
  timing_t t = time_passes(deflate_pass, &d, seconds, warmup);
  printf(",\"encode\":{\"fields\":%llu,\"bytes\":%lld", (unsigned long long)in.fields, bytes);
  print_timing(t);
  printf("},");
  time_decode("huffman", &huffman, seconds, warmup);
  printf("}}\n");
  return 0;
}

static int cmd_checksum(char **argv) {
  block_file_t bf;
  read_block_file(argv[0], &bf);
  fieldsum_t sum = check(&bf);
  printf("{\"nghttp2\":{");
  print_sum(&sum);
  printf("}}\n");
  return 0;
}

static int cmd_encode(char **argv) {
  header_file_t hf;
  nv_input_t in;
  deflate_ctx_t d = deflate_setup(argv[0], &hf, &in);
  block_file_t out;
  long long bytes = deflate_once(&d, &out);
  char path[4096];
  snprintf(path, sizeof path, "%s/encoded-nghttp2.bin", argv[1]);
  write_block_file(path, &out);
  printf("{\"nghttp2\":{\"bytes\":%lld}}\n", bytes);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "checksum") == 0) return cmd_checksum(argv + 2);
  if (argc == 4 && strcmp(argv[1], "encode") == 0) return cmd_encode(argv + 2);
  if (argc == 7 && strcmp(argv[1], "bench") == 0) return cmd_bench(argv + 2);
  fprintf(stderr, "usage: %s checksum|encode|bench ...\n", argv[0]);
  return 2;
}
