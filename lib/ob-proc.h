/* ob-proc.h - run a helper command (no shell) and collect its output. */
#ifndef OB_PROC_H
#define OB_PROC_H

#include <stddef.h>

#include "ob-error.h"

/* Run argv[0] (PATH search) with stdin from /dev/null; wait for it.  stdout
 * goes to out (NUL-terminated, truncated to outlen-1) when out is not NULL,
 * otherwise to /dev/null.  A non-zero exit is an error whose message holds
 * the command and the last line of its stderr.  Returns 0 or -1. */
int ob_cmd(char *const argv[], char *out, size_t outlen, struct ob_error *err);

/* ob_cmd for a NULL-terminated list of arguments. */
int ob_cmdl(struct ob_error *err, const char *arg0, ...) __attribute__((sentinel));

#endif
