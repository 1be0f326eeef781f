/* --plot (issue 8): the loss curves of a training run as a PNG drawn with
 * cairo -- title, axes with numbered ticks, grid, legend, the best
 * validation epoch marked. cairo is loaded with dlopen when a plot is asked
 * for, so neither the generated executables nor any library link it (an
 * --inference-only library never contains this file at all); a machine
 * without libcairo2 gets a clear error before training starts. */
#include <cairo.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define CAIRO_FNS(X) X(cairo_image_surface_create) X(cairo_create) X(cairo_destroy) \
  X(cairo_surface_destroy) X(cairo_surface_write_to_png) X(cairo_status) X(cairo_status_to_string) \
  X(cairo_set_source_rgb) X(cairo_paint) X(cairo_set_line_width) X(cairo_move_to) X(cairo_line_to) \
  X(cairo_stroke) X(cairo_rectangle) X(cairo_fill) X(cairo_arc) X(cairo_select_font_face) \
  X(cairo_set_font_size) X(cairo_show_text) X(cairo_text_extents) X(cairo_save) X(cairo_restore) \
  X(cairo_rotate) X(cairo_set_dash) X(cairo_stroke_preserve) X(cairo_new_path)

static struct {
  void *lib;
#define X(f) __typeof__(f) *f;
  CAIRO_FNS(X)
#undef X
} C;

int aec_plot_available(void) {
  if (C.lib) return 0;
  void *lib = dlopen("libcairo.so.2", RTLD_NOW | RTLD_LOCAL);
  if (!lib)
    return aec_rt_fail(AEC_RT_EUSER, "--plot needs the cairo library, which is not installed "
                                     "(Debian: apt-get install libcairo2): %s", dlerror());
#define X(f) if (!(C.f = (__typeof__(f) *)dlsym(lib, #f))) { dlclose(lib); \
    return aec_rt_fail(AEC_RT_EUSER, "--plot: libcairo.so.2 lacks `%s`", #f); }
  CAIRO_FNS(X)
#undef X
  C.lib = lib;
  return 0;
}

/* A round tick spacing giving about `target` ticks over `span`. */
static double nice_step(double span, int target) {
  double raw = span / target, mag = pow(10, floor(log10(raw))), f = raw / mag;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

static void text(cairo_t *cr, double x, double y, const char *s, double ax, double ay) {
  cairo_text_extents_t e;
  C.cairo_text_extents(cr, s, &e);
  C.cairo_move_to(cr, x - ax * e.width - e.x_bearing, y + ay * e.height - (e.height + e.y_bearing));
  C.cairo_show_text(cr, s);
}

enum { PW = 900, PH = 540, L = 90, R = 30, T = 60, B = 70 };

typedef struct frame { double x0, x1, y0, y1; } frame;
static double px(const frame *f, double x) { return L + (x - f->x0) / (f->x1 - f->x0) * (PW - L - R); }
static double py(const frame *f, double y) { return PH - B - (y - f->y0) / (f->y1 - f->y0) * (PH - T - B); }

static void axes(cairo_t *cr, const frame *f) {
  char buf[32];
  C.cairo_set_font_size(cr, 13);
  double ys = nice_step(f->y1 - f->y0, 6), xs = nice_step(f->x1 - f->x0, 8);
  if (xs < 1) xs = 1;
  for (double y = ceil(f->y0 / ys) * ys; y <= f->y1 + ys * 1e-9; y += ys) {
    C.cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    C.cairo_move_to(cr, L, py(f, y));
    C.cairo_line_to(cr, PW - R, py(f, y));
    C.cairo_stroke(cr);
    C.cairo_set_source_rgb(cr, 0, 0, 0);
    snprintf(buf, sizeof buf, "%.4g", fabs(y) < ys * 1e-6 ? 0.0 : y);
    text(cr, L - 8, py(f, y), buf, 1, 0.5);
  }
  for (double x = ceil(f->x0 / xs) * xs; x <= f->x1 + 1e-9; x += xs) {
    C.cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    C.cairo_move_to(cr, px(f, x), T);
    C.cairo_line_to(cr, px(f, x), PH - B);
    C.cairo_stroke(cr);
    C.cairo_set_source_rgb(cr, 0, 0, 0);
    snprintf(buf, sizeof buf, "%.0f", x);
    text(cr, px(f, x), PH - B + 8, buf, 0.5, 1);
  }
  C.cairo_set_source_rgb(cr, 0, 0, 0);
  C.cairo_rectangle(cr, L, T, PW - L - R, PH - T - B);
  C.cairo_stroke(cr);
  C.cairo_set_font_size(cr, 15);
  text(cr, L + (PW - L - R) / 2.0, PH - 22, "epoch", 0.5, 0);
  C.cairo_save(cr);
  C.cairo_move_to(cr, 0, 0);
  C.cairo_rotate(cr, -M_PI / 2);
  text(cr, -(T + (PH - T - B) / 2.0), 28, "loss", 0.5, 0.5);
  C.cairo_restore(cr);
}

/* One series (column 0: loss, 1: val_loss) with markers when sparse. */
static void curve(cairo_t *cr, const frame *f, const aec_history *h, int val, double r, double g, double b) {
  C.cairo_set_source_rgb(cr, r, g, b);
  C.cairo_set_line_width(cr, 2.2);
  C.cairo_new_path(cr);
  for (int64_t i = 0; i < h->n; ++i) {
    double y = val ? h->rows[i].val_loss : h->rows[i].loss, x = (double)h->rows[i].epoch;
    if (i == 0) C.cairo_move_to(cr, px(f, x), py(f, y));
    else C.cairo_line_to(cr, px(f, x), py(f, y));
  }
  C.cairo_stroke(cr);
  if (h->n <= 60)
    for (int64_t i = 0; i < h->n; ++i) {
      double y = val ? h->rows[i].val_loss : h->rows[i].loss;
      C.cairo_arc(cr, px(f, (double)h->rows[i].epoch), py(f, y), 3.2, 0, 2 * M_PI);
      C.cairo_fill(cr);
    }
}

static void legend(cairo_t *cr, int has_val) {
  static const char *names[] = {"training loss", "validation loss"};
  static const double col[2][3] = {{0.12, 0.38, 0.75}, {0.90, 0.45, 0.05}};
  double x = PW - R - 190, y = T + 14;
  C.cairo_set_source_rgb(cr, 1, 1, 1);
  C.cairo_rectangle(cr, x - 10, y - 6, 184, has_val ? 52 : 30);
  C.cairo_fill(cr);
  C.cairo_set_font_size(cr, 14);
  for (int i = 0; i <= has_val; ++i, y += 24) {
    C.cairo_set_source_rgb(cr, col[i][0], col[i][1], col[i][2]);
    C.cairo_rectangle(cr, x, y + 4, 28, 4);
    C.cairo_fill(cr);
    C.cairo_set_source_rgb(cr, 0, 0, 0);
    text(cr, x + 38, y + 6, names[i], 0, 0.5);
  }
}

int aec_plot_history(const char *path, const aec_history *h, const char *model_name) {
  int rc = aec_plot_available();
  if (rc) return rc;
  int has_val = h->n > 0 && !isnan(h->rows[0].val_loss);
  frame f = {(double)h->rows[0].epoch, (double)h->rows[h->n - 1].epoch, INFINITY, -INFINITY};
  int64_t best = -1;
  for (int64_t i = 0; i < h->n; ++i) {
    const aec_hist_row *r = &h->rows[i];
    f.y0 = fmin(f.y0, r->loss);
    f.y1 = fmax(f.y1, r->loss);
    if (has_val && !isnan(r->val_loss)) {
      f.y0 = fmin(f.y0, r->val_loss);
      f.y1 = fmax(f.y1, r->val_loss);
      if (best < 0 || r->val_loss < h->rows[best].val_loss) best = i;
    }
  }
  if (!isfinite(f.y0) || !isfinite(f.y1)) return aec_rt_fail(AEC_RT_EUSER, "--plot: the losses are not finite");
  double pad = (f.y1 - f.y0) * 0.06 + fabs(f.y1) * 1e-6 + 1e-12;
  f.y0 -= pad;
  f.y1 += pad;
  if (f.y0 < 0 && f.y0 + pad >= 0) f.y0 = 0;
  if (f.x1 <= f.x0) { f.x0 -= 0.5; f.x1 += 0.5; }

  cairo_surface_t *sf = C.cairo_image_surface_create(CAIRO_FORMAT_RGB24, PW, PH);
  cairo_t *cr = C.cairo_create(sf);
  C.cairo_set_source_rgb(cr, 1, 1, 1);
  C.cairo_paint(cr);
  C.cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  C.cairo_set_line_width(cr, 1);
  axes(cr, &f);
  curve(cr, &f, h, 0, 0.12, 0.38, 0.75);
  if (has_val) curve(cr, &f, h, 1, 0.90, 0.45, 0.05);
  if (best >= 0) {
    double bx = px(&f, (double)h->rows[best].epoch), dash[] = {5, 4};
    C.cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    C.cairo_set_line_width(cr, 1.2);
    C.cairo_set_dash(cr, dash, 2, 0);
    C.cairo_move_to(cr, bx, T);
    C.cairo_line_to(cr, bx, PH - B);
    C.cairo_stroke(cr);
    C.cairo_set_dash(cr, NULL, 0, 0);
    char buf[64];
    snprintf(buf, sizeof buf, "best epoch %lld", (long long)h->rows[best].epoch);
    C.cairo_set_font_size(cr, 12);
    text(cr, bx + (bx > PW - R - 140 ? -6 : 6), PH - B - 10, buf, bx > PW - R - 140 ? 1 : 0, 0);
  }
  legend(cr, has_val);
  char title[160];
  snprintf(title, sizeof title, "%s: loss per epoch (%lld epochs)", model_name, (long long)h->n);
  C.cairo_set_source_rgb(cr, 0, 0, 0);
  C.cairo_set_font_size(cr, 18);
  text(cr, PW / 2.0, 22, title, 0.5, 0.5);

  size_t plen = strlen(path);
  char *tmp = (char *)malloc(plen + 32);
  if (!tmp) rc = aec_rt_fail(AEC_RT_EINTERNAL, "out of memory");
  else snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
  cairo_status_t st = C.cairo_status(cr);
  if (!rc && st == CAIRO_STATUS_SUCCESS) st = C.cairo_surface_write_to_png(sf, tmp);
  if (!rc && st != CAIRO_STATUS_SUCCESS)
    rc = aec_rt_fail(AEC_RT_EUSER, "%s: cannot write the plot: %s", path, C.cairo_status_to_string(st));
  if (!rc && rename(tmp, path) != 0) rc = aec_rt_fail(AEC_RT_EUSER, "%s: cannot write the plot", path);
  if (rc && tmp) remove(tmp);
  free(tmp);
  C.cairo_destroy(cr);
  C.cairo_surface_destroy(sf);
  return rc;
}
