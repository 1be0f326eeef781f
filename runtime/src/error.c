/* Per-thread last-error message: API functions never abort, they return a
 * status and leave the reason here. */
#include <stdarg.h>
#include <stdio.h>

#include "rt_internal.h"

static _Thread_local char g_error[1024];

int aec_rt_fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_error, sizeof g_error, fmt, ap);
  va_end(ap);
  return code;
}

void aec_rt_clear_error(void) { g_error[0] = '\0'; }

const char *aec_rt_last_error(void) { return g_error; }
