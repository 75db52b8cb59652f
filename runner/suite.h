/* suite.h - profiles, tests and the runtime x test x repetition matrix.
 *
 * A test is a row of a const table: the workload binary, its variants, how
 * to build its arguments from the profile, whether an untimed `prepare`
 * container runs first, and a hook that may change the bundle (the mount
 * and network variants plug in there).
 */
#ifndef OB_SUITE_H
#define OB_SUITE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <netinet/in.h>

#include "bundle.h"
#include "mounts.h"
#include "ob-error.h"
#include "runtime.h"

struct ob_suite;
struct ob_lc_result;

struct ob_profile {
	const char *name;
	int repeat;
	long long cpu_max_prime, cpu_events, cpu_time;
	const char *mem_block, *mem_total;
	long long file_num;
	const char *file_total, *file_block;
	long long file_events, file_time;
	/* sysbench 0.4's amounts of fileio work (the study's): file_events
	 * counts reads and writes only (fsync events come on top), and a
	 * sequential mode makes one pass over the set, fsyncing only at the
	 * end */
	bool file_v04;
	/* one file set per repetition, runtime and mount, prepared once and
	 * used by every mode in turn (fresh containers of one bundle); seqwr,
	 * which recreates the files, comes last */
	bool file_prepare_once;
	long long syscall_time;
	long long net_time;            /* seconds of each net client */
};

/* Arguments of one workload command (argv[0] filled in by the suite). */
struct ob_args {
	const char *v[32];
	char s[32][96];
	int n;
};

struct ob_test {
	const char *name;
	const char *workload;          /* binary "ocibench-<workload>" in the image */
	const char *const *variants;   /* NULL: one cell with variant null */
	/* Arguments for command cmd: "run"; "prepare" when prepare is set; or
	 * "prepare-run" (prepare untimed, then run, in one container) when the
	 * work directory does not outlive a container (mount tmpfs). */
	void (*args)(const struct ob_profile *p, const char *variant, const char *cmd,
		     struct ob_args *a);
	bool prepare;                  /* an untimed container runs `prepare` first */
	const char *workdir;           /* created in the rootfs for the workload */
	/* where workdir lives (--mount); variants other than rootfs are
	 * recorded as "<variant>-<mount>" (seqwr-bind) */
	enum ob_mount_kind mount;
	void (*bundle)(const struct ob_profile *p, const char *variant, struct ob_bundle_spec *s);
	/* Runs the whole cell instead of the one-container path (the net
	 * test's server and client); r as ob_lc_run fills it. */
	void (*cell)(const struct ob_suite *s, const struct ob_runtime *rt, const struct ob_test *t,
		     const char *variant, size_t seq, struct ob_lc_result *r);
	/* Runs the timed lifecycle of the cell's container instead of
	 * ob_lc_run, filling r the same way (e.g. with the host CPU of the
	 * container's processes); NULL: ob_lc_run. */
	void (*lifecycle)(const struct ob_suite *s, const struct ob_test *t,
			  const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
			  uint64_t deadline_ns, struct ob_lc_result *r);
	bool opt_in;                   /* runs only when --tests names it */
};

extern const struct ob_test ob_tests[];
extern const size_t ob_ntests;
extern const struct ob_profile ob_profiles[];
extern const size_t ob_nprofiles;

const struct ob_test *ob_test_find(const char *name);
const struct ob_profile *ob_profile_find(const char *name);

/* Write b's config.json for command cmd ("run" or "prepare") of test t. */
int ob_test_configure(const struct ob_test *t, const struct ob_profile *p, const char *variant,
		      const char *cmd, const struct ob_bundle *b, char *const *env,
		      struct ob_error *err);

/* The same with extra OCI mounts (borrowed array, may be NULL). */
int ob_test_configure_ex(const struct ob_test *t, const struct ob_profile *p,
			 const char *variant, const char *cmd, const struct ob_bundle *b,
			 char *const *env, json_t *mounts, struct ob_error *err);

/* Bytes of files test t keeps in its work directory under profile p (the
 * fileio file set), 0 without a work directory. */
uint64_t ob_test_workdir_size(const struct ob_test *t, const struct ob_profile *p);

/* Everything a suite run needs; the caller owns every pointer. */
struct ob_suite {
	const struct ob_profile *profile;
	int repeat;
	const struct ob_test **tests;
	size_t ntests;
	struct ob_runtime **rts;
	size_t nrts;
	const struct ob_rootfs_src *src;
	char *const *image_env;
	const char *runid;
	const char *bundles;   /* this run's bundle directory */
	uint64_t timeout_ns;   /* per cell */
	int raw_fd;            /* raw.jsonl (O_APPEND): whole lines, each write checked */
	const char *raw_path;  /* for messages */
	FILE *progress;        /* stderr */
	bool tty;
	struct in_addr net_subnet;            /* net test: the private /24 */
	const struct ob_runtime *net_peer;    /* net test: the server's runtime, NULL: the cell's */
	size_t concurrency;                   /* density: lifecycles in flight */
	uint64_t density_budget;              /* density: bytes, or 0: ... */
	double density_budget_pct;            /* ... this % of MemAvailable at the cell's start */
	const char *emulated;  /* "linux/arm64": the image's platform, run under QEMU's
				* user-mode emulator (binfmt_misc); NULL: native */
	/* out */
	size_t cells, failed;
	size_t kata_creates, kata_retries; /* Kata creates, and those tried again */
	bool stopped;
	bool disk_failed;      /* a bundle could not be made: the disk is full or failing */
	struct ob_error disk_err;
};

/* Run the matrix; returns 0 (cells may have failed: see s->failed), -1 on
 * an error that stops everything: raw.jsonl could not be written, or the
 * disk under the bundles is full or failing (ENOSPC, EDQUOT, EIO, EROFS).
 * raw.jsonl then still holds whole lines only. */
int ob_suite_run(struct ob_suite *s, struct ob_error *err);

size_t ob_suite_ncells(const struct ob_suite *s);

#endif
