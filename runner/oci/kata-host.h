/* kata-host.h - what Kata 1.x needs from the host, only while ocibench runs.
 *
 * kata-runtime refuses to run without a syslog socket, and Kata 1.12 expects
 * shared mount propagation under /run/kata-containers/shared/sandboxes (set
 * up by systemd elsewhere).  When a run has a Kata column and the host lacks
 * them, ocibench provides them for the run: a syslog sink on /dev/log (a
 * process of its own that keeps the messages in STATE_DIR/kata-syslog.log,
 * where a failure's cause is) and a shared bind mount of
 * the sandboxes directory.  Several ocibench runs may share them: each run
 * holds a shared lock (prereq.h); the run that ends last (or `ocibench
 * cleanup`, after a SIGKILL) takes the lock exclusively and undoes what an
 * ocibench run made, as recorded in marker files beside the lock.  Nothing
 * the host had before is touched.
 */
#ifndef OB_KATA_HOST_H
#define OB_KATA_HOST_H

#include <stdbool.h>
#include <stdio.h>

#include "ob-error.h"

struct ob_kata_host {
	int lock; /* -1 when not held */
};

/* Provide what is missing; log says what was made.  Returns 0 or -1. */
int ob_kata_host_up(struct ob_kata_host *h, const char *state_dir, FILE *log,
		    struct ob_error *err);

/* Release this run's hold; undo what ocibench made if no run still holds it. */
void ob_kata_host_down(struct ob_kata_host *h, FILE *log);

/* `ocibench cleanup`: undo what a killed run made, when no run holds it.
 * Returns the number of items undone. */
int ob_kata_host_cleanup(FILE *log);

/* Whether kata-runtime keeps state (OB_KATA_VC/{sbs,vm}, the sandbox's
 * shared directory) of a sandbox whose
 * id starts with prefix: `ocibench cleanup` provides syslog only then. */
bool ob_kata_host_has_state(const char *prefix);

/* Remove that state of a dead run's sandboxes (prefix: "ocibench-RUNID-")
 * once kata-runtime's delete has had its go: a create killed before the
 * sandbox was saved leaves it where no kata-runtime command finds it.
 * Returns the number removed. */
int ob_kata_host_sweep_state(const char *prefix, FILE *log);

#endif
