/* ob-clock.h - the one clock every measurement uses. */
#ifndef OB_CLOCK_H
#define OB_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds on CLOCK_MONOTONIC (vDSO, no system call on Linux). */
static inline uint64_t ob_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Nanoseconds on CLOCK_REALTIME: comparable across processes, containers
 * and sandboxes (gVisor virtualises CLOCK_MONOTONIC, not wall time). */
static inline uint64_t ob_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
