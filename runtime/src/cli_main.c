/* aec_rt_main: the generated executable's command line (DESIGN section 3).
 * Parses `<command> --flag value ...`, checks which flags each command
 * accepts, and dispatches. Exit statuses: 0 ok, 1 user error, 2 internal
 * error, 3 training diverged. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dist.h"

typedef int (*cmd_fn)(const aec_cli_opts *, const aec_model *);

typedef struct command {
  const char *name;
  cmd_fn fn;
  const char *flags;    /* accepted flags, space separated */
  const char *required; /* required flags */
  const char *usage;
} command;

static const command kCommands[] = {
    {"train", aec_cli_train, "data val epochs batch lr seed threads save resume log plot quiet save-every profile",
     "data save",
     "train --data FILE [--val FILE] [--epochs N] [--batch B] [--lr X] [--seed S] [--threads T] "
     "--save W.aew [--resume W.aew] [--log HISTORY.csv] [--plot CURVE.png] [--save-every SECONDS] "
     "[--quiet] [--profile]"},
    {"eval", aec_cli_eval, "weights data threads weight-format", "weights data", "eval --weights W.aew --data FILE [--weight-format f32|bf16|int8]"},
    {"encode", aec_cli_encode, "weights data out threads weight-format", "weights data out",
     "encode --weights W.aew --data FILE --out CODES.npy"},
    {"decode", aec_cli_decode, "weights codes out threads weight-format", "weights codes out",
     "decode --weights W.aew --codes CODES.npy --out RECON.npy"},
    {"reconstruct", aec_cli_reconstruct, "weights data out png threads weight-format", "weights data out",
     "reconstruct --weights W.aew --data FILE --out RECON.npy [--png GRID.png]"},
    {"score", aec_cli_score, "weights data out threads weight-format", "weights data out",
     "score --weights W.aew --data FILE --out SCORES.csv"},
    {"sample", aec_cli_sample, "weights count out png seed threads weight-format", "weights count out",
     "sample --weights W.aew --count N --out X.npy [--png GRID.png] [--seed S]   (VAE)"},
    {"calibrate", aec_cli_calibrate, "weights data percentile contamination threads weight-format", "weights data",
     "calibrate --weights W.aew --data NORMAL (--percentile P | --contamination C)"},
    {"info", aec_cli_info, "weights", "", "info [--weights W.aew]"},
    {"export", aec_cli_export, "weights out", "weights out",
     "export --weights W.aew --out W.npz   (PyTorch layout, see runtime/README.md)"},
    {"import", aec_cli_import, "npz out", "npz out", "import --npz W.npz --out W.aew"},
};
#define NCOMMANDS (int)(sizeof kCommands / sizeof kCommands[0])

static void usage(FILE *f, const char *prog, const aec_model *m) {
  fprintf(f, "usage: %s <command> [flags]   (model `%s`)\ncommands:\n", prog, m->name);
  for (int i = 0; i < NCOMMANDS; ++i) fprintf(f, "  %s %s\n", prog, kCommands[i].usage);
  if (m->packed_words)
    fprintf(f, "inference commands read the dense weights as %s (built with --weight-format "
               "%s); --weight-format f32 uses the f32 weights\n",
            aec_rt_weight_format_name(m->weight_format), aec_rt_weight_format_name(m->weight_format));
  fprintf(f, "data: IDX (gzipped or not), .npy (float32/float64/uint8), .csv, raw float32 "
             "(.f32/.raw/.bin)\nexit status: 0 ok, 1 user error, 2 internal error, 3 training diverged, "
             "130/143 training interrupted by SIGINT/SIGTERM (last epoch saved)\n");
}

static int has_word(const char *list, const char *word) {
  size_t n = strlen(word);
  if (n == 0) return 0; /* `--=x`: strstr would find "" at every step, forever */
  for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
  return 0;
}

static int parse_int(const char *prog, const char *flag, const char *v, int64_t lo, int64_t *out) {
  char *end;
  errno = 0;
  long long x = strtoll(v, &end, 10);
  if (errno || end == v || *end || x < lo) {
    fprintf(stderr, "%s: --%s needs an integer >= %lld, got `%s`\n", prog, flag, (long long)lo, v);
    return EXIT_USER;
  }
  *out = x;
  return 0;
}

/* A number for --name; `lo_open`/`hi_open`: the bounds are excluded. */
static int parse_real(const char *prog, const char *flag, const char *v, double lo, double hi,
                      const char *what, double *out) {
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  if (errno || end == v || *end || !isfinite(x) || !(x > lo) || !(x < hi)) {
    fprintf(stderr, "%s: --%s needs %s, got `%s`\n", prog, flag, what, v);
    return EXIT_USER;
  }
  *out = x;
  return 0;
}

static int set_flag(aec_cli_opts *o, const char *name, const char *v) {
  int64_t i = 0;
  int rc = 0;
  if (!strcmp(name, "data")) o->data = v;
  else if (!strcmp(name, "val")) o->val = v;
  else if (!strcmp(name, "save")) o->save = v;
  else if (!strcmp(name, "resume")) o->resume = v;
  else if (!strcmp(name, "weights")) o->weights = v;
  else if (!strcmp(name, "out")) o->out = v;
  else if (!strcmp(name, "codes")) o->codes = v;
  else if (!strcmp(name, "png")) o->png = v;
  else if (!strcmp(name, "npz")) o->npz = v;
  else if (!strcmp(name, "weight-format")) o->weight_format = v;
  else if (!strcmp(name, "log")) o->log = v;
  else if (!strcmp(name, "quiet")) o->quiet = strcmp(v, "0") != 0;
  else if (!strcmp(name, "profile")) o->profile = strcmp(v, "0") != 0;
  else if (!strcmp(name, "plot")) o->plot = v;
  else if (!strcmp(name, "save-every")) {
    rc = parse_real(o->prog, name, v, -1e-300, 1e300, "a number of seconds >= 0", &o->save_every);
    if (!rc && o->save_every < 0) o->save_every = 0;
    o->has_save_every = 1;
  } else if (!strcmp(name, "percentile")) {
    rc = parse_real(o->prog, name, v, 0, 100, "a percentile in (0, 100)", &o->percentile);
    o->has_percentile = 1;
  } else if (!strcmp(name, "contamination")) {
    rc = parse_real(o->prog, name, v, 0, 0.5000001, "a contamination rate in (0, 0.5]", &o->contamination);
    o->has_contamination = 1;
  }
  else if (!strcmp(name, "epochs")) { rc = parse_int(o->prog, name, v, 1, &i); o->epochs = i; o->has_epochs = 1; }
  else if (!strcmp(name, "count")) { rc = parse_int(o->prog, name, v, 1, &i); o->count = i; }
  else if (!strcmp(name, "batch")) { rc = parse_int(o->prog, name, v, 1, &i); o->batch = i; o->has_batch = 1; }
  else if (!strcmp(name, "threads")) {
    rc = parse_int(o->prog, name, v, 0, &i);
    if (!rc && i > AEC_MAX_THREADS) {
      fprintf(stderr, "%s: --threads must be at most %d (0 = all cores), got `%s`\n", o->prog,
              AEC_MAX_THREADS, v);
      return EXIT_USER;
    }
    o->threads = (int)i;
    o->has_threads = 1;
  } else if (!strcmp(name, "seed")) {
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-') {
      fprintf(stderr, "%s: --seed needs a non-negative integer, got `%s`\n", o->prog, v);
      return EXIT_USER;
    }
    o->seed = x;
    o->has_seed = 1;
  } else if (!strcmp(name, "lr")) {
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || end == v || *end || !(x > 0) || !isfinite(x) || x > 3.4e38) {
      fprintf(stderr, "%s: --lr needs a positive number, got `%s`\n", o->prog, v);
      return EXIT_USER;
    }
    o->lr = x;
    o->has_lr = 1;
  }
  return rc;
}

/* Under mpirun (a --distributed build started as P ranks) `train` runs on
 * every rank, each computing its share of every batch, with only rank 0
 * printing and saving; any other command runs on rank 0 alone. A rank that
 * fails ends the whole job at once with its exit status, so no rank is left
 * waiting for a peer that has stopped. */
static int run_command(const command *cmd, const aec_cli_opts *o, const aec_model *m) {
  if (aec_dist_init()) return aec_cli_report(o, cmd->name, AEC_RT_EINTERNAL);
  if (aec_dist_size() == 1) return cmd->fn(o, m);
  int rc = EXIT_OK;
  if (cmd->fn == aec_cli_train) {
    aec_cli_opts quiet = *o; /* the other ranks print nothing and write no history or plot */
    if (aec_dist_rank() != 0) {
      quiet.quiet = 1, quiet.log = NULL, quiet.plot = NULL;
      if (!freopen("/dev/null", "w", stdout)) rc = EXIT_INTERNAL;
    }
    double t0 = aec_rt_now();
    if (!rc) rc = cmd->fn(&quiet, m);
    if (!rc && aec_dist_rank() == 0)
      fprintf(stderr, "train: ranks=%d allreduce_seconds=%.3f of %.3f\n", aec_dist_size(),
              aec_dist_comm_seconds(), aec_rt_now() - t0);
  } else if (aec_dist_rank() == 0) {
    rc = cmd->fn(o, m);
  }
  /* An interrupted run stops on every rank at the same step and rank 0 saves
   * first: a normal finish, not an abort that could cut the save short. */
  if (rc && !AEC_EXIT_IS_SIGNALED(rc)) aec_dist_abort(rc);
  aec_dist_finalize();
  return rc;
}

int aec_rt_main(int argc, char **argv, const aec_model *model) {
  const char *prog = argc > 0 && argv[0] ? argv[0] : "model";
  const char *slash = strrchr(prog, '/');
  if (slash) prog = slash + 1;
  if (!model || model->abi_version != AEC_ABI_VERSION) {
    fprintf(stderr, "%s: model was compiled for runtime ABI %d, this runtime implements %d\n", prog,
            model ? model->abi_version : -1, AEC_ABI_VERSION);
    return EXIT_INTERNAL;
  }
  if (argc < 2) {
    usage(stderr, prog, model);
    return EXIT_USER;
  }
  const char *cmdname = argv[1];
  if (!strcmp(cmdname, "--version") || !strcmp(cmdname, "version")) {
    printf("%s: model `%s` (arch %016llx), built by aec %s\n", prog, model->name,
           (unsigned long long)model->arch_hash, AEC_VERSION);
    return EXIT_OK;
  }
  if (!strcmp(cmdname, "help") || !strcmp(cmdname, "--help") || !strcmp(cmdname, "-h")) {
    usage(stdout, prog, model);
    return EXIT_OK;
  }
  const command *cmd = NULL;
  for (int i = 0; i < NCOMMANDS; ++i)
    if (!strcmp(cmdname, kCommands[i].name)) cmd = &kCommands[i];
  if (!cmd) {
    fprintf(stderr, "%s: unknown command `%s`\n", prog, cmdname);
    usage(stderr, prog, model);
    return EXIT_USER;
  }
  aec_cli_opts o;
  memset(&o, 0, sizeof o);
  o.prog = prog;
  for (int i = 2; i < argc; ++i) {
    const char *a = argv[i];
    if (strncmp(a, "--", 2) != 0 || !a[2]) {
      fprintf(stderr, "%s %s: unexpected argument `%s`\nusage: %s %s\n", prog, cmd->name, a, prog, cmd->usage);
      return EXIT_USER;
    }
    char name[32];
    const char *eq = strchr(a + 2, '=');
    size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
    if (len >= sizeof name) len = sizeof name - 1;
    memcpy(name, a + 2, len);
    name[len] = '\0';
    if (!strcmp(name, "help")) {
      printf("usage: %s %s\n", prog, cmd->usage);
      if (cmd->fn == aec_cli_train)
        printf("defaults (the model's train {}): --epochs %lld --batch %lld --lr %g --seed %llu; "
               "optimizer %s, loss %s; --threads 0 = all cores\n",
               (long long)model->epochs, (long long)model->batch, (double)model->lr,
               (unsigned long long)model->seed, aec_cli_optimizer_name(model->optimizer),
               aec_cli_loss_name(model->loss));
      return EXIT_OK;
    }
    if (!has_word(cmd->flags, name)) {
      fprintf(stderr, "%s %s: unknown flag `--%s`\nusage: %s %s\n", prog, cmd->name, name, prog, cmd->usage);
      return EXIT_USER;
    }
    if ((!strcmp(name, "quiet") || !strcmp(name, "profile")) && !eq) { /* flags without a value */
      set_flag(&o, name, "1");
      continue;
    }
    const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
    if (!v) {
      fprintf(stderr, "%s %s: flag `--%s` needs a value\nusage: %s %s\n", prog, cmd->name, name, prog, cmd->usage);
      return EXIT_USER;
    }
    if (set_flag(&o, name, v)) return EXIT_USER;
  }
  static const char *kAll[] = {"data", "save", "weights", "out", "codes", "npz"};
  for (size_t k = 0; k < sizeof kAll / sizeof kAll[0]; ++k) {
    const char *f = kAll[k];
    if (!has_word(cmd->required, f)) continue;
    const char *v = !strcmp(f, "data") ? o.data : !strcmp(f, "save") ? o.save
                  : !strcmp(f, "weights") ? o.weights : !strcmp(f, "out") ? o.out
                  : !strcmp(f, "npz") ? o.npz : o.codes;
    if (!v) {
      fprintf(stderr, "%s %s: missing required flag `--%s`\nusage: %s %s\n", prog, cmd->name, f, prog, cmd->usage);
      return EXIT_USER;
    }
  }
  if (aec_cli_check_outputs(&o, cmd->name)) return EXIT_USER;
  aec_rt_set_threads(o.has_threads ? o.threads : 0);
  return run_command(cmd, &o, model);
}
