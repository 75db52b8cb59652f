/* suite.c - see suite.h: the matrix, one raw.jsonl line per run. */
#include "suite.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ob-fs.h"
#include "engine/engine.h"
#include "lifecycle.h"
#include "netenv.h"
#include "ob-cleanup.h"
#include "ob-clock.h"
#include "ob-opt.h"
#include "proc.h"
#include "ob-fault.h"
#include "progress.h"
#include "state.h"

size_t ob_suite_ncells(const struct ob_suite *s)
{
	size_t n = 0;

	for (size_t t = 0; t < s->ntests; t++) {
		size_t nv = 0;

		for (const char *const *v = s->tests[t]->variants; v && *v; v++)
			nv++;
		n += nv ? nv : 1;
	}
	return n * s->nrts * (size_t)s->repeat;
}

static void iso_utc(uint64_t wall_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(wall_ns / 1000000000u);
	struct tm tm;

	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(wall_ns % 1000000000u / 1000000u));
}

/* Errors of the disk itself: the run cannot go on. */
static bool disk_error(int e)
{
	return e == ENOSPC || e == EDQUOT || e == EIO || e == EROFS;
}

/* Append one whole line to raw.jsonl.  On a failed or short write the file
 * is cut back to its last whole line. */
static int append_line(struct ob_suite *s, const char *text, struct ob_error *err)
{
	size_t len = strlen(text), done = 0;
	off_t before = lseek(s->raw_fd, 0, SEEK_END);

	while (done < len) {
		ssize_t n = write(s->raw_fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;

			if (before >= 0 && ftruncate(s->raw_fd, before) < 0)
				e = errno;
			return ob_err(err, OB_EXIT_FAIL, e, "writing %s", s->raw_path);
		}
		done += (size_t)n;
	}
	return 0;
}

/* One raw.jsonl record (schema in results.h), written at once. */
static int record(struct ob_suite *s, const struct ob_runtime *rt, const struct ob_test *t,
		   const char *variant, int rep, const struct ob_lc_result *r, uint64_t started,
		   struct ob_error *err)
{
	json_t *o = json_object(), *args = json_array(), *ph = json_object();
	ob_cleanup_free char *line = NULL, *text = NULL;
	char when[64];

	for (char **a = rt->args; *a; a++)
		json_array_append_new(args, json_string(*a));
	for (int i = 0; i < OB_PH_N; i++)
		json_object_set_new(ph, ob_phase_names[i],
				    r->have[i] ? json_real(r->phase_ms[i]) : json_null());
	iso_utc(started, when, sizeof(when));
	json_object_set_new(o, "schema", json_string("ocibench-run/1"));
	json_object_set_new(o, "run_id", json_string(s->runid));
	json_object_set_new(o, "runtime", json_string(rt->name));
	json_object_set_new(o, "engine", json_string(ob_engine_name(rt)));
	if (rt->engine)
		json_object_set_new(o, "engine_version", rt->engine->e->version
								 ? json_string(rt->engine->e->version)
								 : json_null());
	json_object_set_new(o, "runtime_path", json_string(rt->path));
	json_object_set_new(o, "runtime_args", args);
	json_object_set_new(o, "runtime_version", json_string(rt->version));
	json_object_set_new(o, "test", json_string(t->name));
	json_object_set_new(o, "variant", variant ? json_string(variant) : json_null());
	json_object_set_new(o, "params", t->workdir ? json_pack("{s:s}", "mount", ob_mount_name(t->mount))
						    : json_object());
	json_object_set_new(o, "repetition", json_integer(rep));
	json_object_set_new(o, "status", json_string(ob_lc_status_names[r->status]));
	json_object_set_new(o, "exit_status",
			    r->exit_status >= 0 ? json_integer(r->exit_status) : json_null());
	json_object_set_new(o, "phases_ms", ph);

	json_t *w = r->workload;
	const char *why;
	double fi = ob_lc_first_instruction_ms(r, &why);

	json_object_set_new(o, "first_instruction_ms", isnan(fi) ? json_null() : json_real(fi));
	if (!isnan(fi)) /* how the end of the span was taken */
		json_object_set_new(o, "first_instruction_from",
				    json_string(r->ready_clock ? "workload_clock" : "token_arrival"));
	if (why)
		json_object_set_new(o, "first_instruction_null", json_string(why));
	if (rt->accel)
		json_object_set_new(o, "accel", json_string(rt->accel));
	if (s->emulated) { /* figures of a foreign platform: correctness, never speed */
		json_object_set_new(o, "platform", json_string(s->emulated));
		json_object_set_new(o, "emulated", json_true());
	}
	if (rt->seccomp_record) /* a filter other than the manifest's: which one */
		json_object_set_new(o, "seccomp", json_pack("{s:O,s:O}", "filter",
							    json_object_get(rt->seccomp_record, "filter"),
							    "sha256",
							    json_object_get(rt->seccomp_record, "sha256")));
	if ((rt->quirks & OB_RTQ_KATA_CONFIG) && r->create_attempts > 0) {
		json_object_set_new(o, "create_attempts", json_integer(r->create_attempts));
		s->kata_creates++;
		s->kata_retries += r->create_attempts > 1;
	}
	json_object_set(o, "workload", w ? w : json_null());
	if (r->status != OB_LC_OK) {
		ob_cleanup_free char *tail = NULL;

		tail = ob_xasprintf("%s\n%s", r->err.msg, r->stderr_tail ? r->stderr_tail : "");
		json_object_set_new(o, "stderr_tail", json_string(tail));
	} else {
		json_object_set_new(o, "stderr_tail", json_null());
	}
	json_object_set_new(o, "started_at", json_string(when));
	if (r->extra)
		json_object_update(o, r->extra);
	text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(o);
	if (!text)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "writing %s", s->raw_path);
	line = ob_xasprintf("%s\n", text);
	ob_test_stop_point("record");
	return append_line(s, line, err);
}

/* A short text of a run's figures for the progress output. */
static void summary(const struct ob_test *t, const struct ob_lc_result *r, char *buf, size_t len)
{
	json_t *x = r->extra;

	if (r->status != OB_LC_OK) {
		snprintf(buf, len, "%s", r->err.msg);
		return;
	}
	if (json_object_get(x, "n")) { /* density */
		snprintf(buf, len, "%lld ready in %.2f s, PSS %.1f MiB, deleted in %.2f s",
			 json_integer_value(json_object_get(x, "n")),
			 json_number_value(json_object_get(x, "ready_s")),
			 json_number_value(json_object_get(x, "pss_kib_total")) / 1024,
			 json_number_value(json_object_get(x, "delete_s")));
		return;
	}
	if (json_object_get(x, "runtime_pss_kib")) { /* footprint */
		snprintf(buf, len, "PSS runtime %.1f MiB, workload %.1f MiB, ready in %.1f ms",
			 json_number_value(json_object_get(x, "runtime_pss_kib")) / 1024,
			 json_number_value(json_object_get(x, "workload_pss_kib")) / 1024,
			 json_number_value(json_object_get(x, "ready_ms")));
		return;
	}
	snprintf(buf, len, "create %.1f start %.1f wait %.1f delete %.1f ms",
		 r->phase_ms[OB_PH_CREATE], r->phase_ms[OB_PH_START], r->phase_ms[OB_PH_WAIT],
		 r->phase_ms[OB_PH_DELETE]);
}

/* A cell that failed before its container ran: err, after "step: ". */
static void fail_result(struct ob_lc_result *r, const char *step, const struct ob_error *err)
{
	memset(r, 0, sizeof(*r));
	r->status = OB_LC_FAILED;
	r->exit_status = -1;
	r->err = *err;
	ob_err_wrap(&r->err, "%s", step);
}

int ob_test_configure(const struct ob_test *t, const struct ob_profile *p, const char *variant,
		      const char *cmd, const struct ob_bundle *b, char *const *env,
		      struct ob_error *err)
{
	return ob_test_configure_ex(t, p, variant, cmd, b, env, NULL, err);
}

int ob_test_configure_ex(const struct ob_test *t, const struct ob_profile *p,
			 const char *variant, const char *cmd, const struct ob_bundle *b,
			 char *const *env, json_t *mounts, struct ob_error *err)
{
	struct ob_args a = { 0 };
	char bin[512], wl[64];

	snprintf(wl, sizeof(wl), "ocibench-%s", t->workload);
	if (ob_bundle_find_bin(b, env, wl, bin, sizeof(bin), err) < 0)
		return -1;
	a.v[a.n++] = bin;
	t->args(p, variant, cmd, &a);

	struct ob_bundle_spec spec = { .args = a.v, .env = env, .workdir = t->workdir,
				       .extra_mounts = mounts };

	if (t->bundle)
		t->bundle(p, variant, &spec);
	return ob_bundle_configure(b, &spec, err);
}

uint64_t ob_test_workdir_size(const struct ob_test *t, const struct ob_profile *p)
{
	uint64_t size = 0;

	if (t->workdir && ob_parse_size(p->file_total, &size) < 0)
		size = 0;
	return size;
}

/* The host side of the cell's work directory mount (below the bundle, so
 * removing the bundle, or a killed run's leftovers, unmounts it) and its
 * OCI entry in *mounts (NULL for rootfs). */
static int cell_mount(const struct ob_suite *s, const struct ob_test *t, const struct ob_bundle *b,
		      struct ob_mount *m, json_t **mounts, struct ob_error *err)
{
	ob_cleanup_free char *base = NULL;
	json_t *e;

	base = ob_xasprintf("%s/mnt", b->dir);
	if (ob_mkdir_p(base, 0700, err) < 0 ||
	    ob_mount_prepare(m, t->mount, ob_test_workdir_size(t, s->profile), base, b->rootfs,
			     err) < 0)
		return -1;
	if ((e = ob_mount_oci(m, t->workdir)))
		*mounts = json_pack("[o]", e);
	return 0;
}

/* "seqwr" on the rootfs, "seqwr-bind" on a bind mount: the record's variant. */
static const char *cell_variant(const struct ob_test *t, const char *variant, char *buf, size_t len)
{
	if (!t->workdir || t->mount == OB_MOUNT_ROOTFS)
		return variant;
	snprintf(buf, len, "%s%s%s", variant ? variant : "", variant ? "-" : "",
		 ob_mount_name(t->mount));
	return buf;
}

/* The workload's command line as the runtime got it (config.json's
 * process.args): the record's "argv", for the audit trail. */
static void record_argv(const struct ob_bundle *b, struct ob_lc_result *r)
{
	ob_cleanup_free char *path = NULL;
	json_t *cfg, *args;

	path = ob_xasprintf("%s/config.json", b->dir);
	cfg = json_load_file(path, 0, NULL);
	args = json_object_get(json_object_get(cfg, "process"), "args");
	if (json_is_array(args) && (r->extra != NULL || (r->extra = json_object()) != NULL))
		json_object_set(r->extra, "argv", args);
	json_decref(cfg);
}

/* A bundle with its work directory mount: one cell's, or the prepared file
 * set that the cells of one runtime share (profile.file_prepare_once). */
struct cell_set {
	struct ob_bundle b;
	struct ob_mount m;
	json_t *mounts;  /* the mount's OCI entry, NULL for rootfs */
	bool live;       /* made (and prepared, when shared) */
};

static void cell_set_release(const struct ob_suite *s, struct cell_set *c)
{
	struct ob_error err;

	json_decref(c->mounts);
	c->mounts = NULL;
	if (ob_mount_release(&c->m, &err) < 0 && s->progress)
		fprintf(s->progress, "ocibench: %s\n", err.msg);
	if (ob_bundle_destroy(&c->b, &err) < 0 && s->progress)
		fprintf(s->progress, "ocibench: %s\n", err.msg);
	c->live = false;
}

/* Whether test t's cells share one prepared file set per runtime: not on
 * a tmpfs of the container's own, whose files die with it. */
static bool shares_files(const struct ob_suite *s, const struct ob_test *t)
{
	return s->profile->file_prepare_once && t->prepare && t->workdir &&
	       t->mount != OB_MOUNT_TMPFS;
}

/* Bundle, (prepare), the timed lifecycle; r gets the outcome.  With
 * shared (a file set kept across cells) the bundle and its prepared files
 * are made by the first cell and reused while the cells end ok. */
static void run_cell(struct ob_suite *s, const struct ob_runtime *rt, const struct ob_test *t,
		     const char *variant, size_t seq, struct cell_set *shared,
		     struct ob_lc_result *r)
{
	char dir[4096], id[256], pid[300], netns[300], netns_path[400] = "";
	uint64_t deadline = ob_now_ns() + s->timeout_ns;
	struct cell_set own = { .m = { .kind = OB_MOUNT_ROOTFS } };
	struct cell_set *c = shared ? shared : &own;
	struct ob_error err;
	/* a tmpfs of the container dies with it: prepare in the run container */
	bool one = t->prepare && t->workdir && t->mount == OB_MOUNT_TMPFS;

	snprintf(dir, sizeof(dir), "%s/%zu", s->bundles, seq);
	snprintf(id, sizeof(id), OB_CONTAINER_PREFIX "%s-%zu", s->runid, seq);
	snprintf(pid, sizeof(pid), "%sp", id);
	/* named like the net cell's namespaces, so `cleanup` finds a killed run's */
	snprintf(netns, sizeof(netns), OB_CONTAINER_PREFIX "%s" OB_NETNS_INFIX "%zu-vm", s->runid, seq);
	if ((rt->quirks & OB_RTQ_OWN_NETNS) &&
	    ob_netns_add(netns, netns_path, sizeof(netns_path), &err) < 0) {
		fail_result(r, "network", &err);
		return;
	}
	if (c->live)
		goto run;
	c->m = (struct ob_mount){ .kind = OB_MOUNT_ROOTFS };
	c->live = true; /* from here on, released at out when not kept */
	if (ob_bundle_create(dir, s->src, &c->b, &err) < 0) {
		fail_result(r, "bundle", &err);
		goto disk;
	}
	ob_test_stop_point("unpack");
	if (t->workdir && cell_mount(s, t, &c->b, &c->m, &c->mounts, &err) < 0) {
		fail_result(r, "mount", &err);
		goto disk;
	}
	if (t->prepare && !one) {
		c->b.netns = netns_path[0] ? netns_path : NULL;
		if (ob_test_configure_ex(t, s->profile, variant, "prepare", &c->b, s->image_env,
					 c->mounts, &err) < 0) {
			fail_result(r, "bundle", &err);
			goto disk;
		}
		ob_lc_run(rt, &c->b, pid, deadline, r);
		if (r->status != OB_LC_OK) {
			ob_err_wrap(&r->err, "prepare");
			goto out;
		}
		ob_lc_result_clear(r);
	}
run:
	c->b.netns = netns_path[0] ? netns_path : NULL;
	if (ob_test_configure_ex(t, s->profile, variant, one ? "prepare-run" : "run", &c->b,
				 s->image_env, c->mounts, &err) < 0) {
		fail_result(r, "bundle", &err);
		goto disk;
	}
	if (t->lifecycle)
		t->lifecycle(s, t, rt, &c->b, id, deadline, r);
	else
		ob_lc_run(rt, &c->b, id, deadline, r);
	record_argv(&c->b, r);
	goto out;
disk:
	if (disk_error(err.errnum)) {
		s->disk_failed = true;
		s->disk_err = err;
	}
out:
	/* a failed cell may have left the files half written: start afresh */
	if (c->live && (!shared || r->status != OB_LC_OK))
		cell_set_release(s, c);
	c->b.netns = NULL;
	if (netns_path[0] && ob_netns_delete(netns, &err) < 0 && s->progress)
		fprintf(s->progress, "ocibench: %s\n", err.msg);
}

/* After a cell that did not end ok: a create killed at the deadline can
 * leave a sandbox behind (runsc).  Between cells the runner has no child of
 * its own, so whatever is left is the runtime's. */
static void kill_orphans(const struct ob_suite *s, const struct ob_lc_result *r)
{
	int orphans = r->status != OB_LC_OK ? ob_proc_kill_orphans() : 0;

	if (orphans > 0 && s->progress)
		fprintf(s->progress, "ocibench: killed %d process%s the runtime left behind\n",
			orphans, orphans == 1 ? "" : "es");
}

static void release_sets(const struct ob_suite *s, struct cell_set *sets)
{
	for (size_t i = 0; sets && i < s->nrts; i++)
		if (sets[i].live)
			cell_set_release(s, &sets[i]);
}

int ob_suite_run(struct ob_suite *s, struct ob_error *err)
{
	struct ob_progress pr;
	size_t seq = 0;

	ob_progress_init(&pr, s->progress, s->tty, ob_suite_ncells(s));
	for (int rep = 1; rep <= s->repeat; rep++) {
		for (size_t ti = 0; ti < s->ntests; ti++) {
			const struct ob_test *t = s->tests[ti];
			const char *const one[] = { NULL, NULL };
			const char *const *vars = t->variants ? t->variants : one;
			/* one prepared file set per runtime for all the variants */
			ob_cleanup_free struct cell_set *sets =
				shares_files(s, t) ? calloc(s->nrts, sizeof(*sets)) : NULL;

			if (shares_files(s, t) && !sets)
				return ob_err(err, OB_EXIT_FAIL, ENOMEM, "file sets");
			for (size_t vi = 0; vi == 0 || vars[vi]; vi++) {
				for (size_t ri = 0; ri < s->nrts; ri++) {
					const struct ob_runtime *rt = s->rts[ri];
					struct ob_lc_result r;
					uint64_t started = ob_wall_ns();
					char sum[sizeof(r.err.msg)], vbuf[64];
					const char *cv = cell_variant(t, vars[vi], vbuf, sizeof(vbuf));

					if (ob_proc_stop_signal()) {
						release_sets(s, sets);
						s->stopped = true;
						ob_progress_finish(&pr);
						return 0;
					}
					ob_progress_begin(&pr, rt->name, t->name, cv, rep, s->repeat);
					ob_bundle_set_seccomp(rt->seccomp);
					if (rt->engine)
						ob_engine_cell(s, rt, t, vars[vi], ++seq, &r);
					else if (t->cell)
						t->cell(s, rt, t, vars[vi], ++seq, &r);
					else
						run_cell(s, rt, t, vars[vi], ++seq,
							 sets ? &sets[ri] : NULL, &r);
					kill_orphans(s, &r);
					if (r.status == OB_LC_STOPPED) {
						/* not a result: the run was interrupted */
						ob_lc_result_clear(&r);
						release_sets(s, sets);
						s->stopped = true;
						ob_progress_finish(&pr);
						return 0;
					}
					if (s->disk_failed) {
						ob_lc_result_clear(&r);
						*err = s->disk_err;
						ob_progress_finish(&pr);
						return -1;
					}
					if (record(s, rt, t, cv, rep, &r, started, err) < 0) {
						ob_lc_result_clear(&r);
						ob_progress_finish(&pr);
						return -1;
					}
					s->cells++;
					if (r.status == OB_LC_FAILED || r.status == OB_LC_TIMEOUT)
						s->failed++;
					summary(t, &r, sum, sizeof(sum));
					ob_progress_end(&pr, rt->name, t->name, cv, rep, s->repeat,
							ob_lc_status_names[r.status], sum);
					ob_lc_result_clear(&r);
				}
				if (!vars[vi])
					break;
			}
			release_sets(s, sets);
		}
	}
	ob_progress_finish(&pr);
	return 0;
}
