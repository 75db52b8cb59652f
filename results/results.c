/* results.c - ob_results_write_reports and ob_results_print_table. */
#include "results.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ob-file.h"
#include "results-write.h"

typedef void (*writer_fn)(const struct ob_results *r, const void *arg, FILE *out);

/* Render into memory, then replace DIR/NAME atomically. */
static int write_file(const char *dir, const char *name, writer_fn fn, const struct ob_results *r,
		      const void *arg, struct ob_error *err)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int rc;

	if (mem == NULL)
		return ob_err(err, OB_EXIT_FAIL, errno, "writing %s", name);
	fn(r, arg, mem);
	if (fclose(mem) != 0) {
		free(buf);
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "writing %s", name);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = ob_write_file_atomic(path, buf, len, err);
	free(buf);
	return rc;
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

int ob_results_write_reports_ex(const char *dir, int incomplete, struct ob_results_info *info,
				struct ob_error *err)
{
	struct ob_results r;
	struct ob_plots plots = {OB_PLOTS_NONE, "", NULL};
	struct md_arg md = {incomplete, &plots};
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
	ob_results_plot(&r, dir, &plots);
	info->plots = plots.state == OB_PLOTS_RENDERED ? 1 : plots.state == OB_PLOTS_SKIPPED ? 0 : -1;
	snprintf(info->plots_note, sizeof(info->plots_note), "%s", plots.note);
	if (write_file(dir, "report.md", md_writer, &r, &md, err) < 0)
		goto out;
	rc = 0;
out:
	free(plots.has);
	ob_results_free(&r);
	return rc;
}

int ob_results_write_reports(const char *dir, int incomplete, struct ob_error *err)
{
	struct ob_results_info info;

	return ob_results_write_reports_ex(dir, incomplete, &info, err);
}

int ob_results_print_table(const char *dir, FILE *out, struct ob_error *err)
{
	struct ob_results r;

	if (ob_results_load(dir, &r, err) < 0) {
		ob_results_free(&r);
		return -1;
	}
	ob_results_write_table(&r, out);
	ob_results_free(&r);
	return 0;
}
