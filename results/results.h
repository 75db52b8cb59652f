/* results.h - turn a results directory's raw.jsonl into summary.csv,
 * report.md, report.html and plots; print the study-style table; compare a
 * run with the study or with another run.  The results module's one public
 * header: ocibench and the tests use the module through it.
 *
 * raw.jsonl has one JSON object per line (schema "ocibench-run/1"):
 *   run_id, runtime (column name, e.g. "runc" or "runsc-kvm"), runtime_path,
 *   runtime_args [..], runtime_version, test ("lifecycle", "cpu", "memory",
 *   "fileio", "syscall", "net"), variant (e.g. fileio mode "seqrd", "seqrd-bind"
 *   for a --mount variant, or null), params (object; fileio: {"mount": ...}),
 *   repetition (1-based), status ("ok", "failed", "unsupported", "timeout"),
 *   exit_status (int or null), phases_ms {create, start, wait, delete},
 *   first_instruction_ms (start command issued -> workload's first act, or null),
 *   workload (the workload's JSON object, or null), stderr_tail (string, on failure),
 *   started_at (ISO-8601 UTC), argv (the workload's command line in the
 *   container, as config.json gave it; optional), accel (a VM runtime's "kvm"
 *   or "tcg"; optional), platform and emulated (true) for a foreign
 *   platform run under QEMU's user-mode emulator (optional): a column with
 *   either emulated CPU is never ranked against another.
 * A line that does not parse (a killed writer) is ignored with a warning.
 */
#ifndef OB_RESULTS_H
#define OB_RESULTS_H

#include <stdio.h>

#include "ob-error.h"

/* What ob_results_write_reports_ex did besides writing the files, for the
 * caller to tell the user (e.g. "plots skipped: gnuplot not found"). */
struct ob_results_info {
	int plots;           /* 1 rendered, 0 skipped (no gnuplot), -1 gnuplot failed */
	char plots_note[512];/* why plots were skipped or failed */
	size_t records;      /* run records read */
	size_t bad_lines;    /* unparsable raw.jsonl lines skipped ... */
	size_t first_bad;    /* ... the first one's line number */
};

/* Read DIR/raw.jsonl and (re)write DIR/summary.csv, DIR/report.md and
 * DIR/report.html atomically, filling *info.  incomplete marks the report
 * as from an interrupted run.  Plots go to DIR/plots/ when gnuplot is
 * found: $OB_GNUPLOT if set ("" disables plots), else gnuplot on PATH. */
int ob_results_write_reports_ex(const char *dir, int incomplete, struct ob_results_info *info,
				struct ob_error *err);

/* Print the study-style table (rows: test figures, columns: runtimes) for
 * DIR/raw.jsonl to out. */
int ob_results_print_table(const char *dir, FILE *out, struct ob_error *err);

/* The same; flags OB_TABLE_RELATIVE marks each mean with its ratio to the
 * first column's ("x57.3"). */
#define OB_TABLE_RELATIVE 1
int ob_results_print_table_ex(const char *dir, FILE *out, int flags, struct ob_error *err);

/* Two runs side by side as one self-contained HTML page, written to out
 * (a file replaced atomically; "-" for stdout). */
int ob_results_compare_html(const char *a, const char *b, const char *out, struct ob_error *err);

/* For each study figure and runtime: mean here, ratio runtime/runc here,
 * the same ratio in the study's Table 3 (arch "x86_64") or 4 ("aarch64"),
 * and whether both point the same way (both within 5 % of 1, or both above,
 * or both below).  arch may also be a path to a study CSV file (it holds a
 * '/').  The data directory is $OB_STUDY_DIR, else the one compiled in. */
int ob_results_compare_study(const char *dir, const char *arch, FILE *out, struct ob_error *err);

/* Two runs: per (figure, runtime) mean in A, mean in B, ratio B/A. */
int ob_results_compare_dirs(const char *a, const char *b, FILE *out, struct ob_error *err);

#endif
