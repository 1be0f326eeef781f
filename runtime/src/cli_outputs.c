/* Checks every output flag of a command (--save, --out, --png, --log, --plot) before any
 * work is done: no special file, no input of the same command, no two
 * outputs onto one file (aec/output_path.h). `--resume W --save W` is the
 * one intended overlap: the checkpoint is read, then replaced atomically. */
#include <stdio.h>

#include "cli.h"

int aec_cli_check_outputs(const aec_cli_opts *o, const char *cmd) {
  const char *all[] = {o->save, o->out, o->png, o->log, o->plot, o->data, o->val, o->weights, o->codes, o->resume};
  enum { NOUT = 5, NALL = (int)(sizeof all / sizeof all[0]) };
  for (int i = 0; i < NOUT; ++i) {
    if (!all[i]) continue;
    const char *others[NALL];
    int k = 0;
    for (int j = 0; j < NALL; ++j)
      if (j != i && !(i == 0 && all[j] == o->resume)) others[k++] = all[j];
    char err[512];
    if (aec_out_check(all[i], others, k, err, sizeof err)) {
      fprintf(stderr, "%s %s: %s\n", o->prog, cmd, err);
      return EXIT_USER;
    }
  }
  return EXIT_OK;
}
