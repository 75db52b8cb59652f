/* memory-pattern.c - see memory-pattern.h */
#include "memory-pattern.h"

static bool word_ok(int oper, int access, const uint64_t *w, size_t n, bool ran, size_t i)
{
	if (!ran || oper != MEM_OPER_WRITE)
		return w[i] == 0;
	if (access == MEM_ACCESS_SEQ)
		return w[i] == n - i;
	/* rnd write: untouched, or the byte offset of some iteration */
	return w[i] % sizeof(uint64_t) == 0 && w[i] / sizeof(uint64_t) < n;
}

int mem_pattern_check(int oper, int access, const uint64_t *w, size_t n, bool ran, size_t *bad)
{
	bool nonzero = false;

	for (size_t i = 0; i < n; i++) {
		if (!word_ok(oper, access, w, n, ran, i)) {
			*bad = i;
			return -1;
		}
		nonzero |= w[i] != 0;
	}
	/* The last rnd write of an event stores 8 * (n - 1) and nothing follows. */
	if (ran && oper == MEM_OPER_WRITE && access == MEM_ACCESS_RND && n > 1 && !nonzero) {
		*bad = 0;
		return -1;
	}
	return 0;
}
