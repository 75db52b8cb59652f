/* cell.c - one cell of an engine column: the workload's arguments from the
 * test table, its work directory as an engine mount, the phases timed
 * around the engine's command line, the workload's JSON from its output.
 *
 * A test with an untimed prepare step runs it in the same container,
 * before the workload's clock ("prepare-run"): an engine container's
 * writable layer does not outlive it.  The net test runs a server and a
 * client container on a network of the run's own (docker, podman: a
 * user-defined bridge network in the daemon's namespace; containerd: the
 * runner's own namespaces, netenv.h).
 */
#include "engine.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "host/cells.h"
#include "host/hostcpu.h"
#include "netcell.h"
#include "netenv.h"
#include "ob-cleanup.h"
#include "ob-clock.h"
#include "ob-fault.h"
#include "ob-file.h"
#include "ob-fs.h"
#include "proc.h"
#include "state.h"
#include "suite.h"

#define SEC 1000000000ull
#define FORCE_NS (60 * SEC)
#define READY_NS (30 * SEC)
#define GRACE_NS (30 * SEC)

/* One container's files: out (the workload's stdout), err (everything the
 * engine's commands said). */
struct files {
	char out[4200], err[4200];
	int errfd;
};

/* Run argv in the engine's namespace and cgroup; its stdout to out (-1: a
 * memory file whose text *text gets), stderr to f->errfd.  t0/t1: spawn
 * and reap times.  With h, the container's host CPU is sampled until its
 * process exits, while argv runs (a wait command).  Returns OB_WAIT_* or
 * -1. */
static int run_watched(struct ob_engine *e, char *const *argv, int out, const struct files *f,
		       uint64_t deadline, int *st, uint64_t *t0, uint64_t *t1, char **text,
		       struct ob_hostcpu *h)
{
	ob_cleanup_close int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ob_cleanup_close int mem = out < 0 ? memfd_create("ocibench-engine", MFD_CLOEXEC) : -1;
	struct ob_error err;
	pid_t pid;
	int w;

	if (null < 0 || (out < 0 && mem < 0))
		return -1;
	*t0 = ob_now_ns();
	if (ob_engine_spawn(e, argv, null, out < 0 ? mem : out, f->errfd, &pid, &err) < 0) {
		dprintf(f->errfd, "ocibench: %s\n", err.msg);
		return -1;
	}
	if (h) {
		uint64_t exit_ns;

		ob_hostcpu_watch(h, h->pid, deadline, &exit_ns);
	}
	w = ob_proc_wait(pid, deadline, true, st, t1, &err);
	if (w == OB_WAIT_TIMEOUT || w == OB_WAIT_STOPPED)
		ob_proc_kill(pid);
	if (out < 0 && text) {
		off_t len = lseek(mem, 0, SEEK_END);

		*text = calloc(1, len > 0 ? (size_t)len + 1 : 1);
		if (!*text)
			abort();
		if (len > 0 && pread(mem, *text, (size_t)len, 0) < 0)
			(*text)[0] = '\0';
		if (len > 0)
			dprintf(f->errfd, "%s", *text);
	}
	return w;
}

static int run(struct ob_engine *e, char *const *argv, int out, const struct files *f,
	       uint64_t deadline, int *st, uint64_t *t0, uint64_t *t1, char **text)
{
	return run_watched(e, argv, out, f, deadline, st, t0, t1, text, NULL);
}

static bool ok(int w, int st)
{
	return w == OB_WAIT_DONE && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void set_phase(struct ob_lc_result *r, int ph, uint64_t t0, uint64_t t1)
{
	r->have[ph] = true;
	r->phase_ms[ph] = t1 > t0 ? (double)(t1 - t0) / 1e6 : 0.0;
}

/* Remove c (--force) whatever state it is in; untimed. */
static void force_remove(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
			 const struct files *f)
{
	for (int step = 0; step < e->ops->nremove; step++) {
		struct ob_argv a = { 0 };
		uint64_t t0, t1;
		int st;

		e->ops->remove(e, rt, c, true, step, &a);
		run(e, a.v, f->errfd, f, ob_now_ns() + FORCE_NS, &st, &t0, &t1, NULL);
		ob_argv_free(&a);
	}
}

/* The task's pid (containerd): exit seen through a pidfd, sampling h (NULL:
 * none) meanwhile. */
static int wait_pid(const char *pidfile, uint64_t deadline, uint64_t *t1, struct ob_hostcpu *h)
{
	char *text = NULL;
	size_t len;
	struct ob_error err;
	long pid = -1;

	if (ob_read_file(pidfile, &text, &len, &err) == 0)
		pid = strtol(text, NULL, 10);
	free(text);
	if (pid <= 0)
		return -1;
	return ob_hostcpu_watch(h, (pid_t)pid, deadline, t1);
}

/* Between wait and delete (untimed): until the engine's state shows c
 * stopped (ops->stopped), a list every 10 ms, up to the deadline.  0, or -1
 * when it never did. */
static int settle(struct ob_engine *e, const struct ob_ectr *c, const struct files *f,
		  uint64_t deadline)
{
	if (!e->ops->state)
		return 0;
	for (;;) {
		ob_cleanup_close int mem = memfd_create("ocibench-state", MFD_CLOEXEC);
		struct ob_argv a = { 0 };
		char list[16384];
		uint64_t t0, t1;
		ssize_t n = -1;
		int st, w;

		if (mem < 0)
			return -1;
		e->ops->state(e, &a);
		w = run(e, a.v, mem, f, deadline, &st, &t0, &t1, NULL);
		ob_argv_free(&a);
		if (ok(w, st) && (n = pread(mem, list, sizeof(list) - 1, 0)) >= 0) {
			list[n] = '\0';
			if (e->ops->stopped(list, c))
				return 0;
		}
		if (ob_now_ns() >= deadline)
			return -1;
		usleep(10000);
	}
}

/* The workload's JSON object: the first line of out that starts with '{'
 * (containerd's log holds stderr too). */
static json_t *workload_json(const char *path)
{
	char *text = NULL, *p;
	size_t len;
	struct ob_error err;
	json_t *j = NULL;

	if (ob_read_file(path, &text, &len, &err) < 0)
		return NULL;
	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (*p == '{') {
			j = json_loads(p, JSON_DISABLE_EOF_CHECK, NULL);
			break;
		}
	free(text);
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* Watch the file where c's stderr arrives for the workload's ready token,
 * from before start to the end of wait (ob-ready.h); a cell without one
 * keeps first_instruction null. */
static void watch_ready(struct ob_engine *e, const struct ob_ectr *c, const char *created,
			const struct files *f, struct ob_lc_result *r)
{
	const char *token = NULL, *why = NULL;
	ob_cleanup_free char *path = e->ops->stderr_file(e, c, created ? created : "", f->out,
							 &token, &why);
	struct ob_error err;

	if (!path)
		dprintf(f->errfd, "ocibench: no ready token to watch: %s\n", why);
	else if (ob_ready_start_token(&r->ready, path, token, &err) < 0)
		dprintf(f->errfd, "ocibench: %s\n", err.msg);
}

/* create and start (timed); 0, or -1 with r filled in and c removed. */
static int up(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
	      const struct files *f, uint64_t deadline, struct ob_lc_result *r)
{
	struct ob_argv a = { 0 };
	ob_cleanup_free char *created = NULL;
	uint64_t t0, t1;
	int st, w;

	e->ops->create(e, rt, c, &a);
	w = run(e, a.v, -1, f, deadline, &st, &t0, &t1, &created);
	ob_argv_free(&a);
	if (!ok(w, st)) {
		ob_lc_step_failed(r, "create", w, st);
		goto fail;
	}
	set_phase(r, OB_PH_CREATE, t0, t1);
	watch_ready(e, c, created, f, r);
	e->ops->start(e, rt, c, f->out, &a);
	w = run(e, a.v, f->errfd, f, deadline, &st, &t0, &t1, NULL);
	r->start_issued_ns = t0;
	ob_argv_free(&a);
	if (!ok(w, st)) {
		ob_lc_step_failed(r, "start", w, st);
		goto fail;
	}
	set_phase(r, OB_PH_START, t0, t1);
	r->started_ns = t1;
	return 0;
fail:
	ob_ready_stop(&r->ready);
	force_remove(e, rt, c, f);
	r->stderr_tail = ob_lc_tail(f->err);
	return -1;
}

/* wait, output, delete (timed but the output); with h, the container's
 * host CPU until its exit. */
static void down(struct ob_engine *e, const struct ob_runtime *rt, const struct ob_ectr *c,
		 const struct files *f, uint64_t deadline, struct ob_lc_result *r,
		 struct ob_hostcpu *h)
{
	struct ob_argv a = { 0 };
	ob_cleanup_free char *said = NULL;
	uint64_t t0, t1, tr0 = 0, clock;
	const char *why;
	int st, w;

	if (e->ops->wait) {
		e->ops->wait(e, rt, c, &a);
		w = run_watched(e, a.v, -1, f, deadline, &st, &t0, &t1, &said, h);
		ob_argv_free(&a);
		if (!ok(w, st)) {
			ob_lc_step_failed(r, "wait", w, st);
			goto fail;
		}
		r->exit_status = (int)strtol(said, NULL, 10);
		set_phase(r, OB_PH_WAIT, r->started_ns, t1);
	} else {
		char pidfile[4300];

		snprintf(pidfile, sizeof(pidfile), "%s.pid", f->out);
		w = wait_pid(pidfile, deadline, &t1, h);
		if (w != OB_WAIT_DONE) {
			ob_lc_step_failed(r, "wait", w, 0);
			goto fail;
		}
		set_phase(r, OB_PH_WAIT, r->started_ns, t1);
		if (settle(e, c, f, deadline) < 0) {
			ob_lc_fail(r, OB_LC_TIMEOUT, "wait: the engine still lists the container as running");
			goto fail;
		}
	}
	if (e->ops->logs) {
		ob_cleanup_close int out = open(f->out, O_WRONLY | O_APPEND | O_CLOEXEC);

		e->ops->logs(e, c, &a);
		w = out < 0 ? -1 : run(e, a.v, out, f, deadline, &st, &t0, &t1, NULL);
		ob_argv_free(&a);
		if (!ok(w, st)) {
			ob_lc_step_failed(r, "logs", w, st);
			goto fail;
		}
	}
	/* The token reaches the host through the engine's log copier, which
	 * may write it after the exit the engine reports (containerd's shim
	 * copies the task's output on its own; its pidfd says exited first).
	 * So the workload's own reading of the clock where that clock is the
	 * runner's (runc, crun), read before rm takes docker's and podman's
	 * log; else the arrival, watched to the end, which the check of
	 * first_instruction_ms refuses when it came after the exit. */
	clock = ob_ready_clock(&r->ready, &why);
	for (int step = 0; step < e->ops->nremove; step++) {
		free(said);
		said = NULL;
		e->ops->remove(e, rt, c, false, step, &a);
		w = run(e, a.v, -1, f, deadline, &st, &t0, &t1, &said);
		ob_argv_free(&a);
		if (!ok(w, st)) {
			ob_lc_step_failed(r, "delete", w, st);
			goto fail;
		}
		if (step == 0) {
			tr0 = t0;
			if (!e->ops->wait) { /* ctr task delete: "... exit code N" when not 0 */
				const char *x = strstr(said, "exit code ");

				r->exit_status = x ? (int)strtol(x + 10, NULL, 10) : 0;
			}
		}
	}
	set_phase(r, OB_PH_DELETE, tr0, t1);
	r->ready_ns = ob_ready_stop(&r->ready);
	if (clock) {
		r->ready_ns = clock;
		r->ready_clock = true;
	}
	r->workload = workload_json(f->out);
	if (r->exit_status == 0 && r->workload) {
		r->status = OB_LC_OK;
	} else if (r->exit_status == 77) {
		ob_lc_fail(r, OB_LC_UNSUPPORTED, "workload: unsupported here (exit 77)");
	} else {
		ob_lc_fail(r, OB_LC_FAILED, "workload: exit %d%s", r->exit_status,
		     r->workload ? "" : ", no JSON on stdout");
		r->stderr_tail = ob_lc_tail(f->err);
	}
	return;
fail:
	ob_ready_stop(&r->ready);
	force_remove(e, rt, c, f);
	r->stderr_tail = ob_lc_tail(f->err);
}

/* The span of the container's host CPU (hostcpu.h), from now (its start
 * returned: nothing of it exists before) to its exit: its processes by what
 * the engine's state names and the process tree (the shim or conmon it
 * hangs from, and below).  NULL, said in its stderr, when it is gone
 * already. */
static struct ob_hostcpu *hostcpu_begin(struct ob_engine *e, const struct ob_runtime *rt,
					const struct ob_ectr *c, const struct files *f)
{
	struct ob_hostcpu *h = calloc(1, sizeof(*h));
	struct ob_rtstate rs;
	struct ob_error err;
	struct stat wl;
	bool have_wl;

	if (!h)
		abort();
	if (ob_engine_rtstate(e, c, f->out, &rs, &wl, &have_wl, &err) < 0 ||
	    ob_hostcpu_begin(h, rt, rs.pid, &rs, have_wl ? &wl : NULL) < 0) {
		dprintf(f->errfd, "ocibench: host CPU: the container's processes are gone already\n");
		free(h);
		return NULL;
	}
	ob_hostcpu_started(h);
	return h;
}

/* The same keys when the container's processes were gone before they
 * could be found (a workload of a few milliseconds). */
static json_t *hostcpu_none(void)
{
	return json_pack("{s:n,s:n,s:n,s:s}", "host_cpu_s", "workload_cpu_s",
			 "host_cpu_per_workload_cpu_s", "host_cpu_null",
			 "the container had exited before its processes were found");
}

static int files_open(struct files *f, const char *dir, const char *name, struct ob_error *err)
{
	int fd;

	snprintf(f->out, sizeof(f->out), "%s/%s.out", dir, name);
	snprintf(f->err, sizeof(f->err), "%s/%s.err", dir, name);
	if ((fd = open(f->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "creating %s", f->out);
	close(fd);
	f->errfd = open(f->err, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (f->errfd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "creating %s", f->err);
	return 0;
}

/* The workload's path in the image: first directory of the image's PATH. */
static void workload_argv(const struct ob_suite *s, const struct ob_test *t, struct ob_args *a)
{
	const char *dir = "/bin";
	size_t dl = 4;

	for (char *const *v = s->image_env; v && *v; v++)
		if (strncmp(*v, "PATH=", 5) == 0) {
			dir = *v + 5;
			dl = strcspn(dir, ":");
		}
	snprintf(a->s[31], sizeof(a->s[31]), "%.*s/ocibench-%s", (int)dl, dir, t->workload);
	a->v[a->n++] = a->s[31];
}

/* The net test: a one-off server, then the client whose figures count. */
static void net_cell(const struct ob_suite *s, const struct ob_runtime *rt, const struct ob_test *t,
		     const char *variant, size_t seq, const char *dir, uint64_t deadline,
		     struct ob_lc_result *r)
{
	struct ob_engine *e = rt->engine->e;
	char net[128], subnet[INET_ADDRSTRLEN + 4], addr[64], sid[256], cid[256], nsp[2][160];
	struct ob_args sa = { 0 }, ca = { 0 };
	struct files sf = { .errfd = -1 }, cf = { .errfd = -1 };
	struct ob_lc_result sr = { .exit_status = -1 };
	struct ob_netenv ne = { 0 };
	struct ob_error err;
	bool have_net = false, server_up = false;

	inet_ntop(AF_INET, &s->net_subnet, subnet, INET_ADDRSTRLEN);
	strcat(subnet, "/24");
	snprintf(net, sizeof(net), OB_CONTAINER_PREFIX "%s" OB_NETNS_INFIX "%zu", s->runid, seq);
	snprintf(cid, sizeof(cid), OB_CONTAINER_PREFIX "%s-%zu", s->runid, seq);
	snprintf(sid, sizeof(sid), OB_CONTAINER_PREFIX "%s-s%zu", s->runid, seq);
	if (files_open(&sf, dir, "server", &err) < 0 || files_open(&cf, dir, "client", &err) < 0) {
		ob_lc_fail_err(r, OB_LC_FAILED, NULL, &err);
		goto out;
	}
	if (e->ops->net_create) {
		if (e->ops->net_create(e, net, subnet, &err) < 0) {
			ob_lc_fail_err(r, OB_LC_FAILED, "network", &err);
			goto out;
		}
	} else if (ob_netenv_create(&ne, net, s->net_subnet, 2, &err) < 0) {
		ob_lc_fail_err(r, OB_LC_FAILED, "network", &err);
		goto out;
	} else {
		ob_netenv_path(&ne, 0, nsp[0], sizeof(nsp[0]));
		ob_netenv_path(&ne, 1, nsp[1], sizeof(nsp[1]));
	}
	have_net = true;
	workload_argv(s, t, &sa);
	t->args(s->profile, variant, "server", &sa);
	sa.v[sa.n] = NULL;

	struct ob_ectr sc = { .id = sid, .argv = (char *const *)sa.v, .detach = true,
			      .network = e->ops->net_create ? net : nsp[0] };

	if (up(e, rt, &sc, &sf, deadline, &sr) < 0) {
		ob_lc_fail_err(r, sr.status, "server", &sr.err);
		r->stderr_tail = sr.stderr_tail ? strdup(sr.stderr_tail) : NULL;
		goto out;
	}
	server_up = true;
	/* the server's own words say when it listens */
	for (uint64_t give_up = ob_now_ns() + READY_NS;;) {
		char *text = NULL;
		size_t len;
		bool yes;

		if (e->ops->logs) {
			struct ob_argv a = { 0 };
			uint64_t t0, t1;
			int st;
			ob_cleanup_close int o = open(sf.out, O_WRONLY | O_TRUNC | O_CLOEXEC);

			e->ops->logs(e, &sc, &a);
			run(e, a.v, o, &sf, deadline, &st, &t0, &t1, NULL);
			ob_argv_free(&a);
		}
		yes = ob_read_file(sf.out, &text, &len, &err) == 0 && strstr(text, "Server listening");
		free(text);
		if (yes)
			break;
		if (ob_now_ns() > give_up || ob_proc_poll_stop()) {
			ob_lc_fail(r, ob_proc_stop_signal() ? OB_LC_STOPPED : OB_LC_FAILED,
			     "server: not listening after %llu s", READY_NS / SEC);
			r->stderr_tail = ob_lc_tail(sf.err);
			goto out;
		}
		usleep(100000);
	}
	if (e->ops->net_create) {
		if (e->ops->address(e, &sc, addr, sizeof(addr), &err) < 0) {
			ob_lc_fail_err(r, OB_LC_FAILED, "server address", &err);
			goto out;
		}
	} else {
		snprintf(addr, sizeof(addr), "%s", ne.addr[0]);
	}
	workload_argv(s, t, &ca);
	ca.v[ca.n++] = "-c";
	ca.v[ca.n++] = addr;
	t->args(s->profile, variant, "run", &ca);
	ca.v[ca.n] = NULL;

	struct ob_ectr cc = { .id = cid, .argv = (char *const *)ca.v,
			      .network = e->ops->net_create ? net : nsp[1] };

	if (up(e, rt, &cc, &cf, deadline, r) == 0) {
		ob_test_stop_point("engine-net"); /* both containers on the engine's network */
		down(e, rt, &cc, &cf, deadline, r, NULL);
	}
	if (r->status == OB_LC_OK) {
		uint64_t grace = ob_now_ns() + GRACE_NS;

		down(e, rt, &sc, &sf, grace < deadline ? grace : deadline, &sr, NULL);
		server_up = false;
		if (sr.exit_status != 0) {
			ob_lc_fail(r, OB_LC_FAILED, "server: exit %d", sr.exit_status);
			r->stderr_tail = ob_lc_tail(sf.err);
		}
	}
	r->extra = json_pack("{s:{s:s,s:s,s:i,s:s,s:i}}", "net", "subnet", subnet, "server_address",
			     addr, "port", OB_NET_PORT, "network",
			     e->ops->net_create ? "engine bridge" : "runner namespaces",
			     "server_exit_status", sr.exit_status);
out:
	if (server_up)
		force_remove(e, rt, &sc, &sf);
	if (have_net && e->ops->net_create)
		e->ops->net_remove(e, net);
	else if (have_net && ob_netenv_destroy(&ne, &err) < 0)
		fprintf(stderr, "ocibench: %s\n", err.msg);
	ob_lc_result_clear(&sr);
	if (sf.errfd >= 0)
		close(sf.errfd);
	if (cf.errfd >= 0)
		close(cf.errfd);
}

void ob_engine_cell(const struct ob_suite *s, const struct ob_runtime *rt,
		    const struct ob_test *t, const char *variant, size_t seq,
		    struct ob_lc_result *r)
{
	const struct ob_ecol *col = rt->engine;
	struct ob_engine *e = col->e;
	uint64_t deadline = ob_now_ns() + s->timeout_ns;
	char dir[4096], id[256];
	struct ob_mount m = { .kind = OB_MOUNT_ROOTFS };
	struct files f = { .errfd = -1 };
	struct ob_args a = { 0 };
	struct ob_error err;

	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
	if (col->why) {
		ob_lc_fail(r, OB_LC_UNSUPPORTED, "%s", col->why);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/%zu", s->bundles, seq);
	snprintf(id, sizeof(id), OB_CONTAINER_PREFIX "%s-%zu", s->runid, seq);
	if (ob_mkdir_p(dir, 0700, &err) < 0) {
		ob_lc_fail_err(r, OB_LC_FAILED, NULL, &err);
		return;
	}
	if (t->cell == ob_net_cell) {
		net_cell(s, rt, t, variant, seq, dir, deadline, r);
		goto out;
	}
	if (t->cell == ob_footprint_cell || t->cell == ob_density_cell) {
		workload_argv(s, t, &a);
		t->args(s->profile, variant, "run", &a);
		a.v[a.n] = NULL;
		ob_engine_idle_cell(s, rt, t, variant, seq, (char *const *)a.v, r);
		goto out;
	}
	if (t->cell) {
		ob_lc_fail(r, OB_LC_UNSUPPORTED, "%s: not run through an engine", t->name);
		goto out;
	}
	if (files_open(&f, dir, "ctr", &err) < 0) {
		ob_lc_fail_err(r, OB_LC_FAILED, NULL, &err);
		goto out;
	}
	if (t->workdir) {
		char base[4200];

		snprintf(base, sizeof(base), "%s/mnt", dir);
		if (ob_mkdir_p(base, 0700, &err) < 0 ||
		    ob_mount_prepare(&m, t->mount, ob_test_workdir_size(t, s->profile), base, dir,
				     &err) < 0) {
			ob_lc_fail_err(r, OB_LC_FAILED, "mount", &err);
			goto out;
		}
	}
	workload_argv(s, t, &a);
	t->args(s->profile, variant, t->prepare ? "prepare-run" : "run", &a);
	a.v[a.n] = NULL;

	struct ob_ectr c = { .id = id, .argv = (char *const *)a.v, .workdir = t->workdir,
			     .mount = &m };

	if (up(e, rt, &c, &f, deadline, r) == 0) {
		struct ob_hostcpu *h = t->lifecycle == ob_hostcpu_run ? hostcpu_begin(e, rt, &c, &f) : NULL;

		down(e, rt, &c, &f, deadline, r, h);
		if (h && r->status == OB_LC_OK)
			ob_hostcpu_record(h, r);
		else if (t->lifecycle == ob_hostcpu_run && r->status == OB_LC_OK)
			r->extra = hostcpu_none();
		free(h);
	}
out:
	if (f.errfd >= 0)
		close(f.errfd);
	if (ob_mount_release(&m, &err) < 0)
		fprintf(stderr, "ocibench: %s\n", err.msg);
	if (ob_remove_tree(dir, &err) < 0)
		fprintf(stderr, "ocibench: %s\n", err.msg);
}
