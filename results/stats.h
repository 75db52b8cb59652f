/* stats.h - descriptive statistics of a small sample (one results cell). */
#ifndef OB_STATS_H
#define OB_STATS_H

#include <stddef.h>

struct ob_stats {
	size_t n;
	double mean;
	double sd;     /* sample standard deviation (n - 1); NAN when n < 2 */
	double median;
	double min;
	double max;
	double cv;     /* sd / mean; NAN when sd is NAN or mean is 0 */
	double ci95;   /* half-width of the 95 % confidence interval of the mean
	                * (Student's t, n - 1 degrees of freedom); NAN when n < 2 */
};

/* Fill *st from v[0..n-1] (v is not modified).  n == 0 gives n 0 and NAN
 * everywhere.  Returns -1 only when memory runs out. */
int ob_stats_compute(const double *v, size_t n, struct ob_stats *st);

/* Two-sided 97.5 % quantile of Student's t with df degrees of freedom
 * (exact table for df <= 30, then an asymptotic expansion); NAN for df 0. */
double ob_stats_t975(size_t df);

#endif
