/* run.c - ocibench run (the matrix) and ocibench bundle: pick the tests,
 * runtimes, mounts and network, open the image, probe the workloads, write
 * the manifest, run the suite, then the reports. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"
#include "binfmt.h"
#include "cli.h"
#include "engine/engine.h"
#include "seccomp.h"
#include <sys/utsname.h>
#include "image.h"
#include "manifest.h"
#include "mounts.h"
#include "kata-host.h"
#include "netenv.h"
#include "ob-cleanup.h"
#include "ob-fs.h"
#include "ob-sha256.h"
#include "host/cells.h"
#include "ob-opt.h"
#include "proc.h"
#include "run.h"
#include "state.h"
#include "suite.h"

/* ---- the image ---------------------------------------------------------- */

/* want: "arm64", "arm/v7" (--platform without its "linux/"), NULL: the host's */
static int image_open(const char *layout, const char *want, struct ob_image **img,
		      struct ob_error *err)
{
	*img = calloc(1, sizeof(**img));
	if (*img == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "opening image %s", layout);
	if (ob_image_open(layout, NULL, want, *img, err) < 0) { /* the message names the layout */
		free(*img);
		*img = NULL;
		return -1;
	}
	return 0;
}

/* The image config's environment (PATH for finding workloads); NULL with
 * --rootfs-from. */
static char *const *image_env(const struct ob_image *img)
{
	return img != NULL ? img->env : NULL;
}

static void image_close(struct ob_image *img)
{
	if (img != NULL) {
		ob_image_free(img);
		free(img);
	}
}

/* ---- run ---------------------------------------------------------------- */

struct run {
	struct cli *c;
	struct ob_rtset set;
	struct ob_runtime *rts[64];
	size_t nrts;
	const struct ob_test *tests[16];
	size_t ntests;
	struct ob_test narrowed[16]; /* tests named with some of their variants */
	const char *picked[16][9];   /* their variants, NULL-terminated */
	size_t nnarrowed;
	struct ob_test mounted[16]; /* tests on a --mount other than rootfs */
	size_t nmounted;
	enum ob_mount_kind mounts[4];
	size_t nmounts;
	const struct ob_profile *profile;
	int repeat;
	struct ob_image *img;
	struct ob_rootfs_src src;
	struct in_addr net_subnet;
	bool net_subnet_pick;
	struct ob_runtime *net_peer;
	struct ob_test density;        /* the density test with --density's variants */
	char dvar[16][16];
	const char *dvars[17];
	uint64_t density_budget;
	double density_budget_pct;
	char out[4096], runid[64], bundles[4096];
	json_t *manifest;
	struct ob_engines es;         /* --engine */
	struct ob_seccomp sc;         /* --seccomp */
	struct ob_runtime *cols[64];  /* the matrix's columns: engines x runtimes */
	size_t ncols;
	const char *want_arch;        /* --platform's ARCH[/VARIANT], NULL: the host's */
	bool foreign;                 /* --platform names another architecture */
	char platform[64];            /* the image's platform when foreign: "linux/arm64" */
	struct ob_binfmt binfmt;      /* its emulator, registered for the run */
};

/* --platform [linux/]ARCH[/VARIANT]: the image's platform to run; another
 * architecture than the host's runs under QEMU's user-mode emulator. */
static int pick_platform(struct run *r, struct ob_error *err)
{
	const char *p = r->c->o.platform, *arch, *variant;
	char a[32];

	if (!p)
		return 0;
	/* "linux/ARCH" or "linux/ARCH/VARIANT"; a bare "ARCH" too, as docker takes it */
	arch = strncmp(p, "linux/", 6) == 0 ? p + 6 : p;
	variant = strchr(arch, '/');
	if (!*arch || *arch == '/' || (arch == p && variant) || strlen(arch) >= sizeof(a) ||
	    (variant && (!variant[1] || strchr(variant + 1, '/'))))
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid value '%s' for --platform: expected linux/ARCH[/VARIANT], e.g. linux/arm64 or linux/arm/v7",
			      p);
	snprintf(a, sizeof(a), "%.*s", (int)strcspn(arch, "/"), arch);
	r->want_arch = arch;
	r->foreign = strcmp(a, ob_image_host_arch()) != 0;
	if (r->foreign && !ob_binfmt_qemu_arch(a))
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid value '%s' for --platform: no QEMU user-mode emulator for '%s'",
			      p, a);
	if (r->foreign && r->c->o.rootfs_from)
		return ob_err(err, OB_EXIT_USAGE, 0, "--platform needs --image, not --rootfs-from");
	return 0;
}

/* Why a runtime cannot run a foreign platform's binaries; NULL if it can
 * (runc, crun and rune exec them on the host's kernel, which hands them to
 * binfmt_misc). */
static const char *foreign_refusal(const struct ob_runtime *rt)
{
	if (rt->quirks & OB_RTQ_NETSTACK)
		return "gVisor loads a container's binaries itself, for the host's architecture only (no binfmt_misc: exec format error)";
	if (rt->quirks & OB_RTQ_KATA_CONFIG)
		return "Kata runs containers in a guest of the host's architecture, without the host's binfmt_misc handlers";
	return NULL;
}

/* The filter of rt's bundles: the run's, or what rt's binding can load. */
static int rt_seccomp(struct run *r, struct ob_runtime *rt, struct ob_error *err)
{
	rt->seccomp = r->sc.oci;
	rt->seccomp_record = NULL;
	if (!(rt->quirks & OB_RTQ_SECCOMP_EPERM))
		return 0;
	if (ob_seccomp_for_eperm(&r->sc, &rt->seccomp, &rt->seccomp_record, err) < 0)
		return ob_err_wrap(err, "runtime %s (runc 1.0.0-rc10 inside)", rt->name);
	return 0;
}

/* --seccomp: the filter of every bundle of the run (the suite sets each
 * column's before its cells). */
static int pick_seccomp(struct run *r, struct ob_error *err)
{
	struct utsname u;

	uname(&u);
	if (ob_seccomp_load(r->c->o.seccomp, ob_bundle_caps, u.machine, u.release, &r->sc, err) < 0)
		return -1;
	ob_bundle_set_seccomp(r->sc.oci);
	for (size_t i = 0; i < r->ncols; i++)
		if (rt_seccomp(r, r->cols[i], err) < 0)
			return -1;
	return r->net_peer ? rt_seccomp(r, r->net_peer, err) : 0;
}

/* --engine: the columns, ENGINE/RUNTIME for every engine but oci. */
static int pick_engines(struct run *r, struct ob_error *err)
{
	struct opts *o = &r->c->o;
	struct ob_engine_opts eo = { o->engine, o->docker_host, o->containerd_address };

	if (ob_engines_parse(&r->es, &eo, err) < 0 ||
	    ob_engines_columns(&r->es, r->rts, r->nrts, r->cols, 64, &r->ncols, err) < 0)
		return -1;
	if (r->es.ncols && o->rootfs_from)
		return ob_err(err, OB_EXIT_USAGE, 0, "--engine %s needs --image, not --rootfs-from",
			      o->engine);
	if (r->es.ncols && r->foreign)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "--platform %s runs on the bare runtimes only, not with --engine %s",
			      o->platform, o->engine);
	return 0;
}

/* --tests TEST:V1+V2: *t becomes a copy of the test with only those
 * variants, in the test's own order (fileio's seqwr stays last). */
static int narrow(struct run *r, const struct ob_test **t, char *only, struct ob_error *err)
{
	const struct ob_test *full = *t;
	char *save = NULL, known[128] = "";
	size_t k = 0, i;

	if (!full->variants)
		return ob_err(err, OB_EXIT_USAGE, 0, "test '%s' in --tests has no variants to pick",
			      full->name);
	for (i = 0; full->variants[i]; i++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", i ? ", " : "",
			 full->variants[i]);
	bool want[8] = { false };

	for (char *w = strtok_r(only, "+", &save); w; w = strtok_r(NULL, "+", &save)) {
		for (i = 0; full->variants[i] && strcmp(full->variants[i], w) != 0; i++)
			;
		if (!full->variants[i] || i >= 8)
			return ob_err(err, OB_EXIT_USAGE, 0,
				      "unknown variant '%s' of %s in --tests: expected %s", w,
				      full->name, known);
		want[i] = true;
	}
	if (r->nnarrowed == 16)
		return ob_err(err, OB_EXIT_USAGE, 0, "too many tests in --tests");
	const char **picked = r->picked[r->nnarrowed];

	for (i = 0; full->variants[i] && i < 8; i++)
		if (want[i])
			picked[k++] = full->variants[i];
	if (!k)
		return ob_err(err, OB_EXIT_USAGE, 0, "no variant of %s after ':' in --tests: expected %s",
			      full->name, known);
	picked[k] = NULL;
	r->narrowed[r->nnarrowed] = *full;
	r->narrowed[r->nnarrowed].variants = picked;
	*t = &r->narrowed[r->nnarrowed++];
	return 0;
}

static int pick_tests(struct run *r, struct ob_error *err)
{
	if (!r->c->o.tests) {
		for (size_t i = 0; i < ob_ntests; i++)
			if (!ob_tests[i].opt_in)
				r->tests[r->ntests++] = &ob_tests[i];
		return 0;
	}
	ob_cleanup_free char *keep = NULL;
	char *v[16];
	size_t n = ob_cli_split(r->c->o.tests, &keep, v, 16);

	for (size_t i = 0; i < n; i++) {
		char *only = strchr(v[i], ':');

		if (only)
			*only++ = '\0';
		const struct ob_test *t = ob_test_find(v[i]);

		if (!t)
			return ob_err(err, OB_EXIT_USAGE, 0, "unknown test '%s' in --tests", v[i]);
		if (only && narrow(r, &t, only, err) < 0)
			return -1;
		r->tests[r->ntests++] = t;
	}
	if (!n)
		return ob_err(err, OB_EXIT_USAGE, 0, "empty --tests");
	return 0;
}

static int pick_runtimes(struct run *r, struct ob_error *err)
{
	if (!r->c->o.runtimes) {
		for (size_t i = 0; i < r->set.n && r->nrts < 64; i++) {
			struct ob_runtime *rt = &r->set.rt[i];

			if (!rt->path || rt->unusable)
				continue;
			if (r->foreign && foreign_refusal(rt)) {
				fprintf(stderr, "ocibench: %s left out: it cannot run %s binaries: %s\n",
					rt->name, r->c->o.platform, foreign_refusal(rt));
				continue;
			}
			r->rts[r->nrts++] = rt;
		}
		if (!r->nrts)
			return ob_err(err, OB_EXIT_FAIL, 0,
				      "no usable OCI runtime found (see `ocibench runtimes`)");
		return 0;
	}
	ob_cleanup_free char *keep = NULL;
	char *v[64];
	size_t n = ob_cli_split(r->c->o.runtimes, &keep, v, 64);

	for (size_t i = 0; i < n; i++) {
		struct ob_runtime *rt = ob_rt_find(&r->set, v[i]);

		if (!rt)
			return ob_err(err, OB_EXIT_USAGE, 0, "unknown runtime '%s' in --runtimes", v[i]);
		if (!rt->path || rt->unusable)
			return ob_err(err, OB_EXIT_USAGE, 0, "runtime '%s' is not usable: %s", v[i],
				      rt->unusable);
		if (r->foreign && foreign_refusal(rt))
			return ob_err(err, OB_EXIT_USAGE, 0,
				      "runtime '%s' cannot run --platform %s: %s", v[i],
				      r->c->o.platform, foreign_refusal(rt));
		r->rts[r->nrts++] = rt;
	}
	if (!n)
		return ob_err(err, OB_EXIT_USAGE, 0, "empty --runtimes");
	return 0;
}

/* --mount: each test with a work directory once per mount kind, in order
 * (rootfs keeps the test as it is); then the space for each, checked
 * before anything is created. */
static int pick_mounts(struct run *r, struct ob_error *err)
{
	const char *list = r->c->o.mount ? r->c->o.mount : "rootfs";
	const struct ob_test *in[16];
	size_t nin = r->ntests, nwork = 0;
	ob_cleanup_free char *keep = NULL;
	char *v[8];
	size_t n = ob_cli_split(list, &keep, v, 8);

	if (!n)
		return ob_err(err, OB_EXIT_USAGE, 0, "empty --mount");
	for (size_t i = 0; i < n; i++) {
		enum ob_mount_kind k;

		if (ob_mount_parse(v[i], &k, err) < 0)
			return -1;
		for (size_t j = 0; j < r->nmounts; j++)
			if (r->mounts[j] == k) /* (so at most the 4 kinds) */
				return ob_err(err, OB_EXIT_USAGE, 0, "repeated mount '%s' in --mount",
					      v[i]);
		r->mounts[r->nmounts++] = k;
	}
	memcpy(in, r->tests, sizeof(in));
	r->ntests = 0;
	for (size_t i = 0; i < nin; i++) {
		for (size_t k = 0; k < (in[i]->workdir ? r->nmounts : 1); k++) {
			if (r->ntests == 16)
				return ob_err(err, OB_EXIT_USAGE, 0, "too many tests x mounts (16 at most)");
			if (!in[i]->workdir || r->mounts[k] == OB_MOUNT_ROOTFS) {
				r->tests[r->ntests++] = in[i];
				continue;
			}
			r->mounted[r->nmounted] = *in[i];
			r->mounted[r->nmounted].mount = r->mounts[k];
			r->tests[r->ntests++] = &r->mounted[r->nmounted++];
		}
		nwork += in[i]->workdir != NULL;
	}
	if (r->c->o.mount && !nwork)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "--mount applies to the fileio test, which --tests leaves out");
	for (size_t i = 0; i < r->ntests; i++) {
		const struct ob_test *t = r->tests[i];

		if (t->workdir && ob_mount_check(t->mount, ob_test_workdir_size(t, r->profile),
						 r->c->o.bundle_dir, err) < 0)
			return ob_err_wrap(err, "--mount %s", ob_mount_name(t->mount));
		for (size_t k = 0; t->workdir && k < r->nrts; k++)
			if (ob_mount_check_guest(t->mount, ob_test_workdir_size(t, r->profile),
						 r->rts[k]->guest_mem_mib, r->rts[k]->name, err) < 0)
				return ob_err_wrap(err, "--mount %s", ob_mount_name(t->mount));
	}
	return 0;
}

/* --net-subnet and --net-peer (checked even when no net cell runs). */
static int pick_net(struct run *r, struct ob_error *err)
{
	const char *peer = r->c->o.net_peer;

	/* without --net-subnet: the first /24 from the default that no live run
	 * holds (ob_state_begin picks it) */
	r->net_subnet_pick = r->c->o.net_subnet == NULL;
	if (ob_netenv_parse_subnet(r->net_subnet_pick ? OB_NET_SUBNET_DEFAULT : r->c->o.net_subnet,
				   &r->net_subnet, err) < 0)
		return -1;
	if (!peer)
		return 0;
	r->net_peer = ob_rt_find(&r->set, peer);
	if (!r->net_peer)
		return ob_err(err, OB_EXIT_USAGE, 0, "unknown runtime '%s' in --net-peer", peer);
	if (!r->net_peer->path || r->net_peer->unusable)
		return ob_err(err, OB_EXIT_USAGE, 0, "--net-peer runtime '%s' is not usable: %s", peer,
			      r->net_peer->unusable);
	if (r->foreign && foreign_refusal(r->net_peer))
		return ob_err(err, OB_EXIT_USAGE, 0, "--net-peer runtime '%s' cannot run --platform %s: %s",
			      peer, r->c->o.platform, foreign_refusal(r->net_peer));
	return 0;
}

/* --density (each N a variant "nN" of the density test), --concurrency,
 * --density-budget (checked even when no density cell runs). */
static int pick_density(struct run *r, struct ob_error *err)
{
	const char *budget = r->c->o.density_budget;
	ob_cleanup_free char *keep = NULL;
	char *v[17], *end;
	size_t n = ob_cli_split(r->c->o.density, &keep, v, 17);
	size_t blen = strlen(budget);

	if (!n)
		return ob_err(err, OB_EXIT_USAGE, 0, "empty --density");
	if (n > 16)
		return ob_err(err, OB_EXIT_USAGE, 0, "too many values in --density (16 at most)");
	for (size_t i = 0; i < n; i++) {
		long long k = strtoll(v[i], &end, 10);

		if (*v[i] < '0' || *v[i] > '9' || *end || k < 1 || k > 999)
			return ob_err(err, OB_EXIT_USAGE, 0,
				      "invalid value '%s' in --density: expected a count from 1 to 999",
				      v[i]);
		snprintf(r->dvar[i], sizeof(r->dvar[i]), "n%lld", k);
		r->dvars[i] = r->dvar[i];
	}
	r->dvars[n] = NULL;
	if (blen > 1 && budget[blen - 1] == '%') {
		r->density_budget_pct = strtod(budget, &end);
		if (end != budget + blen - 1 || !(r->density_budget_pct > 0) ||
		    r->density_budget_pct > 100)
			return ob_err(err, OB_EXIT_USAGE, 0,
				      "invalid value '%s' for --density-budget: expected SIZE or 1%%..100%%",
				      budget);
	} else if (ob_parse_size(budget, &r->density_budget) < 0 || r->density_budget == 0) {
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid value '%s' for --density-budget: expected SIZE or 1%%..100%%",
			      budget);
	}
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i]->cell == ob_density_cell) {
			r->density = *r->tests[i];
			r->density.variants = r->dvars;
			r->tests[i] = &r->density;
		}
	return 0;
}

static void utc_stamp(char *buf, size_t len, const char *fmt)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, fmt, &tm);
}

/* The rootfs source: --rootfs-from, else the image. */
static int open_source(struct run *r, struct ob_error *err)
{
	struct opts *o = &r->c->o;
	struct stat st;

	if (o->rootfs_from) {
		if (stat(o->rootfs_from, &st) < 0 || !S_ISDIR(st.st_mode))
			return ob_err(err, OB_EXIT_USAGE, 0, "--rootfs-from '%s' is not a directory",
				      o->rootfs_from);
		r->src.from_dir = o->rootfs_from;
		return 0;
	}
	if (stat(o->image, &st) < 0 || !S_ISDIR(st.st_mode))
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "--image '%s' is not an OCI layout directory (build it with make)", o->image);
	if (image_open(o->image, r->want_arch, &r->img, err) < 0)
		return -1;
	r->src.img = r->img;
	if (r->foreign)
		snprintf(r->platform, sizeof(r->platform), "%s/%s%s%s", r->img->os, r->img->arch,
			 r->img->variant ? "/" : "", r->img->variant ? r->img->variant : "");
	return 0;
}

/* Files and directories ocibench writes in a results directory. */
static const char *const out_files[] = { "raw.jsonl", "manifest.json", "summary.csv",
					 "report.md", "report.html", "plots", NULL };

/* --out may be new, or an existing directory without any ocibench file. */
static int check_out(const char *out, struct ob_error *err)
{
	ob_cleanup_close int fd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return ob_err(err, OB_EXIT_USAGE, errno, "--out '%s' is not a directory", out);
	for (const char *const *f = out_files; *f; f++)
		if (fstatat(fd, *f, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return ob_err(err, OB_EXIT_USAGE, 0,
				      "--out '%s' already holds ocibench results (%s): choose a new directory",
				      out, *f);
	return 0;
}

/* Create the results directory (mkdir fails if it exists, so two runs
 * never share one) and raw.jsonl in it (O_EXCL|O_NOFOLLOW). */
static int make_out(struct run *r, const char *rawpath, int *fd, struct ob_error *err)
{
	ob_cleanup_free char *parent = strdup(r->out);
	char *slash = parent ? strrchr(parent, '/') : NULL;

	if (!parent)
		abort();
	if (slash && slash != parent) {
		*slash = '\0';
		if (ob_mkdir_p(parent, 0755, err) < 0)
			return -1;
	}
	if (mkdir(r->out, 0755) < 0) {
		if (errno != EEXIST || !r->c->o.out)
			return ob_err(err, OB_EXIT_FAIL, errno, "creating results directory %s", r->out);
		if (check_out(r->out, err) < 0) /* an existing --out, checked again now */
			return -1;
	}
	*fd = open(rawpath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC, 0644);
	if (*fd < 0 && errno == EEXIST)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "--out '%s' already holds ocibench results (raw.jsonl): choose a new directory",
			      r->out);
	if (*fd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "creating %s", rawpath);
	return 0;
}

/* Everything that can be refused before anything is created. */
static int validate(struct run *r, struct ob_error *err)
{
	struct opts *o = &r->c->o;

	if (r->c->npos > 1)
		return ob_err(err, OB_EXIT_USAGE, 0, "unexpected argument '%s'", r->c->pos[1]);
	r->profile = &ob_profiles[o->profile];
	r->repeat = o->repeat ? (int)o->repeat : r->profile->repeat;
	if (pick_platform(r, err) < 0 || pick_tests(r, err) < 0 ||
	    ob_cli_runtimes(r->c, &r->set, err) < 0 ||
	    pick_runtimes(r, err) < 0 || pick_mounts(r, err) < 0 || pick_net(r, err) < 0 ||
	    pick_density(r, err) < 0 ||
	    pick_engines(r, err) < 0 || pick_seccomp(r, err) < 0)
		return -1;
	if (o->out)
		snprintf(r->out, sizeof(r->out), "%s", o->out);
	else { /* unique per run: the pid is in the name, and mkdir is the arbiter */
		char stamp[64];

		utc_stamp(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ");
		snprintf(r->out, sizeof(r->out), "results/%s-%ld", stamp, (long)getpid());
	}
	if (check_out(r->out, err) < 0)
		return -1;
	return open_source(r, err);
}

/* Unpack once before the run: checks the rootfs holds every workload and
 * hashes the binaries that will run. */
static json_t *probe_workloads(struct run *r, struct ob_error *err)
{
	char dir[4200], bin[512], wl[64], hex[65];
	struct ob_bundle b;
	json_t *w = json_object();
	int rc = 0;

	snprintf(dir, sizeof(dir), "%s/probe", r->bundles);
	if (ob_bundle_create(dir, &r->src, &b, err) < 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < r->ntests; i++) {
		snprintf(wl, sizeof(wl), "ocibench-%s", r->tests[i]->workload);
		if (json_object_get(w, wl))
			continue;
		if (ob_bundle_find_bin(&b, image_env(r->img), wl, bin, sizeof(bin), err) < 0) {
			rc = -1;
			break;
		}
		/* hashed through the rootfs, never a host file a symlink names */
		ob_cleanup_close int fd = ob_bundle_open_in_root(&b, bin, err);

		if (fd < 0 || ob_sha256_fd(fd, bin, hex, NULL, err) < 0)
			rc = -1;
		else
			json_object_set_new(w, wl, json_string(hex));
	}
	struct ob_error e2;

	if (ob_bundle_destroy(&b, &e2) < 0)
		ob_err_print("ocibench", &e2);
	if (rc < 0) {
		json_decref(w);
		return NULL;
	}
	return w;
}

static json_t *manifest(struct run *r, int argc, char **argv, json_t *workloads)
{
	json_t *m = json_object(), *cl = json_array(), *rts = json_array(), *tests = json_array();
	char when[64];

	for (int i = 0; i < argc; i++)
		json_array_append_new(cl, json_string(argv[i]));
	for (size_t i = 0; i < r->nrts; i++) {
		json_t *args = json_array();

		for (char **a = r->rts[i]->args; *a; a++)
			json_array_append_new(args, json_string(*a));
		json_array_append_new(rts, json_pack("{s:s,s:s,s:o,s:s,s:s?,s:O*}", "name",
						     r->rts[i]->name, "path", r->rts[i]->path, "args",
						     args, "version", r->rts[i]->version,
						     "hidden_mount", r->rts[i]->hide_mount, "seccomp",
						     r->rts[i]->seccomp_record));
	}
	for (size_t i = 0; i < r->ntests; i++)
		if (i == 0 || strcmp(r->tests[i]->name, r->tests[i - 1]->name) != 0)
			json_array_append_new(tests, json_string(r->tests[i]->name));
	utc_stamp(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ");
	json_object_set_new(m, "schema", json_string("ocibench-manifest/1"));
	json_object_set_new(m, "ocibench_version", json_string(PACKAGE_VERSION));
	json_object_set_new(m, "command_line", cl);
	json_object_set_new(m, "run_id", json_string(r->runid));
	json_object_set_new(m, "profile", json_string(r->profile->name));
	json_object_set_new(m, "repeat", json_integer(r->repeat));
	json_object_set_new(m, "tests", tests);
	json_t *mounts = json_array();

	for (size_t i = 0; i < r->nmounts; i++)
		json_array_append_new(mounts, json_string(ob_mount_name(r->mounts[i])));
	json_object_set_new(m, "mounts", mounts);
	json_object_set_new(m, "host", ob_manifest_host());
	json_object_set_new(m, "build", ob_manifest_build());
	json_object_set_new(m, "runtimes", rts);
	json_object_set_new(m, "engines", ob_engines_manifest(&r->es));
	json_object_set_new(m, "seccomp", ob_seccomp_manifest(&r->sc));
	json_object_set_new(m, "workloads", workloads);
	if (r->img && r->foreign)
		json_object_set_new(m, "image",
				    json_pack("{s:s,s:s?,s:s,s:{s:s,s:s,s:s,s:b}}", "layout",
					      r->c->o.image, "digest", r->img->manifest_digest,
					      "platform", r->platform, "emulation", "emulator",
					      "qemu-user", "binfmt_entry", r->binfmt.entry,
					      "interpreter", r->binfmt.interpreter,
					      "registered_by_ocibench", r->binfmt.added));
	else if (r->img)
		json_object_set_new(m, "image", json_pack("{s:s,s:s?}", "layout", r->c->o.image,
							  "digest", r->img->manifest_digest));
	else
		json_object_set_new(m, "image", json_pack("{s:s}", "rootfs_from", r->c->o.rootfs_from));
	json_object_set_new(m, "started_at", json_string(when));
	json_object_set_new(m, "ended_at", json_null());
	json_object_set_new(m, "incomplete", json_true());
	return m;
}

/* `ocibench bundle DIR`: the bundle a run of the first --tests test would
 * use, left in place (debugging, tests/bench/compare-lifecycle). */
int ob_cmd_bundle(struct cli *c, struct ob_error *err)
{
	struct run r = { .c = c };
	struct ob_bundle b;
	int rc = -1;

	if (c->npos != 2)
		return ob_err(err, OB_EXIT_USAGE, 0, "bundle needs one directory (that does not exist)");
	r.profile = &ob_profiles[c->o.profile];
	if (pick_platform(&r, err) < 0 || pick_tests(&r, err) < 0 || open_source(&r, err) < 0 ||
	    pick_seccomp(&r, err) < 0)
		goto out;
	const struct ob_test *t = r.tests[0];
	const char *variant = t->variants ? t->variants[0] : NULL;

	if (t->cell) {
		ob_err(err, OB_EXIT_USAGE, 0, "bundle: test '%s' runs more than one container", t->name);
		goto out;
	}

	if (ob_bundle_create(c->pos[1], &r.src, &b, err) < 0 ||
	    ob_test_configure(t, r.profile, variant, "run", &b, image_env(r.img), err) < 0) {
		struct ob_error e2;

		if (ob_bundle_destroy(&b, &e2) < 0)
			ob_err_print("ocibench", &e2);
		goto out;
	}
	printf("%s\n", b.dir);
	ob_bundle_free(&b);
	rc = 0;
out:
	ob_bundle_set_seccomp(NULL);
	ob_seccomp_free(&r.sc);
	image_close(r.img);
	return rc;
}


int ob_cmd_run(struct cli *c, int argc, char **argv, struct ob_error *err)
{
	struct run r = { .c = c, .binfmt = { .lock = -1 } };
	ob_cleanup_free char *rawpath = NULL;
	struct ob_suite s = { 0 };
	struct ob_kata_host kata = { .lock = -1 };
	json_t *workloads;
	int raw_fd = -1, rc = -1;

	if (validate(&r, err) < 0 ||
	    ob_owned_check(c->o.state_dir, OB_OWNED_STATE, "--state-dir", err) < 0 ||
	    ob_owned_check(c->o.bundle_dir, OB_OWNED_BUNDLES, "--bundle-dir", err) < 0 ||
	    ob_owned_claim(c->o.state_dir, OB_OWNED_STATE, "--state-dir", err) < 0 ||
	    ob_owned_claim(c->o.bundle_dir, OB_OWNED_BUNDLES, "--bundle-dir", err) < 0)
		goto out_early;
	ob_state_cleanup(c->o.state_dir, c->o.bundle_dir, &r.set, stderr);
	ob_kata_host_cleanup(stderr);
	ob_binfmt_cleanup(stderr);
	utc_stamp(r.runid, sizeof(r.runid), "%Y%m%dT%H%M%S");
	snprintf(r.runid + strlen(r.runid), sizeof(r.runid) - strlen(r.runid), "-%ld", (long)getpid());
	snprintf(r.bundles, sizeof(r.bundles), "%s/%s", c->o.bundle_dir, r.runid);
	/* the state file names every runtime whose containers may be left */
	struct ob_runtime *used[65];

	memcpy(used, r.rts, r.nrts * sizeof(*used));
	used[r.nrts] = r.net_peer;
	for (size_t i = 0; i < r.nrts && used[r.nrts]; i++)
		if (r.rts[i] == r.net_peer)
			used[r.nrts] = NULL;
	if (ob_state_begin(c->o.state_dir, r.runid, r.bundles, used, r.nrts + !!used[r.nrts],
			   &r.net_subnet, r.net_subnet_pick, err) < 0)
		goto out_early;
	for (size_t i = 0; i < r.nrts; i++) {
		/* every column's root exists, so that a sweep after a SIGKILL lists it
		 * (kata-runtime keeps its state elsewhere and never makes it) */
		if (ob_mkdir_p(r.rts[i]->root, 0700, err) < 0)
			goto out_state;
		if ((r.rts[i]->quirks & OB_RTQ_KATA_CONFIG) && kata.lock < 0 &&
		    ob_kata_host_up(&kata, c->o.state_dir, stderr, err) < 0)
			goto out_state;
	}
	/* the emulator for a foreign platform, registered for this run only */
	if (r.foreign && ob_binfmt_up(&r.binfmt, r.img->arch, stderr, err) < 0)
		goto out_state;
	ob_host_set_emulator(r.foreign ? r.binfmt.interpreter : NULL);
	if (ob_mkdir_p(r.bundles, 0700, err) < 0 || !(workloads = probe_workloads(&r, err)))
		goto out_state;
	/* daemons up and the image loaded before any result is written */
	if (r.es.ncols && ob_engines_up(&r.es, r.runid, r.bundles, c->o.image, &r.sc, err) < 0) {
		json_decref(workloads);
		goto out_state;
	}
	r.manifest = manifest(&r, argc, argv, workloads);
	rawpath = ob_xasprintf("%s/raw.jsonl", r.out);
	if (make_out(&r, rawpath, &raw_fd, err) < 0 || ob_manifest_write(r.out, r.manifest, err) < 0)
		goto out_state;
	fprintf(stderr, "ocibench: profile %s, %d repetition%s, results in %s\n", r.profile->name,
		r.repeat, r.repeat == 1 ? "" : "s", r.out);
	if (r.foreign)
		fprintf(stderr, "ocibench: %s under QEMU's user-mode emulator (binfmt_misc entry %s): figures check correctness, not speed, and are marked emulated\n",
			r.platform, r.binfmt.entry);
	s = (struct ob_suite){ .profile = r.profile, .repeat = r.repeat, .tests = r.tests,
			       .ntests = r.ntests, .rts = r.cols, .nrts = r.ncols, .src = &r.src,
			       .image_env = image_env(r.img), .runid = r.runid,
			       .bundles = r.bundles, .timeout_ns = (uint64_t)c->o.timeout * 1000000000u,
			       .raw_fd = raw_fd, .raw_path = rawpath, .progress = stderr,
			       .tty = isatty(2), .net_subnet = r.net_subnet, .net_peer = r.net_peer,
			       .concurrency = (size_t)c->o.concurrency,
			       .density_budget = r.density_budget,
			       .density_budget_pct = r.density_budget_pct,
			       .emulated = r.foreign ? r.platform : NULL };
	if (ob_suite_run(&s, err) < 0) {
		/* the manifest says incomplete since the start; say why if the disk lets us */
		struct ob_error e2;

		json_object_set_new(r.manifest, "error", json_string(err->msg));
		ob_manifest_write(r.out, r.manifest, &e2);
		goto out_state;
	}
	if (fsync(raw_fd) < 0 || close(raw_fd) < 0) {
		raw_fd = -1;
		ob_err(err, OB_EXIT_FAIL, errno, "writing %s", rawpath);
		goto out_state;
	}
	raw_fd = -1;

	char when[64];
	struct ob_error rerr;

	utc_stamp(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ");
	json_object_set_new(r.manifest, "ended_at", json_string(when));
	json_object_set_new(r.manifest, "incomplete", json_boolean(s.stopped));
	if (ob_manifest_write(r.out, r.manifest, err) < 0)
		goto out_state;
	if (s.stopped)
		fprintf(stderr, "ocibench: interrupted by signal %d: %zu runs kept in %s, marked incomplete\n",
			ob_proc_stop_signal(), s.cells, r.out);
	int reports = ob_cli_reports(c, r.out, s.stopped, &rerr);

	if (reports < 0)
		ob_err_print("ocibench", &rerr);
	if (s.kata_creates)
		fprintf(stderr, "ocibench: Kata agent start-up failed and create was tried again in %zu of %zu runs (create_attempts in raw.jsonl)\n",
			s.kata_retries, s.kata_creates);
	if (s.failed)
		fprintf(stderr, "ocibench: %zu of %zu runs failed (see stderr_tail in %s)\n", s.failed,
			s.cells, rawpath);
	rc = s.stopped ? 128 + ob_proc_stop_signal()
	     : s.failed || reports < 0 ? OB_EXIT_FAIL : OB_EXIT_OK;
out_state:
	if (raw_fd >= 0)
		close(raw_fd);
	ob_engines_down(&r.es);
	/* before the bundles go: a killed Kata create may still have them mounted */
	ob_state_sweep_run(r.runid, stderr);
	{
		struct ob_error e2;

		if (ob_remove_tree(r.bundles, &e2) < 0)
			ob_err_print("ocibench", &e2);
	}
	ob_kata_host_down(&kata, stderr);
	ob_binfmt_down(&r.binfmt, stderr);
	ob_state_end(c->o.state_dir, r.runid);
out_early:
	ob_engines_free(&r.es);
	ob_bundle_set_seccomp(NULL);
	ob_seccomp_free(&r.sc);
	json_decref(r.manifest);
	image_close(r.img);
	ob_rt_free(&r.set);
	return rc;
}

