/* ob-result.h - the JSON document every workload prints (schema
 * "ocibench-workload/1"): the common keys, then the workload's figures. */
#ifndef OB_RESULT_H
#define OB_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "ob-error.h"
#include "ob-opt.h"

/* A new document with schema, workload, version, build {arch, compiler},
 * command, status ("ok", "failed", "unsupported" from an OB_EXIT_* status),
 * error (err->msg, when status is not OB_EXIT_OK), params (every option in
 * sets) and started_wall_ns. */
json_t *ob_result_new(const char *workload, const char *command, int status,
		      const struct ob_error *err, const struct ob_optset *sets, size_t nsets,
		      uint64_t wall_start_ns);

/* Add cpu_user_s and cpu_system_s (getrusage of the process and its
 * waited-for children, so far), print the document as one compact line on
 * stdout, flush, and free it. */
void ob_result_emit(json_t *root);

#endif
