/* Checkpoints (.aew). Little-endian layout:
 *   header  "AEW1" | u32 format version | u64 body size
 *   body    u64 arch_hash | str model name | i64 step | i64 epoch | u64 seed
 *           | u64 rng[4] | f32 lr | i32 optimizer | i32 opt slots stored
 *           | i32 tensor count | per tensor: str name, i32 rank, i64 dims[rank],
 *             i64 size, f32 data[size], f32 opt[slots * size]
 *           | version 2: u32 section count | per section: u8 tag[4], u64 length,
 *             bytes (sections below; unknown tags are skipped)
 *   trailer u32 CRC32 (zlib) of the body
 * Sections (issue 8): "NORM" i32 kind, i64 n, f32 shift[n], f32 scale[n];
 * "THRS" f32 threshold; "TRST" f32 base_lr, f32 plateau_scale, i64
 * plateau_wait, f64 best_val, i64 best_epoch, i64 stop_wait; "LAST" f32
 * params[param_count] (the last epoch's weights when the tensors hold the
 * best epoch's). Version 1 files (no sections) are still read.
 * (str = u32 length + bytes). The reader checks every length against the
 * buffer, so a truncated or corrupted file is an error, never a crash; a
 * session is only modified after the whole file has been validated. Saving
 * goes through the output-path guard (temp file, fsync, rename). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "byte_buf.h"
#include "rt_internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the aec runtime assumes a little-endian host"
#endif

#define AEW_VERSION 2u
#define AEW_HEADER 16u

/* ---- writing ---- */
typedef aec_bytes wbuf;
static void put_u32(wbuf *b, uint32_t v) { aec_bytes_put(b, &v, 4); }
static void put_i32(wbuf *b, int32_t v) { aec_bytes_put(b, &v, 4); }
static void put_u64(wbuf *b, uint64_t v) { aec_bytes_put(b, &v, 8); }
static void put_i64(wbuf *b, int64_t v) { aec_bytes_put(b, &v, 8); }
static void put_f32(wbuf *b, float v) { aec_bytes_put(b, &v, 4); }
static void put_f64(wbuf *b, double v) { aec_bytes_put(b, &v, 8); }
static void put_tag(wbuf *b, const char *tag, uint64_t len) { aec_bytes_put(b, tag, 4); put_u64(b, len); }
static void put_str(wbuf *b, const char *s) {
  uint32_t n = s ? (uint32_t)strlen(s) : 0;
  put_u32(b, n);
  aec_bytes_put(b, s, n);
}

int aec_rt_save(aec_session *s, const char *path) {
  if (!s || !path) return aec_rt_fail(AEC_RT_EUSER, "no session or path given");
  const aec_model *m = s->model;
  int32_t slots = s->opt_state ? (int32_t)m->opt_slots : 0;
  wbuf b = {0};
  unsigned char header[AEW_HEADER] = {'A', 'E', 'W', '1'};
  aec_bytes_put(&b, header, AEW_HEADER); /* patched below */
  put_u64(&b, m->arch_hash);
  put_str(&b, m->name);
  put_i64(&b, s->step);
  put_i64(&b, s->epoch);
  put_u64(&b, s->seed);
  for (int i = 0; i < 4; ++i) put_u64(&b, s->rng.s[i]);
  aec_bytes_put(&b, &s->lr, 4);
  put_i32(&b, m->optimizer);
  put_i32(&b, slots);
  /* Early stopping: the tensors hold the best epoch's weights (what every
   * other command uses), LAST the current ones (what --resume continues). */
  int best = s->best_params && s->train.best_epoch > 0 && s->train.best_epoch != s->epoch;
  const float *params = best ? s->best_params : s->params;
  put_i32(&b, m->num_tensors);
  for (int32_t i = 0; i < m->num_tensors; ++i) {
    const aec_tensor_info *t = &m->tensors[i];
    put_str(&b, t->name);
    put_i32(&b, t->rank);
    for (int32_t d = 0; d < t->rank; ++d) put_i64(&b, t->dims[d]);
    put_i64(&b, t->size);
    aec_bytes_put(&b, params + t->offset, sizeof(float) * (size_t)t->size);
    for (int32_t k = 0; k < slots; ++k)
      aec_bytes_put(&b, s->opt_state + k * m->param_count + t->offset, sizeof(float) * (size_t)t->size);
  }
  const float *last = best ? s->params : s->last_params;
  put_u32(&b, (uint32_t)((s->norm_kind ? 1 : 0) + s->has_threshold + 1 + (last ? 1 : 0)));
  if (s->norm_kind) {
    size_t n = (size_t)m->input_size;
    put_tag(&b, "NORM", 12 + 8 * n);
    put_i32(&b, s->norm_kind);
    put_i64(&b, m->input_size);
    aec_bytes_put(&b, s->norm_shift, 4 * n);
    aec_bytes_put(&b, s->norm_scale, 4 * n);
  }
  if (s->has_threshold) {
    put_tag(&b, "THRS", 4);
    put_f32(&b, s->threshold);
  }
  put_tag(&b, "TRST", 40);
  put_f32(&b, s->train.base_lr);
  put_f32(&b, s->train.plateau_scale);
  put_i64(&b, s->train.plateau_wait);
  put_f64(&b, s->train.best_val);
  put_i64(&b, s->train.best_epoch);
  put_i64(&b, s->train.stop_wait);
  if (last) {
    put_tag(&b, "LAST", 4 * (uint64_t)m->param_count);
    aec_bytes_put(&b, last, 4 * (size_t)m->param_count);
  }
  if (b.failed) { free(b.data); return aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory writing checkpoint", path); }
  uint64_t body = b.size - AEW_HEADER;
  uint32_t version = AEW_VERSION;
  memcpy(b.data + 4, &version, 4);
  memcpy(b.data + 8, &body, 8);
  uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
  const unsigned char *bp = b.data + AEW_HEADER;
  for (uint64_t off = 0; off < body;) { /* crc32 takes uInt lengths */
    uInt chunk = body - off > (1u << 30) ? (1u << 30) : (uInt)(body - off);
    crc = (uint32_t)crc32(crc, bp + off, chunk);
    off += chunk;
  }
  put_u32(&b, crc);
  if (b.failed) { free(b.data); return aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory writing checkpoint", path); }

  char err[512];
  int rc = aec_out_write_file(path, NULL, 0, b.data, b.size, err, sizeof err);
  if (rc) aec_rt_fail(rc == AEC_OUT_EUSER ? AEC_RT_EUSER : AEC_RT_EINTERNAL, "%s", err);
  free(b.data);
  return rc;
}

/* ---- reading ---- */
typedef struct rbuf { const unsigned char *p; size_t len, pos; int bad; } rbuf;

static const unsigned char *take(rbuf *r, size_t n) {
  if (r->bad || n > r->len - r->pos) { r->bad = 1; return NULL; }
  const unsigned char *p = r->p + r->pos;
  r->pos += n;
  return p;
}
static uint32_t get_u32(rbuf *r) { uint32_t v = 0; const unsigned char *p = take(r, 4); if (p) memcpy(&v, p, 4); return v; }
static int32_t get_i32(rbuf *r) { return (int32_t)get_u32(r); }
static uint64_t get_u64(rbuf *r) { uint64_t v = 0; const unsigned char *p = take(r, 8); if (p) memcpy(&v, p, 8); return v; }
static int64_t get_i64(rbuf *r) { return (int64_t)get_u64(r); }

void aec_ckpt_free(aec_ckpt *c) {
  if (!c) return;
  if (c->tensors)
    for (int32_t i = 0; i < c->num_tensors; ++i) free(c->tensors[i].name);
  free(c->tensors);
  free(c->model_name);
  free(c->blob);
  memset(c, 0, sizeof *c);
}

const aec_ckpt_tensor *aec_ckpt_find(const aec_ckpt *c, const char *name) {
  for (int32_t i = 0; i < c->num_tensors; ++i)
    if (strcmp(c->tensors[i].name, name) == 0) return &c->tensors[i];
  return NULL;
}

static char *get_str(rbuf *r) {
  uint32_t n = get_u32(r);
  if (n > 4096) { r->bad = 1; return NULL; }
  const unsigned char *p = take(r, n);
  if (!p) return NULL;
  char *s = (char *)malloc(n + 1);
  if (!s) { r->bad = 1; return NULL; }
  memcpy(s, p, n);
  s[n] = '\0';
  return s;
}

/* Index of the first non-finite float (or, if nonneg, negative one) among
 * n little-endian floats at p, or -1. */
static int64_t first_bad(const unsigned char *p, int64_t n, int nonneg) {
  for (int64_t i = 0; i < n; ++i) {
    float v;
    memcpy(&v, p + 4 * i, 4);
    if (!isfinite(v) || (nonneg && v < 0)) return i;
  }
  return -1;
}

/* A checksum only proves the bytes are the ones written: the values must
 * also make sense, or training resumes into nonsense (lr -1 ascends, epoch
 * -2^62 runs forever, NaN weights evaluate to nan with exit 0). */
static int check_values(const char *path, const aec_ckpt *c) {
  const int64_t kMaxCount = (int64_t)1 << 40;
  if (!(c->lr > 0) || !isfinite(c->lr))
    return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint learning rate %g is not a positive finite number", path, (double)c->lr);
  if (c->epoch < 0 || c->epoch > kMaxCount || c->step < 0 || c->step > kMaxCount)
    return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint epoch %lld / step %lld is outside [0, 2^40]", path,
                       (long long)c->epoch, (long long)c->step);
  if (c->opt_slots && c->optimizer != AEC_OPT_SGD && c->optimizer != AEC_OPT_ADAM)
    return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint optimizer %d is unknown", path, c->optimizer);
  for (int32_t i = 0; i < c->num_tensors; ++i) {
    const aec_ckpt_tensor *t = &c->tensors[i];
    int64_t at = first_bad(t->data, t->size, 0);
    if (at >= 0)
      return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint tensor `%s` value %lld is not finite", path, t->name, (long long)at);
    for (int32_t k = 0; k < c->opt_slots; ++k) {
      int nonneg = c->optimizer == AEC_OPT_ADAM && k == 1; /* Adam's second moment */
      at = first_bad(t->opt + (size_t)k * (size_t)t->size * 4, t->size, nonneg);
      if (at >= 0)
        return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint optimizer state %d of tensor `%s` value %lld is %s", path, k,
                           t->name, (long long)at, nonneg ? "not a finite non-negative number" : "not finite");
    }
  }
  return 0;
}

/* The bounded reader's probe: the magic first, then header + body + CRC. */
static int ckpt_probe(void *ctx, const char *path, const unsigned char *b, size_t len, int eof, uint64_t *total,
                      size_t *more) {
  (void)ctx;
  (void)eof;
  if (len < 4 || memcmp(b, "AEW1", 4) != 0)
    return aec_rt_fail(AEC_RT_EUSER, "%s: not an aec checkpoint (no AEW1 magic)", path), -1;
  if (len < AEW_HEADER) { *more = 0; return 0; } /* short: the parser says truncated */
  uint64_t body;
  memcpy(&body, b + 8, 8);
  *total = body > UINT64_MAX - AEW_HEADER - 4 ? UINT64_MAX : body + AEW_HEADER + 4;
  return 1;
}

static double get_f64(rbuf *r) { double v = 0; const unsigned char *p = take(r, 8); if (p) memcpy(&v, p, 8); return v; }
static float get_f32(rbuf *r) { float v = 0; const unsigned char *p = take(r, 4); if (p) memcpy(&v, p, 4); return v; }

/* Version 2 sections; each one's length is checked against what it holds. */
static void read_sections(rbuf *r, aec_ckpt *c) {
  uint32_t count = get_u32(r);
  if (count > 64) { r->bad = 1; return; }
  for (uint32_t i = 0; i < count && !r->bad; ++i) {
    const unsigned char *tag = take(r, 4);
    uint64_t len = get_u64(r);
    if (r->bad || len > r->len - r->pos) { r->bad = 1; return; }
    rbuf sec = {r->p + r->pos, (size_t)len, 0, 0};
    r->pos += (size_t)len;
    if (!memcmp(tag, "NORM", 4)) {
      c->norm_kind = get_i32(&sec);
      c->norm_size = get_i64(&sec);
      if (sec.bad || c->norm_kind < 1 || c->norm_kind > 2 || c->norm_size < 1 ||
          (uint64_t)c->norm_size != (len - 12) / 8 || len != 12 + 8 * (uint64_t)c->norm_size) { r->bad = 1; return; }
      c->norm_shift = take(&sec, 4 * (size_t)c->norm_size);
      c->norm_scale = take(&sec, 4 * (size_t)c->norm_size);
    } else if (!memcmp(tag, "THRS", 4)) {
      c->threshold = get_f32(&sec);
      c->has_threshold = 1;
    } else if (!memcmp(tag, "TRST", 4)) {
      c->train.base_lr = get_f32(&sec);
      c->train.plateau_scale = get_f32(&sec);
      c->train.plateau_wait = get_i64(&sec);
      c->train.best_val = get_f64(&sec);
      c->train.best_epoch = get_i64(&sec);
      c->train.stop_wait = get_i64(&sec);
      c->has_train_state = 1;
    } else if (!memcmp(tag, "LAST", 4)) {
      if (len % 4) { r->bad = 1; return; }
      c->last_size = (int64_t)(len / 4);
      c->last = take(&sec, (size_t)len);
      continue;
    } else {
      continue; /* a later version's section */
    }
    if (sec.bad || sec.pos != sec.len) { r->bad = 1; return; }
  }
}

int aec_ckpt_read(const char *path, aec_ckpt *c) {
  memset(c, 0, sizeof *c);
  unsigned char *buf;
  size_t size;
  int rc = aec_rt_read_bounded(path, ckpt_probe, NULL, &buf, &size);
  if (rc) return rc;
  c->blob = buf;
  if (size < 4 || memcmp(buf, "AEW1", 4) != 0) {
    aec_ckpt_free(c);
    return aec_rt_fail(AEC_RT_EUSER, "%s: not an aec checkpoint (no AEW1 magic)", path);
  }
  if (size < AEW_HEADER + 4) {
    aec_ckpt_free(c);
    return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint is truncated (%zu bytes)", path, size);
  }
  uint32_t version;
  uint64_t body;
  memcpy(&version, buf + 4, 4);
  memcpy(&body, buf + 8, 8);
  if (version != 1 && version != AEW_VERSION) {
    aec_ckpt_free(c);
    return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint format version %u is not supported (this runtime reads %u)",
                       path, version, AEW_VERSION);
  }
  if (body > size - AEW_HEADER - 4) {
    aec_ckpt_free(c);
    if (body > UINT64_MAX - AEW_HEADER - 4) /* the sum would wrap */
      return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint is truncated (%zu bytes, header says more than 2^64)", path, size);
    return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint is truncated (%zu bytes, header says %llu)", path,
                       size, (unsigned long long)(body + AEW_HEADER + 4));
  }
  if (body < size - AEW_HEADER - 4) {
    aec_ckpt_free(c);
    return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint has %llu unexpected trailing bytes", path,
                       (unsigned long long)(size - AEW_HEADER - 4 - body));
  }
  uint32_t want;
  memcpy(&want, buf + AEW_HEADER + body, 4);
  uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
  for (uint64_t off = 0; off < body;) {
    uInt chunk = body - off > (1u << 30) ? (1u << 30) : (uInt)(body - off);
    crc = (uint32_t)crc32(crc, buf + AEW_HEADER + off, chunk);
    off += chunk;
  }
  if (crc != want) {
    aec_ckpt_free(c);
    return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint is corrupted (checksum mismatch)", path);
  }
  rbuf r = {buf + AEW_HEADER, (size_t)body, 0, 0};
  c->version = version;
  aec_workflow_state_init(&c->train);
  c->arch_hash = get_u64(&r);
  c->model_name = get_str(&r);
  c->step = get_i64(&r);
  c->epoch = get_i64(&r);
  c->seed = get_u64(&r);
  for (int i = 0; i < 4; ++i) c->rng[i] = get_u64(&r);
  const unsigned char *lr = take(&r, 4);
  if (lr) memcpy(&c->lr, lr, 4);
  c->optimizer = get_i32(&r);
  c->opt_slots = get_i32(&r);
  int32_t nt = get_i32(&r);
  if (!r.bad && (nt < 0 || nt > 100000 || c->opt_slots < 0 || c->opt_slots > 8)) r.bad = 1;
  if (!r.bad) {
    c->tensors = (aec_ckpt_tensor *)calloc(nt > 0 ? (size_t)nt : 1, sizeof *c->tensors);
    if (!c->tensors) r.bad = 1;
  }
  for (int32_t i = 0; !r.bad && i < nt; ++i) {
    aec_ckpt_tensor *t = &c->tensors[i];
    c->num_tensors = i + 1;
    t->name = get_str(&r);
    t->rank = get_i32(&r);
    if (r.bad || t->rank < 0 || t->rank > AEC_MAX_RANK) { r.bad = 1; break; }
    int64_t prod = 1;
    for (int32_t d = 0; d < t->rank; ++d) {
      t->dims[d] = get_i64(&r);
      if (t->dims[d] < 0 || t->dims[d] > ((int64_t)1 << 40) || __builtin_mul_overflow(prod, t->dims[d], &prod))
        r.bad = 1; /* found by the aew fuzzer: the product wrapped */
    }
    t->size = get_i64(&r);
    if (r.bad || t->size != prod || t->size > (int64_t)(body / 4)) { r.bad = 1; break; }
    t->data = take(&r, (size_t)t->size * 4);
    t->opt = c->opt_slots ? take(&r, (size_t)t->size * 4 * (size_t)c->opt_slots) : NULL;
  }
  if (!r.bad && version >= 2) read_sections(&r, c);
  if (!r.bad && r.pos != r.len) r.bad = 1;
  if (r.bad) {
    aec_ckpt_free(c);
    return aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint is malformed (inconsistent lengths)", path);
  }
  if ((rc = check_values(path, c))) aec_ckpt_free(c);
  return rc;
}

int aec_rt_load(aec_session *s, const char *path) {
  if (!s || !path) return aec_rt_fail(AEC_RT_EUSER, "no session or path given");
  const aec_model *m = s->model;
  aec_ckpt c;
  int rc = aec_ckpt_read(path, &c);
  if (rc) return rc;
  if (c.arch_hash != m->arch_hash) {
    rc = aec_rt_fail(AEC_RT_EUSER,
                     "%s: checkpoint is for another architecture (model `%s`, hash %016llx); "
                     "this is model `%s` (hash %016llx)",
                     path, c.model_name, (unsigned long long)c.arch_hash, m->name,
                     (unsigned long long)m->arch_hash);
    aec_ckpt_free(&c);
    return rc;
  }
  if (c.num_tensors != m->num_tensors) {
    rc = aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint has %d tensors, model `%s` has %d", path,
                     c.num_tensors, m->name, m->num_tensors);
    aec_ckpt_free(&c);
    return rc;
  }
  for (int32_t i = 0; i < m->num_tensors; ++i) {
    const aec_tensor_info *t = &m->tensors[i];
    const aec_ckpt_tensor *ct = &c.tensors[i];
    int same = strcmp(ct->name, t->name) == 0 && ct->rank == t->rank && ct->size == t->size;
    for (int32_t d = 0; same && d < t->rank; ++d) same = ct->dims[d] == t->dims[d];
    if (!same) {
      rc = aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint tensor %d (`%s`) does not match model `%s`'s `%s`",
                       path, i, ct->name, m->name, t->name);
      aec_ckpt_free(&c);
      return rc;
    }
  }
  if ((c.norm_kind && c.norm_size != m->input_size) || (c.last && c.last_size != m->param_count)) {
    rc = aec_rt_fail(AEC_RT_EUSER, "%s: checkpoint's normalization or last-epoch section does not fit model `%s`",
                     path, m->name);
    aec_ckpt_free(&c);
    return rc;
  }
  /* Validated: commit. */
  int opt_ok = s->opt_state && c.optimizer == m->optimizer && c.opt_slots == m->opt_slots;
  if (s->opt_state) memset(s->opt_state, 0, sizeof(float) * (size_t)(m->opt_slots * m->param_count));
  for (int32_t i = 0; i < m->num_tensors; ++i) {
    const aec_tensor_info *t = &m->tensors[i];
    const aec_ckpt_tensor *ct = &c.tensors[i];
    memcpy(s->params + t->offset, ct->data, sizeof(float) * (size_t)t->size);
    if (opt_ok)
      for (int32_t k = 0; k < c.opt_slots; ++k)
        memcpy(s->opt_state + k * m->param_count + t->offset, ct->opt + (size_t)k * t->size * 4,
               sizeof(float) * (size_t)t->size);
  }
  if (s->grads) memset(s->grads, 0, sizeof(float) * (size_t)m->param_count);
  aec_rt_params_changed(s);
  aec_rt_packed_sync(s); /* the packed copy at load, not on the first call */
  s->step = opt_ok ? c.step : 0; /* Adam's bias correction restarts with fresh moments */
  s->epoch = c.epoch;
  s->seed = c.seed;
  memcpy(s->rng.s, c.rng, sizeof c.rng);
  s->lr = c.lr;
  s->train = c.train;
  s->has_threshold = c.has_threshold;
  s->threshold = c.threshold;
  free(s->last_params);
  s->last_params = NULL;
  if (c.last && c.last_size == m->param_count && (s->last_params = (float *)malloc(4 * (size_t)c.last_size)))
    memcpy(s->last_params, c.last, 4 * (size_t)c.last_size);
  aec_norm_clear(s);
  if (c.norm_kind && c.norm_size == m->input_size) {
    float *a = (float *)malloc(8 * (size_t)c.norm_size);
    if (a) {
      memcpy(a, c.norm_shift, 4 * (size_t)c.norm_size);
      memcpy(a + c.norm_size, c.norm_scale, 4 * (size_t)c.norm_size);
      aec_norm_set(s, c.norm_kind, a, a + c.norm_size);
      free(a);
    }
  }
  aec_ckpt_free(&c);
  return 0;
}
