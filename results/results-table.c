/* results-table.c - the main table (rows: test figures, columns: runtimes)
 * as aligned plain text or as a Markdown table. */
#include "results.h"
#include "results-write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CELL 128
#define RATIO 24

/* Columns on screen: UTF-8 continuation bytes take none. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static void pad(FILE *out, size_t n)
{
	while (n-- > 0)
		fputc(' ', out);
}

void ob_md_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f) /* a line break would end the table row */
			fputc(' ', out);
		else if (c == '&')
			fputs("&amp;", out);
		else if (strchr("\\|`<>", c))
			fprintf(out, "\\%c", c); /* CommonMark backslash escape */
		else
			fputc(c, out);
	}
}

const char *ob_tty_text(const char *s, char *buf, size_t size)
{
	size_t n = 0;

	for (; *s && n + 1 < size; s++) {
		unsigned char c = (unsigned char)*s, next = (unsigned char)s[1];

		if (c == 0xC2 && next >= 0x80 && next <= 0x9F) { /* C1 in UTF-8 */
			buf[n++] = '?';
			s++;
		} else {
			buf[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		}
	}
	if (size > 0)
		buf[n] = '\0';
	return buf;
}

void ob_results_ratio_text(double x, char *buf, size_t size)
{
	if (fabs(x) >= 100)
		snprintf(buf, size, "x%.0f", x);
	else
		snprintf(buf, size, "x%#.3g", x);
}

static double cell_mean(const struct ob_results *r, size_t row, size_t rt)
{
	const struct ob_cell *c = ob_results_cell(r, row, rt);
	struct ob_stats st;

	if (c == NULL || c->n == 0 || ob_stats_compute(c->v, c->n, &st) < 0)
		return NAN;
	return st.mean;
}

/* Each cell's mean against the first column's ("x57.3", or "" when either
 * has no value), laid out like grid()'s cells; NULL without memory. */
static char *ratios(const struct ob_results *r)
{
	size_t cols = r->nrts + 1;
	char *g = calloc((r->nrows + 1) * cols, RATIO);

	for (size_t row = 0; g != NULL && row < r->nrows; row++)
		for (size_t c = 1; c < r->nrts; c++) {
			double q = cell_mean(r, row, c) / cell_mean(r, row, 0);

			if (isfinite(q))
				ob_results_ratio_text(q, g + ((row + 1) * cols + c + 1) * RATIO, RATIO);
		}
	return g;
}

/* Calls each cell's text into a flat grid: [row+1][col+1], row 0 = header
 * (the labels terminal-safe: the grid is printed as it is). */
static char *grid(const struct ob_results *r)
{
	size_t cols = r->nrts + 1;
	char *g = calloc((r->nrows + 1) * cols, CELL);

	if (g == NULL)
		return NULL;
	snprintf(g, CELL, "%s", "test");
	for (size_t c = 0; c < r->nrts; c++)
		ob_tty_text(r->rts[c].label, g + (c + 1) * CELL, CELL);
	for (size_t row = 0; row < r->nrows; row++) {
		char *line = g + (row + 1) * cols * CELL;

		ob_tty_text(r->rows[row].label, line, CELL);
		for (size_t c = 0; c < r->nrts; c++)
			ob_results_cell_text(r, row, c, line + (c + 1) * CELL, CELL);
	}
	return g;
}

void ob_results_write_table(const struct ob_results *r, FILE *out)
{
	ob_results_write_table_ex(r, out, 0);
}

/* With ratios, each runtime column is two: the cell right-aligned, then its
 * ratio left-aligned, so that both line up down the column. */
void ob_results_write_table_ex(const struct ob_results *r, FILE *out, int flags)
{
	size_t cols = r->nrts + 1;
	char *g = grid(r), *q = (flags & OB_TABLE_RELATIVE) ? ratios(r) : NULL;
	size_t *w = calloc(2 * cols, sizeof(*w)), *qw = w + cols;

	if (g == NULL || w == NULL || ((flags & OB_TABLE_RELATIVE) && q == NULL)) {
		fputs("(out of memory)\n", out);
		free(g);
		free(q);
		free(w);
		return;
	}
	for (size_t i = 0; i <= r->nrows; i++)
		for (size_t c = 0; c < cols; c++) {
			size_t cw = width(g + (i * cols + c) * CELL);
			size_t rw = q ? strlen(q + (i * cols + c) * RATIO) : 0;

			if (cw > w[c])
				w[c] = cw;
			if (rw > qw[c])
				qw[c] = rw;
		}
	for (size_t i = 0; i <= r->nrows; i++) {
		for (size_t c = 0; c < cols; c++) {
			const char *s = g + (i * cols + c) * CELL;

			if (c == 0) {
				fputs(s, out);
				pad(out, w[c] - width(s));
				continue;
			}
			pad(out, 2 + w[c] - width(s));
			fputs(s, out);
			const char *x = q ? q + (i * cols + c) * RATIO : "";

			if (qw[c] > 0 && (c + 1 < cols || *x)) {
				fputc(' ', out);
				fputs(x, out);
				if (c + 1 < cols)
					pad(out, qw[c] - strlen(x));
			}
		}
		fputc('\n', out);
	}
	fputs("(mean ± sd over the runs of each cell; \"failed (k/n)\": k of n runs not ok", out);
	if (q != NULL && r->nrts > 1) {
		char name[CELL];

		fprintf(out, "; xR: mean / %s's mean", ob_tty_text(r->rts[0].name, name, sizeof(name)));
	}
	fputs(")\n", out);
	free(g);
	free(q);
	free(w);
}

void ob_results_write_md_table(const struct ob_results *r, FILE *out)
{
	size_t cols = r->nrts + 1;
	char *g = grid(r);

	if (g == NULL) {
		fputs("(out of memory)\n", out);
		return;
	}
	for (size_t i = 0; i <= r->nrows; i++) {
		for (size_t c = 0; c < cols; c++) {
			fputs("| ", out);
			ob_md_text(out, g + (i * cols + c) * CELL);
			fputc(' ', out);
		}
		fputs("|\n", out);
		if (i == 0) {
			fputs("|---", out);
			for (size_t c = 1; c < cols; c++)
				fputs("|---:", out);
			fputs("|\n", out);
		}
	}
	free(g);
}

const char *const ob_detail_head[OB_DETAIL_COLS] = {
	"test", "runtime", "n", "mean", "sd", "median", "min", "max", "CV", "95 % CI ±", "not ok",
};

void ob_results_details(const struct ob_results *r, ob_detail_fn fn, void *arg)
{
	for (size_t row = 0; row < r->nrows; row++) {
		double ref = ob_results_row_ref(r, row);

		for (size_t rt = 0; rt < r->nrts; rt++) {
			const struct ob_group *g = ob_results_group(r, row, rt);
			const struct ob_cell *c = ob_results_cell(r, row, rt);
			char b[OB_DETAIL_COLS][64];
			const char *cells[OB_DETAIL_COLS];
			double v[5];
			struct ob_stats st;

			if (g == NULL || ob_stats_compute(c ? c->v : NULL, c ? c->n : 0, &st) < 0)
				continue;
			snprintf(b[2], sizeof(b[2]), "%zu", st.n);
			v[0] = st.mean, v[1] = st.sd, v[2] = st.median, v[3] = st.min, v[4] = st.max;
			for (int i = 0; i < 5; i++)
				ob_results_fmt(v[i], ref, b[3 + i], sizeof(b[3 + i]));
			if (isnan(st.cv))
				b[8][0] = '\0';
			else
				snprintf(b[8], sizeof(b[8]), "%.1f %%", 100 * st.cv);
			ob_results_fmt(st.ci95, ref, b[9], sizeof(b[9]));
			snprintf(b[10], sizeof(b[10]), "%zu", g->total - g->ok);
			cells[0] = r->rows[row].label;
			cells[1] = r->rts[rt].name;
			for (int i = 2; i < OB_DETAIL_COLS; i++)
				cells[i] = b[i];
			fn(cells, arg);
		}
	}
}
