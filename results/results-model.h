/* results-model.h - raw.jsonl loaded into rows (test figures) x columns
 * (runtimes), shared by the writers of summary.csv, report.md, the plots
 * and the comparisons.  Internal to the results module. */
#ifndef OB_RESULTS_MODEL_H
#define OB_RESULTS_MODEL_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "ob-error.h"
#include "stats.h"

/* Where a figure's value comes from in a raw.jsonl record. */
enum ob_fig_src {
	OB_SRC_PHASE,     /* phases_ms.<key> */
	OB_SRC_FIRST,     /* first_instruction_ms */
	OB_SRC_WORKLOAD,  /* workload.<key>[.<subkey>] */
	OB_SRC_RECORD,    /* <key> of the record itself (host-side figures) */
};

/* Which net records a figure applies to (stream or request/response). */
enum ob_fig_mode { OB_MODE_ANY, OB_MODE_STREAM, OB_MODE_RR };

/* One test figure: a row of the report.  The table in results-figures.c
 * is in report order (the study's Table 3 first, then extra rows). */
struct ob_figure_def {
	const char *test;     /* "lifecycle", "cpu", ... */
	const char *variant;  /* fileio mode it applies to, or NULL for any */
	const char *metric;   /* summary.csv "metric" column */
	const char *unit;     /* "s", "MiB/s", ... */
	const char *label;    /* the report's row label (unit added) */
	const char *study;    /* row id in results/study-*.csv, or NULL */
	enum ob_fig_src src;
	const char *key;      /* "create", "total_time_s", "latency_us.avg" */
	double scale;         /* value = raw * scale (ms -> s) */
	enum ob_fig_mode mode;
};

extern const struct ob_figure_def ob_figure_defs[];
extern const size_t ob_figure_ndefs;

/* Calls fn(def, variant-of-record, value, arg) for each figure found in one
 * status "ok" record; returns how many it found.  Records of other status
 * give none (use ob_figures_rows for those). */
typedef void (*ob_figure_fn)(const struct ob_figure_def *def, double value, void *arg);
size_t ob_figures_extract(json_t *rec, ob_figure_fn fn, void *arg);

/* Calls fn(def, NAN, arg) for each figure a record of this test/variant
 * (whatever its status) would have: the rows a failed cell shows up in. */
size_t ob_figures_rows(json_t *rec, ob_figure_fn fn, void *arg);

/* Is the record's variant the figure's own (no suffix in the row label)? */
int ob_figure_variant_plain(const struct ob_figure_def *def, const char *variant);

struct ob_runtime_col {
	char *name;
	char *version;  /* first one seen, or NULL */
	char *path;
	char *accel;    /* a VM runtime's "kvm" or "tcg" (emulated CPU), or NULL */
	char *label;    /* the column's heading: "kata [tcg]" beside an accel,
			 * "runc [linux/arm64, emulated]" for a foreign platform, else name */
	char *platform; /* a foreign platform run under QEMU's user-mode emulator, or NULL */
	int emulated;   /* figures of an emulated CPU (tcg, or a foreign platform):
			 * correctness only, never ranked against others */
};

struct ob_row {
	const struct ob_figure_def *def;
	char *variant;  /* the records' variant, or NULL */
	char *label;    /* "create (s)", "SeqRead [seqrd-bind] (s)" */
	char *slug;     /* file-name safe id: "lifecycle-create" */
	size_t seq;     /* order of first appearance, breaks rank ties */
};

struct ob_cell {
	size_t row, rt;
	double *v;
	size_t n, cap;
};

/* Runs of one (runtime, test, variant), whatever their status. */
struct ob_group {
	size_t rt;
	char *test;
	char *variant;
	size_t total, ok, failed, timeout, unsupported;
	/* how the group ran, for the audit trail: the first record's
	 * runtime_path, runtime_args, argv, params, net and its workload's
	 * command and params (keys absent from the record are left out) */
	json_t *audit;
};

struct ob_failure {
	size_t rt;
	char *test;
	char *variant;
	long long repetition;
	char *status;
	long long exit_status; /* -1 when null */
	char *stderr_tail;
	size_t line;
};

struct ob_results {
	struct ob_runtime_col *rts;
	size_t nrts;
	struct ob_row *rows;
	size_t nrows;
	struct ob_cell *cells;
	size_t ncells;
	struct ob_group *groups;
	size_t ngroups;
	struct ob_failure *fails;
	size_t nfails;
	size_t lines;      /* non-empty lines read */
	size_t records;    /* lines that parsed into a record */
	size_t bad_lines;  /* lines skipped */
	size_t first_bad;  /* line number of the first skipped line */
	json_t *manifest;  /* DIR/manifest.json, or NULL */
};

/* Load DIR/raw.jsonl (and DIR/manifest.json if present).  Rows end up
 * sorted in report order. */
int ob_results_load(const char *dir, struct ob_results *r, struct ob_error *err);
/* Parse raw.jsonl text (already read) into r. */
int ob_results_parse(const char *text, struct ob_results *r, struct ob_error *err);
void ob_results_free(struct ob_results *r);

/* The cell of (row, runtime), or NULL. */
const struct ob_cell *ob_results_cell(const struct ob_results *r, size_t row, size_t rt);
/* The runs of the runtime for the row's test and variant, or NULL. */
const struct ob_group *ob_results_group(const struct ob_results *r, size_t row, size_t rt);
/* Statistics of one cell (n 0 when there is no value). */
int ob_results_stats(const struct ob_results *r, size_t row, size_t rt, struct ob_stats *st,
		     struct ob_error *err);
/* Whether either of two columns (index -1: none) ran on an emulated CPU:
 * then their figures are not ranked against each other. */
int ob_results_pair_emulated(const struct ob_results *a, long ia, const struct ob_results *b,
			     long ib);
/* Index of a runtime by name, or -1. */
long ob_results_runtime(const struct ob_results *r, const char *name);
/* Index of the row (test, variant, metric), or -1. */
long ob_results_row(const struct ob_results *r, const char *test, const char *variant,
		    const char *metric);

/* Text of a table cell (decimals from the row's largest mean, so a row
 * reads like the study's): "0.5132 ± 0.0120", "failed (2/3)", "-" ... into buf. */
void ob_results_cell_text(const struct ob_results *r, size_t row, size_t rt, char *buf,
			  size_t size);
/* The largest |mean| of a row: the reference for its number format. */
double ob_results_row_ref(const struct ob_results *r, size_t row);
/* A number with about 4 significant digits (the study's style); decimals
 * chosen from ref so that mean and sd line up.  "" for NAN. */
void ob_results_fmt(double x, double ref, char *buf, size_t size);
/* A ratio as "x57.3" (three significant digits, no exponent). */
void ob_results_ratio_text(double x, char *buf, size_t size);

#endif
