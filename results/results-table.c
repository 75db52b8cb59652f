/* results-table.c - the main table (rows: test figures, columns: runtimes)
 * as aligned plain text or as a Markdown table. */
#include "results-write.h"

#include <stdlib.h>
#include <string.h>

#define CELL 128

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
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

/* Calls each cell's text into a flat grid: [row+1][col+1], row 0 = header. */
static char *grid(const struct ob_results *r)
{
	size_t cols = r->nrts + 1;
	char *g = calloc((r->nrows + 1) * cols, CELL);

	if (g == NULL)
		return NULL;
	snprintf(g, CELL, "%s", "test");
	for (size_t c = 0; c < r->nrts; c++)
		snprintf(g + (c + 1) * CELL, CELL, "%s", r->rts[c].name);
	for (size_t row = 0; row < r->nrows; row++) {
		char *line = g + (row + 1) * cols * CELL;

		snprintf(line, CELL, "%s", r->rows[row].label);
		for (size_t c = 0; c < r->nrts; c++)
			ob_results_cell_text(r, row, c, line + (c + 1) * CELL, CELL);
	}
	return g;
}

void ob_results_write_table(const struct ob_results *r, FILE *out)
{
	size_t cols = r->nrts + 1;
	char *g = grid(r);
	size_t *w = calloc(cols, sizeof(*w));

	if (g == NULL || w == NULL) {
		fputs("(out of memory)\n", out);
		free(g);
		free(w);
		return;
	}
	for (size_t i = 0; i <= r->nrows; i++)
		for (size_t c = 0; c < cols; c++) {
			size_t cw = width(g + (i * cols + c) * CELL);

			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t i = 0; i <= r->nrows; i++) {
		for (size_t c = 0; c < cols; c++) {
			const char *s = g + (i * cols + c) * CELL;

			if (c == 0) {
				fputs(s, out);
				pad(out, w[c] - width(s));
			} else {
				pad(out, 2 + w[c] - width(s));
				fputs(s, out);
			}
		}
		fputc('\n', out);
	}
	fputs("(mean ± sd over the runs of each cell; \"failed (k/n)\": k of n runs not ok)\n", out);
	free(g);
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
