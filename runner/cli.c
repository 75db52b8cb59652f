/* cli.c - what the commands of ocibench share: comma lists, the runtime
 * table, the reports at the end of a run or from `ocibench report`. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

size_t ob_cli_split(const char *list, char **keep, char **v, size_t max)
{
	size_t n = 0;

	*keep = strdup(list);
	for (char *s = strtok(*keep, ","); s && n < max; s = strtok(NULL, ","))
		v[n++] = s;
	return n;
}

int ob_cli_runtimes(const struct cli *c, struct ob_rtset *set, struct ob_error *err)
{
	char root[4096];

	snprintf(root, sizeof(root), "%s/root", c->o.state_dir);
	if (ob_rt_load(set, c->defs, c->ndefs, root, err) < 0) {
		ob_rt_free(set);
		return -1;
	}
	ob_rt_detect(set);
	return 0;
}

int ob_cli_reports(const struct cli *c, const char *dir, int incomplete, struct ob_error *err)
{
	struct ob_results_info info = {0};

	if (ob_results_write_reports_ex(dir, incomplete, &info, err) < 0)
		return -1;
	if (info.bad_lines > 0)
		fprintf(stderr, "ocibench: %s/raw.jsonl: %zu unreadable line(s) skipped (first: line %zu)\n",
			dir, info.bad_lines, info.first_bad);
	if (info.plots <= 0)
		fprintf(stderr, "ocibench: plots %s: %s\n", info.plots == 0 ? "skipped" : "failed",
			info.plots_note);
	if (ob_results_print_table_ex(dir, stdout, c->o.relative ? OB_TABLE_RELATIVE : 0, err) < 0)
		return -1;
	fprintf(stderr, "ocibench: the whole report, for a browser: %s/report.html\n", dir);
	return 0;
}
