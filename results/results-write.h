/* results-write.h - the writers of the results module (internal). */
#ifndef OB_RESULTS_WRITE_H
#define OB_RESULTS_WRITE_H

#include <stdio.h>

#include "ob-error.h"
#include "results-model.h"

/* One CSV field, RFC 4180: quoted (with "" for ") when it holds a comma,
 * a quote, CR, LF or leading/trailing space; NULL is an empty field. */
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
void ob_results_write_md_table(const struct ob_results *r, FILE *out);
/* Text for a Markdown table cell: pipes escaped, line breaks flattened. */
void ob_md_text(FILE *out, const char *s);

#endif
