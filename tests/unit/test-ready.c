/* Unit tests of lib/ob-ready.c: the runner's readiness watcher sees the
 * token written after the watch began, in a file that may appear later,
 * in the form the file stores it, and nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ob-clock.h"
#include "ob-ready.h"

static char dir[] = "/tmp/ob-ready-XXXXXX";

static void put(const char *name, const char *text)
{
	char p[128];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "a");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The token's arrival, waited for (a generous bound: no timing is asserted). */
static uint64_t arrival(struct ob_ready *r)
{
	for (int i = 0; i < 2000 && !ob_ready_at(r); i++)
		usleep(5000);
	return ob_ready_stop(r);
}

static void watch(struct ob_ready *r, const char *name, const char *token)
{
	char p[128];
	struct ob_error err;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	assert_int_equal(ob_ready_start_token(r, p, token, &err), 0);
}

/* An engine's log is made when the container starts: after the watch. */
static void file_made_later(void **state)
{
	struct ob_ready r;
	uint64_t before;

	(void)state;
	watch(&r, "later.log", NULL);
	before = ob_now_ns();
	put("later.log", "noise\n" OB_READY_TOKEN);
	assert_true(arrival(&r) >= before);
}

/* What the file held before the watch, other files' tokens and lines that
 * only look alike do not count: the arrival is the real token's. */
static void only_new_token_in_that_file(void **state)
{
	struct ob_ready r;
	uint64_t before;

	(void)state;
	put("old.log", OB_READY_TOKEN);
	watch(&r, "old.log", NULL);
	put("other.log", OB_READY_TOKEN);
	put("old.log", "ocibench: not ready\n");
	usleep(50000);
	before = ob_now_ns();
	put("old.log", OB_READY_TOKEN);
	assert_true(arrival(&r) >= before);
}

/* Docker's json-file log stores each line as a JSON string. */
static void json_form(void **state)
{
	struct ob_ready r, plain;
	uint64_t before;

	(void)state;
	watch(&r, "ctr-json.log", OB_READY_TOKEN_JSON);
	watch(&plain, "ctr-json.log", NULL);
	before = ob_now_ns();
	put("ctr-json.log", "{\"log\":\"ocibench: ready\\n\",\"stream\":\"stderr\"}\n");
	assert_true(arrival(&r) >= before);
	assert_int_equal(ob_ready_stop(&plain), 0);
}

/* A token and clock line written now into name: this process's reading of
 * CLOCK_MONOTONIC (*ns) with its own clock names, or the ones given. */
static void clock_line(const char *name, const char *boot, long ino, uint64_t *ns)
{
	char line[200], own[64] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	struct stat st;

	assert_non_null(f);
	assert_non_null(fgets(own, sizeof(own), f));
	fclose(f);
	own[strcspn(own, "\n")] = '\0';
	assert_int_equal(stat("/proc/self/ns/time", &st), 0);
	*ns = ob_now_ns();
	snprintf(line, sizeof(line), OB_READY_TOKEN OB_READY_CLOCK "%llu %s %lu\n", (unsigned long long)*ns,
		 boot ? boot : own, ino >= 0 ? (unsigned long)ino : (unsigned long)st.st_ino);
	put(name, line);
}

/* The workload's own reading counts when its clock is ours (this kernel's
 * boot, our time namespace), in the watched file, written after the watch
 * began; never another clock's. */
static void workload_clock(void **state)
{
	struct ob_ready r;
	const char *why;
	uint64_t ns;

	(void)state;
	watch(&r, "clock.log", NULL);
	clock_line("clock.log", NULL, -1, &ns);
	assert_int_equal(ob_ready_clock(&r, &why), ns);
	assert_null(why);
	ob_ready_stop(&r);

	watch(&r, "clock.log", NULL); /* the line above was before this watch */
	assert_int_equal(ob_ready_clock(&r, &why), 0);
	assert_non_null(why);
	clock_line("clock.log", "00000000-0000-0000-0000-000000000000", -1, &ns);
	assert_int_equal(ob_ready_clock(&r, &why), 0); /* another kernel */
	assert_non_null(strstr(why, "not the host's"));
	ob_ready_stop(&r);

	watch(&r, "clock.log", NULL);
	clock_line("clock.log", NULL, 1, &ns); /* another time namespace */
	assert_int_equal(ob_ready_clock(&r, &why), 0);
	ob_ready_stop(&r);

	watch(&r, "clock.log", NULL); /* what gVisor's sentry writes */
	put("clock.log", OB_READY_TOKEN OB_READY_CLOCK "133690231 - 0\n");
	assert_int_equal(ob_ready_clock(&r, &why), 0);
	ob_ready_stop(&r);
}

/* A watch that never saw its token stops cleanly, twice. */
static void never(void **state)
{
	struct ob_ready r;

	(void)state;
	watch(&r, "never.log", NULL);
	assert_int_equal(ob_ready_stop(&r), 0);
	assert_int_equal(ob_ready_stop(&r), 0);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(file_made_later),
		cmocka_unit_test(only_new_token_in_that_file),
		cmocka_unit_test(json_form),
		cmocka_unit_test(never),
		cmocka_unit_test(workload_clock),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
