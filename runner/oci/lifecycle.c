/* lifecycle.c - see lifecycle.h */
#include "lifecycle.h"

#include "ob-fault.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-clock.h"
#include "ob-file.h"
#include "proc.h"

const char *const ob_phase_names[OB_PH_N] = { "create", "start", "wait", "delete" };
const char *const ob_lc_status_names[] = { "ok", "failed", "unsupported", "timeout", "stopped" };

#define FORCE_DELETE_NS (30ull * 1000000000u)
#define TAIL_BYTES 2048
#define KATA_CREATE_TRIES 3 /* agent start-up failures under TCG: see agent_startup_failed */

/* The fds every runtime command of one container gets. */
struct io {
	int in, out, err;
};

int ob_lc_spawn(const struct ob_runtime *rt, const char *sub, const char *const *args, int in,
		int out, int errfd, pid_t *pid, struct ob_error *err)
{
	ob_cleanup_free char **argv = ob_rt_argv(rt, sub, args);
	bool creating = strcmp(sub, "create") == 0 || strcmp(sub, "run") == 0;
	bool wrap = rt->hide_mount && creating;
	bool mask = rt->mask_dir && (creating || strcmp(sub, "start") == 0);
	struct ob_spawn sp = { .argv = argv, .in = in, .out = out, .err = errfd,
			       .hide_mount = wrap ? rt->hide_mount : NULL,
			       .mask_dir = mask ? rt->mask_dir : NULL };

	return ob_proc_spawn(&sp, pid, err);
}

/* Run "RUNTIME ... sub args" to completion.  Returns OB_WAIT_* (or -1 when
 * it could not be spawned); t0 and t1 get the spawn and reap times. */
static int rt_cmd(const struct ob_runtime *rt, const struct io *io, int out, const char *sub,
		  const char *const *args, uint64_t deadline, bool stoppable, int *status,
		  uint64_t *t0, uint64_t *t1)
{
	struct ob_error err;
	pid_t pid;
	int w;

	*t0 = ob_now_ns();
	if (ob_lc_spawn(rt, sub, args, io->in, out, io->err, &pid, &err) < 0) {
		dprintf(io->err, "ocibench: %s\n", err.msg);
		return -1;
	}
	w = ob_proc_wait(pid, deadline, stoppable, status, t1, &err);
	if (w < 0)
		dprintf(io->err, "ocibench: %s\n", err.msg);
	if (w == OB_WAIT_TIMEOUT || w == OB_WAIT_STOPPED)
		ob_proc_kill(pid);
	return w;
}

int ob_lc_force_delete(const struct ob_runtime *rt, const char *id)
{
	ob_cleanup_close int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct io io = { null, null, null };
	const char *const args[] = { "--force", id, NULL };
	uint64_t t0, t1;
	int st;

	if (null < 0)
		return -1;
	int w = rt_cmd(rt, &io, null, "delete", args, ob_now_ns() + FORCE_DELETE_NS, false, &st,
		       &t0, &t1);

	return w == OB_WAIT_DONE && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

char *ob_lc_tail(const char *path)
{
	ob_cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	off_t off;

	if (fd < 0 || fstat(fd, &st) < 0)
		return strdup("");
	off = st.st_size > TAIL_BYTES ? st.st_size - TAIL_BYTES : 0;
	buf = calloc(1, TAIL_BYTES + 1);
	if (!buf)
		abort();
	ssize_t n = pread(fd, buf, TAIL_BYTES, off);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void set_phase(struct ob_lc_result *r, int ph, uint64_t t0, uint64_t t1)
{
	r->have[ph] = true;
	r->phase_ms[ph] = t1 > t0 ? (double)(t1 - t0) / 1e6 : 0.0;
}

/* Map the outcome of a step that did not succeed onto r. */
void ob_lc_step_failed(struct ob_lc_result *r, const char *step, int w, int st)
{
	char buf[64];

	if (w == OB_WAIT_TIMEOUT)
		r->status = OB_LC_TIMEOUT;
	else if (w == OB_WAIT_STOPPED)
		r->status = OB_LC_STOPPED;
	else
		r->status = OB_LC_FAILED;
	ob_err(&r->err, OB_EXIT_FAIL, 0, "%s: %s", step,
	       w == OB_WAIT_TIMEOUT ? "timed out" :
	       w == OB_WAIT_STOPPED ? "stopped by a signal" :
	       w < 0 ? "could not run" : ob_proc_status_text(st, buf, sizeof(buf)));
}

pid_t ob_lc_read_pid(const char *path)
{
	char *text = NULL;
	size_t len;
	long pid = -1;

	/* no file is the caller's "no pid in PATH" */
	if (ob_read_file(path, &text, &len, NULL) == 0)
		pid = strtol(text, NULL, 10);
	free(text);
	return pid > 0 ? (pid_t)pid : -1;
}

static bool ok_exit(int w, int st)
{
	return w == OB_WAIT_DONE && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A timed step on the container: "RUNTIME sub id", whose span (spawn to
 * reap, *t0 to *t1, nothing else in it) is r's phase ph when it exits 0;
 * else r says how it failed.  Returns whether it succeeded. */
static bool timed_step(const struct ob_runtime *rt, const struct io *io, int out,
		       const char *sub, const char *id, uint64_t deadline, int ph,
		       struct ob_lc_result *r, uint64_t *t0, uint64_t *t1)
{
	const char *const args[] = { id, NULL };
	int st, w = rt_cmd(rt, io, out, sub, args, deadline, true, &st, t0, t1);

	if (!ok_exit(w, st)) {
		ob_lc_step_failed(r, sub, w, st);
		return false;
	}
	set_phase(r, ph, *t0, *t1);
	return true;
}

static void container_exit(struct ob_lc_result *r, int st, const struct ob_bundle *b)
{
	json_error_t jerr;

	r->exit_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->workload = json_load_file(b->out, 0, &jerr);
	if (r->workload && !json_is_object(r->workload)) {
		json_decref(r->workload);
		r->workload = NULL;
	}
	if (r->exit_status == 0 && r->workload) {
		r->status = OB_LC_OK;
	} else if (r->exit_status == 77) {
		r->status = OB_LC_UNSUPPORTED;
		ob_err(&r->err, OB_EXIT_UNSUPPORTED, 0, "workload: unsupported here (exit 77)");
	} else {
		r->status = OB_LC_FAILED;
		ob_err(&r->err, OB_EXIT_FAIL, 0, "workload: exit %d%s", r->exit_status,
		       r->workload ? "" : ", no JSON on stdout");
	}
}

/* Kata's runtime gives up when the guest's agent does not answer its
 * gRPC check within a fixed 20 s (grpc's minimum connect timeout) after
 * the VM started: under QEMU's software CPU on a loaded host a boot can take
 * longer.  Whether the create that wrote from offset `from` of errlog on
 * failed that way. */
static bool agent_startup_failed(const struct ob_runtime *rt, const char *errlog, off_t from)
{
	char buf[4096];
	ssize_t n;
	int fd;

	if (!(rt->quirks & OB_RTQ_KATA_CONFIG) || from < 0 || (fd = open(errlog, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = pread(fd, buf, sizeof(buf) - 1, from);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "Failed to check if grpc server is working") != NULL;
}

bool ob_lc_create_again(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
			off_t from, int attempts)
{
	struct ob_error err;
	int fd;

	if (attempts >= KATA_CREATE_TRIES || ob_proc_stop_signal() ||
	    !agent_startup_failed(rt, b->errlog, from))
		return false;
	/* the guest's agent did not answer in time (a slow TCG boot): a new
	 * sandbox */
	ob_lc_force_delete(rt, id);
	fd = open(b->errlog, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (b->before_retry && b->before_retry(b->retry_arg, &err) < 0) {
		if (fd >= 0) {
			dprintf(fd, "ocibench: Kata agent start-up failed, no new try: %s\n", err.msg);
			close(fd);
		}
		return false;
	}
	if (fd >= 0) {
		dprintf(fd, "ocibench: Kata agent start-up failed, create tried again\n");
		close(fd);
	}
	return true;
}

/* The bundle's stdio files; -1 with r->err set when one cannot be opened. */
static int open_io(const struct ob_bundle *b, struct io *io, struct ob_lc_result *r)
{
	io->in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	io->out = open(b->out, O_WRONLY | O_APPEND | O_CLOEXEC);
	io->err = open(b->errlog, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (io->in >= 0 && io->out >= 0 && io->err >= 0)
		return 0;
	return ob_err(&r->err, OB_EXIT_FAIL, errno, "opening the bundle's stdio files");
}

static void close_io(struct io *io)
{
	for (int *fd = &io->in; fd <= &io->err; fd++)
		if (*fd >= 0)
			close(*fd);
}

/* The end of a run that did not get through: delete --force, stderr tail. */
static void give_up(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
		    struct ob_lc_result *r)
{
	ob_ready_stop(&r->ready);
	ob_lc_force_delete(rt, id);
	if (r->status != OB_LC_OK && !r->stderr_tail)
		r->stderr_tail = ob_lc_tail(b->errlog);
}

/* The end of create or start: 0 when r is OK, else the container is
 * deleted (--force) and -1. */
static int step_end(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
		    struct io *io, struct ob_lc_result *r)
{
	close_io(io);
	if (r->status == OB_LC_OK)
		return 0;
	give_up(rt, b, id, r);
	return -1;
}

int ob_lc_create(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
		 uint64_t deadline, struct ob_lc_result *r, pid_t *pid)
{
	struct io io;
	uint64_t t0, t1;
	int st, w;

	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
	r->status = OB_LC_FAILED;
	if (open_io(b, &io, r) < 0)
		goto fail;

	const char *const create_args[] = { "--bundle", b->dir, "--pid-file", b->pidfile, id, NULL };

	for (;;) {
		off_t before = lseek(io.err, 0, SEEK_END);

		r->create_attempts++;
		w = rt_cmd(rt, &io, io.out, "create", create_args, deadline, true, &st, &t0, &t1);
		/* only the last create is timed */
		if (ok_exit(w, st) || w != OB_WAIT_DONE ||
		    !ob_lc_create_again(rt, b, id, before, r->create_attempts))
			break;
	}
	if (!ok_exit(w, st)) {
		ob_lc_step_failed(r, "create", w, st);
		goto fail;
	}
	set_phase(r, OB_PH_CREATE, t0, t1);
	*pid = ob_lc_read_pid(b->pidfile);
	if (*pid < 0) {
		ob_err(&r->err, OB_EXIT_FAIL, 0, "create: no pid in %s", b->pidfile);
		goto fail;
	}
	ob_test_stop_point("create"); /* (outside the timed spans, like the others) */
	r->status = OB_LC_OK;
fail:
	return step_end(rt, b, id, &io, r);
}

int ob_lc_start(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
		uint64_t deadline, struct ob_lc_result *r)
{
	struct io io;
	uint64_t t0, t1;
	bool ok;

	r->status = OB_LC_FAILED;
	if (open_io(b, &io, r) < 0)
		goto fail;
	if (ob_ready_start(&r->ready, b->errlog, &r->err) < 0)
		goto fail;
	ok = timed_step(rt, &io, io.err, "start", id, deadline, OB_PH_START, r, &t0, &t1);
	r->start_issued_ns = t0;
	if (!ok)
		goto fail;
	r->status = OB_LC_OK;
	r->started_ns = t1;
	ob_test_stop_point("start");
fail:
	return step_end(rt, b, id, &io, r);
}

int ob_lc_up(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
	     uint64_t deadline, struct ob_lc_result *r, pid_t *pid)
{
	if (ob_lc_create(rt, b, id, deadline, r, pid) < 0)
		return -1;
	return ob_lc_start(rt, b, id, deadline, r);
}

int ob_lc_wait(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id, pid_t pid,
	       uint64_t deadline, struct ob_lc_result *r)
{
	struct ob_error err;
	uint64_t tw;
	int st, w;

	r->status = OB_LC_FAILED;
	w = ob_proc_wait(pid, deadline, true, &st, &tw, &err);
	if (w != OB_WAIT_DONE) {
		ob_lc_step_failed(r, "wait", w, 0);
		if (w < 0) {
			r->err = err;
			ob_err_wrap(&r->err, "wait");
		}
		give_up(rt, b, id, r);
		return -1;
	}
	set_phase(r, OB_PH_WAIT, r->started_ns, tw);
	r->ready_ns = ob_ready_stop(&r->ready);
	container_exit(r, st, b);
	ob_test_stop_point("wait");
	return 0;
}

void ob_lc_delete(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
		  uint64_t deadline, struct ob_lc_result *r)
{
	struct io io;
	uint64_t t0, t1;

	if (open_io(b, &io, r) < 0) {
		r->status = OB_LC_FAILED;
		goto fail;
	}

	enum ob_lc_status keep = r->status;
	struct ob_error keep_err = r->err;

	if (!timed_step(rt, &io, io.err, "delete", id, deadline, OB_PH_DELETE, r, &t0, &t1))
		goto fail;
	r->status = keep;
	r->err = keep_err;
	ob_test_stop_point("delete");
	if (r->status != OB_LC_OK)
		r->stderr_tail = ob_lc_tail(b->errlog);
	close_io(&io);
	return;
fail:
	close_io(&io);
	give_up(rt, b, id, r);
}

void ob_lc_down(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id, pid_t pid,
		uint64_t deadline, struct ob_lc_result *r)
{
	if (ob_lc_wait(rt, b, id, pid, deadline, r) == 0)
		ob_lc_delete(rt, b, id, deadline, r);
}

void ob_lc_run(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
	       uint64_t deadline, struct ob_lc_result *r)
{
	pid_t pid;

	if (ob_lc_up(rt, b, id, deadline, r, &pid) == 0)
		ob_lc_down(rt, b, id, pid, deadline, r);
}

double ob_lc_first_instruction_ms(const struct ob_lc_result *r, const char **why)
{
	double fi, bound;

	*why = NULL;
	if (r->status != OB_LC_OK || !r->have[OB_PH_START] || !r->have[OB_PH_WAIT]) {
		*why = "the container did not run to its end";
		return NAN;
	}
	if (r->ready_ns == 0) {
		*why = "the workload's ready token never reached the host";
		return NAN;
	}
	/* both ends on the runner's CLOCK_MONOTONIC */
	fi = ((double)r->ready_ns - (double)r->start_issued_ns) / 1e6;
	bound = r->phase_ms[OB_PH_START] + r->phase_ms[OB_PH_WAIT];
	if (fi < 0) {
		*why = "the ready token arrived before start was issued";
		return NAN;
	}
	if (fi > bound) {
		*why = "the ready token arrived after the container had exited (start + wait)";
		return NAN;
	}
	return fi;
}

void ob_lc_result_clear(struct ob_lc_result *r)
{
	ob_ready_stop(&r->ready);
	json_decref(r->workload);
	json_decref(r->extra);
	free(r->stderr_tail);
	memset(r, 0, sizeof(*r));
}

void ob_lc_fail(struct ob_lc_result *r, enum ob_lc_status st, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(r->err.msg)];

	r->status = st;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ob_err(&r->err, OB_EXIT_FAIL, 0, "%s", msg);
}

void ob_lc_fail_err(struct ob_lc_result *r, enum ob_lc_status st, const char *step,
		    const struct ob_error *err)
{
	r->status = st;
	r->err = *err;
	if (step != NULL)
		ob_err_wrap(&r->err, "%s", step);
}
