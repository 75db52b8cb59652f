/* stats.c - see stats.h */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* t(0.975, df) for df = 1..30 (standard tables, 3 decimals). */
static const double t975[30] = {
	12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
	2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
};

double ob_stats_t975(size_t df)
{
	const double z = 1.959964;
	double d = (double)df;

	if (df == 0)
		return NAN;
	if (df <= 30)
		return t975[df - 1];
	/* Cornish-Fisher expansion of t around the normal quantile; within
	 * 0.001 of the exact value from df 30 on. */
	return z + (z * z * z + z) / (4 * d) +
	       (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * d * d);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int ob_stats_compute(const double *v, size_t n, struct ob_stats *st)
{
	double *s, sum = 0, ss = 0;

	st->n = n;
	st->mean = st->sd = st->median = st->min = st->max = st->cv = st->ci95 = NAN;
	if (n == 0)
		return 0;
	s = malloc(n * sizeof(*s));
	if (s == NULL)
		return -1;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += s[i];
	st->mean = sum / (double)n;
	st->min = s[0];
	st->max = s[n - 1];
	st->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	if (n >= 2) {
		/* two-pass: sum of squared deviations from the mean */
		for (size_t i = 0; i < n; i++)
			ss += (s[i] - st->mean) * (s[i] - st->mean);
		st->sd = sqrt(ss / (double)(n - 1));
		st->ci95 = ob_stats_t975(n - 1) * st->sd / sqrt((double)n);
		if (st->mean != 0)
			st->cv = st->sd / fabs(st->mean);
	}
	free(s);
	return 0;
}
