/* results-svg.h - a small SVG bar chart writer for report.html: groups of
 * bars (one group per runtime, one bar per series, i.e. per run), error
 * bars, a linear axis from zero or a logarithmic one when the values span
 * more than 10x.  The SVG is written inline (no XML prolog, no external
 * resources).  Internal to the results module. */
#ifndef OB_RESULTS_SVG_H
#define OB_RESULTS_SVG_H

#include <stddef.h>
#include <stdio.h>

/* One bar. */
struct ob_svg_bar {
	double mean;       /* NAN: no bar; note says why */
	double err;        /* half-length of the error bar, NAN or 0 for none */
	const char *label; /* over the bar (e.g. "0.512"), or NULL */
	const char *sub;   /* second line over the bar (e.g. "x9.2"), or NULL */
	const char *note;  /* in place of a missing bar ("failed (2/2)"), or NULL */
};

struct ob_svg_chart {
	const char *id;                  /* id attribute of the <svg> */
	const char *title;               /* its accessible name */
	const char *unit;                /* the value axis' title */
	const char *const *groups;       /* group names (runtimes) */
	size_t ngroups;
	const char *const *series;       /* series names (a legend when > 1) */
	size_t nseries;
	const struct ob_svg_bar *bars;   /* bars[group * nseries + series] */
};

/* How much the chart's values span: largest / smallest positive mean (1
 * when there are fewer than two; INFINITY when a mean is zero or below and
 * another is not). */
double ob_svg_span(const struct ob_svg_chart *c);

/* Log axis when the span is above this. */
#define OB_SVG_LOG_SPAN 10.0

/* Write the chart as one <svg> element.  Every text goes through
 * ob_xml_text. */
void ob_svg_bar_chart(FILE *out, const struct ob_svg_chart *c);

/* Text escaped for HTML/XML element content and attribute values: & < > "
 * ' as references; control characters other than tab and newline become
 * U+FFFD (they are not allowed in XML).  NULL writes nothing. */
void ob_xml_text(FILE *out, const char *s);

#endif
