/* results-load.c - raw.jsonl (and manifest.json) into struct ob_results. */
#include "results-model.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-file.h"

/* Make room for element n of *arr: capacity is 4, then each power of two. */
static int grow(void **arr, size_t n, size_t elem)
{
	void *p;

	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return 0; /* room left */
	p = realloc(*arr, (n ? 2 * n : 4) * elem);
	if (p == NULL)
		return -1;
	*arr = p;
	return 0;
}
#define GROW(arr, n) grow((void **)&(arr), (n), sizeof(*(arr)))

static int streq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The column's accelerator or emulated platform, and its heading
 * ("kata [tcg]", "runc [linux/arm64, emulated]"). */
static void set_accel(struct ob_runtime_col *c, json_t *rec)
{
	const char *accel = jstr(rec, "accel");
	const char *platform = json_is_true(json_object_get(rec, "emulated"))
				       ? (jstr(rec, "platform") ? jstr(rec, "platform") : "foreign")
				       : NULL;

	free(c->label);
	c->accel = dup_or_null(accel);
	c->platform = dup_or_null(platform);
	c->emulated = (accel && strcmp(accel, "tcg") == 0) || platform;
	if ((accel ? asprintf(&c->label, "%s [%s]", c->name, accel)
	     : platform ? asprintf(&c->label, "%s [%s, emulated]", c->name, platform)
			: (c->label = strdup(c->name)) ? 0 : -1) < 0)
		abort();
}

static long find_runtime(struct ob_results *r, json_t *rec)
{
	const char *name = jstr(rec, "runtime");
	struct ob_runtime_col *c;

	for (size_t i = 0; i < r->nrts; i++) {
		if (strcmp(r->rts[i].name, name) == 0) {
			c = &r->rts[i];
			if (c->version == NULL)
				c->version = dup_or_null(jstr(rec, "runtime_version"));
			if (c->accel == NULL && c->platform == NULL &&
			    (jstr(rec, "accel") || json_is_true(json_object_get(rec, "emulated"))))
				set_accel(c, rec);
			return (long)i;
		}
	}
	if (GROW(r->rts, r->nrts) < 0)
		return -1;
	c = &r->rts[r->nrts];
	c->name = strdup(name);
	c->version = dup_or_null(jstr(rec, "runtime_version"));
	c->path = dup_or_null(jstr(rec, "runtime_path"));
	if (c->name == NULL)
		return -1;
	c->label = NULL;
	set_accel(c, rec);
	return (long)r->nrts++;
}

int ob_results_pair_emulated(const struct ob_results *a, long ia, const struct ob_results *b,
			     long ib)
{
	return (ia >= 0 && a->rts[ia].emulated) || (ib >= 0 && b->rts[ib].emulated);
}

static struct ob_group *find_group(struct ob_results *r, size_t rt, const char *test,
				   const char *variant)
{
	struct ob_group *g;

	for (size_t i = 0; i < r->ngroups; i++) {
		g = &r->groups[i];
		if (g->rt == rt && strcmp(g->test, test) == 0 && streq(g->variant, variant))
			return g;
	}
	if (GROW(r->groups, r->ngroups) < 0)
		return NULL;
	g = &r->groups[r->ngroups];
	memset(g, 0, sizeof(*g));
	g->rt = rt;
	g->test = strdup(test);
	g->variant = dup_or_null(variant);
	if (g->test == NULL)
		return NULL;
	r->ngroups++;
	return g;
}

static void slug_append(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	if (len > 0 && len + 1 < size)
		buf[len++] = '-';
	for (; *s && len + 1 < size; s++)
		buf[len++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
						    (*s >= '0' && *s <= '9') || *s == '_'
					    ? *s
					    : '_');
	buf[len] = '\0';
}

static long find_row(struct ob_results *r, const struct ob_figure_def *d, const char *variant)
{
	struct ob_row *row;
	char label[256], slug[160] = "";

	for (size_t i = 0; i < r->nrows; i++)
		if (r->rows[i].def == d && streq(r->rows[i].variant, variant))
			return (long)i;
	if (GROW(r->rows, r->nrows) < 0)
		return -1;
	if (ob_figure_variant_plain(d, variant))
		snprintf(label, sizeof(label), "%s (%s)", d->label, d->unit);
	else
		snprintf(label, sizeof(label), "%s [%s] (%s)", d->label, variant, d->unit);
	slug_append(slug, sizeof(slug), d->test);
	if (variant != NULL)
		slug_append(slug, sizeof(slug), variant);
	slug_append(slug, sizeof(slug), d->metric);
	row = &r->rows[r->nrows];
	row->def = d;
	row->variant = dup_or_null(variant);
	row->label = strdup(label);
	row->slug = strdup(slug);
	row->seq = r->nrows;
	if (row->label == NULL || row->slug == NULL)
		return -1;
	return (long)r->nrows++;
}

static struct ob_cell *find_cell(struct ob_results *r, size_t row, size_t rt)
{
	struct ob_cell *c;

	for (size_t i = 0; i < r->ncells; i++)
		if (r->cells[i].row == row && r->cells[i].rt == rt)
			return &r->cells[i];
	if (GROW(r->cells, r->ncells) < 0)
		return NULL;
	c = &r->cells[r->ncells++];
	memset(c, 0, sizeof(*c));
	c->row = row;
	c->rt = rt;
	return c;
}

struct add_ctx {
	struct ob_results *r;
	size_t rt;
	const char *variant;
	int failed; /* out of memory */
};

static void add_row(const struct ob_figure_def *d, double value, void *arg)
{
	struct add_ctx *ctx = arg;

	(void)value;
	if (find_row(ctx->r, d, ctx->variant) < 0)
		ctx->failed = 1;
}

static void add_value(const struct ob_figure_def *d, double value, void *arg)
{
	struct add_ctx *ctx = arg;
	long row = find_row(ctx->r, d, ctx->variant);
	struct ob_cell *c = row < 0 ? NULL : find_cell(ctx->r, (size_t)row, ctx->rt);

	if (c == NULL || GROW(c->v, c->n) < 0) {
		ctx->failed = 1;
		return;
	}
	c->v[c->n++] = value;
}

static int add_failure(struct ob_results *r, size_t rt, json_t *rec, size_t line)
{
	struct ob_failure *f;
	json_t *es = json_object_get(rec, "exit_status");
	json_t *rep = json_object_get(rec, "repetition");

	if (GROW(r->fails, r->nfails) < 0)
		return -1;
	f = &r->fails[r->nfails++];
	f->rt = rt;
	f->test = strdup(jstr(rec, "test"));
	f->variant = dup_or_null(jstr(rec, "variant"));
	f->status = strdup(jstr(rec, "status"));
	f->repetition = json_is_integer(rep) ? json_integer_value(rep) : 0;
	f->exit_status = json_is_integer(es) ? json_integer_value(es) : -1;
	f->stderr_tail = dup_or_null(jstr(rec, "stderr_tail"));
	f->line = line;
	return f->test && f->status ? 0 : -1;
}

/* What a group's audit trail keeps of its first record (keys of the
 * record, then of its workload object). */
static json_t *audit_of(json_t *rec)
{
	static const char *const keys[] = {"runtime_path", "runtime_args", "argv", "params", "net"};
	json_t *a = json_object(), *wl = json_object_get(rec, "workload");

	for (size_t i = 0; a && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(rec, keys[i]) != NULL)
			json_object_set(a, keys[i], json_object_get(rec, keys[i]));
	if (a && json_is_object(wl)) {
		if (json_object_get(wl, "command") != NULL)
			json_object_set(a, "workload_command", json_object_get(wl, "command"));
		if (json_object_get(wl, "params") != NULL)
			json_object_set(a, "workload_params", json_object_get(wl, "params"));
	}
	return a;
}

static int add_record(struct ob_results *r, json_t *rec, size_t line)
{
	const char *status = jstr(rec, "status");
	const char *variant = jstr(rec, "variant");
	long rt = find_runtime(r, rec);
	struct ob_group *g = rt < 0 ? NULL : find_group(r, (size_t)rt, jstr(rec, "test"), variant);
	struct add_ctx ctx = {r, (size_t)rt, variant, 0};

	if (g == NULL)
		return -1;
	/* the first ok record tells the most (its workload's params) */
	if (g->audit == NULL || (g->ok == 0 && strcmp(status, "ok") == 0)) {
		json_decref(g->audit);
		if ((g->audit = audit_of(rec)) == NULL)
			return -1;
	}
	g->total++;
	if (strcmp(status, "ok") == 0) {
		g->ok++;
		ob_figures_extract(rec, add_value, &ctx);
		return ctx.failed ? -1 : 0;
	}
	if (strcmp(status, "timeout") == 0)
		g->timeout++;
	else if (strcmp(status, "unsupported") == 0)
		g->unsupported++;
	else
		g->failed++;
	ob_figures_rows(rec, add_row, &ctx);
	if (ctx.failed)
		return -1;
	return add_failure(r, (size_t)rt, rec, line);
}

/* A line is a record when it is a JSON object naming runtime, test, status. */
static int usable(json_t *rec)
{
	return json_is_object(rec) && jstr(rec, "runtime") && jstr(rec, "test") &&
	       jstr(rec, "status");
}

static int cmp_rows(const void *a, const void *b)
{
	const struct ob_row *x = a, *y = b;

	if (x->def != y->def)
		return x->def < y->def ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Rows into report order (definition table order, then first appearance);
 * the cells follow their rows. */
static int sort_rows(struct ob_results *r)
{
	size_t *map = malloc((r->nrows + 1) * sizeof(*map));

	if (map == NULL)
		return -1;
	if (r->nrows > 1) /* (rows is NULL when there are none: not for qsort) */
		qsort(r->rows, r->nrows, sizeof(*r->rows), cmp_rows);
	for (size_t i = 0; i < r->nrows; i++)
		map[r->rows[i].seq] = i;
	for (size_t i = 0; i < r->ncells; i++)
		r->cells[i].row = map[r->cells[i].row];
	for (size_t i = 0; i < r->nrows; i++)
		r->rows[i].seq = i;
	free(map);
	return 0;
}

int ob_results_parse(const char *text, struct ob_results *r, struct ob_error *err)
{
	const char *p = text;
	size_t line = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *q = p;
		json_t *rec;

		line++;
		while (q < p + len && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (q < p + len) {
			r->lines++;
			rec = json_loadb(p, len, JSON_REJECT_DUPLICATES, NULL);
			if (usable(rec)) {
				r->records++;
				if (add_record(r, rec, line) < 0) {
					json_decref(rec);
					return ob_err(err, OB_EXIT_FAIL, ENOMEM, "raw.jsonl line %zu", line);
				}
			} else if (r->bad_lines++ == 0) {
				r->first_bad = line;
			}
			json_decref(rec);
		}
		p += len + (nl != NULL);
	}
	if (sort_rows(r) < 0)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "sorting rows");
	return 0;
}

int ob_results_load(const char *dir, struct ob_results *r, struct ob_error *err)
{
	char path[4096];
	ob_cleanup_free char *text = NULL;
	size_t len;
	json_error_t jerr;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/raw.jsonl", dir);
	if (ob_read_file(path, &text, &len, err) < 0)
		return -1;
	if (strlen(text) != len)
		return ob_err(err, OB_EXIT_FAIL, 0, "%s: contains a NUL byte", path);
	if (ob_results_parse(text, r, err) < 0)
		return ob_err_wrap(err, "%s", path);
	if (r->records == 0)
		return ob_err(err, OB_EXIT_FAIL, 0, "%s: no run records", path);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if (access(path, F_OK) == 0) {
		/* an unreadable manifest only loses the metadata section */
		r->manifest = json_load_file(path, 0, &jerr);
		if (!json_is_object(r->manifest)) {
			json_decref(r->manifest);
			r->manifest = NULL;
		}
	}
	return 0;
}

void ob_results_free(struct ob_results *r)
{
	for (size_t i = 0; i < r->nrts; i++) {
		free(r->rts[i].name);
		free(r->rts[i].version);
		free(r->rts[i].accel);
		free(r->rts[i].platform);
		free(r->rts[i].label);
		free(r->rts[i].path);
	}
	for (size_t i = 0; i < r->nrows; i++) {
		free(r->rows[i].variant);
		free(r->rows[i].label);
		free(r->rows[i].slug);
	}
	for (size_t i = 0; i < r->ncells; i++)
		free(r->cells[i].v);
	for (size_t i = 0; i < r->ngroups; i++) {
		free(r->groups[i].test);
		free(r->groups[i].variant);
		json_decref(r->groups[i].audit);
	}
	for (size_t i = 0; i < r->nfails; i++) {
		free(r->fails[i].test);
		free(r->fails[i].variant);
		free(r->fails[i].status);
		free(r->fails[i].stderr_tail);
	}
	free(r->rts);
	free(r->rows);
	free(r->cells);
	free(r->groups);
	free(r->fails);
	json_decref(r->manifest);
	memset(r, 0, sizeof(*r));
}

const struct ob_cell *ob_results_cell(const struct ob_results *r, size_t row, size_t rt)
{
	for (size_t i = 0; i < r->ncells; i++)
		if (r->cells[i].row == row && r->cells[i].rt == rt)
			return &r->cells[i];
	return NULL;
}

const struct ob_group *ob_results_group(const struct ob_results *r, size_t row, size_t rt)
{
	const struct ob_row *rw = &r->rows[row];

	for (size_t i = 0; i < r->ngroups; i++) {
		const struct ob_group *g = &r->groups[i];

		if (g->rt == rt && strcmp(g->test, rw->def->test) == 0 && streq(g->variant, rw->variant))
			return g;
	}
	return NULL;
}

int ob_results_stats(const struct ob_results *r, size_t row, size_t rt, struct ob_stats *st,
		     struct ob_error *err)
{
	const struct ob_cell *c = ob_results_cell(r, row, rt);

	if (ob_stats_compute(c ? c->v : NULL, c ? c->n : 0, st) < 0)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "statistics");
	return 0;
}

long ob_results_runtime(const struct ob_results *r, const char *name)
{
	for (size_t i = 0; i < r->nrts; i++)
		if (strcmp(r->rts[i].name, name) == 0)
			return (long)i;
	return -1;
}

long ob_results_row(const struct ob_results *r, const char *test, const char *variant,
		    const char *metric)
{
	for (size_t i = 0; i < r->nrows; i++) {
		const struct ob_row *rw = &r->rows[i];

		if (strcmp(rw->def->test, test) == 0 && strcmp(rw->def->metric, metric) == 0 &&
		    streq(rw->variant, variant))
			return (long)i;
	}
	return -1;
}

void ob_results_fmt(double x, double ref, char *buf, size_t size)
{
	int dec = 0;

	if (isnan(x)) {
		snprintf(buf, size, "%s", "");
		return;
	}
	if (isfinite(ref) && ref != 0)
		dec = 3 - (int)floor(log10(fabs(ref)));
	if (dec < 0)
		dec = 0;
	if (dec > 9)
		dec = 9;
	snprintf(buf, size, "%.*f", dec, x);
}

double ob_results_row_ref(const struct ob_results *r, size_t row)
{
	double ref = NAN;

	for (size_t rt = 0; rt < r->nrts; rt++) {
		const struct ob_cell *c = ob_results_cell(r, row, rt);
		struct ob_stats st;

		if (c != NULL && c->n > 0 && ob_stats_compute(c->v, c->n, &st) == 0 &&
		    (isnan(ref) || fabs(st.mean) > ref))
			ref = fabs(st.mean);
	}
	return ref;
}

void ob_results_cell_text(const struct ob_results *r, size_t row, size_t rt, char *buf,
			  size_t size)
{
	const struct ob_group *g = ob_results_group(r, row, rt);
	const struct ob_cell *c = ob_results_cell(r, row, rt);
	struct ob_stats st;
	char m[64], s[64];
	double ref;
	size_t bad;

	if (g == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	bad = g->total - g->ok;
	if (c == NULL || c->n == 0 || ob_stats_compute(c->v, c->n, &st) < 0) {
		const char *what = bad == g->timeout ? "timeout" : bad == g->unsupported ? "unsupported"
											    : "failed";

		if (bad == 0)
			snprintf(buf, size, "-");
		else
			snprintf(buf, size, "%s (%zu/%zu)", what, bad, g->total);
		return;
	}
	ref = ob_results_row_ref(r, row);
	ob_results_fmt(st.mean, ref, m, sizeof(m));
	if (st.n < 2) {
		snprintf(buf, size, "%s", m);
	} else {
		ob_results_fmt(st.sd, ref, s, sizeof(s));
		snprintf(buf, size, "%s ± %s", m, s);
	}
	if (bad > 0) {
		size_t len = strlen(buf);

		snprintf(buf + len, size - len, " (%zu/%zu not ok)", bad, g->total);
	}
}
