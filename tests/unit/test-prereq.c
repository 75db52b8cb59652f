/* Unit tests of runner/oci/prereq.c: holds of one lock file by several
 * "runs" (descriptors of this process, and a child killed with SIGKILL);
 * the lock as the kernel sees it is asked through a descriptor of its own. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "prereq.h"

static char dir[64], lock[96];
static bool made;             /* the prerequisite, as the host has it */
static int provided, undone;  /* calls */
static bool fail_provide;     /* provide fails (after making it) */
static bool exclusive_seen;   /* provide and undo ran with no other holder */
static int replace_at = -1;   /* ready() replaces the lock file at this call */
static int ready_calls;

/* Whether another open file description could lock the file with op now. */
static bool lockable(int op)
{
	int fd = open(lock, O_RDWR | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = flock(fd, op | LOCK_NB) == 0;
	close(fd);
	return ok;
}

static bool ready(void *ctx)
{
	(void)ctx;
	/* another run's last release and a new run between two asks: the
	 * file at the path is not the one locked */
	if (ready_calls++ == replace_at) {
		unlink(lock);
		close(open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644));
	}
	return made;
}

static int provide(void *ctx, FILE *log, struct ob_error *err)
{
	assert_string_equal(ctx, "ctx");
	(void)log;
	provided++;
	exclusive_seen = !lockable(LOCK_SH);
	made = true;
	if (fail_provide)
		return ob_err(err, OB_EXIT_FAIL, 0, "cannot provide");
	return 0;
}

static int undo(FILE *log)
{
	(void)log;
	undone++;
	exclusive_seen = !lockable(LOCK_SH);
	made = false;
	unlink(lock); /* as binfmt's undo does: the file goes last */
	return 1;
}

static const struct ob_prereq p = {
	.lock = lock, .setups = 3, .ready = ready, .provide = provide, .undo = undo
};

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/ob-prereq.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(lock, sizeof(lock), "%s/test.lock", dir);
	made = fail_provide = exclusive_seen = false;
	provided = undone = ready_calls = 0;
	replace_at = -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(lock);
	return rmdir(dir);
}

static void test_set_up_once_undone_by_the_last(void **state)
{
	struct ob_error err = { 0 };
	int a, b;

	(void)state;
	a = ob_prereq_hold(&p, "ctx", stderr, &err);
	assert_true(a >= 0);
	assert_int_equal(provided, 1);
	assert_true(exclusive_seen);
	assert_true(made);
	/* held shared: another run may hold it too, none may change it */
	assert_true(lockable(LOCK_SH));
	assert_false(lockable(LOCK_EX));
	b = ob_prereq_hold(&p, "ctx", stderr, &err);
	assert_true(b >= 0);
	assert_int_equal(provided, 1); /* found in place */
	ob_prereq_release(&p, &a, stderr);
	assert_int_equal(a, -1);
	assert_int_equal(undone, 0); /* b still needs it */
	assert_true(made);
	ob_prereq_release(&p, &b, stderr);
	assert_int_equal(undone, 1);
	assert_true(exclusive_seen);
	assert_false(made);
	ob_prereq_release(&p, &b, stderr); /* none held: nothing */
	assert_int_equal(undone, 1);
}

static void test_failed_set_up_undone(void **state)
{
	struct ob_error err = { 0 };

	(void)state;
	fail_provide = true;
	assert_int_equal(ob_prereq_hold(&p, "ctx", stderr, &err), -1);
	assert_string_equal(err.msg, "cannot provide");
	assert_int_equal(undone, 1);
	assert_false(made);
	assert_int_equal(ob_prereq_cleanup(&p, stderr), 0);
}

static void test_cleanup(void **state)
{
	struct ob_error err = { 0 };
	int a;

	(void)state;
	/* no lock file: nothing was made, none is created */
	assert_int_equal(ob_prereq_cleanup(&p, stderr), 0);
	assert_int_equal(access(lock, F_OK), -1);
	a = ob_prereq_hold(&p, "ctx", stderr, &err);
	assert_true(a >= 0);
	assert_int_equal(ob_prereq_cleanup(&p, stderr), 0); /* a run holds it */
	assert_int_equal(undone, 0);
	ob_prereq_release(&p, &a, stderr);
	assert_int_equal(undone, 1);
}

/* A run killed while it holds the prerequisite: its lock goes with it, and
 * cleanup undoes what it made. */
static void test_killed_holder(void **state)
{
	struct ob_error err = { 0 };
	int pipefd[2], st;
	char c;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = ob_prereq_hold(&p, "ctx", stderr, &err);

		if (fd < 0 || write(pipefd[1], "h", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	close(pipefd[0]);
	assert_int_equal(ob_prereq_cleanup(&p, stderr), 0); /* held by the child */
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(ob_prereq_cleanup(&p, stderr), 1);
	assert_int_equal(undone, 1); /* this process's count: cleanup's */
	assert_int_equal(access(lock, F_OK), -1);
}

/* The lock file replaced while a hold waited: the hold ends on the file at
 * the path, asked again whether it is ready there. */
static void test_replaced_lock_file(void **state)
{
	struct ob_error err = { 0 };
	struct stat a, b;
	int fd;

	(void)state;
	made = true;
	replace_at = 0;
	fd = ob_prereq_hold(&p, "ctx", stderr, &err);
	assert_true(fd >= 0);
	assert_int_equal(provided, 0);
	assert_true(ready_calls >= 2);
	assert_int_equal(fstat(fd, &a), 0);
	assert_int_equal(stat(lock, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	assert_false(lockable(LOCK_EX));
	ob_prereq_release(&p, &fd, stderr);
	assert_int_equal(undone, 1);
}

static bool never_ready(void *ctx)
{
	(void)ctx;
	return false;
}

/* Never ready: set up p.setups times, then the caller gets what is there. */
static void test_setups_bounded(void **state)
{
	struct ob_prereq q = p;
	struct ob_error err = { 0 };
	int fd;

	(void)state;
	q.ready = never_ready;
	fd = ob_prereq_hold(&q, "ctx", stderr, &err);
	assert_true(fd >= 0);
	assert_int_equal(provided, q.setups);
	assert_false(lockable(LOCK_EX));
	ob_prereq_release(&q, &fd, stderr);
	assert_int_equal(undone, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_up_once_undone_by_the_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_set_up_undone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cleanup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replaced_lock_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setups_bounded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
