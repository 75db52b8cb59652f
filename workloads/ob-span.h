/* ob-span.h - the one way a workload marks a measured span.
 *
 * Every figure a workload reports is a count of work divided by a span of
 * CLOCK_MONOTONIC time, and every such span is opened with ob_span_begin()
 * and closed with ob_span_end() (or ob_span_end_at(), when one clock read
 * closes several spans, as an io_uring wait that returns many completions).
 * `grep -n 'ob_span_' workloads/` lists them all; between the two calls
 * there is nothing but the measured work, so a reader can audit what each
 * figure includes.  The README names the file and function of each span.
 */
#ifndef OB_SPAN_H
#define OB_SPAN_H

#include <stdint.h>

#include "ob-clock.h"

struct ob_span {
	uint64_t begin_ns;
	uint64_t end_ns; /* 0 while the span is open */
};

static inline void ob_span_begin(struct ob_span *s)
{
	s->begin_ns = ob_now_ns();
	s->end_ns = 0;
}

/* Closes the span at now (a clock read shared by several spans); returns
 * its length in nanoseconds. */
static inline uint64_t ob_span_end_at(struct ob_span *s, uint64_t now)
{
	s->end_ns = now;
	return now - s->begin_ns;
}

/* Closes the span; returns its length in nanoseconds. */
static inline uint64_t ob_span_end(struct ob_span *s)
{
	return ob_span_end_at(s, ob_now_ns());
}

#endif
