/* results.h - turn a results directory's raw.jsonl into summary.csv,
 * report.md (and, later, plots).  (Interface agreed between the runner core
 * and the results module.)
 *
 * raw.jsonl has one JSON object per line (schema "ocibench-run/1"):
 *   run_id, runtime (column name, e.g. "runc" or "runsc-kvm"), runtime_path,
 *   runtime_args [..], runtime_version, test ("lifecycle", "cpu", "memory",
 *   "fileio", "syscall", "net"), variant (e.g. fileio mode "seqrd", or null),
 *   repetition (1-based), status ("ok", "failed", "unsupported", "timeout"),
 *   exit_status (int or null), phases_ms {create, start, wait, delete},
 *   first_instruction_ms (start command issued -> workload's first act, or null),
 *   workload (the workload's JSON object, or null), stderr_tail (string, on failure),
 *   started_at (ISO-8601 UTC).
 * A line that does not parse (a killed writer) is ignored with a warning.
 */
#ifndef OB_RESULTS_H
#define OB_RESULTS_H

#include <stdio.h>

#include "ob-error.h"

/* Read DIR/raw.jsonl and (re)write DIR/summary.csv and DIR/report.md
 * atomically.  incomplete marks the report as from an interrupted run. */
int ob_results_write_reports(const char *dir, int incomplete, struct ob_error *err);

/* Print the study-style table (rows: test figures, columns: runtimes) for
 * DIR/raw.jsonl to out. */
int ob_results_print_table(const char *dir, FILE *out, struct ob_error *err);

#endif
