/* Unit tests of runner/oci/proc.c: a child's wait never takes the exit
 * status of an earlier process that had the same pid.  The runner is a
 * subreaper and remembers the statuses of orphans it reaps for nobody; the
 * kernel reuses pids.  The test makes the reuse happen on purpose, in a pid
 * namespace of its own (root), where ns_last_pid names the next pid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ob-clock.h"
#include "proc.h"

#define SEC 1000000000ull

static pid_t spawn(char *const *argv)
{
	struct ob_error err;
	struct ob_spawn sp = { .argv = argv, .in = 0, .out = 1, .err = 2 };
	pid_t pid;

	assert_int_equal(ob_proc_spawn(&sp, &pid, &err), 0);
	return pid;
}

/* An exited child reaped for nobody (as an orphan is), then a new child
 * given its pid: waiting for the new one waits for it, and gets its status. */
static void reused_pid(void **state)
{
	char *const quick[] = { "/bin/true", NULL };
	char *const slow[] = { "/bin/sh", "-c", "sleep 0.3; exit 3", NULL };
	struct ob_error err;
	uint64_t t0, t1;
	int st, fd;
	char buf[32];

	(void)state;
	assert_int_equal(ob_proc_setup(&err), 0);
	pid_t a = spawn(quick);

	/* reaped and remembered, never taken */
	for (int i = 0; i < 200 && kill(a, 0) == 0; i++) {
		ob_proc_reap();
		usleep(10000);
	}
	ob_proc_reap();
	/* the next fork gets a's pid */
	snprintf(buf, sizeof(buf), "%ld", (long)a - 1);
	fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, strlen(buf)), (ssize_t)strlen(buf));
	close(fd);
	t0 = ob_now_ns();
	pid_t b = spawn(slow);

	assert_int_equal(b, a);
	assert_int_equal(ob_proc_wait(b, ob_now_ns() + 30 * SEC, false, &st, &t1, &err), OB_WAIT_DONE);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 3);
	assert_true(t1 > t0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reused_pid),
	};

	if (getuid() != 0) {
		printf("1..0 # SKIP needs root (a pid namespace of its own)\n");
		return 0;
	}
	/* The tests run as pid 1 of a new pid namespace, with its own /proc.
	 * A middle process makes the namespace and leaves with _exit: after
	 * unshare(CLONE_NEWPID) it can fork no more once that pid 1 is gone,
	 * which LeakSanitizer's check at exit needs (sanitizer builds). */
	pid_t mid = fork();
	int st;

	if (mid < 0)
		return 99;
	if (mid > 0)
		return waitpid(mid, &st, 0) == mid && WIFEXITED(st) ? WEXITSTATUS(st) : 99;
	if (unshare(CLONE_NEWPID | CLONE_NEWNS) < 0) {
		printf("1..0 # SKIP unshare: %s\n", strerror(errno));
		fflush(stdout);
		_exit(0);
	}
	pid_t init = fork();

	if (init < 0)
		_exit(99);
	if (init > 0)
		_exit(waitpid(init, &st, 0) == init && WIFEXITED(st) ? WEXITSTATUS(st) : 99);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return 99;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
