/* CSV of numbers: one sample per line, values separated by commas (or
 * semicolons, tabs, spaces); an optional first line that is not numeric
 * is a header. Every line must hold exactly sample_size values. */
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

static int is_sep(char c) { return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\r'; }

/* Parses one line [p, e) into out (may be NULL to just test); returns the
 * count, or -1 if a field is not a number. */
static int64_t parse_line(const char *p, const char *e, float *out, int64_t cap) {
  int64_t k = 0;
  for (;;) {
    while (p < e && is_sep(*p)) ++p;
    if (p >= e) return k;
    char *end;
    double v = strtod(p, &end);
    if (end == p || end > e || (end < e && !is_sep(*end))) return -1;
    if (out && k < cap) out[k] = (float)v;
    ++k;
    p = end;
  }
}

int aec_data_parse_csv(const char *path, const unsigned char *buf, size_t size,
                       int64_t sample_size, aec_dataset *d) {
  const char *p = (const char *)buf, *end = p + size;
  int64_t cap = 0, n = 0, line = 0;
  float *data = NULL;
  int first = 1;
  while (p < end) {
    const char *e = memchr(p, '\n', (size_t)(end - p));
    if (!e) e = end;
    ++line;
    const char *q = p;
    while (q < e && is_sep(*q)) ++q;
    if (q == e || *q == '#') { p = e + 1; continue; } /* blank or comment line */
    if (n == cap) {
      int64_t ncap = cap ? cap * 2 : 1024;
      float *nd = (float *)realloc(data, sizeof(float) * (size_t)(ncap * sample_size));
      if (!nd) { free(data); return aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path); }
      data = nd;
      cap = ncap;
    }
    int64_t k = parse_line(q, e, data + n * sample_size, sample_size);
    if (k < 0) {
      if (first) { first = 0; p = e + 1; continue; } /* header line */
      free(data);
      return aec_rt_fail(AEC_RT_EUSER, "%s:%lld: not a number in this line", path, (long long)line);
    }
    first = 0;
    if (k != sample_size) {
      free(data);
      return aec_rt_fail(AEC_RT_EUSER, "%s:%lld: line has %lld values but %lld are needed per sample",
                         path, (long long)line, (long long)k, (long long)sample_size);
    }
    ++n;
    p = e + 1;
  }
  d->data = data;
  d->n = n;
  d->sample_size = sample_size;
  d->rank = 1;
  d->dims[0] = sample_size;
  return 0;
}
