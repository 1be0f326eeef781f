/* `reconstruct --png`: a grayscale grid of input/reconstruction pairs, up
 * to 8 pairs per row, written with libpng. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_internal.h"

#define PAIRS_PER_ROW 8
#define PAD 2

static unsigned char to_byte(float v, float lo, float hi) {
  float t = hi > lo ? (v - lo) / (hi - lo) : 0.0f;
  if (!(t > 0.0f)) t = 0.0f; /* also NaN */
  if (t > 1.0f) t = 1.0f;
  return (unsigned char)(t * 255.0f + 0.5f);
}

int aec_png_grid_write(const char *path, const float *inputs, const float *recons, int64_t count,
                       int64_t h, int64_t w, float lo, float hi) {
  if (count < 1) return aec_rt_fail(AEC_RT_EUSER, "%s: no samples to draw", path);
  if (count > 64) count = 64;
  int64_t cols = count < PAIRS_PER_ROW ? count : PAIRS_PER_ROW;
  int64_t rows = (count + PAIRS_PER_ROW - 1) / PAIRS_PER_ROW;
  int64_t W = cols * (2 * w + PAD) + PAD, H = rows * (h + PAD) + PAD;
  if (W > 100000 || H > 100000) return aec_rt_fail(AEC_RT_EUSER, "%s: images are too large for a grid", path);
  unsigned char *img = (unsigned char *)malloc((size_t)(W * H));
  if (!img) return aec_rt_fail(AEC_RT_EINTERNAL, "%s: out of memory", path);
  memset(img, 64, (size_t)(W * H));
  for (int64_t i = 0; i < count; ++i) {
    int64_t x0 = PAD + (i % PAIRS_PER_ROW) * (2 * w + PAD), y0 = PAD + (i / PAIRS_PER_ROW) * (h + PAD);
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x) {
        img[(y0 + y) * W + x0 + x] = to_byte(inputs[i * h * w + y * w + x], lo, hi);
        img[(y0 + y) * W + x0 + w + x] = to_byte(recons[i * h * w + y * w + x], lo, hi);
      }
  }
  aec_out out;
  FILE *f = aec_rt_out_open(&out, path);
  if (!f) {
    free(img);
    return AEC_RT_EUSER;
  }
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  png_bytep *rowp = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)H);
  if (!png || !info || !rowp) {
    png_destroy_write_struct(&png, &info);
    aec_out_abort(&out);
    free(img);
    free(rowp);
    return aec_rt_fail(AEC_RT_EINTERNAL, "%s: cannot set up libpng", path);
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    aec_out_abort(&out);
    free(img);
    free(rowp);
    return aec_rt_fail(AEC_RT_EUSER, "%s: writing the PNG failed", path);
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, (png_uint_32)W, (png_uint_32)H, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  for (int64_t y = 0; y < H; ++y) rowp[y] = img + y * W;
  png_set_rows(png, info, rowp);
  png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
  png_destroy_write_struct(&png, &info);
  free(img);
  free(rowp);
  return aec_rt_out_close(&out, 1);
}
