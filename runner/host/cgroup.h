/* cgroup.h - a container's own cgroup, as the host sees it: which one a
 * process is in, its processes, memory and CPU use.  cgroup v1 (the memory
 * and cpuacct controllers, as on a hybrid hierarchy) and v2. */
#ifndef OB_HOST_CGROUP_H
#define OB_HOST_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ob_cgroup {
	char memory[1024]; /* memory controller dir, "" when none */
	char cpu[1024];    /* cpuacct (v1) or unified (v2) dir, "" when none */
	bool v2;
};

/* The cgroup of pid when it is neither the runner's own (a runtime that
 * made none leaves its container in ours, and then the cgroup says nothing
 * about the container) nor the root: 0, or -1 when it has no cgroup of its
 * own. */
int ob_cgroup_of(pid_t pid, struct ob_cgroup *cg);

/* The processes in the cgroup (memory dir, else cpu dir): how many were
 * stored in pids (at most max), -1 when it cannot be read. */
long ob_cgroup_pids(const struct ob_cgroup *cg, pid_t *pids, size_t max);

/* Memory charged to the cgroup now (usage_in_bytes / memory.current). */
int ob_cgroup_memory(const struct ob_cgroup *cg, uint64_t *bytes);

/* CPU time of every task that ran in the cgroup, in ns (cpuacct.usage /
 * cpu.stat usage_usec): counts exited processes too. */
int ob_cgroup_cpu(const struct ob_cgroup *cg, uint64_t *ns);

#endif
