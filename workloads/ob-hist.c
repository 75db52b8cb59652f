/* ob-hist.c - see ob-hist.h */
#include "ob-hist.h"

#include <math.h>
#include <string.h>

#define LMIN_MS 0.001
#define LMAX_MS 100000.0

static double hist_k(void)
{
	return (OB_HIST_BUCKETS - 1) / log(LMAX_MS / LMIN_MS);
}

void ob_lat_init(struct ob_lat *l)
{
	memset(l, 0, sizeof(*l));
	l->min_ns = UINT64_MAX;
}

unsigned ob_hist_bucket(double ms)
{
	double i;

	if (!(ms > LMIN_MS))
		return 0;
	i = floor(hist_k() * log(ms / LMIN_MS) + 0.5);
	if (i >= OB_HIST_BUCKETS - 1)
		return OB_HIST_BUCKETS - 1;
	return (unsigned)i;
}

double ob_hist_value(unsigned bucket)
{
	return LMIN_MS * exp(bucket / hist_k());
}

void ob_lat_add(struct ob_lat *l, uint64_t ns)
{
	l->count++;
	l->sum_ns += ns;
	if (ns < l->min_ns)
		l->min_ns = ns;
	if (ns > l->max_ns)
		l->max_ns = ns;
	l->hist[ob_hist_bucket(ns / 1e6)]++;
}

void ob_lat_merge(struct ob_lat *dst, const struct ob_lat *src)
{
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	if (src->min_ns < dst->min_ns)
		dst->min_ns = src->min_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
	for (unsigned i = 0; i < OB_HIST_BUCKETS; i++)
		dst->hist[i] += src->hist[i];
}

double ob_lat_percentile(const struct ob_lat *l, double p)
{
	uint64_t target = (uint64_t)floor((double)l->count * p / 100.0 + 0.5);
	uint64_t run = 0;

	if (l->count == 0)
		return 0;
	for (unsigned i = 0; i < OB_HIST_BUCKETS; i++) {
		run += l->hist[i];
		if (run >= target)
			return ob_hist_value(i);
	}
	return ob_hist_value(OB_HIST_BUCKETS - 1);
}

void ob_lat_print_histogram(const struct ob_lat *l, FILE *f)
{
	uint64_t maxc = 0;

	for (unsigned i = 0; i < OB_HIST_BUCKETS; i++)
		if (l->hist[i] > maxc)
			maxc = l->hist[i];
	fprintf(f, "Latency histogram (values are in milliseconds)\n");
	fprintf(f, "       value  ------------- distribution ------------- count\n");
	for (unsigned i = 0; i < OB_HIST_BUCKETS; i++) {
		int width;

		if (l->hist[i] == 0)
			continue;
		width = (int)floor(40.0 * (double)l->hist[i] / (double)maxc + 0.5);
		fprintf(f, "%12.3f |%-40.*s %llu\n", ob_hist_value(i), width,
			"****************************************",
			(unsigned long long)l->hist[i]);
	}
	fprintf(f, "\n");
}
