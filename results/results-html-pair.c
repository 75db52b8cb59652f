/* results-html-pair.c - compare DIR_A DIR_B --html: two runs side by side
 * in one page built from report.html's parts (results-html.h). */
#include "results-write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results-html.h"
#include "results-svg.h"

/* The runtimes of A, then those only B has. */
static size_t union_runtimes(const struct ob_results *a, const struct ob_results *b,
			     const char **names)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nrts; i++)
		names[n++] = a->rts[i].name;
	for (size_t i = 0; i < b->nrts; i++)
		if (ob_results_runtime(a, b->rts[i].name) < 0)
			names[n++] = b->rts[i].name;
	return n;
}

static long row_in(const struct ob_results *r, const struct ob_row *rw)
{
	return ob_results_row(r, rw->def->test, rw->variant, rw->def->metric);
}

/* Rows of A, then those only B has: calls fn for each. */
typedef void (*pair_row_fn)(FILE *out, const struct ob_results *a, const struct ob_results *b,
			    const struct ob_row *rw, const char **names, size_t n);

static void each_row(FILE *out, const struct ob_results *a, const struct ob_results *b,
		     const char **names, size_t n, pair_row_fn fn)
{
	for (size_t i = 0; i < a->nrows; i++)
		fn(out, a, b, &a->rows[i], names, n);
	for (size_t i = 0; i < b->nrows; i++)
		if (row_in(a, &b->rows[i]) < 0)
			fn(out, a, b, &b->rows[i], names, n);
}

static void cell(FILE *out, const struct ob_results *r, long row, long rt, double ref)
{
	char text[128];

	if (row < 0 || rt < 0 || ob_results_group(r, (size_t)row, (size_t)rt) == NULL) {
		fputs("<td class=\"num none\">-</td>", out);
		return;
	}
	ob_results_cell_text(r, (size_t)row, (size_t)rt, text, sizeof(text));
	fprintf(out, "<td class=\"num %s\">", ob_html_cell_class(r, (size_t)row, (size_t)rt));
	if (isfinite(ob_html_mean(r, row, rt)) && isfinite(ref)) {
		struct ob_stats st;

		ob_html_stats(r, (size_t)row, (size_t)rt, &st);
		ob_html_num(out, st.mean, ref);
		if (st.n > 1) {
			fputs(" ± ", out);
			ob_html_num(out, st.sd, ref);
		}
	} else {
		H(out, text);
	}
	fputs("</td>", out);
}

/* The number format's reference of a row in two runs (as in report.md). */
static double row_ref(const struct ob_results *a, long ra, const struct ob_results *b, long rb)
{
	double x = ra < 0 ? NAN : ob_results_row_ref(a, (size_t)ra);
	double y = rb < 0 ? NAN : ob_results_row_ref(b, (size_t)rb);

	return isnan(x) ? y : isnan(y) ? x : fmax(x, y);
}

static void pair_table_row(FILE *out, const struct ob_results *a, const struct ob_results *b,
			   const struct ob_row *rw, const char **names, size_t n)
{
	long ra = row_in(a, rw), rb = row_in(b, rw);

	for (size_t k = 0; k < n; k++) {
		long ia = ob_results_runtime(a, names[k]), ib = ob_results_runtime(b, names[k]);
		double ma = ob_html_mean(a, ra, ia), mb = ob_html_mean(b, rb, ib), ref;
		char q[32];

		if ((ra < 0 || ia < 0 || !ob_results_group(a, (size_t)ra, (size_t)ia)) &&
		    (rb < 0 || ib < 0 || !ob_results_group(b, (size_t)rb, (size_t)ib)))
			continue; /* in neither run */
		ref = row_ref(a, ra, b, rb);
		if (ob_results_pair_emulated(a, ia, b, ib)) /* never ranked */
			snprintf(q, sizeof(q), "emulated");
		else
			ob_html_ratio(mb / ma, q, sizeof(q));
		fputs("<tr><th>", out);
		H(out, rw->label);
		fputs("</th><td>", out);
		H(out, names[k]);
		fputs("</td>", out);
		cell(out, a, ra, ia, ref);
		cell(out, b, rb, ib, ref);
		fprintf(out, "<td class=\"num\">%s</td></tr>\n", q);
	}
}

static void pair_chart(FILE *out, const struct ob_results *a, const struct ob_results *b,
		       const struct ob_row *rw, const char **names, size_t n)
{
	long ra = row_in(a, rw), rb = row_in(b, rw);
	struct ob_svg_bar *bars = calloc(2 * n + 1, sizeof(*bars));
	struct ob_html_bar_text *texts = calloc(2 * n + 1, sizeof(*texts));
	const char *series[] = {"A", "B"};
	char id[200];

	if (bars == NULL || texts == NULL) {
		fputs("<p>(out of memory)</p>\n", out);
		goto out;
	}
	snprintf(id, sizeof(id), "chart-%s", rw->slug);
	for (size_t k = 0; k < n; k++) {
		long ia = ob_results_runtime(a, names[k]), ib = ob_results_runtime(b, names[k]);

		ob_html_bar(a, ra, ia, NAN, &bars[2 * k], &texts[2 * k]);
		ob_html_bar(b, rb, ib, ob_results_pair_emulated(a, ia, b, ib) ? NAN : ob_html_mean(a, ra, ia),
			    &bars[2 * k + 1], &texts[2 * k + 1]);
	}
	struct ob_svg_chart c = {id, rw->label, rw->def->unit, names, n, series, 2, bars};

	ob_html_chart(out, &c, rw->slug, rw->label, "Over each bar its mean; over B's, below it, B / A.");
out:
	free(bars);
	free(texts);
}

static void side_by_side(FILE *out, const struct ob_results *a, const struct ob_results *b,
			 void (*fn)(FILE *, const struct ob_results *, const char *), const char *id)
{
	char ida[64], idb[64];

	snprintf(ida, sizeof(ida), "%s-a", id);
	snprintf(idb, sizeof(idb), "%s-b", id);
	fputs("<div class=\"side\"><div><h3>A</h3>\n", out);
	fn(out, a, ida);
	fputs("</div><div><h3>B</h3>\n", out);
	fn(out, b, idb);
	fputs("</div></div>\n", out);
}

void ob_results_write_html_compare(const struct ob_results *a, const char *adir,
				   const struct ob_results *b, const char *bdir, FILE *out)
{
	const char **names = calloc(a->nrts + b->nrts + 1, sizeof(*names));
	size_t n;

	ob_html_head(out, "ocibench: two runs compared");
	fputs("<h1>ocibench: two runs compared</h1>\n<p>A = <code>", out);
	H(out, adir);
	fputs("</code> (", out);
	H(out, ob_html_arch(a) ? ob_html_arch(a) : "?");
	fputs(")<br>B = <code>", out);
	H(out, bdir);
	fputs("</code> (", out);
	H(out, ob_html_arch(b) ? ob_html_arch(b) : "?");
	fputs(")</p>\n", out);
	ob_html_banner(out, a, 0);
	ob_html_banner(out, b, 0);
	ob_html_nav(out);
	if (names == NULL) {
		fputs("<p>(out of memory)</p>\n", out);
		ob_html_foot(out);
		return;
	}
	n = union_runtimes(a, b, names);
	fputs("<section id=\"run\">\n<div class=\"side\"><div>\n", out);
	ob_html_run(out, a, "run-a", "Run A");
	fputs("</div><div>\n", out);
	ob_html_run(out, b, "run-b", "Run B");
	fputs("</div></div>\n</section>\n", out);
	fputs("<section id=\"results\">\n<h2>Results</h2>\n<p>Mean ± sample standard deviation "
	      "in each run, and the ratio B / A.</p>\n<table id=\"results-table\">\n"
	      "<tr><th>test</th><th>runtime</th><th>A</th><th>B</th><th>B / A</th></tr>\n",
	      out);
	each_row(out, a, b, names, n, pair_table_row);
	fputs("</table>\n</section>\n", out);
	fputs("<section id=\"charts\">\n<h2>Charts</h2>\n", out);
	each_row(out, a, b, names, n, pair_chart);
	fputs("</section>\n<section id=\"study\">\n<h2>Against the study</h2>\n", out);
	side_by_side(out, a, b, ob_html_study, "study");
	fputs("</section>\n<section id=\"audit\">\n<h2>Audit trail</h2>\n", out);
	side_by_side(out, a, b, ob_html_audit, "audit");
	fputs("</section>\n<section id=\"details\">\n<h2>Details</h2>\n<h3>A</h3>\n", out);
	ob_html_details(out, a);
	fputs("<h3>B</h3>\n", out);
	ob_html_details(out, b);
	fputs("</section>\n<section id=\"failures\">\n<h2>Failures</h2>\n", out);
	side_by_side(out, a, b, ob_html_failures, "failures");
	fputs("</section>\n", out);
	ob_html_foot(out);
	free(names);
}
