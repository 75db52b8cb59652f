/* fleet.c - see fleet.h */
#include "fleet.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ob-clock.h"
#include "ob-file.h"
#include "ob-fs.h"
#include "cgroup.h"
#include "proc.h"
#include "procs.h"
#include "rtstate.h"
#include "state.h"

static void fail(struct ob_fleet *f, enum ob_lc_status st, const struct ob_idle *c,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void fail(struct ob_fleet *f, enum ob_lc_status st, const struct ob_idle *c,
		 const char *fmt, ...)
{
	char msg[sizeof(f->err.msg)];
	va_list ap;

	if (f->status != OB_LC_OK) /* the first cause is the one to report */
		return;
	f->status = st;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ob_err(&f->err, OB_EXIT_FAIL, 0, "%s", msg);
	if (c && c->have_b)
		f->stderr_tail = ob_lc_tail(c->b.errlog);
}

int ob_fleet_prepare(struct ob_fleet *f, const struct ob_suite *s, const struct ob_test *t,
		     const char *variant, size_t seq, size_t n)
{
	struct ob_error err;

	f->c = calloc(n, sizeof(*f->c));
	if (!f->c)
		abort();
	f->n = n;
	f->status = OB_LC_OK;
	for (size_t i = 0; i < n; i++) {
		struct ob_idle *c = &f->c[i];
		char dir[4096], bin[512], host[4096 + 512], wl[64];

		c->ready_fd = -1;
		c->start_ms = NAN;
		/* fixed width: runsc takes an id for a prefix of the ids it knows */
		snprintf(c->id, sizeof(c->id), OB_CONTAINER_PREFIX "%s-%zud%03zu", s->runid, seq, i);
		snprintf(dir, sizeof(dir), "%s/%zud%03zu", s->bundles, seq, i);
		snprintf(wl, sizeof(wl), "ocibench-%s", t->workload);
		if (f->drv) {
			if (ob_mkdir_p(dir, 0700, &err) < 0 || f->drv->prepare(f->drv->ctx, c, dir, &err) < 0) {
				fail(f, OB_LC_FAILED, NULL, "%s", err.msg);
				return -1;
			}
			c->have_b = true;
			continue;
		}
		if (ob_bundle_create(dir, s->src, &c->b, &err) < 0) {
			fail(f, OB_LC_FAILED, NULL, "bundle: %s", err.msg);
			return -1;
		}
		c->have_b = true;
		if (ob_test_configure(t, s->profile, variant, "run", &c->b, s->image_env, &err) < 0 ||
		    ob_bundle_find_bin(&c->b, s->image_env, wl, bin, sizeof(bin), &err) < 0) {
			fail(f, OB_LC_FAILED, NULL, "bundle: %s", err.msg);
			return -1;
		}
		snprintf(host, sizeof(host), "%s%s", c->b.rootfs, bin);
		if (stat(host, &c->exe) < 0) {
			fail(f, OB_LC_FAILED, NULL, "bundle: %s: %s", host, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static const char *const cmd_names[] = { "create", "start", "kill", "delete" };

const char *ob_fleet_stop_signal(const struct ob_fleet *f)
{
	/* kata-runtime's kill with TERM (or KILL) stops the VM at once, and the
	 * workload's report on its way out is lost with it; a signal Kata only
	 * passes on lets the workload end on its own */
	return !f->drv && (f->rt->quirks & OB_RTQ_KATA_CONFIG) ? "INT" : "TERM";
}

/* The bare runtime's command line of cmd. */
static int rt_spawn(const struct ob_fleet *f, const struct ob_idle *c, enum ob_fleet_cmd cmd,
		    int in, int out, int errfd, pid_t *pid, struct ob_error *err)
{
	const char *const create[] = { "--bundle", c->b.dir, "--pid-file", c->b.pidfile, c->id, NULL };
	const char *const kill[] = { c->id, ob_fleet_stop_signal(f), NULL };
	const char *const id[] = { c->id, NULL };

	return ob_lc_spawn(f->rt, cmd_names[cmd],
			   cmd == OB_FLEET_CREATE ? create : cmd == OB_FLEET_KILL ? kill : id, in, out,
			   errfd, pid, err);
}

/* Spawn the command of cmd for c with the given stdout (-1: its errlog);
 * -1 with f failed. */
static int spawn(struct ob_fleet *f, struct ob_idle *c, enum ob_fleet_cmd cmd, int out)
{
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int errfd = open(c->b.errlog, O_WRONLY | O_APPEND | O_CLOEXEC);
	const char *sub = cmd_names[cmd];
	struct ob_error err;
	int rc = -1;

	if (in >= 0 && errfd >= 0 && out < 0)
		out = errfd;
	if (in < 0 || errfd < 0)
		fail(f, OB_LC_FAILED, c, "%s %s: opening stdio: %s", sub, c->id, strerror(errno));
	else if ((f->drv ? f->drv->spawn(f->drv->ctx, c, cmd, c->del_step, in, out, errfd, &c->cmd,
					 &err)
			 : rt_spawn(f, c, cmd, in, out, errfd, &c->cmd, &err)) < 0)
		fail(f, OB_LC_FAILED, c, "%s %s: %s", sub, c->id, err.msg);
	else
		rc = 0;
	if (in >= 0)
		close(in);
	if (errfd >= 0)
		close(errfd);
	c->t0 = ob_now_ns();
	return rc;
}

/* Spawn cmd with the write end of a new ready pipe as its stdout. */
static int spawn_piped(struct ob_fleet *f, struct ob_idle *c, enum ob_fleet_cmd cmd)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0) {
		fail(f, OB_LC_FAILED, c, "%s %s: pipe: %s", cmd_names[cmd], c->id, strerror(errno));
		return -1;
	}
	c->ready_fd = p[0];
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	int rc = spawn(f, c, cmd, p[1]);

	close(p[1]); /* the runtime and the container (or the client) hold it now */
	return rc;
}

/* The bare runtime's container gets the pipe at create, a driver's attached
 * client at start. */
static int spawn_create(struct ob_fleet *f, struct ob_idle *c)
{
	struct stat st;

	c->created = true;
	c->create_attempts++;
	c->err_from = stat(c->b.errlog, &st) == 0 ? st.st_size : 0;
	int rc = f->drv ? spawn(f, c, OB_FLEET_CREATE, -1) : spawn_piped(f, c, OB_FLEET_CREATE);

	if (rc == 0)
		c->st = OB_IDLE_CREATING;
	return rc;
}

/* Has c's command ended?  true when it is done; *ok when it exited 0
 * (otherwise f has failed, naming step). */
static bool cmd_done(struct ob_fleet *f, struct ob_idle *c, const char *step, double *ms, bool *ok)
{
	uint64_t t;
	char buf[64];
	int st;

	if (!c->cmd || !ob_proc_done(c->cmd, &st, &t))
		return false;
	c->cmd = 0;
	*ms = (double)(t - c->t0) / 1e6;
	*ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	/* Kata's agent missed its start-up window: a new create, as the
	 * lifecycle does it (only the last one is timed) */
	if (!*ok && WIFEXITED(st) && c->st == OB_IDLE_CREATING && !f->drv &&
	    ob_lc_create_again(f->rt, &c->b, c->id, c->err_from, c->create_attempts)) {
		close(c->ready_fd);
		c->ready_fd = -1;
		spawn_create(f, c);
		return false;
	}
	if (!*ok)
		fail(f, OB_LC_FAILED, c, "%s %s: %s", step, c->id,
		     ob_proc_status_text(st, buf, sizeof(buf)));
	return true;
}

/* The container's own process ended before it was stopped? */
static void check_exit(struct ob_fleet *f, struct ob_idle *c, bool expected)
{
	uint64_t t;
	char buf[64];
	int st;

	if (c->pid <= 0 || c->exited || !ob_proc_done(c->pid, &st, &t))
		return;
	c->exited = true;
	c->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (!expected)
		fail(f, OB_LC_FAILED, c, "container %s: %s before it was stopped", c->id,
		     ob_proc_status_text(st, buf, sizeof(buf)));
}

static void drain(struct ob_idle *c)
{
	char buf[4096];
	ssize_t n;

	while (c->ready_fd >= 0 && (n = read(c->ready_fd, buf, sizeof(buf))) > 0) {
		if (!(c->out = realloc(c->out, c->outlen + (size_t)n + 1)))
			abort();
		memcpy(c->out + c->outlen, buf, (size_t)n);
		c->outlen += (size_t)n;
		c->out[c->outlen] = '\0';
	}
}

/* Advance c's lifecycle after its command or process may have ended. */
static void step(struct ob_fleet *f, struct ob_idle *c)
{
	double ms;
	bool ok;

	switch (c->st) {
	case OB_IDLE_CREATING:
		if (!cmd_done(f, c, "create", &c->create_ms, &ok) || !ok)
			return;
		if (f->drv) { /* the attached start lives as long as the container */
			c->start_wall_ns = ob_wall_ns();
			if (spawn_piped(f, c, OB_FLEET_START) == 0) {
				c->start_ns = c->t0;
				c->pid = c->cmd;
				c->cmd = 0;
				c->st = OB_IDLE_RUNNING;
			}
			return;
		}
		if ((c->pid = ob_lc_read_pid(c->b.pidfile)) < 0) {
			fail(f, OB_LC_FAILED, c, "create %s: no pid in %s", c->id, c->b.pidfile);
			return;
		}
		c->start_wall_ns = ob_wall_ns();
		if (spawn(f, c, OB_FLEET_START, -1) == 0) {
			c->start_ns = c->t0;
			c->st = OB_IDLE_STARTING;
		}
		return;
	case OB_IDLE_STARTING:
		if (cmd_done(f, c, "start", &c->start_ms, &ok) && ok)
			c->st = OB_IDLE_RUNNING;
		/* the byte may have come, or it may be gone already */
		__attribute__((fallthrough));
	case OB_IDLE_RUNNING:
	case OB_IDLE_READY:
		if (c->st == OB_IDLE_RUNNING && c->got_byte)
			c->st = OB_IDLE_READY;
		check_exit(f, c, false);
		return;
	case OB_IDLE_KILLING:
		if (cmd_done(f, c, "kill", &ms, &ok) && ok)
			c->st = OB_IDLE_EXITING;
		check_exit(f, c, true);
		if (c->st != OB_IDLE_EXITING)
			return;
		__attribute__((fallthrough));
	case OB_IDLE_EXITING:
		check_exit(f, c, true);
		if (!c->exited)
			return;
		drain(c);
		if (spawn(f, c, OB_FLEET_DELETE, -1) == 0)
			c->st = OB_IDLE_DELETING;
		return;
	case OB_IDLE_DELETING:
		if (!cmd_done(f, c, "delete", &ms, &ok) || !ok)
			return;
		if (f->drv && ++c->del_step < f->drv->ndelete) {
			spawn(f, c, OB_FLEET_DELETE, -1);
			return;
		}
		c->st = OB_IDLE_GONE;
		c->created = false;
		c->stop_ms = (double)(c->t0 - c->stop_t0) / 1e6 + ms;
		return;
	default:
		return;
	}
}

/* Give up: stop every command in flight and delete every container. */
static void abandon(struct ob_fleet *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct ob_idle *c = &f->c[i];

		if (c->cmd) {
			ob_proc_kill(c->cmd);
			c->cmd = 0;
		}
		if (f->drv && c->pid > 0 && !c->exited) { /* the attached client */
			ob_proc_kill(c->pid);
			c->exited = true;
		}
		if (c->created && f->drv)
			f->drv->force_delete(f->drv->ctx, c);
		else if (c->created)
			ob_lc_force_delete(f->rt, c->id);
		c->created = false;
		c->st = OB_IDLE_GONE;
	}
	ob_proc_reap();
}

static size_t count(const struct ob_fleet *f, enum ob_idle_state a, enum ob_idle_state b)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->c[i].st >= a && f->c[i].st <= b;
	return n;
}

/* Memory charged to the cgroups of the containers created so far (a
 * driver's containers: only MemAvailable tells). */
static uint64_t charged(const struct ob_fleet *f)
{
	uint64_t sum = 0, bytes;
	struct ob_cgroup cg;

	for (size_t i = 0; i < f->n && !f->drv; i++)
		if (f->c[i].pid > 0 && ob_cgroup_of(f->c[i].pid, &cg) == 0 &&
		    ob_cgroup_memory(&cg, &bytes) == 0)
			sum += bytes;
	return sum;
}

/* Would one more container pass the memory budget?  What the ones so far
 * took (from MemAvailable, or their cgroups' charge when that is more:
 * other processes on the host move MemAvailable both ways) projects the
 * next one. */
static bool over_budget(struct ob_fleet *f, size_t started, size_t inflight)
{
	uint64_t now, used, per, cg;

	if (!f->budget || started == 0)
		return false;
	now = ob_host_mem_available();
	used = f->avail0 > now ? f->avail0 - now : 0;
	cg = charged(f);
	used = cg > used ? cg : used;
	per = used / started;
	if (used + per * (inflight + 1) <= f->budget)
		return false;
	fail(f, OB_LC_FAILED, NULL,
	     "memory budget: %zu container%s took %.0f MiB, one more would pass the budget of "
	     "%.0f MiB (--density-budget); stopped at %zu of %zu",
	     started, started == 1 ? "" : "s", (double)used / 1048576.0,
	     (double)f->budget / 1048576.0, started, f->n);
	return true;
}

/* Wait for the next event (a ready byte, a child's exit, the deadline, a
 * stop signal); false with f failed when it is the deadline or the stop. */
static bool wait_event(struct ob_fleet *f, const char *phase)
{
	struct pollfd fds[f->n];
	size_t nfds = 0;
	int w;

	/* the byte can come before `start` returns: watch from start on */
	for (size_t i = 0; i < f->n; i++)
		if ((f->c[i].st == OB_IDLE_STARTING || f->c[i].st == OB_IDLE_RUNNING) &&
		    !f->c[i].got_byte && f->c[i].ready_fd >= 0)
			fds[nfds++] = (struct pollfd){ .fd = f->c[i].ready_fd, .events = POLLIN };
	w = ob_proc_poll(fds, nfds, f->deadline, true);
	uint64_t now = ob_now_ns();

	for (size_t k = 0; k < nfds; k++) {
		struct ob_idle *c = NULL;
		char byte;
		ssize_t got;

		if (!fds[k].revents)
			continue;
		for (size_t i = 0; i < f->n; i++)
			if (f->c[i].ready_fd == fds[k].fd)
				c = &f->c[i];
		got = read(c->ready_fd, &byte, 1);
		if (got == 1 && byte == '\n') {
			c->ready_ns = now;
			c->got_byte = true;
		} else if (got == 1) {
			fail(f, OB_LC_FAILED, c, "container %s: its first byte is not the ready byte",
			     c->id);
		} else if (got == 0) {
			fail(f, OB_LC_FAILED, c, "container %s: stdout closed before the ready byte",
			     c->id);
		}
	}
	if (w == OB_WAIT_TIMEOUT)
		fail(f, OB_LC_TIMEOUT, NULL, "%s: timed out with %zu of %zu ready", phase,
		     count(f, OB_IDLE_READY, OB_IDLE_READY), f->n);
	else if (w == OB_WAIT_STOPPED)
		fail(f, OB_LC_STOPPED, NULL, "%s: stopped by a signal", phase);
	else if (w < 0)
		fail(f, OB_LC_FAILED, NULL, "%s: poll: %s", phase, strerror(errno));
	return f->status == OB_LC_OK;
}

int ob_fleet_up(struct ob_fleet *f)
{
	size_t next = 0;

	f->avail0 = ob_host_mem_available();
	f->t_first_create = ob_now_ns();
	f->wall_first_create = ob_wall_ns();
	while (f->status == OB_LC_OK) {
		size_t inflight = count(f, OB_IDLE_CREATING, OB_IDLE_STARTING);

		while (f->status == OB_LC_OK && next < f->n && inflight < f->concurrency &&
		       !over_budget(f, next, inflight) && spawn_create(f, &f->c[next]) == 0) {
			next++;
			inflight++;
		}
		for (size_t i = 0; i < f->n && f->status == OB_LC_OK; i++)
			step(f, &f->c[i]);
		if (f->status != OB_LC_OK)
			break;
		f->reached = count(f, OB_IDLE_READY, OB_IDLE_READY);
		if (next < f->n && count(f, OB_IDLE_CREATING, OB_IDLE_STARTING) < f->concurrency)
			continue; /* room for another one now */
		if (f->reached == f->n) {
			uint64_t last = 0;

			for (size_t i = 0; i < f->n; i++)
				last = f->c[i].ready_ns > last ? f->c[i].ready_ns : last;
			f->t_all_ready = last;
			return 0;
		}
		wait_event(f, "up");
	}
	f->reached = count(f, OB_IDLE_READY, OB_IDLE_READY);
	abandon(f);
	return -1;
}

int ob_fleet_down(struct ob_fleet *f)
{
	size_t next = 0;

	f->t_first_stop = ob_now_ns();
	while (f->status == OB_LC_OK) {
		size_t inflight = count(f, OB_IDLE_KILLING, OB_IDLE_DELETING);

		while (f->status == OB_LC_OK && next < f->n && inflight < f->concurrency) {
			struct ob_idle *c = &f->c[next++];

			c->stop_t0 = ob_now_ns();
			if (spawn(f, c, OB_FLEET_KILL, -1) == 0)
				c->st = OB_IDLE_KILLING;
			inflight++;
		}
		for (size_t i = 0; i < f->n && f->status == OB_LC_OK; i++)
			step(f, &f->c[i]);
		if (f->status != OB_LC_OK)
			break;
		if (next < f->n && count(f, OB_IDLE_KILLING, OB_IDLE_DELETING) < f->concurrency)
			continue; /* room for another one now */
		if (count(f, OB_IDLE_GONE, OB_IDLE_GONE) == f->n) {
			f->t_all_gone = ob_now_ns();
			return 0;
		}
		wait_event(f, "delete");
	}
	abandon(f);
	return -1;
}

int ob_fleet_find(const struct ob_fleet *f, size_t i, struct ob_hprocs *hp)
{
	const struct ob_idle *c = &f->c[i];
	struct ob_rtstate rs;

	if (f->drv)
		return f->drv->find(f->drv->ctx, c, hp);
	ob_rtstate_get(f->rt, c->id, &rs);
	return ob_hprocs_find(c->pid, &rs, &c->exe, hp);
}

json_t *ob_fleet_report(const struct ob_fleet *f, size_t i)
{
	const struct ob_idle *c = &f->c[i];
	json_error_t jerr;
	json_t *j;

	if (!c->out)
		return NULL;
	j = json_loads(c->out, 0, &jerr);
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

void ob_fleet_free(struct ob_fleet *f)
{
	struct ob_error err;

	for (size_t i = 0; i < f->n; i++) {
		struct ob_idle *c = &f->c[i];

		if (c->ready_fd >= 0)
			close(c->ready_fd);
		if (c->have_b && ob_bundle_destroy(&c->b, &err) < 0)
			fprintf(stderr, "ocibench: %s\n", err.msg);
		free(c->out);
	}
	free(f->c);
	free(f->stderr_tail);
	f->c = NULL;
	f->n = 0;
}
