/* results-tool - drives the results module for the end-to-end test:
 *   results-tool report DIR [--incomplete]
 *   results-tool table DIR
 *   results-tool compare DIR --study ARCH
 *   results-tool compare DIR_A DIR_B
 */
#include <stdio.h>
#include <string.h>

#include "ob-error.h"
#include "results.h"

static int usage(void)
{
	fputs("usage: results-tool report DIR [--incomplete] | table DIR | "
	      "compare DIR --study ARCH | compare DIR_A DIR_B\n",
	      stderr);
	return OB_EXIT_USAGE;
}

static int report(const char *dir, int incomplete, struct ob_error *err)
{
	struct ob_results_info info;

	if (ob_results_write_reports_ex(dir, incomplete, &info, err) < 0)
		return -1;
	if (info.bad_lines > 0)
		fprintf(stderr, "results-tool: warning: %zu unparsable line(s) in raw.jsonl skipped "
				"(first: line %zu)\n",
			info.bad_lines, info.first_bad);
	if (info.plots == 1)
		printf("plots: rendered\n");
	else
		printf("plots %s: %s\n", info.plots == 0 ? "skipped" : "failed", info.plots_note);
	printf("%zu records\n", info.records);
	return 0;
}

int main(int argc, char **argv)
{
	struct ob_error err = {0};
	int rc;

	if (argc >= 3 && strcmp(argv[1], "report") == 0 && argc <= 4) {
		if (argc == 4 && strcmp(argv[3], "--incomplete") != 0)
			return usage();
		rc = report(argv[2], argc == 4, &err);
	} else if (argc == 3 && strcmp(argv[1], "table") == 0) {
		rc = ob_results_print_table(argv[2], stdout, &err);
	} else if (argc == 5 && strcmp(argv[1], "compare") == 0 && strcmp(argv[3], "--study") == 0) {
		rc = ob_results_compare_study(argv[2], argv[4], stdout, &err);
	} else if (argc == 4 && strcmp(argv[1], "compare") == 0) {
		rc = ob_results_compare_dirs(argv[2], argv[3], stdout, &err);
	} else {
		return usage();
	}
	if (rc < 0) {
		ob_err_print("results-tool", &err);
		return err.status;
	}
	return OB_EXIT_OK;
}
