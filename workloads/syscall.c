/* syscall.c - UnixBench v6 "syscall" (System Call Overhead) in the harness.
 *
 * One iteration is UnixBench's loop body:
 *   mix     dup+close of a private pipe read end, raw syscall(SYS_getpid),
 *           getuid(), umask(022)                     (5 kernel entries)
 *   close   dup+close only
 *   getpid  raw syscall(SYS_getpid) only
 *   exec    fork; the child execs this very binary (/proc/self/exe) with
 *           OB_ARG_EXIT_NOW, which exits at once (UnixBench execs
 *           /bin/true, which a minimal container may not have); waitpid
 * One event is a fixed batch of iterations (--syscall-batch), so the count
 * is exact: iterations = events x batch.  UnixBench counts iterations
 * until SIGALRM instead; here --time ends the run between batches.
 * Threads are UnixBench's parallel copies: each has its own pipe.
 *
 * lps = iterations / total time; index = lps / 15000 x 10 (the baseline of
 * pgms/index.base, "syscall|10|lps|15000|15000|2").
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workload.h"

#define BASELINE_LPS 15000.0
#define SELF_EXE "/proc/self/exe"

enum { MODE_MIX, MODE_CLOSE, MODE_GETPID, MODE_EXEC };

static const char *const mode_names[] = {"mix", "close", "getpid", "exec", NULL};

struct sys_opts {
	int mode;
	long long batch;
};

static const struct ob_opt sys_opts[] = {
	{"mode", OB_OPT_CHOICE, offsetof(struct sys_opts, mode), "mix", 0, 0, mode_names,
	 "loop body: mix (UnixBench's), close, getpid or exec"},
	{"syscall-batch", OB_OPT_INT, offsetof(struct sys_opts, batch), "0", 0, 1000000000, NULL,
	 "iterations per event (0 = 1000, or 1 for exec)"},
	{NULL},
};

extern char **environ;

/* Per-thread state (t->priv). */
struct sys_thread {
	int fd; /* read end of a private pipe (mix, close); -1 otherwise */
};

static long long batch_of(const struct sys_opts *o)
{
	if (o->batch > 0)
		return o->batch;
	return o->mode == MODE_EXEC ? 1 : 1000;
}

/* ---- the measured loop bodies -------------------------------------------- */

static int dup_close(int fd, struct ob_error *err)
{
	int d = dup(fd);

	if (d < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "dup(%d)", fd);
	close(d);
	return 0;
}

static int fork_exec_self(struct ob_error *err)
{
	static char arg0[] = SELF_EXE, arg1[] = OB_ARG_EXIT_NOW;
	char *argv[] = {arg0, arg1, NULL};
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "fork");
	if (pid == 0) {
		execve(SELF_EXE, argv, environ);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "waitpid(%d)", (int)pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return ob_err(err, OB_EXIT_FAIL, 0, "the exec'd child %s %s ended with status 0x%x",
			      SELF_EXE, OB_ARG_EXIT_NOW, (unsigned)status);
	return 0;
}

static int sys_execute(struct ob_thread *t, const struct ob_event *ev, struct ob_error *err)
{
	const struct sys_opts *o = t->run->opts;
	const struct sys_thread *st = t->priv;
	long long n = o->batch;

	(void)ev;
	switch (o->mode) {
	case MODE_MIX:
		for (long long i = 0; i < n; i++) {
			if (dup_close(st->fd, err) < 0)
				return -1;
			syscall(SYS_getpid);
			getuid();
			umask(022);
		}
		return 0;
	case MODE_CLOSE:
		for (long long i = 0; i < n; i++)
			if (dup_close(st->fd, err) < 0)
				return -1;
		return 0;
	case MODE_GETPID:
		for (long long i = 0; i < n; i++)
			syscall(SYS_getpid);
		return 0;
	default:
		for (long long i = 0; i < n; i++)
			if (fork_exec_self(err) < 0)
				return -1;
		return 0;
	}
}

/* ---- hooks ---------------------------------------------------------------- */

static int sys_init(struct ob_run *run, struct ob_error *err)
{
	struct sys_opts *o = run->opts;

	o->batch = batch_of(o); /* the effective value goes into params */
	if (o->mode != MODE_EXEC)
		return 0;
	if (access(SELF_EXE, X_OK) < 0)
		return ob_err(err, OB_EXIT_UNSUPPORTED, errno,
			      "--mode=exec re-executes %s, which is not available here", SELF_EXE);
	/* one untimed probe: the kernel may be unable to run this binary itself
	 * (user-mode emulation without binfmt_misc) */
	if (fork_exec_self(err) < 0) {
		char why[sizeof(err->msg)];

		/* ob_err() formats into err->msg: the cause must be copied out first */
		snprintf(why, sizeof(why), "%s", err->msg);
		return ob_err(err, OB_EXIT_UNSUPPORTED, 0,
			      "--mode=exec: this program cannot re-execute itself here (%.600s); "
			      "under user-mode emulation register it with binfmt_misc", why);
	}
	return 0;
}

static int sys_thread_init(struct ob_thread *t, struct ob_error *err)
{
	const struct sys_opts *o = t->run->opts;
	struct sys_thread *st = calloc(1, sizeof(*st));
	int p[2];

	if (st == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "thread %u state", t->id);
	st->fd = -1;
	t->priv = st;
	if (o->mode != MODE_MIX && o->mode != MODE_CLOSE)
		return 0;
	/* UnixBench v6: a pipe, its write end closed, the read end is the fd. */
	if (pipe2(p, O_CLOEXEC) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "thread %u: pipe", t->id);
	close(p[1]);
	st->fd = p[0];
	return 0;
}

static void sys_thread_fini(struct ob_thread *t)
{
	struct sys_thread *st = t->priv;

	if (st == NULL)
		return;
	if (st->fd >= 0)
		close(st->fd);
	free(st);
	t->priv = NULL;
}

static int sys_next_event(struct ob_thread *t, struct ob_event *ev)
{
	(void)t;
	ev->op = 0;
	return OB_EV_READY;
}

/* ---- reports -------------------------------------------------------------- */

struct sys_figures {
	unsigned long long iterations;
	double lps, index;
};

static struct sys_figures figures(const struct ob_run *run)
{
	const struct sys_opts *o = run->opts;
	struct sys_figures f;

	f.iterations = (unsigned long long)run->total.count * (unsigned long long)o->batch;
	f.lps = (double)f.iterations / ob_ns_to_s(run->elapsed_ns);
	f.index = f.lps / BASELINE_LPS * 10.0;
	return f;
}

static void sys_header(const struct ob_run *run, FILE *f)
{
	const struct sys_opts *o = run->opts;

	fprintf(f, "Running the System Call Overhead test (UnixBench v6 syscall) with the following options:\n");
	fprintf(f, "  mode: %s\n", mode_names[o->mode]);
	fprintf(f, "  iterations per event: %lld\n\n", batch_of(o));
}

static void sys_text(const struct ob_run *run, FILE *f)
{
	const struct sys_opts *o = run->opts;
	struct sys_figures s = figures(run);
	char name[64];

	snprintf(name, sizeof(name), "System Call Overhead%s%s", o->mode == MODE_MIX ? "" : " ",
		 o->mode == MODE_MIX ? "" : mode_names[o->mode]);
	fprintf(f, "Iterations: %llu (%.1f lps)\n\n", s.iterations, s.lps);
	fprintf(f, "%-40s%12s %12s %8s\n", "System Benchmarks Index Values", "BASELINE", "RESULT",
		"INDEX");
	fprintf(f, "%-40s%12.1f %12.1f %8.1f\n\n", name, BASELINE_LPS, s.lps, s.index);
}

static void sys_json(const struct ob_run *run, json_t *root)
{
	struct sys_figures s = figures(run);

	json_object_set_new(root, "iterations", json_integer((json_int_t)s.iterations));
	json_object_set_new(root, "lps", json_real(s.lps));
	json_object_set_new(root, "index", json_real(s.index));
	json_object_set_new(root, "baseline_lps", json_real(BASELINE_LPS));
}

const struct ob_workload ob_workload = {
	.name = "syscall",
	.summary = "System Call Overhead: UnixBench v6 syscall loop (mix, close, getpid, exec)",
	.opts = sys_opts,
	.opts_size = sizeof(struct sys_opts),
	.init = sys_init,
	.thread_init = sys_thread_init,
	.next_event = sys_next_event,
	.execute = sys_execute,
	.thread_fini = sys_thread_fini,
	.print_header = sys_header,
	.report_text = sys_text,
	.report_json = sys_json,
};
