/* results-csv.c - summary.csv and RFC 4180 fields. */
#include "results-write.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

void ob_csv_field(FILE *f, const char *s)
{
	size_t len;
	/* A spreadsheet takes a cell that starts with = + - @ (or a tab or CR
	 * before one) as a formula: such a text gets a leading ' (OWASP's
	 * advice against CSV injection), which shows and runs nothing. */
	bool formula = s && *s && strchr("=+-@\t\r", *s);

	if (s == NULL)
		return;
	len = strlen(s);
	if (!formula && strpbrk(s, ",\"\r\n") == NULL &&
	    (len == 0 || (s[0] != ' ' && s[len - 1] != ' '))) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (formula)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int ob_csv_split(char *line, char **fields, int max)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		if (n == max)
			return n;
		fields[n++] = w;
		if (*r == '"') {
			for (r++;; r++) {
				if (*r == '\0')
					return -1;
				if (*r == '"' && r[1] == '"')
					*w++ = *r++;
				else if (*r == '"')
					break;
				else
					*w++ = *r;
			}
			r++;
		}
		while (*r && *r != ',' && *r != '\r' && *r != '\n')
			*w++ = *r++;
		if (*r != ',') {
			*w = '\0';
			return n;
		}
		r++;
		*w++ = '\0';
	}
}

static void num(FILE *f, double x)
{
	fputc(',', f);
	if (!isnan(x))
		fprintf(f, "%.9g", x);
}

void ob_results_write_csv(const struct ob_results *r, FILE *out)
{
	fputs("runtime,test,variant,metric,unit,n,mean,sd,median,min,max,cv,ci95,runs,not_ok\n", out);
	for (size_t row = 0; row < r->nrows; row++) {
		const struct ob_row *rw = &r->rows[row];

		for (size_t rt = 0; rt < r->nrts; rt++) {
			const struct ob_group *g = ob_results_group(r, row, rt);
			const struct ob_cell *c = ob_results_cell(r, row, rt);
			struct ob_stats st;

			if (g == NULL || ob_stats_compute(c ? c->v : NULL, c ? c->n : 0, &st) < 0)
				continue;
			ob_csv_field(out, r->rts[rt].name);
			fputc(',', out);
			ob_csv_field(out, rw->def->test);
			fputc(',', out);
			ob_csv_field(out, rw->variant);
			fputc(',', out);
			ob_csv_field(out, rw->def->metric);
			fputc(',', out);
			ob_csv_field(out, rw->def->unit);
			fprintf(out, ",%zu", st.n);
			num(out, st.mean);
			num(out, st.sd);
			num(out, st.median);
			num(out, st.min);
			num(out, st.max);
			num(out, st.cv);
			num(out, st.ci95);
			fprintf(out, ",%zu,%zu\n", g->total, g->total - g->ok);
		}
	}
}
