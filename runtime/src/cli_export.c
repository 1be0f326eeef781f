/* `export` and `import`: checkpoint <-> .npz in PyTorch's layout (npz.c). */
#include <stdio.h>

#include "cli.h"

int aec_cli_export(const aec_cli_opts *o, const aec_model *m) {
  aec_session *s;
  int rc = aec_cli_open(o, m, "export", &s);
  if (rc) return rc;
  rc = aec_cli_report(o, "export", aec_rt_export(s, o->out));
  if (!rc) printf("export: %d tensors -> %s\n", m->num_tensors, o->out);
  aec_rt_destroy(s);
  return rc;
}

int aec_cli_import(const aec_cli_opts *o, const aec_model *m) {
  aec_session *s;
  int rc = aec_cli_open(o, m, "import", &s);
  if (rc) return rc;
  rc = aec_cli_report(o, "import", aec_rt_import(s, o->npz));
  if (!rc) rc = aec_cli_report(o, "import", aec_rt_save(s, o->out));
  if (!rc) printf("import: %d tensors <- %s -> %s\n", m->num_tensors, o->npz, o->out);
  aec_rt_destroy(s);
  return rc;
}
