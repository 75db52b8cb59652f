/* results-html.h - the parts of report.html (results-html.c) that the
 * two-run page (results-html-pair.c) is built from.  Internal to the
 * results module.  Every function writes text from the results through
 * ob_xml_text. */
#ifndef OB_RESULTS_HTML_H
#define OB_RESULTS_HTML_H

#include <stdio.h>

#include "results-model.h"
#include "results-svg.h"

#define H ob_xml_text

/* The frame: <head> with the styles and the Content Security Policy, the
 * navigation, the INCOMPLETE banner, the footer that closes the page. */
void ob_html_head(FILE *out, const char *title);
void ob_html_nav(FILE *out);
void ob_html_banner(FILE *out, const struct ob_results *r, int incomplete);
void ob_html_foot(FILE *out);

/* A number formatted like report.md's ("-" for NAN), a ratio ("x57.3"). */
void ob_html_num(FILE *out, double x, double ref);
void ob_html_ratio(double x, char *buf, size_t size);

/* A cell's statistics (-1: out of memory), its mean (NAN: no value; row or
 * rt may be -1), its status class (ok, partial, failed, timeout,
 * unsupported, none). */
int ob_html_stats(const struct ob_results *r, size_t row, size_t rt, struct ob_stats *st);
double ob_html_mean(const struct ob_results *r, long row, long rt);
const char *ob_html_cell_class(const struct ob_results *r, size_t row, size_t rt);

/* The architecture the run was measured on, or NULL. */
const char *ob_html_arch(const struct ob_results *r);

/* Sections; id names the element for links and tests. */
void ob_html_run(FILE *out, const struct ob_results *r, const char *id, const char *title);
void ob_html_study(FILE *out, const struct ob_results *r, const char *id);
void ob_html_audit(FILE *out, const struct ob_results *r, const char *id);
void ob_html_details(FILE *out, const struct ob_results *r);
void ob_html_failures(FILE *out, const struct ob_results *r, const char *id);

/* One bar of (row, rt): mean, sd, the mean as its label and its ratio to
 * base (NAN: none) under it, or the cell's text as a note when it has no
 * value.  The strings live in *t. */
struct ob_html_bar_text {
	char label[64], sub[32], note[128];
};
void ob_html_bar(const struct ob_results *r, long row, long rt, double base, struct ob_svg_bar *b,
		 struct ob_html_bar_text *t);

/* A chart in a <figure> with its caption; labels says what is written over
 * the bars. */
void ob_html_chart(FILE *out, const struct ob_svg_chart *c, const char *slug, const char *label,
		   const char *labels);

#endif
