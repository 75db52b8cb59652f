/* ob-hist.h - latency statistics as sysbench 1.0.20 computes them.
 *
 * 1024 buckets spaced logarithmically from 0.001 ms to 100000 ms; a value x
 * (ms) goes to bucket floor(k*ln(x/0.001) + 0.5) with k = 1023/ln(1e8),
 * clamped; bucket i stands for 0.001*e^(i/k).  The p-th percentile is the
 * value of the first bucket where the running count reaches
 * floor(N*p/100 + 0.5).  Each worker owns one struct ob_lat; they are merged
 * after the workers have stopped.
 */
#ifndef OB_HIST_H
#define OB_HIST_H

#include <stdint.h>
#include <stdio.h>

#define OB_HIST_BUCKETS 1024

struct ob_lat {
	uint64_t count;
	uint64_t min_ns, max_ns, sum_ns;
	uint64_t hist[OB_HIST_BUCKETS];
};

void ob_lat_init(struct ob_lat *l);
/* Record one latency: min/max/sum/count and one histogram bucket. */
void ob_lat_add(struct ob_lat *l, uint64_t ns);
/* dst += src */
void ob_lat_merge(struct ob_lat *dst, const struct ob_lat *src);
/* Bucket index of a latency in ms, and the value a bucket stands for (ms). */
unsigned ob_hist_bucket(double ms);
double ob_hist_value(unsigned bucket);
/* The percentile (0 < p <= 100) in ms, quantised to bucket values; 0 when empty. */
double ob_lat_percentile(const struct ob_lat *l, double p);
/* sysbench's "--histogram=on" block. */
void ob_lat_print_histogram(const struct ob_lat *l, FILE *f);

#endif
