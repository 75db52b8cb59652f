/* results-write.h - the writers of the results module (internal). */
#ifndef OB_RESULTS_WRITE_H
#define OB_RESULTS_WRITE_H

#include <stdio.h>

#include "ob-error.h"
#include "results-model.h"

/* One CSV field, RFC 4180: quoted (with "" for ") when it holds a comma,
 * a quote, CR, LF or leading/trailing space; NULL is an empty field.  A
 * text that a spreadsheet would run as a formula (first character = + - @,
 * tab or CR) is quoted with a ' in front. */
void ob_csv_field(FILE *f, const char *s);
/* Split one CSV line in place into at most max fields (quotes honoured);
 * returns the number of fields, or -1 for an unterminated quote. */
int ob_csv_split(char *line, char **fields, int max);

/* summary.csv */
void ob_results_write_csv(const struct ob_results *r, FILE *out);

/* What happened to the plots (results-plot.c). */
enum ob_plots_state { OB_PLOTS_NONE, OB_PLOTS_RENDERED, OB_PLOTS_SKIPPED, OB_PLOTS_FAILED };
struct ob_plots {
	enum ob_plots_state state;
	char note[512];     /* why skipped / failed */
	unsigned char *has; /* per row: 1 when plots/<slug>.svg and .png exist */
};
/* Render one bar chart per row into DIR/plots/ with gnuplot ($OB_GNUPLOT,
 * else gnuplot on PATH).  Never fails the report: the outcome is in *p. */
void ob_results_plot(const struct ob_results *r, const char *dir, struct ob_plots *p);

/* report.md */
void ob_results_write_md(const struct ob_results *r, int incomplete, const struct ob_plots *p,
			 FILE *out);
/* The main table as aligned plain text, and as a Markdown table. */
void ob_results_write_table(const struct ob_results *r, FILE *out);
/* flags: OB_TABLE_RELATIVE (results.h) */
void ob_results_write_table_ex(const struct ob_results *r, FILE *out, int flags);
void ob_results_write_md_table(const struct ob_results *r, FILE *out);
/* Text for a Markdown table cell or line: \\ | ` < > escaped, & as &amp;,
 * control characters (line breaks) as spaces: data never makes markup. */
void ob_md_text(FILE *out, const char *s);
/* s for a terminal, into buf (truncated to size): every control character
 * (C0, DEL and the C1 range U+0080-U+009F) becomes '?', so that a string
 * from raw.jsonl cannot move the cursor, retitle the window or inject
 * escape sequences.  Returns buf. */
const char *ob_tty_text(const char *s, char *buf, size_t size);
/* The details table: per figure and runtime n, mean, sd, median, min, max,
 * CV, 95 % CI half-width and runs not ok, as text cells ("" for none). */
#define OB_DETAIL_COLS 11
extern const char *const ob_detail_head[OB_DETAIL_COLS];
typedef void (*ob_detail_fn)(const char *const *cells, void *arg);
void ob_results_details(const struct ob_results *r, ob_detail_fn fn, void *arg);
/* A writer of text escaped for one format (ob_md_text, ob_xml_text). */
typedef void (*ob_text_fn)(FILE *out, const char *s);
/* A JSON value through esc: a string as it is, anything else as compact JSON. */
void ob_json_text(FILE *out, json_t *v, ob_text_fn esc);
/* Does manifest.json say the run was interrupted? */
int ob_manifest_incomplete(json_t *m);

/* A run against the study's table (Table 3 or 4): for each study figure
 * and runtime other than the baseline (runc), the mean here, the ratio to
 * the baseline here and in the study, and whether both point the same way. */
struct ob_study_cell {
	size_t row, rt;
	double mean;  /* NAN: no value (failed, ...) */
	double here;  /* mean / baseline mean, NAN when either is missing */
	double lo, hi; /* 95 % confidence interval of here; NAN when either cell
	                * has fewer than two values */
	double there; /* the study's ratio, NAN when the study has none */
	int same;     /* 1 same way, 0 not, -1 not comparable, OB_STUDY_EMULATED */
};
/* same of a cell run on an emulated CPU (Kata under TCG): never ranked
 * against the study's figures, shown as "emulated". */
#define OB_STUDY_EMULATED (-2)
struct ob_study_cmp {
	char path[4096];             /* the study CSV read */
	size_t base;                 /* the baseline runtime */
	/* the study measured create, start and delete through Docker: with
	 * docker columns (docker/runc, ...), the lifecycle rows compare those */
	int docker_lifecycle;
	size_t dbase;
	struct ob_study_cell *cells; /* in the study's row order */
	size_t n;
	int comparable, same;        /* cells with both ratios; those alike */
};
/* arch: "x86_64", "aarch64" (or amd64, arm64), or a CSV path. */
int ob_study_compare(const struct ob_results *r, const char *arch, struct ob_study_cmp *c,
		     struct ob_error *err);
void ob_study_cmp_free(struct ob_study_cmp *c);
/* "[lo, hi]" of a cell's ratio interval, or "-". */
void ob_study_interval_text(const struct ob_study_cell *e, char *buf, size_t len);
/* Ratios within this of 1 count as "no difference"; so does a ratio whose
 * 95 % confidence interval reaches into 1 +- OB_STUDY_SAME. */
#define OB_STUDY_SAME 0.05
#define OB_STUDY_RULE                                                                     \
	"ratios within 5 % of 1, or whose 95 % confidence interval reaches into 1 +- 5 %, " \
	"count as equal"


/* report.html of one run, and two runs side by side (compare --html). */
void ob_results_write_html(const struct ob_results *r, const char *dir, int incomplete, FILE *out);
void ob_results_write_html_compare(const struct ob_results *a, const char *adir,
				   const struct ob_results *b, const char *bdir, FILE *out);

#endif
