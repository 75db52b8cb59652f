/* cli.h - the parsed command line of ocibench and what its commands share
 * (cli.c): main.c parses it and runs the small commands, run.c the run and
 * bundle commands. */
#ifndef OB_CLI_H
#define OB_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "ob-error.h"
#include "runtime.h"

struct opts {
	int profile;
	long long repeat;
	const char *tests, *runtimes, *out, *image, *rootfs_from, *bundle_dir, *state_dir;
	long long timeout;
	const char *mount;
	const char *net_subnet, *net_peer;
	bool relative;    /* the end-of-run table marks ratios to the first column */
	const char *html; /* compare A B: the page to write */
	const char *density, *density_budget;
	long long concurrency;
	const char *engine, *docker_host, *containerd_address;
	const char *seccomp;
	const char *platform; /* the image's platform to run, NULL: the host's */
};

/* Parsed command line: options plus the --runtime definitions. */
struct cli {
	struct opts o;
	char *defs[64];
	size_t ndefs;
	char *pos[256];
	int npos;
	const char *study; /* compare --study */
};

/* Split a comma list into v (strings point into a copy kept in *keep). */
size_t ob_cli_split(const char *list, char **keep, char **v, size_t max);

/* The runtime table: built-ins, --runtime definitions, detection. */
int ob_cli_runtimes(const struct cli *c, struct ob_rtset *set, struct ob_error *err);

/* summary.csv, report.md, report.html and plots from DIR/raw.jsonl, then
 * the table (with ratios when c asks for --relative). */
int ob_cli_reports(const struct cli *c, const char *dir, int incomplete, struct ob_error *err);

#endif
