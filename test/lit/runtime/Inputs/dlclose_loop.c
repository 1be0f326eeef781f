/* dlopen/dlclose an --emit=shared model library in a loop (issue 9 item 8):
 * each round starts pool workers (4 threads, a big batch), then unloads the
 * library. Its destructor must join the workers -- detached ones would run
 * on in unmapped code and crash -- and nothing may leak.
 * usage: dlclose_loop LIB.so MODEL INPUT_SIZE ROUNDS */
#include <dirent.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int threads(void) {
  DIR *d = opendir("/proc/self/task");
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
  if (d) closedir(d);
  return n;
}

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "VmRSS:", 6)) kb = atol(line + 6);
  if (f) fclose(f);
  return kb;
}

static void *sym(void *h, const char *model, const char *fn) {
  char name[128];
  snprintf(name, sizeof name, "%s_%s", model, fn);
  void *p = dlsym(h, name);
  if (!p) { fprintf(stderr, "missing %s\n", name); exit(1); }
  return p;
}

int main(int argc, char **argv) {
  if (argc != 5) return 2;
  const char *model = argv[2];
  int rounds = atoi(argv[4]), in = atoi(argv[3]), n = 1024;
  float *x = malloc(sizeof(float) * (size_t)(n * in)), *y = malloc(sizeof(float) * (size_t)(n * in));
  for (int i = 0; i < n * in; ++i) x[i] = (float)(i % 7) / 7.0f;
  long rss_start = 0;
  int peak = 0;
  for (int r = 0; r < rounds; ++r) {
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
    int (*set_threads)(int) = (int (*)(int))sym(h, model, "set_threads");
    void *(*create)(void) = (void *(*)(void))sym(h, model, "create");
    void (*destroy)(void *) = (void (*)(void *))sym(h, model, "destroy");
    int (*reconstruct)(void *, const float *, int64_t, float *) =
        (int (*)(void *, const float *, int64_t, float *))sym(h, model, "reconstruct");
    set_threads(4);
    void *s = create();
    if (!s) { fprintf(stderr, "create failed\n"); return 1; }
    for (int k = 0; k < 3; ++k)
      if (reconstruct(s, x, n, y)) { fprintf(stderr, "reconstruct failed\n"); return 1; }
    destroy(s);
    int t = threads();
    if (t > peak) peak = t;
    if (dlclose(h)) { fprintf(stderr, "dlclose: %s\n", dlerror()); return 1; }
    if (r == 2) rss_start = rss_kb();
  }
  long growth = rss_kb() - rss_start;
  printf("threads while loaded: %d\n", peak);
  printf("threads after: %d\n", threads());
  printf("rss growth over %d rounds: %s\n", rounds - 3, growth < 2048 ? "under 2 MB" : "TOO MUCH");
  if (growth >= 2048) fprintf(stderr, "grew by %ld KB\n", growth);
  free(x);
  free(y);
  return 0;
}
