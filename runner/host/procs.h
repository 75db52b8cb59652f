/* procs.h - the host processes of one container, found by process tree,
 * cgroup and runtime state (never by name), and what each costs the host:
 * PSS (/proc/PID/smaps_rollup) and CPU time (/proc/PID/stat).
 *
 * A process is the workload's when its executable is the workload binary
 * of the bundle (same device and inode); every other one is the runtime's:
 * runsc's sandbox (the sentry and the stubs it runs the application in) and
 * gofer, an engine's shim or conmon (above the container in the process
 * tree: ob_rtstate.above), Kata's qemu.  runc and crun leave none once the
 * container runs.
 */
#ifndef OB_HOST_PROCS_H
#define OB_HOST_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <jansson.h>

#include "cgroup.h"
#include "rtstate.h"

/* How a process was found (bits). */
enum { OB_FOUND_PID = 1, OB_FOUND_STATE = 2, OB_FOUND_CGROUP = 4, OB_FOUND_TREE = 8 };

struct ob_hproc {
	pid_t pid, ppid;
	char comm[32];
	char cmd[64];        /* argv[0] (runsc: runsc-sandbox, runsc-gofer) */
	bool workload;
	unsigned found;
	uint64_t pss_kib;
	bool mapped;         /* its PSS was read: alive with a memory image */
	uint64_t cpu_ns;     /* user + system so far, with its reaped children */
	uint64_t cpu_fine_ns; /* the same from its live threads' schedstat */
};

#define OB_HPROCS_MAX 256

struct ob_hprocs {
	struct ob_hproc p[OB_HPROCS_MAX];
	size_t n;
	struct ob_cgroup cg;
	bool have_cg;
};

/* Find the processes of the container whose pid file names pid, with what
 * the runtime's state says (rtstate.h), and classify them (below).  Each
 * process gets its PSS and CPU time.  0, or -1 when pid is gone. */
int ob_hprocs_find(pid_t pid, const struct ob_rtstate *rs, const struct stat *wl,
		   struct ob_hprocs *hp);

/* Whose is each process: the runtime's when its state names it as its own
 * or when its executable is not wl (the workload binary's stat; NULL:
 * none is the workload's); the workload's when it is.  A process that has
 * exited keeps what it was, except that the pid file's process is taken
 * for the workload's: before `start`, runc's and crun's init has not yet
 * become the workload, so call this again after it. */
void ob_hprocs_classify(struct ob_hprocs *hp, const struct ob_rtstate *rs, const struct stat *wl);

/* Whether a process's executable (st, from /proc/PID/exe) is the workload's:
 * wl, or under --platform the emulator that binfmt_misc runs it with (see
 * ob_host_set_emulator in cells.h). */
bool ob_hprocs_is_workload(const struct stat *st, const struct stat *wl);

/* Totals of the runtime's (workload false) or the workload's processes. */
uint64_t ob_hprocs_pss(const struct ob_hprocs *hp, bool workload);
size_t ob_hprocs_count(const struct ob_hprocs *hp, bool workload);

/* Keep only the processes with a memory image when they were read: one
 * that exited meanwhile (a command a shim ran for a moment, a zombie)
 * holds no memory and is not part of what stays. */
void ob_hprocs_keep_mapped(struct ob_hprocs *hp);

/* [{pid, comm, role, found, pss_kib}] for a record. */
json_t *ob_hprocs_json(const struct ob_hprocs *hp);

/* PSS in KiB of one process (smaps_rollup), -1 when unreadable. */
int ob_host_pss(pid_t pid, uint64_t *kib);

/* User + system CPU of one process so far, with the children it has
 * reaped (as wait4() counts it; also of a zombie not yet reaped), -1 when
 * gone. */
int ob_host_cpu(pid_t pid, uint64_t *ns);

/* Its own user + system CPU, without the children it reaped: a process
 * whose children are counted on their own (a shim or conmon reaps the
 * container's processes). */
int ob_host_cpu_self(pid_t pid, uint64_t *ns);

/* Its own CPU to the nanosecond, summed over the threads it has now
 * (/proc/PID/task/TID/schedstat): exact for a process whose threads all
 * live and that has reaped no child, such as a container's init waiting
 * for `start`. */
int ob_host_cpu_fine(pid_t pid, uint64_t *ns);

/* The topmost ancestor of pid that is not 1, not the runner and not stop
 * (an engine's daemon): what a container hangs from, such as the shim or
 * conmon an engine started for it (both are child subreapers: the
 * container's processes are their children).  0 when pid is gone or its
 * parent is already one of those. */
pid_t ob_host_top(pid_t pid, pid_t stop);

/* MemAvailable from /proc/meminfo in bytes, 0 when unknown. */
uint64_t ob_host_mem_available(void);

#endif
