/* memory-pattern.c - see memory-pattern.h */
#include "memory-pattern.h"

void mem_pattern_fill_read(uint64_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w[i] = n - i;
}

uint64_t mem_pattern_read_sum(size_t n)
{
	uint64_t a = n, b = (uint64_t)n + 1;

	/* n (n + 1) / 2 without overflowing first (modulo 2^64, as the loads) */
	return a % 2 == 0 ? a / 2 * b : b / 2 * a;
}

static bool word_ok(int oper, int access, const uint64_t *w, size_t n, uint64_t events,
		    bool single, size_t i)
{
	uint64_t v = w[i], k;

	if (oper == MEM_OPER_READ)
		return v == n - i;
	if (oper == MEM_OPER_NONE || events == 0)
		return v == 0;
	if (access == MEM_ACCESS_SEQ) {
		/* k n - i for the event k that wrote it last */
		if ((v + i) % n != 0)
			return false;
		k = (v + i) / n;
		return single ? k == events : k >= 1 && k <= events;
	}
	/* rnd: untouched, or the byte offset 8 ((k - 1) n + j) of a store */
	return v % sizeof(uint64_t) == 0 && v / sizeof(uint64_t) / n < events;
}

int mem_pattern_check(int oper, int access, const uint64_t *w, size_t n, uint64_t events,
		      bool single, size_t *bad)
{
	uint64_t max = 0;
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		if (!word_ok(oper, access, w, n, events, single, i)) {
			*bad = i;
			return -1;
		}
		if (w[i] > max) {
			max = w[i];
			at = i;
		}
	}
	/* rnd write: the last store of event k, at iteration n - 1, is the
	 * largest value it stores, 8 (k n - 1); a single writer's buffer holds
	 * exactly that maximum, several writers' buffers at least something */
	if (oper == MEM_OPER_WRITE && access == MEM_ACCESS_RND && events > 0 &&
	    (single ? max != sizeof(uint64_t) * (events * n - 1) : n > 1 && max == 0)) {
		*bad = at;
		return -1;
	}
	return 0;
}
