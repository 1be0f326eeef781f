/* The output-path guard (aec/output_path.h): refuse special files and
 * inputs, write through temp + rename, clean stale temps of dead writers.
 * Shared by the runtime and the compiler driver, so it only uses libc. */
#define _GNU_SOURCE
#include "aec/output_path.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(int code, char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(int code, char *err, size_t cap, const char *fmt, ...) {
  if (err && cap) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
  }
  return code;
}

/* Splits path into a malloc'd directory ("." if none) and points *base at
 * the last component. */
static char *dir_of(const char *path, const char **base) {
  const char *slash = strrchr(path, '/');
  *base = slash ? slash + 1 : path;
  if (!slash) return strdup(".");
  if (slash == path) return strdup("/");
  return strndup(path, (size_t)(slash - path));
}

/* realpath of an existing file, or realpath(dir) + "/" + base for a new
 * one; NULL if even the directory does not resolve. */
static char *canonical(const char *path) {
  char *r = realpath(path, NULL);
  if (r) return r;
  const char *base;
  char *dir = dir_of(path, &base);
  if (!dir) return NULL;
  char *rd = realpath(dir, NULL);
  free(dir);
  if (!rd) return NULL;
  size_t n = strlen(rd) + strlen(base) + 2;
  char *out = (char *)malloc(n);
  if (out) snprintf(out, n, "%s/%s", strcmp(rd, "/") ? rd : "", base);
  free(rd);
  return out;
}

int aec_out_same_file(const char *a, const char *b) {
  if (!a || !b) return 0;
  struct stat sa, sb;
  int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
  if (ea && eb) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  if (ea != eb) return 0;
  char *ca = canonical(a), *cb = canonical(b);
  int same = ca && cb ? strcmp(ca, cb) == 0 : strcmp(a, b) == 0;
  free(ca);
  free(cb);
  return same;
}

static const char *kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

int aec_out_check(const char *path, const char *const *others, int n_others, char *err, size_t cap) {
  if (!path || !*path) return fail(AEC_OUT_EUSER, err, cap, "empty output path");
  struct stat st;
  if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && stat(path, &st) != 0)
    return fail(AEC_OUT_EUSER, err, cap, "%s: is a symbolic link to a missing file; refusing to write through it", path);
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return fail(AEC_OUT_EUSER, err, cap, "%s: is %s, not a regular file; refusing to write it", path,
                kind_of(st.st_mode));
  size_t len = strlen(path);
  if (path[len - 1] == '/')
    return fail(AEC_OUT_EUSER, err, cap, "%s: names a directory, not a file", path);
  for (int i = 0; i < n_others; ++i)
    if (others && others[i] && aec_out_same_file(path, others[i]))
      return fail(AEC_OUT_EUSER, err, cap, "%s: is the same file as `%s`, which this command also uses; refusing to overwrite it",
                  path, others[i]);
  return AEC_OUT_OK;
}

int aec_out_clean_stale(const char *path) {
  const char *base;
  char *dir = dir_of(path, &base);
  if (!dir) return 0;
  DIR *d = opendir(dir);
  int removed = 0;
  size_t blen = strlen(base);
  for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
    const char *n = e->d_name;
    if (strncmp(n, base, blen) != 0 || strncmp(n + blen, ".tmp.", 5) != 0) continue;
    const char *p = n + blen + 5;
    char *end;
    errno = 0;
    long pid = strtol(p, &end, 10);
    if (!*p || *end || errno || pid <= 0 || pid > INT_MAX) continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue; /* alive (or not ours to judge) */
    int dfd = dirfd(d);
    struct stat st;
    if (fstatat(dfd, n, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) && unlinkat(dfd, n, 0) == 0)
      ++removed;
  }
  if (d) closedir(d);
  free(dir);
  return removed;
}

static void release(aec_out *o) {
  free(o->target);
  free(o->tmp);
  o->target = o->tmp = NULL;
  o->fd = -1;
  o->file = NULL;
}

int aec_out_open(aec_out *o, const char *path, const char *const *others, int n_others, char *err,
                 size_t cap) {
  o->fd = -1;
  o->file = NULL;
  o->target = o->tmp = NULL;
  int rc = aec_out_check(path, others, n_others, err, cap);
  if (rc) return rc;
  struct stat st;
  int exists = stat(path, &st) == 0, is_link = 0;
  struct stat lst;
  if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) is_link = 1;
  o->target = is_link ? realpath(path, NULL) : strdup(path);
  size_t n = o->target ? strlen(o->target) + 32 : 0;
  o->tmp = o->target ? (char *)malloc(n) : NULL;
  if (!o->tmp) {
    release(o);
    return fail(AEC_OUT_EINTERNAL, err, cap, "%s: out of memory", path);
  }
  snprintf(o->tmp, n, "%s.tmp.%ld", o->target, (long)getpid());
  aec_out_clean_stale(o->target);
  for (int attempt = 0; attempt < 2 && o->fd < 0; ++attempt) {
    o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (o->fd < 0 && errno == EEXIST) unlink(o->tmp); /* our own pid's: a leftover of this process */
  }
  if (o->fd < 0) {
    rc = fail(AEC_OUT_EUSER, err, cap, "%s: cannot write: %s", path, strerror(errno));
    release(o);
    return rc;
  }
  if (exists) fchmod(o->fd, st.st_mode & 07777); /* keep the replaced file's mode */
  return AEC_OUT_OK;
}

FILE *aec_out_fdopen(aec_out *o, char *err, size_t cap) {
  if (!o->file && o->fd >= 0) o->file = fdopen(o->fd, "wb");
  if (!o->file) fail(AEC_OUT_EINTERNAL, err, cap, "%s: cannot open a stream: %s", o->target, strerror(errno));
  return o->file;
}

void aec_out_abort(aec_out *o) {
  if (o->file) fclose(o->file);
  else if (o->fd >= 0) close(o->fd);
  if (o->tmp) unlink(o->tmp);
  release(o);
}

static void fsync_dir(const char *target) {
  const char *base;
  char *dir = dir_of(target, &base);
  if (!dir) return;
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) { fsync(dfd); close(dfd); }
  free(dir);
}

int aec_out_commit(aec_out *o, char *err, size_t cap) {
  int ok = 1;
  if (o->file) {
    ok = fflush(o->file) == 0 && fsync(fileno(o->file)) == 0;
    ok = fclose(o->file) == 0 && ok;
    o->file = NULL;
  } else if (o->fd >= 0) {
    ok = fsync(o->fd) == 0;
    ok = close(o->fd) == 0 && ok;
  }
  o->fd = -1;
  int e = errno;
  if (ok && rename(o->tmp, o->target) != 0) { ok = 0; e = errno; }
  if (!ok) {
    unlink(o->tmp);
    int rc = fail(AEC_OUT_EUSER, err, cap, "%s: write failed: %s", o->target, strerror(e));
    release(o);
    return rc;
  }
  fsync_dir(o->target);
  release(o);
  return AEC_OUT_OK;
}

int aec_out_write_file(const char *path, const char *const *others, int n_others, const void *data,
                       size_t size, char *err, size_t cap) {
  aec_out o;
  int rc = aec_out_open(&o, path, others, n_others, err, cap);
  if (rc) return rc;
  const unsigned char *p = (const unsigned char *)data;
  while (size > 0) {
    ssize_t k = write(o.fd, p, size);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) {
      rc = fail(AEC_OUT_EUSER, err, cap, "%s: write failed: %s", path, k < 0 ? strerror(errno) : "no progress");
      aec_out_abort(&o);
      return rc;
    }
    p += k;
    size -= (size_t)k;
  }
  return aec_out_commit(&o, err, cap);
}
