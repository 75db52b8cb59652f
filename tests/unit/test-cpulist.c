/* Unit tests of workloads/ob-cpulist.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ob-cpulist.h"

static void test_parse(void **state)
{
	struct ob_error err = {0};
	cpu_set_t set;

	(void)state;
	assert_int_equal(ob_cpulist_parse("0", &set, &err), 0);
	assert_int_equal(CPU_COUNT(&set), 1);
	assert_true(CPU_ISSET(0, &set));
	assert_int_equal(ob_cpulist_nth(&set, 0), 0);
	assert_int_equal(ob_cpulist_nth(&set, 5), 0);
}

static void test_range_and_nth(void **state)
{
	struct ob_error err = {0};
	cpu_set_t allowed, set;
	int first = -1, last = -1;

	(void)state;
	/* build "first-last" from what this process may use */
	assert_int_equal(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed)) {
			if (first < 0)
				first = c;
			last = c;
		}
	if (CPU_COUNT(&allowed) == last - first + 1) {
		char text[32];

		snprintf(text, sizeof(text), "%d-%d", first, last);
		assert_int_equal(ob_cpulist_parse(text, &set, &err), 0);
		assert_int_equal(CPU_COUNT(&set), last - first + 1);
		assert_int_equal(ob_cpulist_nth(&set, 1), first + (last > first));
	}
}

static void expect_bad(const char *text)
{
	struct ob_error err = {0};
	cpu_set_t set;

	assert_int_equal(ob_cpulist_parse(text, &set, &err), -1);
	assert_int_equal(err.status, OB_EXIT_USAGE);
	assert_non_null(strstr(err.msg, text));
}

static void test_bad(void **state)
{
	(void)state;
	expect_bad("");
	expect_bad("abc");
	expect_bad("1-0");
	expect_bad("0,");
	expect_bad("0-");
	expect_bad("-1");
	expect_bad("0x1");
	expect_bad("100000");
	expect_bad("1023"); /* not available to this process on a small machine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_range_and_nth),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
