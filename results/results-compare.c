/* results-compare.c - ratios against the study's tables, and two runs
 * side by side. */
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-file.h"
#include "results-model.h"
#include "results-write.h"

#ifndef OB_STUDY_DIR
#define OB_STUDY_DIR "results"
#endif

#define STUDY_COLS 8
#define STUDY_ROWS 32
#define SAME OB_STUDY_SAME

struct study {
	char *names[STUDY_COLS]; /* column names after "figure" */
	int ncols;
	char *figure[STUDY_ROWS];
	double v[STUDY_ROWS][STUDY_COLS]; /* NAN: not in the study */
	int nrows;
	char *text; /* owns every string above */
};

static int study_path(const char *arch, char *path, size_t size, struct ob_error *err)
{
	const char *dir = getenv("OB_STUDY_DIR");

	if (strchr(arch, '/') != NULL) {
		snprintf(path, size, "%s", arch);
		return 0;
	}
	if (strcmp(arch, "amd64") == 0)
		arch = "x86_64";
	if (strcmp(arch, "arm64") == 0)
		arch = "aarch64";
	if (strcmp(arch, "x86_64") != 0 && strcmp(arch, "aarch64") != 0)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "unknown study architecture '%s' (x86_64 or aarch64, or a CSV path)", arch);
	snprintf(path, size, "%s/study-%s.csv", dir && *dir ? dir : OB_STUDY_DIR, arch);
#ifdef OB_STUDY_DATADIR
	if (!(dir && *dir) && access(path, R_OK) != 0)
		snprintf(path, size, "%s/study-%s.csv", OB_STUDY_DATADIR, arch);
#endif
	return 0;
}

static int study_load(const char *path, struct study *s, struct ob_error *err)
{
	char *f[STUDY_COLS + 1], *line, *save = NULL;
	size_t len;
	int lineno = 0;

	memset(s, 0, sizeof(*s));
	if (ob_read_file(path, &s->text, &len, err) < 0)
		return ob_err_wrap(err, "study data");
	for (line = strtok_r(s->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int n = ob_csv_split(line, f, STUDY_COLS + 1);

		lineno++;
		if (n < 2)
			return ob_err(err, OB_EXIT_FAIL, 0, "%s:%d: not a CSV row", path, lineno);
		if (lineno == 1) {
			s->ncols = n - 1;
			for (int i = 1; i < n; i++)
				s->names[i - 1] = f[i];
			continue;
		}
		if (s->nrows == STUDY_ROWS)
			return ob_err(err, OB_EXIT_FAIL, 0, "%s: more than %d rows", path, STUDY_ROWS);
		s->figure[s->nrows] = f[0];
		for (int i = 0; i < s->ncols; i++) {
			char *end;

			s->v[s->nrows][i] = NAN;
			if (i + 1 >= n || *f[i + 1] == '\0')
				continue;
			s->v[s->nrows][i] = strtod(f[i + 1], &end);
			if (*end != '\0')
				return ob_err(err, OB_EXIT_FAIL, 0, "%s:%d: bad number '%s'", path, lineno,
					      f[i + 1]);
		}
		s->nrows++;
	}
	if (s->ncols == 0)
		return ob_err(err, OB_EXIT_FAIL, 0, "%s: empty", path);
	return 0;
}

/* The study column a runtime (or runtime variant) stands for. */
static int study_col(const struct study *s, const char *runtime)
{
	/* the first prefix that fits decides: kata-virtiofs is never the 9p column */
	static const char *const alias[][2] = {
		{"runsc", "gvisor"}, {"gvisor", "gvisor"}, {"kata-virtiofs", "kata-virtiofs"},
		{"kata", "kata"}, {"rune", "inclavare"}, {"inclavare", "inclavare"},
		{"crun", "crun"}, {"runc", "runc"},
	};

	for (size_t a = 0; a < sizeof(alias) / sizeof(alias[0]); a++) {
		if (strncmp(runtime, alias[a][0], strlen(alias[a][0])) != 0)
			continue;
		for (int i = 0; i < s->ncols; i++)
			if (strcmp(s->names[i], alias[a][1]) == 0)
				return i;
		return -1;
	}
	return -1;
}

/* '>' above 1, '<' below, '=' no difference: [lo, hi] is the ratio's
 * interval (a point for the study, whose spread is not published). */
static char direction(double lo, double hi)
{
	return lo > 1 + SAME ? '>' : hi < 1 - SAME ? '<' : '=';
}

static int stats_of(const struct ob_results *r, long row, long rt, struct ob_stats *st)
{
	const struct ob_cell *c;

	if (row < 0 || rt < 0)
		return -1;
	c = ob_results_cell(r, (size_t)row, (size_t)rt);
	if (c == NULL || c->n == 0 || ob_stats_compute(c->v, c->n, st) < 0)
		return -1;
	return 0;
}

static double mean_of(const struct ob_results *r, long row, long rt)
{
	struct ob_stats st;

	return stats_of(r, row, rt, &st) < 0 ? NAN : st.mean;
}

/* 95 % interval of the ratio a.mean / b.mean of two independent samples:
 * symmetric in log space (the delta method on log a - log b), so it stays
 * positive; Welch-Satterthwaite degrees of freedom for the t quantile. */
static void ratio_interval(const struct ob_stats *a, const struct ob_stats *b, double *lo,
			   double *hi)
{
	double va, vb, se, df, t;

	*lo = *hi = NAN;
	if (a->n < 2 || b->n < 2 || !(a->mean > 0) || !(b->mean > 0) || isnan(a->sd) ||
	    isnan(b->sd))
		return;
	va = a->sd * a->sd / ((double)a->n * a->mean * a->mean);
	vb = b->sd * b->sd / ((double)b->n * b->mean * b->mean);
	se = sqrt(va + vb);
	df = se > 0 ? (va + vb) * (va + vb) /
			      (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1))
		    : (double)(a->n + b->n - 2);
	t = ob_stats_t975(df < 1 ? 1 : (size_t)df);
	*lo = a->mean / b->mean * exp(-t * se);
	*hi = a->mean / b->mean * exp(t * se);
}

static void num(FILE *out, double x, double ref, int w)
{
	char b[64];

	ob_results_fmt(x, ref, b, sizeof(b));
	fprintf(out, "  %*s", w, isnan(x) ? "-" : b);
}

/* The row of a study figure: the plain variant of the definition. */
static long study_row(const struct ob_results *r, const char *id)
{
	for (size_t i = 0; i < r->nrows; i++) {
		const struct ob_row *rw = &r->rows[i];

		if (rw->def->study && strcmp(rw->def->study, id) == 0 &&
		    ob_figure_variant_plain(rw->def, rw->variant))
			return (long)i;
	}
	return -1;
}

/* A column's engine ("docker" of "docker/runc"; "" for the bare OCI
 * runtime) and its runtime name. */
static const char *col_runtime(const char *name, char *engine, size_t len)
{
	const char *slash = strchr(name, '/');

	snprintf(engine, len, "%.*s", slash ? (int)(slash - name) : 0, name);
	return slash ? slash + 1 : name;
}

/* The column of the runc baseline among the columns of engine. */
static long base_of(const struct ob_results *r, const struct study *s, const char *engine)
{
	int scol = study_col(s, "runc");
	char eng[64];

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < r->nrts; i++) {
			const char *name = col_runtime(r->rts[i].name, eng, sizeof(eng));

			if (strcmp(eng, engine) == 0 &&
			    (pass ? study_col(s, name) == scol : strcmp(name, "runc") == 0))
				return (long)i;
		}
	return -1;
}

int ob_study_compare(const struct ob_results *r, const char *arch, struct ob_study_cmp *c,
		     struct ob_error *err)
{
	struct study s;
	long base, dbase;
	int scol, rc = -1;

	memset(c, 0, sizeof(*c));
	if (study_path(arch, c->path, sizeof(c->path), err) < 0)
		return -1;
	if (study_load(c->path, &s, err) < 0)
		goto out;
	base = base_of(r, &s, "");
	dbase = base_of(r, &s, "docker");
	scol = study_col(&s, "runc");
	if (base < 0)
		base = dbase;
	if (base < 0 || scol < 0) {
		ob_err(err, OB_EXIT_FAIL, 0, "no runc column: the study's ratios are relative to runc");
		goto out;
	}
	c->base = (size_t)base;
	c->docker_lifecycle = dbase >= 0;
	c->dbase = dbase >= 0 ? (size_t)dbase : 0;
	c->cells = calloc((size_t)s.nrows * r->nrts + 1, sizeof(*c->cells));
	if (c->cells == NULL) {
		ob_err(err, OB_EXIT_FAIL, ENOMEM, "study comparison");
		goto out;
	}
	for (int i = 0; i < s.nrows; i++) {
		long row = study_row(r, s.figure[i]);
		bool lc = row >= 0 && strcmp(r->rows[row].def->test, "lifecycle") == 0;
		const char *want = lc && dbase >= 0 ? "docker" : "";
		long rbase = lc && dbase >= 0 ? dbase : base_of(r, &s, "");
		struct ob_stats sb;
		bool have_b = rbase >= 0 && stats_of(r, row, rbase, &sb) == 0;

		if (row < 0 || rbase < 0)
			continue;
		for (size_t rt = 0; rt < r->nrts; rt++) {
			char eng[64];
			const char *rname = col_runtime(r->rts[rt].name, eng, sizeof(eng));
			int col = study_col(&s, rname);
			struct ob_study_cell *e = &c->cells[c->n];

			if (strcmp(eng, want) != 0)
				continue; /* another engine's column */
			if ((long)rt == rbase || ob_results_group(r, (size_t)row, rt) == NULL)
				continue; /* the baseline itself, or not run */
			struct ob_stats sa;
			bool have_a = stats_of(r, row, (long)rt, &sa) == 0;

			e->row = (size_t)row;
			e->rt = rt;
			e->mean = have_a ? sa.mean : NAN;
			e->here = have_a && have_b ? sa.mean / sb.mean : NAN;
			e->lo = e->hi = NAN;
			if (have_a && have_b)
				ratio_interval(&sa, &sb, &e->lo, &e->hi);
			e->there = col >= 0 ? s.v[i][col] / s.v[i][scol] : NAN;
			e->same = -1;
			/* an emulated CPU (Kata on TCG, a foreign platform under
			 * QEMU) is never ranked against the study's native figures */
			if (r->rts[rt].emulated && isfinite(e->there)) {
				e->same = OB_STUDY_EMULATED;
			} else if (isfinite(e->here) && isfinite(e->there)) {
				bool ci = isfinite(e->lo) && isfinite(e->hi);

				e->same = direction(ci ? e->lo : e->here, ci ? e->hi : e->here) ==
					  direction(e->there, e->there);
				c->comparable++;
				c->same += e->same;
			}
			c->n++;
		}
	}
	rc = 0;
out:
	free(s.text);
	return rc;
}

void ob_study_interval_text(const struct ob_study_cell *e, char *buf, size_t len)
{
	if (isfinite(e->lo) && isfinite(e->hi))
		snprintf(buf, len, "[%.3f, %.3f]", e->lo, e->hi);
	else
		snprintf(buf, len, "-");
}

void ob_study_cmp_free(struct ob_study_cmp *c)
{
	free(c->cells);
	c->cells = NULL;
	c->n = 0;
}

static void print_study(const struct ob_results *r, const struct ob_study_cmp *c, const char *dir,
			FILE *out)
{
	char t1[256], t2[256]; /* data for the terminal: ob_tty_text */

	fprintf(out, "%s against the study (%s); ratio = runtime / %s\n", dir, c->path,
		ob_tty_text(r->rts[c->base].name, t1, sizeof(t1)));
	if (c->docker_lifecycle)
		fprintf(out, "lifecycle rows: the docker/* columns, ratio to %s (the study measured "
			     "them through Docker); other rows: the bare OCI runtimes\n",
			ob_tty_text(r->rts[c->dbase].name, t1, sizeof(t1)));
	else
		fprintf(out, "lifecycle rows: the bare OCI runtimes (no docker/* columns; the study "
			     "measured them through Docker)\n");
	fprintf(out, "%-22s  %-20s  %12s  %10s  %-17s  %11s  %s\n", "test", "runtime", "mean here",
		"ratio here", "95 % CI", "ratio study", "same way");
	for (size_t i = 0; i < c->n; i++) {
		const struct ob_study_cell *e = &c->cells[i];
		char cell[128];

		fprintf(out, "%-22s  %-20s", ob_tty_text(r->rows[e->row].label, t1, sizeof(t1)),
			ob_tty_text(r->rts[e->rt].label, t2, sizeof(t2)));
		if (isnan(e->mean)) {
			ob_results_cell_text(r, e->row, e->rt, cell, sizeof(cell));
			fprintf(out, "  %12s", cell);
		} else {
			num(out, e->mean, ob_results_row_ref(r, e->row), 12);
		}
		if (isfinite(e->here))
			fprintf(out, "  %10.3f", e->here);
		else
			fprintf(out, "  %10s", "-");
		ob_study_interval_text(e, cell, sizeof(cell));
		fprintf(out, "  %-17s", cell);
		if (isfinite(e->there))
			fprintf(out, "  %11.3f", e->there);
		else
			fprintf(out, "  %11s", "-");
		fprintf(out, "  %s\n", e->same == OB_STUDY_EMULATED ? "emulated"
				       : e->same < 0		     ? "-"
				       : e->same		     ? "yes"
								     : "NO");
	}
	fprintf(out, "%d of %d comparable cells point the same way as in the study "
		     "(%s)\n",
		c->same, c->comparable, OB_STUDY_RULE);
}

int ob_results_compare_study(const char *dir, const char *arch, FILE *out, struct ob_error *err)
{
	struct ob_study_cmp c = {0};
	struct ob_results r;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	if (ob_results_load(dir, &r, err) < 0)
		goto out;
	if (ob_study_compare(&r, arch, &c, err) < 0) {
		if (err->status != OB_EXIT_USAGE)
			ob_err_wrap(err, "%s", dir);
		goto out;
	}
	print_study(&r, &c, dir, out);
	rc = 0;
out:
	ob_study_cmp_free(&c);
	ob_results_free(&r);
	return rc;
}

/* Prints one row's cells; returns how many were not ranked (emulated). */
static size_t compare_row(const struct ob_results *a, const struct ob_results *b,
			  const struct ob_row *rw, FILE *out)
{
	size_t emulated = 0;

	long ra = ob_results_row(a, rw->def->test, rw->variant, rw->def->metric);
	long rb = ob_results_row(b, rw->def->test, rw->variant, rw->def->metric);
	char t1[256], t2[256]; /* data for the terminal: ob_tty_text */

	for (size_t k = 0; k < a->nrts + b->nrts; k++) {
		const char *name = k < a->nrts ? a->rts[k].name : b->rts[k - a->nrts].name;
		long ia = ob_results_runtime(a, name), ib = ob_results_runtime(b, name);
		double ma, mb;

		if (k >= a->nrts && ia >= 0)
			continue; /* listed with A's runtimes */
		ma = mean_of(a, ra, ia);
		mb = mean_of(b, rb, ib);
		if (isnan(ma) && isnan(mb))
			continue;
		/* the heading that says emulated, when one side was */
		fprintf(out, "%-30s  %-20s", ob_tty_text(rw->label, t1, sizeof(t1)),
			ob_tty_text(ia >= 0 && !(ib >= 0 && b->rts[ib].emulated) ? a->rts[ia].label
										 : b->rts[ib].label,
				    t2, sizeof(t2)));
		num(out, ma, isnan(ma) ? mb : ma, 12);
		num(out, mb, isnan(ma) ? mb : ma, 12);
		if (ob_results_pair_emulated(a, ia, b, ib) && !isnan(ma) && !isnan(mb)) {
			fprintf(out, "  %9s\n", "emulated");
			emulated++;
		} else if (isfinite(mb / ma))
			fprintf(out, "  %9.3f\n", mb / ma);
		else
			fprintf(out, "  %9s\n", "-");
	}
	return emulated;
}

int ob_results_compare_dirs(const char *a, const char *b, FILE *out, struct ob_error *err)
{
	struct ob_results ra, rb;
	int rc = -1;

	memset(&rb, 0, sizeof(rb));
	if (ob_results_load(a, &ra, err) < 0 || ob_results_load(b, &rb, err) < 0)
		goto out;
	fprintf(out, "A = %s\nB = %s\n", a, b);
	fprintf(out, "%-30s  %-20s  %12s  %12s  %9s\n", "test", "runtime", "mean A", "mean B", "B / A");
	size_t emulated = 0;

	for (size_t i = 0; i < ra.nrows; i++)
		emulated += compare_row(&ra, &rb, &ra.rows[i], out);
	for (size_t i = 0; i < rb.nrows; i++) {
		const struct ob_row *rw = &rb.rows[i];

		if (ob_results_row(&ra, rw->def->test, rw->variant, rw->def->metric) < 0)
			emulated += compare_row(&ra, &rb, rw, out);
	}
	if (emulated)
		fprintf(out, "%zu cell%s not ranked: a figure on an emulated CPU (a foreign platform under QEMU's user-mode emulator, or Kata on TCG) checks correctness, not speed\n",
			emulated, emulated == 1 ? "" : "s");
	rc = 0;
out:
	ob_results_free(&ra);
	ob_results_free(&rb);
	return rc;
}
