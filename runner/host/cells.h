/* cells.h - the tests that measure what a runtime costs the host:
 *
 * footprint: one idle container (ocibench-idle) per runtime column; once
 *   it is ready, the PSS of each of its host processes (procs.h), split
 *   into the runtime's and the workload's, and its cgroup's memory.
 * density: N idle containers (the variant "nN") with --concurrency
 *   lifecycles in flight: the time until all are ready, the PSS with all
 *   running, the time to stop and delete them all; a memory budget stops
 *   it before the host runs short.
 * host CPU: cpu, syscall and fileio cells run through ob_hostcpu_run, which
 *   adds the CPU time of the container's host processes to the record.
 */
#ifndef OB_HOST_CELLS_H
#define OB_HOST_CELLS_H

#include "lifecycle.h"
#include "suite.h"

void ob_footprint_cell(const struct ob_suite *s, const struct ob_runtime *rt,
		       const struct ob_test *t, const char *variant, size_t seq,
		       struct ob_lc_result *r);

void ob_density_cell(const struct ob_suite *s, const struct ob_runtime *rt, const struct ob_test *t,
		     const char *variant, size_t seq, struct ob_lc_result *r);

/* The same with the containers run by drv (an engine's, fleet.h; NULL:
 * the bare runtime rt). */
struct ob_fleet_driver;
void ob_footprint_run(const struct ob_suite *s, const struct ob_runtime *rt,
		      const struct ob_fleet_driver *drv, const struct ob_test *t,
		      const char *variant, size_t seq, struct ob_lc_result *r);
void ob_density_run(const struct ob_suite *s, const struct ob_runtime *rt,
		    const struct ob_fleet_driver *drv, const struct ob_test *t, const char *variant,
		    size_t seq, struct ob_lc_result *r);

/* ob_lc_run with the host CPU of the container's processes between
 * `start` and its exit in r->extra: workload_cpu_s (the workload's own
 * report), host_cpu_s (its cgroup's CPU, or the sum over its processes),
 * runtime_cpu_s (the runtime's processes), host_cpu_per_workload_cpu_s. */
void ob_hostcpu_run(const struct ob_suite *s, const struct ob_test *t, const struct ob_runtime *rt,
		    const struct ob_bundle *b, const char *id, uint64_t deadline_ns,
		    struct ob_lc_result *r);

/* "n8" -> 8; 0 when the variant is not a density. */
size_t ob_density_n(const char *variant);

/* --platform: the workload runs as the emulator binfmt_misc registered
 * (/proc/PID/exe names it, not the workload's binary): a container's
 * process running path counts as the workload's.  NULL: native. */
void ob_host_set_emulator(const char *path);

#endif
