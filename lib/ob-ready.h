/* ob-ready.h - readiness on the host's clock.
 *
 * A workload's clock is not the runner's: in a Kata guest CLOCK_REALTIME
 * drifts from the host's, so "start to first instruction" cannot be the
 * workload's own timestamp minus the runner's.  Instead the workload's first
 * act, when OB_READY_ENV is set in its environment, writes OB_READY_TOKEN to
 * its stderr; the runner watches the file that receives the container's
 * stderr (directly under runc, through the shim under Kata) and timestamps
 * the token's arrival with its own CLOCK_MONOTONIC.  Anything that needs to
 * know when a container's workload began (lifecycle figures, a sampler that
 * waits for the workload) uses the same watcher.
 */
#ifndef OB_READY_H
#define OB_READY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "ob-error.h"

#define OB_READY_ENV "OB_READY"
#define OB_READY_TOKEN "ocibench: ready\n"
/* The token as a JSON string: how it appears in a log that stores each
 * line as JSON (Docker's json-file driver). */
#define OB_READY_TOKEN_JSON "\"ocibench: ready\\n\""

/* The line the workload writes right after the token: its reading of
 * CLOCK_MONOTONIC taken before the token, with what names that clock (the
 * kernel's boot id, the inode of the time namespace):
 *   "ocibench: clock NS BOOT_ID TIME_NS_INODE\n" */
#define OB_READY_CLOCK "ocibench: clock "

/* The workload's side: write the token to stderr when OB_READY_ENV is set
 * (once; its first act), then the clock line. */
void ob_ready_signal(void);

/* The runner's side: a thread that waits for the token in a file. */
struct ob_ready {
	char *path, *name; /* the file; its name in the watched directory */
	char *token;
	off_t from; /* the file's size when the watch began */
	int ino, stop[2];
	pthread_t thread;
	_Atomic uint64_t at_ns; /* CLOCK_MONOTONIC of the token's arrival; 0 = not yet */
	int running;
};

/* Watch path for the token written after this call.  The file may not
 * exist yet (an engine's log is made when its container starts): its
 * directory is what is watched. */
int ob_ready_start(struct ob_ready *r, const char *path, struct ob_error *err);
/* The same for the token as it appears in that file (NULL: OB_READY_TOKEN). */
int ob_ready_start_token(struct ob_ready *r, const char *path, const char *token,
			 struct ob_error *err);

/* When the token arrived (monotonic ns), 0 while it has not. */
uint64_t ob_ready_at(const struct ob_ready *r);

/* The workload's own reading of CLOCK_MONOTONIC (the clock line in the
 * watched file, written since the watch began) when that clock is the
 * runner's: the same kernel boot and the same time namespace (a container
 * of runc or crun; not a guest kernel, not gVisor's sentry, whose clocks are
 * their own).  Where the file is written by a copier that may run after the
 * container has exited (an engine's log), the token's arrival says nothing
 * of when the workload began; this reading does.  0 with *why when there is
 * none to take.  Before ob_ready_stop(). */
uint64_t ob_ready_clock(const struct ob_ready *r, const char **why);

/* Stop watching; returns ob_ready_at() (a token that arrived unseen stays 0).
 * Safe on a zeroed struct, and twice. */
uint64_t ob_ready_stop(struct ob_ready *r);

#endif
