/* state.h - what a run leaves in the state directory (/run/ocibench) so
 * that the next run, or `ocibench cleanup`, can remove the containers,
 * mounts and bundles of a run that was killed with SIGKILL.
 *
 *   STATE/runs/RUNID.json   {pid, starttime, bundles, runtimes: [{name, path, args, root}]}
 *   STATE/root/NAME/        each runtime column's private --root
 * Containers are named ocibench-RUNID-N (a net cell's server ocibench-RUNID-sN).
 */
#ifndef OB_STATE_H
#define OB_STATE_H

#include <stdio.h>

#include "ob-error.h"
#include "runtime.h"

#define OB_CONTAINER_PREFIX "ocibench-"
/* Network namespaces of the net test: ocibench-RUNID-nSEQ-(br|0|1). */
#define OB_NETNS_INFIX "-n"

/* Record the live run (runtimes: the columns it uses). */
int ob_state_begin(const char *state_dir, const char *runid, const char *bundles,
		   struct ob_runtime *const *rts, size_t nrts, struct ob_error *err);

/* The run ended (its own clean-up done): forget it. */
void ob_state_end(const char *state_dir, const char *runid);

/* Remove the leftovers of every run that is no longer alive: its
 * containers (delete --force under each runtime it used, and any
 * ocibench-* container of a dead run under the runtimes of set), its
 * network namespaces, mounts and bundle directory.  Prints one line per item to log (may be
 * NULL).  Returns the number of items removed. */
int ob_state_cleanup(const char *state_dir, const char *bundles_root, const struct ob_rtset *set,
		     FILE *log);

#endif
