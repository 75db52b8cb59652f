/* hostcpu.h - the host CPU a container's processes spend while its
 * workload runs, next to the workload's own CPU (cells.h: the record's
 * keys).
 *
 * The span starts once the container's processes exist
 * (ob_hostcpu_begin: the bare runtime's created container just before
 * `start`; an engine's container once its start returned, as nothing of it
 * exists before) and ends at the workload's exit (ob_hostcpu_sample with
 * final set).  Processes that end with the workload and that the runner
 * cannot reap (an engine's container, runsc's sentry and stubs under an
 * engine) keep what the last sample read of them: ob_hostcpu_watch samples
 * them while it waits for the exit.
 */
#ifndef OB_HOST_HOSTCPU_H
#define OB_HOST_HOSTCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "lifecycle.h"
#include "procs.h"
#include "rtstate.h"
#include "runtime.h"

/* How often ob_hostcpu_watch reads the processes' CPU. */
#define OB_HOSTCPU_SAMPLE_NS 20000000ull

struct ob_hostcpu {
	const struct ob_runtime *rt;
	struct ob_rtstate rs;
	struct stat exe;
	const struct stat *wl;   /* &exe, or NULL when the workload binary is unknown */
	pid_t pid;               /* the container's process */
	struct ob_hprocs hp;     /* at the span's start, with the ones `start` made */
	bool alive[OB_HPROCS_MAX];   /* alive once the workload started */
	bool outside[OB_HPROCS_MAX]; /* not in the container's cgroup */
	uint64_t d[OB_HPROCS_MAX];   /* CPU over the span so far */
	bool known[OB_HPROCS_MAX];
	bool sampled[OB_HPROCS_MAX]; /* d is from a sample before the exit */
	uint64_t cg0, cg1;
	bool have_cg, cg_sampled;
	uint64_t wl0;            /* the workload's processes' CPU at the span's start */
	bool sampling;           /* ob_hostcpu_watch sampled (an engine's span) */
};

/* The processes of the container whose process is pid (rs: what the
 * runtime's state names; wl: the workload binary's stat, or NULL) and
 * their CPU so far: the span's start.  0, or -1 when pid is gone. */
int ob_hostcpu_begin(struct ob_hostcpu *h, const struct ob_runtime *rt, pid_t pid,
		     const struct ob_rtstate *rs, const struct stat *wl);

/* After `start`: the workload's process has become it (waited for a
 * moment), and what `start` made (runsc's stubs) joins the span. */
void ob_hostcpu_started(struct ob_hostcpu *h);

/* Read every process's CPU over the span now; one that is gone keeps its
 * last reading (or, final, the runner's count when it reaped it). */
void ob_hostcpu_sample(struct ob_hostcpu *h, bool final);

/* Wait for the exit of pid (not the runner's child: through a pidfd),
 * sampling h (NULL: none) meanwhile and once more at the exit.  *end_ns:
 * when the exit was seen.  OB_WAIT_DONE, OB_WAIT_TIMEOUT, OB_WAIT_STOPPED
 * or -1. */
int ob_hostcpu_watch(struct ob_hostcpu *h, pid_t pid, uint64_t deadline, uint64_t *end_ns);

/* The record's host CPU keys into r->extra, from h and the workload's JSON
 * in r->workload. */
void ob_hostcpu_record(struct ob_hostcpu *h, struct ob_lc_result *r);

#endif
