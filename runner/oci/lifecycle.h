/* lifecycle.h - one container through create, start, wait, delete, each
 * phase timed on CLOCK_MONOTONIC around a fork+execve of the runtime.
 *
 * The container's stdout and stderr are the bundle's files (O_APPEND, see
 * RUNTIMES.md), stdin is /dev/null.  The exit status comes from waitpid()
 * of the pid in the pid file (the runner is a subreaper).  Whatever
 * happens (failure, timeout, stop signal) the container is deleted, with
 * `delete --force` when the normal path did not get there.
 */
#ifndef OB_LIFECYCLE_H
#define OB_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "ob-ready.h"

#include "bundle.h"
#include "ob-error.h"
#include "runtime.h"

enum { OB_PH_CREATE, OB_PH_START, OB_PH_WAIT, OB_PH_DELETE, OB_PH_N };
extern const char *const ob_phase_names[OB_PH_N];

enum ob_lc_status { OB_LC_OK, OB_LC_FAILED, OB_LC_UNSUPPORTED, OB_LC_TIMEOUT, OB_LC_STOPPED };
extern const char *const ob_lc_status_names[];

struct ob_lc_result {
	enum ob_lc_status status;
	int exit_status;          /* -1 when unknown */
	bool have[OB_PH_N];
	double phase_ms[OB_PH_N];
	uint64_t started_ns;      /* CLOCK_MONOTONIC when `start` returned */
	uint64_t start_issued_ns; /* CLOCK_MONOTONIC when `start` was issued */
	int create_attempts;      /* creates issued (Kata: > 1 after agent start-up failures) */
	uint64_t ready_ns;        /* CLOCK_MONOTONIC when the workload's ready token
				   * reached the host (ob-ready.h); 0 = never seen */
	bool ready_clock;         /* ready_ns is the workload's own reading of the
				   * host's clock (ob_ready_clock), not the arrival */
	struct ob_ready ready;    /* its watcher, from create to the end of wait */
	json_t *workload;         /* the workload's JSON object, or NULL */
	json_t *extra;            /* more keys for the run's record (tests with a
				   * cell hook), or NULL */
	char *stderr_tail;        /* on anything but OK */
	struct ob_error err;      /* which step went wrong (msg "" when OK) */
};

/* Run one container of bundle b as id, all steps before deadline_ns. */
void ob_lc_run(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
	       uint64_t deadline_ns, struct ob_lc_result *r);

/* The two halves of ob_lc_run, for a container that must run while
 * another one goes through its lifecycle (the net test's server).
 * ob_lc_up: create and start; 0 with *pid, or -1 with r filled in and the
 * container already deleted.  ob_lc_down: wait for pid until deadline, then
 * delete (--force when the normal path did not get there). */
int ob_lc_up(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
	     uint64_t deadline_ns, struct ob_lc_result *r, pid_t *pid);
void ob_lc_down(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id, pid_t pid,
		uint64_t deadline_ns, struct ob_lc_result *r);

/* ob_lc_up in two steps, for measuring between them: ob_lc_create fills r
 * afresh (0 with *pid), ob_lc_start adds its phase; on -1, r is filled in
 * and the container already deleted. */
int ob_lc_create(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
		 uint64_t deadline_ns, struct ob_lc_result *r, pid_t *pid);
int ob_lc_start(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
		uint64_t deadline_ns, struct ob_lc_result *r);

/* ob_lc_down in two steps, for measuring between them (host CPU):
 * ob_lc_wait waits for the container's process and reads its result (0),
 * or gives up (-1: deleted with --force, r filled in); ob_lc_delete then
 * deletes it, keeping r's outcome unless the delete fails. */
int ob_lc_wait(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id, pid_t pid,
	       uint64_t deadline_ns, struct ob_lc_result *r);
void ob_lc_delete(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
		  uint64_t deadline_ns, struct ob_lc_result *r);

/* Spawn "RUNTIME [flags] --root ROOT sub args" with the given stdio, as
 * every step above does (crun's hidden cgroup2 mount, runsc's masked
 * /proc/sys/net); the caller waits for *pid. */
int ob_lc_spawn(const struct ob_runtime *rt, const char *sub, const char *const *args, int in,
		int out, int errfd, pid_t *pid, struct ob_error *err);

/* The pid in a runtime's --pid-file, or -1. */
pid_t ob_lc_read_pid(const char *path);

/* After a create of id that failed with an exit status, its stderr in b's
 * errlog from offset from on, attempts creates issued so far: whether to
 * issue a new one.  Yes when Kata's runtime gave up on the guest's agent
 * (a boot under QEMU's software CPU that missed the agent's start-up
 * window), fewer than the allowed tries were made and no stop signal came;
 * then the failed one is deleted, b's before_retry has run and the errlog
 * says so. */
bool ob_lc_create_again(const struct ob_runtime *rt, const struct ob_bundle *b, const char *id,
			off_t from, int attempts);

/* `delete --force` id (leftovers, interrupted runs). */
int ob_lc_force_delete(const struct ob_runtime *rt, const char *id);

/* "start to first instruction": `start` issued to the ready token's arrival
 * (or, with ready_clock, to the workload's own reading of the host's clock),
 * both on the host's clock, checked (0 <= it <= start + wait); NAN with *why
 * when it cannot be given. */
double ob_lc_first_instruction_ms(const struct ob_lc_result *r, const char **why);

void ob_lc_result_clear(struct ob_lc_result *r);

/* Mark r as failed in step after OB_WAIT_* w (status st when it ran):
 * timeout, stopped, or failed with the exit status. */
void ob_lc_step_failed(struct ob_lc_result *r, const char *step, int w, int st);

/* Mark r with status st and the formatted reason. */
void ob_lc_fail(struct ob_lc_result *r, enum ob_lc_status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Mark r with status st and the error of a step the cell ran, whole:
 * "step: message" (step NULL: the message alone). */
void ob_lc_fail_err(struct ob_lc_result *r, enum ob_lc_status st, const char *step,
		    const struct ob_error *err);

/* The last 2 KiB of a file (a bundle's stderr), malloc'ed; "" when unreadable. */
char *ob_lc_tail(const char *path);

#endif
