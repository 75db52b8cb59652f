/* ob-rand.h - per-thread xoroshiro128+ as sysbench 1.0.20 uses it.
 *
 * State filled from libc random() after srandom(seed) (seed 0 means
 * srandom(time(NULL)), as sysbench's --rand-seed=0).  ob_rand_seed_all()
 * is called once; ob_rand_init() then fills each thread's state in turn,
 * from the main thread, so a given seed gives the same streams every run.
 */
#ifndef OB_RAND_H
#define OB_RAND_H

#include <stdint.h>

struct ob_rand {
	uint64_t s[2];
};

void ob_rand_seed_all(long long seed);
void ob_rand_init(struct ob_rand *r);

static inline uint64_t ob_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoroshiro128+ (constants 55, 14, 36). */
static inline uint64_t ob_rand_next(struct ob_rand *r)
{
	uint64_t s0 = r->s[0], s1 = r->s[1];
	uint64_t result = s0 + s1;

	s1 ^= s0;
	r->s[0] = ob_rotl(s0, 55) ^ s1 ^ (s1 << 14);
	r->s[1] = ob_rotl(s1, 36);
	return result;
}

/* Uniform double in [0, 1): top 52 bits as the mantissa of [1, 2), minus 1. */
static inline double ob_rand_uniform(struct ob_rand *r)
{
	union {
		uint64_t u;
		double d;
	} x;

	x.u = (ob_rand_next(r) >> 12) | UINT64_C(0x3ff0000000000000);
	return x.d - 1.0;
}

#endif
