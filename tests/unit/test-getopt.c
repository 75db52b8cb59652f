/* Unit tests of workloads/ob-getopt.c: short flags, fixed values, long prefixes,
 * errors, and values still checked by ob-opt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ob-getopt.h"

struct o {
	bool server;
	const char *client;
	long long port;
	double time;
	uint64_t length;
	int format;
};

static const char *const formats[] = {"text", "json", NULL};

static const struct ob_opt opts[] = {
	{"server", OB_OPT_BOOL, offsetof(struct o, server), "off", 0, 0, NULL, "server"},
	{"client", OB_OPT_STRING, offsetof(struct o, client), NULL, 0, 0, NULL, "client"},
	{"port", OB_OPT_INT, offsetof(struct o, port), "5201", 1, 65535, NULL, "port"},
	{"time", OB_OPT_DOUBLE, offsetof(struct o, time), "10", 0.001, 100, NULL, "time"},
	{"length", OB_OPT_SIZE, offsetof(struct o, length), "0", 0, 0, NULL, "length"},
	{"format", OB_OPT_CHOICE, offsetof(struct o, format), "text", 0, 0, formats, "format"},
	{NULL},
};

static const struct ob_short shorts[] = {
	{'s', "server", NULL}, {'c', "client", NULL}, {'p', "port", NULL},
	{'t', "time", NULL},   {'l', "length", NULL}, {'J', "format", "json"}, {0},
};

static int parse(struct o *o, struct ob_error *err, int argc, char **argv)
{
	struct ob_optset set = {opts, o};
	char *pos[16];
	int npos;

	memset(o, 0, sizeof(*o));
	assert_int_equal(ob_opt_defaults(&set, 1, err), 0);
	return ob_getopt_parse(&set, 1, shorts, argc, argv, pos, &npos, err);
}

static void test_short_and_long(void **state)
{
	char *argv[] = {"x", "-c", "::1", "-p5202", "-t", "2.5", "-l", "64K", "-J", NULL};
	char *argv2[] = {"x", "--serv", "--time=3", "--format", "text", NULL};
	struct ob_error err = {0};
	struct o o;

	assert_int_equal(parse(&o, &err, 9, argv), OB_OPT_OK);
	assert_string_equal(o.client, "::1");
	assert_int_equal(o.port, 5202);
	assert_true(o.time == 2.5);
	assert_int_equal(o.length, 65536);
	assert_int_equal(o.format, 1);
	assert_false(o.server);
	assert_int_equal(parse(&o, &err, 5, argv2), OB_OPT_OK); /* unique prefix */
	assert_true(o.server);
	assert_true(o.time == 3);
	assert_int_equal(o.format, 0);
}

static void test_errors(void **state)
{
	char *bad_value[] = {"x", "-t", "abc", NULL};
	char *range[] = {"x", "-p", "0", NULL};
	char *unknown[] = {"x", "-x", NULL};
	char *missing[] = {"x", "-c", NULL};
	char *unknown_long[] = {"x", "--nope", NULL};
	char *help[] = {"x", "-h", NULL};
	struct ob_error err = {0};
	struct o o;

	assert_int_equal(parse(&o, &err, 3, bad_value), -1);
	assert_int_equal(err.status, OB_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "'abc' for --time"));
	assert_int_equal(parse(&o, &err, 3, range), -1);
	assert_non_null(strstr(err.msg, "'0' for --port"));
	assert_int_equal(parse(&o, &err, 2, unknown), -1);
	assert_non_null(strstr(err.msg, "'-x'"));
	assert_int_equal(parse(&o, &err, 2, missing), -1);
	assert_non_null(strstr(err.msg, "-c needs a value"));
	assert_int_equal(parse(&o, &err, 2, unknown_long), -1);
	assert_non_null(strstr(err.msg, "--nope"));
	assert_int_equal(parse(&o, &err, 2, help), OB_OPT_HELP);
}

static void test_positional(void **state)
{
	char *argv[] = {"x", "extra", "-s", NULL};
	struct ob_optset set;
	struct ob_error err = {0};
	char *pos[4];
	int npos;
	struct o o;

	memset(&o, 0, sizeof(o));
	set = (struct ob_optset){opts, &o};
	assert_int_equal(ob_opt_defaults(&set, 1, &err), 0);
	assert_int_equal(ob_getopt_parse(&set, 1, shorts, 3, argv, pos, &npos, &err), OB_OPT_OK);
	assert_int_equal(npos, 1);
	assert_string_equal(pos[0], "extra");
	assert_true(o.server);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_and_long),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_positional),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
