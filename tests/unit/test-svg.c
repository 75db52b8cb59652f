/* Unit tests of results/results-svg.c: escaping, the span that picks a log
 * axis, and what a chart draws for bars, error bars and missing cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>

#include <cmocka.h>

#include "results-svg.h"

/* What fn writes, as a string (freed by the caller). */
static char *capture(void (*fn)(FILE *f, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

static void write_text(FILE *f, const void *arg)
{
	ob_xml_text(f, arg);
}

static void write_chart(FILE *f, const void *arg)
{
	ob_svg_bar_chart(f, arg);
}

static char *escaped(const char *s)
{
	return capture(write_text, s);
}

static char *draw(const struct ob_svg_chart *c)
{
	return capture(write_chart, c);
}

static void test_escape(void **state)
{
	char *e;

	(void)state;
	e = escaped("<a href=\"x\" title='y'>&amp;</a>");
	assert_string_equal(e, "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
	free(e);
	/* control characters are not allowed in XML; tab and newline are */
	e = escaped("a\x01" "b\tc\nd\x7f" "é");
	assert_string_equal(e, "a\xEF\xBF\xBD" "b\tc\nd\xEF\xBF\xBD" "é");
	free(e);
	e = escaped(NULL);
	assert_string_equal(e, "");
	free(e);
}

static const char *const groups[] = {"runc", "crun", "<runsc>"};
static const char *const one[] = {"this run"};

static struct ob_svg_chart chart(struct ob_svg_bar *bars)
{
	struct ob_svg_chart c = {"chart-x", "X (s)", "s", groups, 3, one, 1, bars};

	return c;
}

static void test_span(void **state)
{
	struct ob_svg_bar b[3] = {
		{1, NAN, NULL, NULL, NULL}, {50, NAN, NULL, NULL, NULL}, {NAN, NAN, NULL, NULL, "failed"},
	};
	struct ob_svg_chart c = chart(b);

	(void)state;
	assert_true(fabs(ob_svg_span(&c) - 50) < 1e-9);
	b[1].mean = 9;
	assert_true(fabs(ob_svg_span(&c) - 9) < 1e-9);
	b[0].mean = 0;
	assert_true(isinf(ob_svg_span(&c)));
	b[1].mean = NAN;
	assert_true(ob_svg_span(&c) == 1); /* one value: nothing to span */
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

static void test_linear_chart(void **state)
{
	struct ob_svg_bar b[3] = {
		{2, 0.5, "2.000", NULL, NULL},
		{3, 0, "3.000", "x1.50", NULL},
		{NAN, NAN, NULL, NULL, "failed (2/2)"},
	};
	struct ob_svg_chart c = chart(b);
	char *svg = draw(&c);

	(void)state;
	assert_non_null(strstr(svg, "data-scale=\"linear\""));
	assert_non_null(strstr(svg, "<title id=\"chart-x-t\">X (s)</title>"));
	assert_int_equal(count(svg, "<rect"), 2);          /* the failed cell has no bar */
	assert_int_equal(count(svg, "class=\"err\""), 1);  /* sd 0: no error bar */
	assert_non_null(strstr(svg, ">failed (2/2)</text>"));
	assert_non_null(strstr(svg, ">x1.50</text>"));
	assert_non_null(strstr(svg, ">&lt;runsc&gt;</text>"));
	assert_non_null(strstr(svg, "text-anchor=\"end\">0</text>")); /* from zero */
	assert_null(strstr(svg, "log scale"));
	free(svg);
}

static void test_log_chart(void **state)
{
	struct ob_svg_bar b[3] = {
		{150, 10, "150", NULL, NULL},
		{140, 10, "140", "x0.933", NULL},
		{4, 1, "4", "x0.0267", NULL},
	};
	struct ob_svg_chart c = chart(b);
	char *svg = draw(&c);

	(void)state;
	assert_non_null(strstr(svg, "data-scale=\"log\""));
	assert_non_null(strstr(svg, "s (log scale)"));
	/* decades from below the smallest mean to above the largest */
	assert_non_null(strstr(svg, ">1</text>"));
	assert_non_null(strstr(svg, ">10</text>"));
	assert_non_null(strstr(svg, ">1000</text>"));
	assert_int_equal(count(svg, "<rect"), 3);
	assert_int_equal(count(svg, "class=\"err\""), 3);
	free(svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_span),
		cmocka_unit_test(test_linear_chart),
		cmocka_unit_test(test_log_chart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
