/* test-memory-pattern.c - the readback rules of ocibench-memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "memory-pattern.h"

#define N 16

static void seq_write_pattern(uint64_t *w)
{
	for (size_t i = 0; i < N; i++)
		w[i] = N - i;
}

static void test_seq_write(void **state)
{
	uint64_t w[N];
	size_t bad = 99;

	(void)state;
	seq_write_pattern(w);
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, true, &bad), 0);
	w[5] = 0; /* a lost store */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, true, &bad), -1);
	assert_int_equal(bad, 5);
	seq_write_pattern(w);
	w[N - 1] = 2; /* a wrong value in the last word */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, true, &bad), -1);
	assert_int_equal(bad, N - 1);
}

static void test_rnd_write(void **state)
{
	uint64_t w[N] = {0};
	size_t bad = 99;

	(void)state;
	/* nothing written although an event ran: the last store is non-zero */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, N, true, &bad), -1);
	w[3] = 8 * (N - 1);
	w[7] = 8;
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, N, true, &bad), 0);
	w[9] = 12; /* not a multiple of 8 */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, N, true, &bad), -1);
	assert_int_equal(bad, 9);
	w[9] = 8 * N; /* beyond the last offset */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, N, true, &bad), -1);
	/* one word: u * 1 is always word 0, which gets offset 0 */
	w[0] = 0;
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_RND, w, 1, true, &bad), 0);
}

static void test_untouched(void **state)
{
	uint64_t w[N] = {0};
	size_t bad = 99;

	(void)state;
	assert_int_equal(mem_pattern_check(MEM_OPER_READ, MEM_ACCESS_SEQ, w, N, true, &bad), 0);
	assert_int_equal(mem_pattern_check(MEM_OPER_NONE, MEM_ACCESS_RND, w, N, true, &bad), 0);
	/* a write that never ran leaves zeros */
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, false, &bad), 0);
	w[2] = 1;
	assert_int_equal(mem_pattern_check(MEM_OPER_READ, MEM_ACCESS_SEQ, w, N, true, &bad), -1);
	assert_int_equal(bad, 2);
	assert_int_equal(mem_pattern_check(MEM_OPER_WRITE, MEM_ACCESS_SEQ, w, N, false, &bad), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_write),
		cmocka_unit_test(test_rnd_write),
		cmocka_unit_test(test_untouched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
