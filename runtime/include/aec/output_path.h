/* The one output-path guard of aec: every file the runtime (checkpoints,
 * .npy, .csv, .png) and the compiler driver (`aec build -o`) write goes
 * through it. Plain C, usable from C and C++, no dependency beyond libc.
 *
 * Rules (runtime/README.md, "Output files"):
 *  - an existing output must be a regular file: a directory, device, FIFO
 *    or socket is refused (never replaced, never written into);
 *  - a symbolic link is followed: the file it points to is replaced (through
 *    a temp file beside it) and the link stays; a dangling link is refused;
 *  - an output that is the same file as one of the inputs (same st_dev and
 *    st_ino, whatever the spelling: `./d.idx`, `a/../d.idx`, a hard link, a
 *    symlink) or the same path as another output is refused;
 *  - data is written to `<target>.tmp.<pid>` in the target's directory,
 *    fsynced and renamed over the target (then the directory is fsynced),
 *    so a killed writer never leaves a partial or empty target; opening
 *    first removes `<target>.tmp.<pid>` files whose process is gone.
 *
 * Every function writing an error fills err (err_cap bytes, may be 0) with
 * a message starting with the path, and returns AEC_OUT_EUSER (refused or
 * cannot write: a user error) or AEC_OUT_EINTERNAL (out of memory). */
#ifndef AEC_OUTPUT_PATH_H
#define AEC_OUTPUT_PATH_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AEC_OUT_OK 0
#define AEC_OUT_EUSER 1
#define AEC_OUT_EINTERNAL 2

/* An output being written. */
typedef struct aec_out {
  int fd;       /* the temp file, open for writing (-1 once closed) */
  FILE *file;   /* set by aec_out_fdopen; then commit/abort close it */
  char *target; /* the file that is replaced on commit (symlinks resolved) */
  char *tmp;    /* <target>.tmp.<pid> */
} aec_out;

/* Checks `path` against the rules above without touching anything.
 * `others` (n_others entries, NULLs skipped) are the command's inputs and
 * other outputs, which `path` must not be. */
int aec_out_check(const char *path, const char *const *others, int n_others, char *err, size_t err_cap);

/* aec_out_check, then removes stale temps of the target and creates the
 * temp file (mode of the replaced file if there is one, else 0666 & ~umask). */
int aec_out_open(aec_out *o, const char *path, const char *const *others, int n_others, char *err,
                 size_t err_cap);

/* A stdio stream on o->fd ("wb"), or NULL (then err is set). */
FILE *aec_out_fdopen(aec_out *o, char *err, size_t err_cap);

/* Flushes, fsyncs and closes the temp file, renames it over the target and
 * fsyncs the directory. On failure the temp file is removed and the target
 * is untouched. Always releases o. */
int aec_out_commit(aec_out *o, char *err, size_t err_cap);

/* Closes and removes the temp file; the target is untouched. */
void aec_out_abort(aec_out *o);

/* aec_out_open + write all `size` bytes + aec_out_commit. */
int aec_out_write_file(const char *path, const char *const *others, int n_others, const void *data,
                       size_t size, char *err, size_t err_cap);

/* 1 if a and b name the same file: same st_dev/st_ino when both exist,
 * else the same canonical path (symlinks, `.` and `..` resolved). */
int aec_out_same_file(const char *a, const char *b);

/* Removes `<dir of path>/<base of path>.tmp.<pid>` files whose process no
 * longer exists; returns how many were removed. */
int aec_out_clean_stale(const char *path);

#ifdef __cplusplus
}
#endif

#endif
