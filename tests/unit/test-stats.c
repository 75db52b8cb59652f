/* Unit tests of results/stats.c: the statistics of a results cell. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stats.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

static void test_known_sample(void **state)
{
	/* 2 4 4 4 5 5 7 9: mean 5, sum of squares 32, sample sd sqrt(32/7) */
	const double v[] = {9, 2, 5, 4, 4, 7, 4, 5};
	struct ob_stats st;

	(void)state;
	assert_int_equal(ob_stats_compute(v, 8, &st), 0);
	assert_int_equal(st.n, 8);
	NEAR(st.mean, 5.0, 1e-12);
	NEAR(st.sd, sqrt(32.0 / 7.0), 1e-12);
	NEAR(st.median, 4.5, 1e-12);
	NEAR(st.min, 2, 0);
	NEAR(st.max, 9, 0);
	NEAR(st.cv, sqrt(32.0 / 7.0) / 5.0, 1e-12);
	/* t(0.975, 7) = 2.365 */
	NEAR(st.ci95, 2.365 * sqrt(32.0 / 7.0) / sqrt(8.0), 1e-9);
	/* the input is left as it was */
	NEAR(v[0], 9, 0);
}

static void test_odd_median_and_constant(void **state)
{
	const double v[] = {3, 1, 2};
	const double c[] = {0.5, 0.5, 0.5, 0.5};
	struct ob_stats st;

	(void)state;
	assert_int_equal(ob_stats_compute(v, 3, &st), 0);
	NEAR(st.median, 2, 0);
	NEAR(st.sd, 1, 1e-12);
	NEAR(st.ci95, 4.303 / sqrt(3.0), 1e-9);
	assert_int_equal(ob_stats_compute(c, 4, &st), 0);
	NEAR(st.sd, 0, 0);
	NEAR(st.cv, 0, 0);
	NEAR(st.ci95, 0, 0);
}

static void test_small_n(void **state)
{
	const double one = 42;
	struct ob_stats st;

	(void)state;
	assert_int_equal(ob_stats_compute(&one, 1, &st), 0);
	assert_int_equal(st.n, 1);
	NEAR(st.mean, 42, 0);
	NEAR(st.median, 42, 0);
	assert_true(isnan(st.sd) && isnan(st.cv) && isnan(st.ci95));
	assert_int_equal(ob_stats_compute(NULL, 0, &st), 0);
	assert_int_equal(st.n, 0);
	assert_true(isnan(st.mean) && isnan(st.min) && isnan(st.median));
}

static void test_zero_mean(void **state)
{
	const double v[] = {-1, 1};
	struct ob_stats st;

	(void)state;
	assert_int_equal(ob_stats_compute(v, 2, &st), 0);
	NEAR(st.mean, 0, 0);
	assert_true(isnan(st.cv));
	NEAR(st.ci95, 12.706 * sqrt(2.0) / sqrt(2.0), 1e-9);
}

static void test_t_quantiles(void **state)
{
	(void)state;
	assert_true(isnan(ob_stats_t975(0)));
	NEAR(ob_stats_t975(1), 12.706, 1e-9);
	NEAR(ob_stats_t975(9), 2.262, 1e-9);
	NEAR(ob_stats_t975(30), 2.042, 1e-9);
	/* beyond the table: t(40) 2.021, t(60) 2.000, t(120) 1.980, then z */
	NEAR(ob_stats_t975(40), 2.021, 0.001);
	NEAR(ob_stats_t975(60), 2.000, 0.001);
	NEAR(ob_stats_t975(120), 1.980, 0.001);
	NEAR(ob_stats_t975(100000), 1.960, 0.001);
	/* decreasing across the table's end */
	assert_true(ob_stats_t975(31) < ob_stats_t975(30));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_sample),
		cmocka_unit_test(test_odd_median_and_constant),
		cmocka_unit_test(test_small_n),
		cmocka_unit_test(test_zero_mean),
		cmocka_unit_test(test_t_quantiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
