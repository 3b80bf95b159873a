#include "codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int inflate_block(nghttp2_hd_inflater *inf, const uint8_t *in, size_t len,
                         fieldsum_t *sum, int hash) {
  for (;;) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, in, len, 1);
    if (rv < 0) return -1;
    in += rv;
    len -= (size_t)rv;
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      if (hash) {
        fieldsum_add(sum, nv.name, nv.namelen, nv.value, nv.valuelen);
      } else { /* timed passes only count, like the JS workers */
        sum->fields++;
        sum->octets += nv.namelen + nv.valuelen;
      }
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inf);
      return 0;
    }
    if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && len == 0) return -1; /* block ended early */
  }
}

int inflate_stories(const block_file_t *in, fieldsum_t *sum, int hash) {
  for (size_t s = 0; s < in->nstories; s++) {
    nghttp2_hd_inflater *inf;
    if (nghttp2_hd_inflate_new(&inf) != 0) return -1;
    const block_story_t *st = &in->stories[s];
    for (size_t b = 0; b < st->nblocks; b++) {
      if (inflate_block(inf, st->blocks[b].data, st->blocks[b].len, sum, hash) != 0) {
        nghttp2_hd_inflate_del(inf);
        return -1;
      }
    }
    nghttp2_hd_inflate_del(inf);
  }
  return 0;
}

static void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

void nv_input_build(const header_file_t *hf, nv_input_t *out) {
  out->nstories = hf->nstories;
  out->stories = xcalloc(hf->nstories, sizeof(nv_story_t));
  out->fields = 0;
  out->max_block = 0;
  for (size_t s = 0; s < hf->nstories; s++) {
    const header_story_t *hs = &hf->stories[s];
    nv_story_t *ns = &out->stories[s];
    ns->nlists = hs->nlists;
    ns->nfields = xcalloc(hs->nlists, sizeof(size_t));
    ns->nva = xcalloc(hs->nlists, sizeof(nghttp2_nv *));
    for (size_t l = 0; l < hs->nlists; l++) {
      const header_list_t *hl = &hs->lists[l];
      size_t octets = 0;
      ns->nfields[l] = hl->nfields;
      ns->nva[l] = xcalloc(hl->nfields, sizeof(nghttp2_nv));
      for (size_t f = 0; f < hl->nfields; f++) {
        nghttp2_nv *nv = &ns->nva[l][f];
        nv->name = (uint8_t *)hl->names[f].data;
        nv->namelen = hl->names[f].len;
        nv->value = (uint8_t *)hl->values[f].data;
        nv->valuelen = hl->values[f].len;
        nv->flags = NGHTTP2_NV_FLAG_NONE;
        octets += nv->namelen + nv->valuelen;
      }
      out->fields += hl->nfields;
      /* generous bound: raw literal + integer prefixes per field, plus a size update */
      size_t bound = octets + 12 * hl->nfields + 16;
      if (bound > out->max_block) out->max_block = bound;
    }
  }
}

long long deflate_stories(const nv_input_t *in, uint8_t *buf, size_t cap, block_file_t *record) {
  long long total = 0;
  if (record) {
    record->nstories = in->nstories;
    record->stories = xcalloc(in->nstories, sizeof(block_story_t));
    record->file = NULL;
  }
  for (size_t s = 0; s < in->nstories; s++) {
    const nv_story_t *ns = &in->stories[s];
    nghttp2_hd_deflater *def;
    if (nghttp2_hd_deflate_new(&def, 4096) != 0) return -1;
    if (record) {
      record->stories[s].nblocks = ns->nlists;
      record->stories[s].blocks = xcalloc(ns->nlists, sizeof(octets_t));
    }
    for (size_t l = 0; l < ns->nlists; l++) {
      ssize_t n = nghttp2_hd_deflate_hd(def, buf, cap, ns->nva[l], ns->nfields[l]);
      if (n < 0) {
        nghttp2_hd_deflate_del(def);
        return -1;
      }
      total += n;
      if (record) {
        uint8_t *copy = xcalloc((size_t)n, 1);
        memcpy(copy, buf, (size_t)n);
        record->stories[s].blocks[l].data = copy;
        record->stories[s].blocks[l].len = (size_t)n;
      }
    }
    nghttp2_hd_deflate_del(def);
  }
  return total;
}
