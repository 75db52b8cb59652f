/* Unit tests of workloads/ob-hist.c against sysbench 1.0.20's histogram rules. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ob-hist.h"
#include "ob-rand.h"

static void test_buckets(void **state)
{
	(void)state;
	assert_int_equal(ob_hist_bucket(0.0), 0);
	assert_int_equal(ob_hist_bucket(0.001), 0);
	assert_int_equal(ob_hist_bucket(1e9), OB_HIST_BUCKETS - 1);
	/* the last bucket stands for 100000 ms, the first for 0.001 ms */
	assert_true(fabs(ob_hist_value(OB_HIST_BUCKETS - 1) - 100000.0) < 1e-6);
	assert_true(fabs(ob_hist_value(0) - 0.001) < 1e-12);
	/* neighbouring buckets differ by about 1.8 % */
	assert_true(fabs(ob_hist_value(101) / ob_hist_value(100) - 1.0182) < 0.0005);
	/* WORKLOADS.md: a 4.16 ms maximum appears in bucket 4.176 */
	assert_true(fabs(ob_hist_value(ob_hist_bucket(4.16)) - 4.176) < 0.001);
}

static void test_percentile(void **state)
{
	struct ob_lat l;

	(void)state;
	ob_lat_init(&l);
	assert_true(ob_lat_percentile(&l, 95) == 0);
	/* 95 events of 1 ms and 5 of 10 ms: p95 is the 1 ms bucket, p96 the 10 ms one */
	for (int i = 0; i < 95; i++)
		ob_lat_add(&l, 1000000);
	for (int i = 0; i < 5; i++)
		ob_lat_add(&l, 10000000);
	assert_int_equal(l.count, 100);
	assert_int_equal(l.min_ns, 1000000);
	assert_int_equal(l.max_ns, 10000000);
	assert_true(fabs(ob_lat_percentile(&l, 95) - ob_hist_value(ob_hist_bucket(1.0))) < 1e-9);
	assert_true(fabs(ob_lat_percentile(&l, 96) - ob_hist_value(ob_hist_bucket(10.0))) < 1e-9);
}

static void test_merge(void **state)
{
	struct ob_lat a, b;

	(void)state;
	ob_lat_init(&a);
	ob_lat_init(&b);
	ob_lat_add(&a, 5);
	ob_lat_add(&b, 7);
	ob_lat_add(&b, 3);
	ob_lat_merge(&a, &b);
	assert_int_equal(a.count, 3);
	assert_int_equal(a.min_ns, 3);
	assert_int_equal(a.max_ns, 7);
	assert_int_equal(a.sum_ns, 15);
}

static void test_rand(void **state)
{
	struct ob_rand r1, r2;

	(void)state;
	ob_rand_seed_all(42);
	ob_rand_init(&r1);
	ob_rand_seed_all(42);
	ob_rand_init(&r2);
	for (int i = 0; i < 1000; i++) {
		double u = ob_rand_uniform(&r1);

		assert_true(u >= 0.0 && u < 1.0);
		assert_true(u == ob_rand_uniform(&r2));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets),
		cmocka_unit_test(test_percentile),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_rand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
