/* Unit tests of lib/ob-opt.c: sizes, ranges, choices, flags, JSON params. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ob-opt.h"

struct o {
	long long n;
	uint64_t size;
	double ratio;
	bool on;
	const char *s;
	int mode;
	unsigned flags;
};

static const char *const modes[] = {"seqwr", "rndrd", NULL};
static const char *const flags[] = {"sync", "dsync", "direct", NULL};

static const struct ob_opt opts[] = {
	{"n", OB_OPT_INT, offsetof(struct o, n), "1", 1, 100, NULL, "int"},
	{"size", OB_OPT_SIZE, offsetof(struct o, size), "1K", 1, 0, NULL, "size"},
	{"ratio", OB_OPT_DOUBLE, offsetof(struct o, ratio), "1.5", 0, 0, NULL, "double"},
	{"on", OB_OPT_BOOL, offsetof(struct o, on), "off", 0, 0, NULL, "bool"},
	{"s", OB_OPT_STRING, offsetof(struct o, s), NULL, 0, 0, NULL, "string"},
	{"mode", OB_OPT_CHOICE, offsetof(struct o, mode), "seqwr", 0, 0, modes, "choice"},
	{"flags", OB_OPT_FLAGS, offsetof(struct o, flags), "", 0, 0, flags, "flags"},
	{NULL},
};

static int parse(struct o *v, struct ob_error *err, int argc, char **argv)
{
	struct ob_optset set = {opts, v};
	char *pos[16];
	int npos;

	assert_int_equal(ob_opt_defaults(&set, 1, err), 0);
	return ob_opt_parse(&set, 1, argc, argv, pos, &npos, err);
}

static void test_sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(ob_parse_size("16K", &v), 0);
	assert_int_equal(v, 16384);
	assert_int_equal(ob_parse_size("1m", &v), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(ob_parse_size("100G", &v), 0);
	assert_true(v == 100ull << 30);
	assert_int_equal(ob_parse_size("2T", &v), 0);
	assert_true(v == 2ull << 40);
	assert_int_equal(ob_parse_size("16KiB", &v), 0);
	assert_int_equal(v, 16384);
	assert_int_equal(ob_parse_size("123", &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(ob_parse_size("10X", &v), -1);
	assert_int_equal(ob_parse_size("-1K", &v), -1);
	assert_int_equal(ob_parse_size("", &v), -1);
	assert_int_equal(ob_parse_size("K", &v), -1);
	assert_int_equal(ob_parse_size("99999999999T", &v), -1);
}

static void test_defaults_and_values(void **state)
{
	char *argv[] = {"p", "--n=7", "--size", "16K", "--ratio=2.5", "--on", "--s=x",
			"--mode=rndrd", "--flags=direct,sync", "run"};
	struct ob_error err = {0};
	struct o v;

	(void)state;
	assert_int_equal(parse(&v, &err, 10, argv), OB_OPT_OK);
	assert_int_equal(v.n, 7);
	assert_int_equal(v.size, 16384);
	assert_true(v.ratio == 2.5);
	assert_true(v.on);
	assert_string_equal(v.s, "x");
	assert_int_equal(v.mode, 1);
	assert_int_equal(v.flags, 1u | 4u);
}

static void expect_usage(char *arg, const char *word)
{
	char *argv[] = {"p", arg};
	struct ob_error err = {0};
	struct o v;

	assert_int_equal(parse(&v, &err, 2, argv), -1);
	assert_int_equal(err.status, OB_EXIT_USAGE);
	assert_non_null(strstr(err.msg, word));
	assert_null(strchr(err.msg, '\n'));
}

static void test_errors(void **state)
{
	(void)state;
	expect_usage("--n=0", "'0' for --n");
	expect_usage("--n=101", "--n");
	expect_usage("--n=1x", "'1x'");
	expect_usage("--size=10X", "'10X' for --size");
	expect_usage("--size=0", "--size");
	expect_usage("--ratio=abc", "abc");
	expect_usage("--on=maybe", "maybe");
	expect_usage("--mode=seqrd", "seqrd");
	expect_usage("--flags=direct,bogus", "bogus");
	expect_usage("--nope", "--nope");
	expect_usage("-x", "-x");
	expect_usage("--n", "needs a value");
}

static void test_help(void **state)
{
	char *argv[] = {"p", "--help"};
	struct ob_error err = {0};
	struct o v;

	(void)state;
	assert_int_equal(parse(&v, &err, 2, argv), OB_OPT_HELP);
}

/* The help table: option, default and meaning in their own columns; a
 * closing "(default: X)" of the help moves to the default column. */
static void test_help_columns(void **state)
{
	static const struct ob_opt t[] = {
		{"profile", OB_OPT_STRING, 0, "quick", 0, 0, NULL, "parameters"},
		{"repeat", OB_OPT_INT, 0, NULL, 1, 9, NULL, "repetitions of every cell (default: the profile's)"},
		{"on", OB_OPT_BOOL, 0, NULL, 0, 0, NULL, "a switch"},
		{"dir", OB_OPT_STRING, 0, "/a/default/far/too/long/for/its/column", 0, 0, NULL, "a path"},
		{NULL},
	};
	struct ob_optset set = {t, NULL};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	ob_opt_help(f, &set, 1);
	fclose(f);
	assert_non_null(strstr(buf, "  option     default        meaning\n"));
	assert_non_null(strstr(buf, "  --profile  quick          parameters\n"));
	assert_non_null(strstr(buf, "  --repeat   the profile's  repetitions of every cell\n"));
	assert_non_null(strstr(buf, "  --on       off            a switch\n"));
	assert_non_null(strstr(buf, "  --dir      /a/default/far/too/long/for/its/column\n"
				    "                            a path\n"));
	free(buf);
}

static void test_json(void **state)
{
	char *argv[] = {"p", "--file-x=1"};
	struct ob_optset set;
	struct ob_error err = {0};
	struct o v;
	json_t *obj = json_object();

	(void)state;
	(void)argv;
	set.opts = opts;
	set.base = &v;
	assert_int_equal(ob_opt_defaults(&set, 1, &err), 0);
	v.flags = 4;
	ob_opt_to_json(&set, 1, obj);
	assert_int_equal(json_integer_value(json_object_get(obj, "size")), 1024);
	assert_string_equal(json_string_value(json_object_get(obj, "mode")), "seqwr");
	assert_true(json_is_false(json_object_get(obj, "on")));
	assert_true(json_is_null(json_object_get(obj, "s")));
	assert_int_equal(json_array_size(json_object_get(obj, "flags")), 1);
	json_decref(obj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_defaults_and_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_help_columns),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
