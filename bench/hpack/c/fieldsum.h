/* FNV-1a over name octets, 0, value octets, 0 per field: same fingerprint as ../checksum.mjs. */
#ifndef HPACK_BENCH_FIELDSUM_H
#define HPACK_BENCH_FIELDSUM_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t h;
  uint64_t fields, octets;
} fieldsum_t;

static inline void fieldsum_init(fieldsum_t *s) {
  s->h = 0x811c9dc5u;
  s->fields = s->octets = 0;
}

static inline void fieldsum_octets(fieldsum_t *s, const uint8_t *p, size_t n) {
  uint32_t h = s->h;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x01000193u;
  s->h = h * 0x01000193u; /* the 0 separator: h ^ 0 == h */
}

static inline void fieldsum_add(fieldsum_t *s, const uint8_t *name, size_t namelen,
                                const uint8_t *value, size_t valuelen) {
  fieldsum_octets(s, name, namelen);
  fieldsum_octets(s, value, valuelen);
  s->fields++;
  s->octets += namelen + valuelen;
}

#endif
