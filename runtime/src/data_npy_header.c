/* The .npy header dict, parsed as the Python literal it is (numpy writes it
 * with repr): `{'descr': '<f4', 'fortran_order': False, 'shape': (n, ...), }`.
 * Keys are matched as whole string literals, never by substring search;
 * exactly the three keys numpy requires, each once; dims overflow-checked. */
#include <stdio.h>
#include <string.h>

#include "data_npy_header.h"

typedef struct lexer { const char *p, *end; } lexer;

static void skip_ws(lexer *l) {
  while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r')) ++l->p;
}
static int eat(lexer *l, char c) {
  skip_ws(l);
  if (l->p < l->end && *l->p == c) { ++l->p; return 1; }
  return 0;
}

/* A '...' or "..." literal without escapes (numpy's keys and dtypes have
 * none); [*s, *s + *n) is its contents. */
static int string_lit(lexer *l, const char **s, size_t *n) {
  skip_ws(l);
  if (l->p >= l->end || (*l->p != '\'' && *l->p != '"')) return 0;
  char q = *l->p++;
  const char *b = l->p;
  while (l->p < l->end && *l->p != q) {
    if (*l->p == '\\') return 0;
    ++l->p;
  }
  if (l->p >= l->end) return 0;
  *s = b;
  *n = (size_t)(l->p - b);
  ++l->p;
  return 1;
}

static int word(lexer *l, const char *w) {
  skip_ws(l);
  size_t n = strlen(w);
  if ((size_t)(l->end - l->p) < n || memcmp(l->p, w, n) != 0) return 0;
  l->p += n;
  return 1;
}

/* A non-negative decimal integer (Python 2's `L` suffix allowed) that fits
 * in int64. */
static int int_lit(lexer *l, int64_t *out) {
  skip_ws(l);
  if (l->p >= l->end || *l->p < '0' || *l->p > '9') return 0;
  uint64_t v = 0;
  while (l->p < l->end && *l->p >= '0' && *l->p <= '9') {
    if (v > (uint64_t)(INT64_MAX - (*l->p - '0')) / 10) return 0;
    v = v * 10 + (uint64_t)(*l->p++ - '0');
  }
  if (l->p < l->end && *l->p == 'L') ++l->p;
  *out = (int64_t)v;
  return 1;
}

static int shape_tuple(lexer *l, aec_npy_header *h) {
  if (!eat(l, '(')) return 0;
  h->rank = 0;
  for (;;) {
    if (eat(l, ')')) return 1;
    if (h->rank == AEC_NPY_MAX_RANK || !int_lit(l, &h->shape[h->rank])) return 0;
    ++h->rank;
    if (eat(l, ')')) return 1;
    if (!eat(l, ',')) return 0;
  }
}

int aec_npy_parse_header(const char *text, size_t len, aec_npy_header *h, char *err, size_t cap) {
  lexer l = {text, text + len};
  int have_descr = 0, have_fortran = 0, have_shape = 0;
  memset(h, 0, sizeof *h);
  if (!eat(&l, '{')) { snprintf(err, cap, "header is not a dict"); return 1; }
  for (;;) {
    if (eat(&l, '}')) break;
    const char *k;
    size_t kn;
    if (!string_lit(&l, &k, &kn) || !eat(&l, ':')) { snprintf(err, cap, "header dict is malformed"); return 1; }
    int *seen = NULL;
    if (kn == 5 && !memcmp(k, "descr", 5)) {
      const char *d;
      size_t dn;
      seen = &have_descr;
      if (!string_lit(&l, &d, &dn) || dn >= sizeof h->descr) { snprintf(err, cap, "`descr` is not a dtype string"); return 1; }
      memcpy(h->descr, d, dn);
      h->descr[dn] = '\0';
    } else if (kn == 13 && !memcmp(k, "fortran_order", 13)) {
      seen = &have_fortran;
      if (word(&l, "False")) h->fortran_order = 0;
      else if (word(&l, "True")) h->fortran_order = 1;
      else { snprintf(err, cap, "`fortran_order` is not True or False"); return 1; }
    } else if (kn == 5 && !memcmp(k, "shape", 5)) {
      seen = &have_shape;
      if (!shape_tuple(&l, h)) {
        snprintf(err, cap, "`shape` is not a tuple of at most %d non-negative integers that fit in 64 bits",
                 AEC_NPY_MAX_RANK);
        return 1;
      }
    } else {
      snprintf(err, cap, "header has an unexpected key `%.*s`", (int)(kn > 40 ? 40 : kn), k);
      return 1;
    }
    if (*seen) { snprintf(err, cap, "header repeats a key"); return 1; }
    *seen = 1;
    if (eat(&l, '}')) break;
    if (!eat(&l, ',')) { snprintf(err, cap, "header dict is malformed"); return 1; }
  }
  skip_ws(&l);
  if (l.p != l.end) { snprintf(err, cap, "header has bytes after the dict"); return 1; }
  if (!have_descr) { snprintf(err, cap, "header has no dtype"); return 1; }
  if (!have_shape) { snprintf(err, cap, "header has no shape"); return 1; }
  if (!have_fortran) { snprintf(err, cap, "header has no `fortran_order`"); return 1; }
  return 0;
}
