/* main.c - ocibench: run the workloads under each OCI runtime.
 *
 *   ocibench [run] [options]   the matrix (default)
 *   ocibench runtimes          what is installed, versions, why not usable
 *   ocibench report DIR        summary.csv, report.md, report.html and the table
 *                              from DIR/raw.jsonl
 *   ocibench compare DIR --study x86_64|aarch64, ocibench compare DIR_A DIR_B [--html F]
 *   ocibench cleanup           remove leftovers of killed runs
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"
#include "binfmt.h"
#include "kata-host.h"
#include "cli.h"
#include "engine/engine.h"
#include "netenv.h"
#include "results.h"
#include "run.h"
#include "ob-cleanup.h"
#include "ob-revision.h"
#include "ob-opt.h"
#include "proc.h"
#include "runtime.h"
#include "state.h"
#include "suite.h"

#ifndef OB_IMAGE_DEFAULT
#define OB_IMAGE_DEFAULT "containers/oci"
#endif

/* --profile's choices: the names of ob_profiles[] (tests.c), filled in by
 * main() so that the index parsed is the profile's */
#define MAX_PROFILES 16
static const char *profile_names[MAX_PROFILES + 1];


#define O(f) offsetof(struct opts, f)
static const struct ob_opt run_opts[] = {
	{ "profile", OB_OPT_CHOICE, O(profile), "quick", 0, 0, profile_names,
	  "parameters and repetitions: quick, paper (the study's), smoke (tiny, for tests), paper-smoke (smoke's sizes, paper's fileio rules, for tests)" },
	{ "repeat", OB_OPT_INT, O(repeat), NULL, 1, 100000, NULL,
	  "repetitions of every cell (default: the profile's)" },
	{ "tests", OB_OPT_STRING, O(tests), NULL, 0, 0, NULL,
	  "comma list: lifecycle,cpu,memory,fileio,syscall,net,footprint,density"
	  " (default: all but density); TEST:V1+V2 runs only those variants"
	  " (fileio:seqrd+seqwr)" },
	{ "runtimes", OB_OPT_STRING, O(runtimes), NULL, 0, 0, NULL,
	  "comma list of runtime names (default: every usable one)" },
	{ "out", OB_OPT_STRING, O(out), NULL, 0, 0, NULL, "results directory (default results/TIMESTAMP)" },
	{ "image", OB_OPT_STRING, O(image), OB_IMAGE_DEFAULT, 0, 0, NULL, "OCI image layout" },
	{ "platform", OB_OPT_STRING, O(platform), NULL, 0, 0, NULL,
	  "the image's platform to run, linux/ARCH[/VARIANT] (default the host's); another"
	  " architecture runs under QEMU's user-mode emulator, marked emulated" },
	{ "rootfs-from", OB_OPT_STRING, O(rootfs_from), NULL, 0, 0, NULL,
	  "developers: copy this directory as the rootfs instead of the image" },
	{ "timeout", OB_OPT_INT, O(timeout), "600", 1, 86400, NULL,
	  "seconds per cell before it is killed and marked timeout" },
	{ "bundle-dir", OB_OPT_STRING, O(bundle_dir), "/var/lib/ocibench/bundles", 0, 0, NULL,
	  "where bundles are made (fileio files live there)" },
	{ "state-dir", OB_OPT_STRING, O(state_dir), "/run/ocibench", 0, 0, NULL,
	  "runtime roots and the state of live runs" },
	{ "mount", OB_OPT_STRING, O(mount), NULL, 0, 0, NULL,
	  "fileio work dir: comma list of rootfs, bind, bind-tmpfs, tmpfs, one variant each"
	  " (default rootfs)" },
	{ "net-subnet", OB_OPT_STRING, O(net_subnet), NULL, 0, 0, NULL,
	  "net test: the private /24 of the containers' own network namespaces; when not"
	  " given, the first /24 from the default up that no live run holds"
	  " (default " OB_NET_SUBNET_DEFAULT ")" },
	{ "net-peer", OB_OPT_STRING, O(net_peer), NULL, 0, 0, NULL,
	  "net test: run the server under this runtime (default: the column's)" },
	{ "relative", OB_OPT_BOOL, O(relative), "off", 0, 0, NULL,
	  "run, report: mark each mean of the table with its ratio to the first column (x57.3)" },
	{ "html", OB_OPT_STRING, O(html), NULL, 0, 0, NULL,
	  "compare DIR_A DIR_B: also write both runs side by side as one HTML page to FILE"
	  " (- for stdout)" },
	{ "density", OB_OPT_STRING, O(density), "1,8,32", 0, 0, NULL,
	  "density test: comma list of container counts N, one variant each" },
	{ "concurrency", OB_OPT_INT, O(concurrency), "1", 1, 1000, NULL,
	  "density test: container lifecycles in flight at once" },
	{ "density-budget", OB_OPT_STRING, O(density_budget), "50%", 0, 0, NULL,
	  "density test: MemAvailable the containers may take, SIZE or PERCENT%" },
	{ "seccomp", OB_OPT_STRING, O(seccomp), "default", 0, 0, NULL,
	  "the bare runtimes' system call filter: default (the engines' profile, from"
	  " containers-common's seccomp.json), unconfined, or a profile FILE" },
	{ "engine", OB_OPT_STRING, O(engine), NULL, 0, 0, NULL,
	  "comma list of oci (the bare runtime), docker, podman, containerd (default oci)" },
	{ "docker-host", OB_OPT_STRING, O(docker_host), NULL, 0, 0, NULL,
	  "docker engine: use this daemon (unix://PATH) instead of a private one" },
	{ "containerd-address", OB_OPT_STRING, O(containerd_address), NULL, 0, 0, NULL,
	  "containerd engine: use this daemon's socket instead of a private one" },
	{ NULL },
};

static void usage(FILE *f, const struct ob_optset *set)
{
	static const struct ob_opt_row extra[] = {
		{ "--runtime=NAME=PATH[,ARG...]", NULL,
		  "add or override a runtime column (repeatable)" },
		{ "--study=ARCH", NULL, "compare DIR: the study's table to compare with" },
	};

	fprintf(f, "usage: ocibench [run] [OPTIONS]   run the test matrix\n"
		   "       ocibench runtimes [--runtime ...]\n"
		   "       ocibench report DIR [--relative]          (summary.csv, report.md, report.html)\n"
		   "       ocibench compare DIR --study=x86_64|aarch64   (ratios to runc here and in the study)\n"
		   "       ocibench compare DIR_A DIR_B [--html=FILE]    (two runs: B/A per figure)\n"
		   "       ocibench cleanup\n"
		   "       ocibench bundle DIR [--tests=TEST] [--profile=P]   (make one bundle, keep it)\n"
		   "       ocibench --help | --version\n\n");
	ob_opt_help_rows(f, set, 1, extra, sizeof(extra) / sizeof(extra[0]));
}

/* Path options made absolute (against the working directory, symlinks
 * kept): bind sources in config.json, the state file and every later
 * chdir-free open must not depend on where ocibench was started. */
static int absolute_paths(struct opts *o, struct ob_error *err)
{
	static char keep[5][4096];
	const char **v[] = { &o->out, &o->image, &o->rootfs_from, &o->bundle_dir, &o->state_dir };
	const char *const names[] = { "out", "image", "rootfs-from", "bundle-dir", "state-dir" };
	char cwd[4096];
	int have_cwd = -1;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		const char *p = *v[i];

		if (!p)
			continue;
		if (!*p)
			return ob_err(err, OB_EXIT_USAGE, 0, "empty --%s", names[i]);
		if (*p == '/')
			continue;
		if (have_cwd < 0)
			have_cwd = getcwd(cwd, sizeof(cwd)) ? 1 : 0;
		if (!have_cwd)
			return ob_err(err, OB_EXIT_FAIL, errno, "--%s '%s': working directory", names[i],
				      p);
		while (p[0] == '.' && p[1] == '/')
			p += 2;
		if ((size_t)snprintf(keep[i], sizeof(keep[i]), "%s/%s", strcmp(cwd, "/") ? cwd : "",
				     strcmp(p, ".") ? p : "") >= sizeof(keep[i]))
			return ob_err(err, OB_EXIT_USAGE, ENAMETOOLONG, "--%s '%s'", names[i], p);
		*v[i] = keep[i];
	}
	return 0;
}

static int parse(int argc, char **argv, struct cli *c, struct ob_error *err)
{
	struct ob_optset set = { run_opts, &c->o };
	char *rest[256];
	int n = 0;

	if (argc > 255)
		return ob_err(err, OB_EXIT_USAGE, 0, "too many arguments");
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strncmp(a, "--runtime=", 10) == 0 || strcmp(a, "--runtime") == 0) {
			if (c->ndefs == 64)
				return ob_err(err, OB_EXIT_USAGE, 0, "too many --runtime options");
			if (a[9] == '=')
				c->defs[c->ndefs++] = (char *)a + 10;
			else if (i + 1 < argc)
				c->defs[c->ndefs++] = argv[++i];
			else
				return ob_err(err, OB_EXIT_USAGE, 0, "option --runtime needs a value");
			continue;
		}
		if (strncmp(a, "--study=", 8) == 0 || strcmp(a, "--study") == 0) {
			if (a[7] == '=')
				c->study = a + 8;
			else if (i + 1 < argc)
				c->study = argv[++i];
			else
				return ob_err(err, OB_EXIT_USAGE, 0, "option --study needs a value");
			continue;
		}
		rest[n++] = argv[i];
	}
	if (ob_opt_defaults(&set, 1, err) < 0)
		return -1;
	int rc = ob_opt_parse(&set, 1, n, rest, c->pos, &c->npos, err);

	return rc != OB_OPT_OK ? rc : absolute_paths(&c->o, err);
}

static int cmd_runtimes(struct cli *c, struct ob_error *err)
{
	struct ob_rtset set;

	if (c->npos > 1)
		return ob_err(err, OB_EXIT_USAGE, 0, "runtimes: unexpected argument '%s'", c->pos[1]);
	if (ob_cli_runtimes(c, &set, err) < 0)
		return -1;
	printf("%-14s %-9s %-18s %s\n", "NAME", "STATUS", "VERSION", "PATH / REASON");
	for (size_t i = 0; i < set.n; i++) {
		struct ob_runtime *rt = &set.rt[i];

		if (!rt->path || rt->unusable) {
			printf("%-14s %-9s %-18s %s\n", rt->name, rt->path ? "unusable" : "missing",
			       rt->version && rt->version[0] ? rt->version : "-", rt->unusable);
			continue;
		}
		printf("%-14s %-9s %-18s %s", rt->name, "ok", rt->version, rt->path);
		for (char **a = rt->args; *a; a++)
			printf(" %s", *a);
		if (rt->hide_mount)
			printf("  (hybrid cgroups: create runs without %s)", rt->hide_mount);
		if (rt->accel)
			printf("  (accel %s%s)", rt->accel,
			       strcmp(rt->accel, "tcg") == 0 ? ": QEMU's software CPU, figures emulated" : "");
		if (rt->quirks & OB_RTQ_SECCOMP_EPERM)
			printf("  (seccomp without errnoRet: refused calls get EPERM)");
		putchar('\n');
	}
	struct ob_engine_opts eo = { c->o.engine, c->o.docker_host, c->o.containerd_address };

	ob_engines_print(&eo, &set, stdout);
	const char *why;
	bool sgx = ob_rt_sgx(&why);

	printf("SGX: %s (%s)\n", sgx ? "yes" : "no", why);
	printf("runtimes built from source: %s\n", ob_rt_prefix());
	ob_rt_free(&set);
	return 0;
}

static int cmd_cleanup(struct cli *c, struct ob_error *err)
{
	struct ob_rtset set;

	if (c->npos > 1)
		return ob_err(err, OB_EXIT_USAGE, 0, "cleanup: unexpected argument '%s'", c->pos[1]);
	/* nothing is touched unless both directories are ocibench's */
	if (ob_owned_check(c->o.state_dir, OB_OWNED_STATE, "--state-dir", err) < 0 ||
	    ob_owned_check(c->o.bundle_dir, OB_OWNED_BUNDLES, "--bundle-dir", err) < 0 ||
	    ob_cli_runtimes(c, &set, err) < 0)
		return -1;
	struct ob_kata_host kata = { .lock = -1 };
	struct ob_error kerr;

	/* kata-runtime lists and deletes nothing without syslog: provided only
	 * when it keeps state of an ocibench sandbox */
	bool kata_state = ob_kata_host_has_state(OB_CONTAINER_PREFIX);

	for (size_t i = 0; i < set.n && kata.lock < 0 && kata_state; i++)
		if ((set.rt[i].quirks & OB_RTQ_KATA_CONFIG) && set.rt[i].path && !set.rt[i].unusable &&
		    ob_kata_host_up(&kata, c->o.state_dir, stderr, &kerr) < 0)
			ob_err_print("ocibench", &kerr);
	int n = ob_state_cleanup(c->o.state_dir, c->o.bundle_dir, &set, stderr);

	ob_kata_host_down(&kata, stderr);
	n += ob_kata_host_cleanup(stderr);
	n += ob_binfmt_cleanup(stderr);

	printf("ocibench: %d leftover item%s removed\n", n, n == 1 ? "" : "s");
	ob_rt_free(&set);
	return 0;
}

static int cmd_report(struct cli *c, struct ob_error *err)
{
	ob_cleanup_free char *raw = NULL, *man = NULL;
	int incomplete = 0;
	json_t *m;

	if (c->npos != 2)
		return ob_err(err, OB_EXIT_USAGE, 0, "report needs one results directory");
	raw = ob_xasprintf("%s/raw.jsonl", c->pos[1]);
	man = ob_xasprintf("%s/manifest.json", c->pos[1]);
	if (access(raw, R_OK) < 0)
		return ob_err(err, OB_EXIT_USAGE, errno, "no results in '%s'", c->pos[1]);
	if ((m = json_load_file(man, 0, NULL))) {
		incomplete = json_is_true(json_object_get(m, "incomplete"));
		json_decref(m);
	}
	return ob_cli_reports(c, c->pos[1], incomplete, err);
}

/* DIR must hold a raw.jsonl: a usage error otherwise. */
static int need_results(const char *dir, struct ob_error *err)
{
	ob_cleanup_free char *raw = NULL;

	raw = ob_xasprintf("%s/raw.jsonl", dir);
	if (access(raw, R_OK) < 0)
		return ob_err(err, OB_EXIT_USAGE, errno, "no results in '%s'", dir);
	return 0;
}

static int cmd_compare(struct cli *c, struct ob_error *err)
{
	if (c->o.html && (c->study || c->npos != 3))
		return ob_err(err, OB_EXIT_USAGE, 0, "--html belongs to compare DIR_A DIR_B");
	if (c->o.html && *c->o.html == '\0')
		return ob_err(err, OB_EXIT_USAGE, 0, "--html needs a file name");
	if (c->study && c->npos == 2)
		return need_results(c->pos[1], err) < 0
			       ? -1
			       : ob_results_compare_study(c->pos[1], c->study, stdout, err);
	if (!c->study && c->npos == 3) {
		if (need_results(c->pos[1], err) < 0 || need_results(c->pos[2], err) < 0)
			return -1;
		/* the page first: a bad --html path fails before any output */
		if (c->o.html && ob_results_compare_html(c->pos[1], c->pos[2], c->o.html, err) < 0)
			return -1;
		if (c->o.html && strcmp(c->o.html, "-") == 0)
			return 0;
		return ob_results_compare_dirs(c->pos[1], c->pos[2], stdout, err);
	}
	return ob_err(err, OB_EXIT_USAGE, 0,
		      "compare needs RESULTS_DIR --study=x86_64|aarch64, or DIR_A DIR_B");
}

int main(int argc, char **argv)
{
	struct ob_error err = { .status = OB_EXIT_FAIL };
	struct ob_optset set = { run_opts, NULL };
	struct cli c;
	int rc;

	for (size_t i = 0; i < ob_nprofiles && i < MAX_PROFILES; i++)
		profile_names[i] = ob_profiles[i].name;
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("ocibench %s (source %s)\n", PACKAGE_VERSION, OB_SOURCE_REVISION);
		return 0;
	}
	rc = parse(argc, argv, &c, &err);
	if (rc == OB_OPT_HELP) {
		usage(stdout, &set);
		return 0;
	}
	if (rc < 0) {
		ob_err_print("ocibench", &err);
		return err.status;
	}
	const char *cmd = c.npos ? c.pos[0] : "run";

	if ((c.study || c.o.html) && strcmp(cmd, "compare") != 0) {
		ob_err(&err, OB_EXIT_USAGE, 0, "--%s belongs to the compare command",
		       c.study ? "study" : "html");
		ob_err_print("ocibench", &err);
		return err.status;
	}

	/* every command waits for children (versions, lists) through proc.c */
	if (ob_proc_setup(&err) < 0) {
		ob_err_print("ocibench", &err);
		return err.status;
	}

	if (strcmp(cmd, "run") == 0) {
		if (!c.npos)
			c.pos[c.npos++] = "run";
		rc = ob_cmd_run(&c, argc, argv, &err);
	} else if (strcmp(cmd, "runtimes") == 0) {
		rc = cmd_runtimes(&c, &err);
	} else if (strcmp(cmd, "report") == 0) {
		rc = cmd_report(&c, &err);
	} else if (strcmp(cmd, "bundle") == 0) {
		rc = ob_cmd_bundle(&c, &err);
	} else if (strcmp(cmd, "cleanup") == 0) {
		rc = cmd_cleanup(&c, &err);
	} else if (strcmp(cmd, "compare") == 0) {
		rc = cmd_compare(&c, &err);
	} else {
		ob_err(&err, OB_EXIT_USAGE, 0, "unknown command '%s' (run, runtimes, report, compare, cleanup, bundle)",
		       cmd);
		rc = -1;
	}
	if (rc < 0) {
		ob_err_print("ocibench", &err);
		return err.status;
	}
	return rc;
}
