/* ob-rand.c - see ob-rand.h */
#include "ob-rand.h"

#include <stdlib.h>
#include <time.h>

void ob_rand_seed_all(long long seed)
{
	srandom(seed != 0 ? (unsigned)seed : (unsigned)time(NULL));
}

void ob_rand_init(struct ob_rand *r)
{
	for (int i = 0; i < 2; i++) {
		uint64_t v = 0;

		/* random() gives 31 bits: take three draws per word */
		for (int j = 0; j < 3; j++)
			v = (v << 31) ^ (uint64_t)random();
		r->s[i] = v;
	}
	if (r->s[0] == 0 && r->s[1] == 0)
		r->s[0] = 1;
}
