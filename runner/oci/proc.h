/* proc.h - child processes of the runner: spawn without a shell, wait with a
 * deadline, reap orphans, and take SIGINT/SIGTERM synchronously.  Every
 * program that uses it calls ob_proc_setup() first.
 *
 * The runner is a child subreaper (PR_SET_CHILD_SUBREAPER): containers'
 * init processes and runsc's gofer are re-parented to it.  SIGCHLD, SIGINT
 * and SIGTERM are blocked and consumed only inside ob_proc_wait(), so a stop
 * request is seen between two steps, never in the middle of one.  Every
 * child reaped while waiting for another is kept (pid, status, time) so a
 * later wait for it still gets its exit status and its exit time.
 */
#ifndef OB_RUNNER_PROC_H
#define OB_RUNNER_PROC_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ob-error.h"

/* Become a subreaper and block SIGCHLD/SIGINT/SIGTERM. */
int ob_proc_setup(struct ob_error *err);

/* The stop signal received so far (SIGINT/SIGTERM) or 0. */
int ob_proc_stop_signal(void);

struct ob_spawn {
	char *const *argv;      /* argv[0] is an absolute path: no PATH search, no shell */
	int in, out, err;       /* fds for the child's 0, 1, 2 */
	const char *hide_mount; /* if set: private mount namespace with this mount removed */
	const char *mask_dir;   /* if set: private mount namespace with an empty read-only
				 * tmpfs over this directory */
	const char *netns;      /* if set: join this network namespace (a path) */
	const char *cgroup;     /* if set: join this cgroup (its cgroup.procs file) */
	char *const *env;       /* if set: the environment, else ours */
};

/* fork + execve; the child gets an empty signal mask and its own process group. */
int ob_proc_spawn(const struct ob_spawn *sp, pid_t *pid, struct ob_error *err);
/* fork(), for a child the runner waits for with ob_proc_wait: the exit
 * status remembered of an earlier process that had its pid is dropped. */
pid_t ob_proc_fork(void);

enum { OB_WAIT_DONE = 0, OB_WAIT_TIMEOUT = 1, OB_WAIT_STOPPED = 2 };

/* Wait for pid (a child or an orphan re-parented to us) until deadline_ns
 * (CLOCK_MONOTONIC, 0 = none).  With stoppable, a SIGINT/SIGTERM ends the
 * wait with OB_WAIT_STOPPED.  *status gets the waitpid status, *end_ns the
 * monotonic time it was reaped.  Returns OB_WAIT_* or -1 (not our child). */
int ob_proc_wait(pid_t pid, uint64_t deadline_ns, bool stoppable, int *status,
		 uint64_t *end_ns, struct ob_error *err);

/* A long-lived child the runner owns (an engine's daemon): never taken
 * for an orphan.  ob_proc_unkeep when it is gone. */
void ob_proc_keep(pid_t pid);
void ob_proc_unkeep(pid_t pid);

/* Take a pending SIGINT/SIGTERM without waiting (for loops that poll
 * something else); returns ob_proc_stop_signal(). */
int ob_proc_poll_stop(void);

/* Reap every child that has exited, without blocking. */
void ob_proc_reap(void);

/* Has pid (a child or an orphan re-parented to us) been reaped?  Reaps
 * what has exited, without blocking; true with *status and *end_ns as
 * ob_proc_wait gives them. */
bool ob_proc_done(pid_t pid, int *status, uint64_t *end_ns);

/* poll(2) fds until one is ready, a child exits (reaped and kept for
 * ob_proc_done/ob_proc_wait), deadline_ns passes or, with stoppable, a
 * SIGINT/SIGTERM arrives: returns OB_WAIT_DONE (check revents and
 * ob_proc_done), OB_WAIT_TIMEOUT, OB_WAIT_STOPPED, or -1. */
int ob_proc_poll(struct pollfd *fds, size_t nfds, uint64_t deadline_ns, bool stoppable);

/* The CPU time (user + system, in ns) of a process the runner reaped,
 * including the children it had waited for: false when pid was not among
 * the last few hundred reaped. */
bool ob_proc_reaped_cpu(pid_t pid, uint64_t *cpu_ns);

/* SIGKILL the process group of a spawned child and reap it. */
void ob_proc_kill(pid_t pid);

/* SIGKILL and reap every process still re-parented to the runner (a
 * runtime's sandbox left behind by a killed `create`, e.g. runsc on a
 * platform that hangs); returns how many.  Call only between cells, when
 * the runner should have no child. */
int ob_proc_kill_orphans(void);

/* Run argv to completion with output into a memory file; *out is the
 * NUL-terminated output (stdout and stderr together), *status the waitpid
 * status.  Used for short queries (version, list). */
int ob_proc_capture(char *const *argv, uint64_t timeout_ns, int *status, char **out,
		    struct ob_error *err);

/* Run a helper command (e.g. ip) to completion, argv[0] found on PATH,
 * stdin and stdout /dev/null, killed after timeout_ns.  A non-zero exit is
 * an error whose message holds the command and the last line of its
 * stderr. */
int ob_proc_cmd(char *const argv[], uint64_t timeout_ns, struct ob_error *err);

/* ob_proc_cmd for a NULL-terminated list of arguments, with
 * OB_PROC_CMD_TIMEOUT_NS. */
#define OB_PROC_CMD_TIMEOUT_NS (60 * 1000000000ull)
int ob_proc_cmdl(struct ob_error *err, const char *arg0, ...) __attribute__((sentinel));

/* The absolute path of exe (found on PATH when it holds no '/'), malloc'ed,
 * or NULL when it is not an executable. */
char *ob_proc_which(const char *exe);

/* ob_proc_capture with the namespace, cgroup and environment of sp (its
 * argv and fds are replaced). */
int ob_proc_capture_sp(const struct ob_spawn *sp, char *const *argv, uint64_t timeout_ns,
		       int *status, char **out, struct ob_error *err);

/* "exit N" / "signal N" text of a waitpid status. */
const char *ob_proc_status_text(int status, char *buf, size_t len);

/* Field 22 of /proc/PID/stat (start time in clock ticks since boot), -1 if
 * pid is gone: with the pid, it names one process even after pid reuse. */
long long ob_proc_starttime(pid_t pid);

#endif
