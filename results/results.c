/* results.c - ob_results_write_reports_ex and ob_results_print_table. */
#include "results.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ob-file.h"
#include "ob-fault.h"
#include "results-write.h"

typedef void (*writer_fn)(const struct ob_results *r, const void *arg, FILE *out);

/* Render into memory, then replace PATH atomically. */
static int write_path(const char *path, writer_fn fn, const struct ob_results *r, const void *arg,
		      struct ob_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int rc;

	if (mem == NULL)
		return ob_err(err, OB_EXIT_FAIL, errno, "writing %s", path);
	fn(r, arg, mem);
	if (fclose(mem) != 0) {
		free(buf);
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "writing %s", path);
	}
	rc = ob_write_file_atomic(path, buf, len, err);
	free(buf);
	return rc;
}

/* The same for DIR/NAME. */
static int write_file(const char *dir, const char *name, writer_fn fn, const struct ob_results *r,
		      const void *arg, struct ob_error *err)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return ob_err(err, OB_EXIT_FAIL, ENAMETOOLONG, "writing %s", name);
	return write_path(path, fn, r, arg, err);
}

static void csv_writer(const struct ob_results *r, const void *arg, FILE *out)
{
	(void)arg;
	ob_results_write_csv(r, out);
}

struct md_arg {
	int incomplete;
	const struct ob_plots *plots;
};

static void md_writer(const struct ob_results *r, const void *arg, FILE *out)
{
	const struct md_arg *a = arg;

	ob_results_write_md(r, a->incomplete, a->plots, out);
}

struct html_arg {
	const char *dir;
	int incomplete;
};

static void html_writer(const struct ob_results *r, const void *arg, FILE *out)
{
	const struct html_arg *a = arg;

	ob_results_write_html(r, a->dir, a->incomplete, out);
}

int ob_results_write_reports_ex(const char *dir, int incomplete, struct ob_results_info *info,
				struct ob_error *err)
{
	struct ob_results r;
	struct ob_plots plots = {OB_PLOTS_NONE, "", NULL};
	struct md_arg md = {incomplete, &plots};
	struct html_arg html = {dir, incomplete};
	int rc = -1;

	memset(info, 0, sizeof(*info));
	if (ob_results_load(dir, &r, err) < 0) {
		ob_results_free(&r);
		return -1;
	}
	info->records = r.records;
	info->bad_lines = r.bad_lines;
	info->first_bad = r.first_bad;
	plots.has = calloc(r.nrows + 1, 1);
	if (plots.has == NULL) {
		ob_err(err, OB_EXIT_FAIL, ENOMEM, "plots");
		goto out;
	}
	if (write_file(dir, "summary.csv", csv_writer, &r, NULL, err) < 0)
		goto out;
	ob_test_stop_point("report");
	ob_results_plot(&r, dir, &plots);
	info->plots = plots.state == OB_PLOTS_RENDERED ? 1 : plots.state == OB_PLOTS_SKIPPED ? 0 : -1;
	snprintf(info->plots_note, sizeof(info->plots_note), "%s", plots.note);
	if (write_file(dir, "report.md", md_writer, &r, &md, err) < 0 ||
	    write_file(dir, "report.html", html_writer, &r, &html, err) < 0)
		goto out;
	rc = 0;
out:
	free(plots.has);
	ob_results_free(&r);
	return rc;
}

int ob_results_print_table(const char *dir, FILE *out, struct ob_error *err)
{
	return ob_results_print_table_ex(dir, out, 0, err);
}

int ob_results_print_table_ex(const char *dir, FILE *out, int flags, struct ob_error *err)
{
	struct ob_results r;

	if (ob_results_load(dir, &r, err) < 0) {
		ob_results_free(&r);
		return -1;
	}
	ob_results_write_table_ex(&r, out, flags);
	ob_results_free(&r);
	return 0;
}

struct pair {
	const struct ob_results *a, *b;
	const char *adir, *bdir;
};

static void pair_writer(const struct ob_results *r, const void *arg, FILE *out)
{
	const struct pair *p = arg;

	(void)r;
	ob_results_write_html_compare(p->a, p->adir, p->b, p->bdir, out);
}

int ob_results_compare_html(const char *a, const char *b, const char *out, struct ob_error *err)
{
	struct ob_results ra, rb;
	struct pair p = {&ra, &rb, a, b};
	int rc = -1;

	memset(&rb, 0, sizeof(rb));
	if (ob_results_load(a, &ra, err) < 0 || ob_results_load(b, &rb, err) < 0)
		goto out;
	if (strcmp(out, "-") == 0) {
		ob_results_write_html_compare(&ra, a, &rb, b, stdout);
		rc = fflush(stdout) == 0 ? 0 : ob_err(err, OB_EXIT_FAIL, errno, "writing stdout");
		goto out;
	}
	rc = write_path(out, pair_writer, &ra, &p, err);
out:
	ob_results_free(&ra);
	ob_results_free(&rb);
	return rc;
}
