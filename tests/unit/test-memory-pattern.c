/* test-memory-pattern.c - the readback rules of ocibench-memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "memory-pattern.h"

#define N 16

static void seq_write_pattern(uint64_t *w, uint64_t k)
{
	for (size_t i = 0; i < N; i++)
		w[i] = k * N - i;
}

static void test_seq_write(void **state)
{
	uint64_t w[N];
	size_t bad = 99;

	(void)state;
	seq_write_pattern(w, 1); /* sysbench's N, N-1, ..., 1 */
	assert_int_equal(w[0], N);
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, 1, true, &bad), 0);
	w[5] = 0; /* a lost store */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, 1, true, &bad), -1);
	assert_int_equal(bad, 5);
	seq_write_pattern(w, 1);
	w[N - 1] = 2; /* a wrong value in the last word */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, 1, true, &bad), -1);
	assert_int_equal(bad, N - 1);
	/* the third event leaves 3N - i: only the first event ran is an error */
	seq_write_pattern(w, 3);
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, 3, true, &bad), 0);
	seq_write_pattern(w, 1);
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, 3, true, &bad), -1);
	assert_int_equal(bad, 0);
	/* several writers: any event number up to the most any of them did */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, 3, false, &bad), 0);
	seq_write_pattern(w, 4);
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, 3, false, &bad), -1);
}

static void test_rnd_write(void **state)
{
	uint64_t w[N] = {0};
	size_t bad = 99;

	(void)state;
	/* nothing written although an event ran: the last store is non-zero */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, N, 1, true, &bad), -1);
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, N, 1, false, &bad), -1);
	w[3] = 8 * (N - 1); /* the last store of event 1 */
	w[7] = 8;
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, N, 1, true, &bad), 0);
	w[9] = 12; /* not a multiple of 8 */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, N, 1, true, &bad), -1);
	assert_int_equal(bad, 9);
	w[9] = 8 * N; /* beyond the last offset of event 1 */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, N, 1, true, &bad), -1);
	/* ... but the first store of event 2 */
	w[3] = 8 * (2 * N - 1);
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, N, 2, true, &bad), 0);
	/* two events counted, but the second event's last store is missing */
	w[3] = 8 * (N - 1);
	w[9] = 0;
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, N, 2, true, &bad), -1);
	/* one word: u * 1 is always word 0, which gets offset 8 (k - 1) */
	w[0] = 0;
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, 1, 1, true, &bad), 0);
	w[0] = 8 * 4;
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, 1, 5, true, &bad), 0);
}

static void test_read_pattern(void **state)
{
	uint64_t w[N], sum = 0;
	size_t bad = 99;

	(void)state;
	mem_pattern_fill_read(w, N);
	for (size_t i = 0; i < N; i++) {
		assert_true(w[i] != 0);
		sum += w[i];
	}
	assert_int_equal(sum, mem_pattern_read_sum(N));
	assert_int_equal(mem_pattern_read_sum(N), N * (N + 1) / 2);
	assert_int_equal(mem_pattern_read_sum(131072), 8590000128ull);
	assert_int_equal(mem_pattern_read_sum(1), 1);
	assert_int_equal(mem_pattern_check(MEM_OPER_READ, MEM_ACCESS_SEQ, w, N, 7, true, &bad), 0);
	w[2] = 0; /* a read run never changes the buffer */
	assert_int_equal(mem_pattern_check(MEM_OPER_READ, MEM_ACCESS_RND, w, N, 7, false, &bad), -1);
	assert_int_equal(bad, 2);
}

static void test_untouched(void **state)
{
	uint64_t w[N] = {0};
	size_t bad = 99;

	(void)state;
	assert_int_equal(mem_pattern_check(MEM_OPER_NONE, MEM_ACCESS_RND, w, N, 3, true, &bad), 0);
	/* a write that never ran leaves zeros */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, 0, true, &bad), 0);
	w[2] = 1;
	assert_int_equal(mem_pattern_check(MEM_OPER_NONE, MEM_ACCESS_SEQ, w, N, 3, true, &bad), -1);
	assert_int_equal(bad, 2);
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, 0, true, &bad), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_write),
		cmocka_unit_test(test_rnd_write),
		cmocka_unit_test(test_read_pattern),
		cmocka_unit_test(test_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
