/* state.h - what a run leaves in the state directory (/run/ocibench) so
 * that the next run, or `ocibench cleanup`, can remove the containers,
 * mounts and bundles of a run that was killed with SIGKILL.
 *
 *   STATE/runs/RUNID.json   {pid, starttime, bundles, subnet, runtimes: [{name, path, args, root}]}
 *   STATE/root/NAME/        each runtime column's private --root
 * Containers are named ocibench-RUNID-N (a net cell's server ocibench-RUNID-sN).
 */
#ifndef OB_STATE_H
#define OB_STATE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>

#include "ob-error.h"
#include "runtime.h"

#define OB_CONTAINER_PREFIX "ocibench-"
/* Network namespaces of the net test: ocibench-RUNID-nSEQ-(br|0|1). */
#define OB_NETNS_INFIX "-n"

/* The marker file that makes a directory ocibench's own. */
#define OB_OWNED_MARK ".ocibench-owned"

enum ob_owned_kind { OB_OWNED_STATE, OB_OWNED_BUNDLES };

/* May ocibench use dir (option: "--state-dir", for the message)?  Yes when
 * it is missing, carries the marker, is empty, or holds only entries
 * ocibench makes there (runs/ and root/ in a state directory, run ids in a
 * bundle directory).  Anything else is refused (OB_EXIT_USAGE) and nothing
 * is touched.  Returns 1 when dir exists, 0 when it is missing, -1. */
int ob_owned_check(const char *dir, enum ob_owned_kind kind, const char *option,
		   struct ob_error *err);

/* ob_owned_check, then create dir (0700) when missing and mark it. */
int ob_owned_claim(const char *dir, enum ob_owned_kind kind, const char *option,
		   struct ob_error *err);

/* Is s a run id, YYYYMMDDTHHMMSS-PID (the only names cleanup removes)? */
bool ob_state_is_runid(const char *s);

/* Record the live run (runtimes: the columns it uses) with the private /24
 * of its net cells, unique among the live runs of state_dir: *subnet as
 * given (refused, OB_EXIT_USAGE, when a live run holds it), or with
 * pick_subnet the first free /24 from *subnet upward, set in *subnet. */
int ob_state_begin(const char *state_dir, const char *runid, const char *bundles,
		   struct ob_runtime *const *rts, size_t nrts, struct in_addr *subnet,
		   bool pick_subnet, struct ob_error *err);

/* The run ended (its own clean-up done): forget it. */
void ob_state_end(const char *state_dir, const char *runid);

/* At the end of a run, what a VM runtime left of it when a cell was cut
 * short (a stop signal or a timeout killed a Kata create: the sandbox's
 * helpers, mounts and state in /run/vc, which `delete --force` does not
 * know).  Prints one line per item to log; returns how many. */
int ob_state_sweep_run(const char *runid, FILE *log);

/* Remove the leftovers of every run that is no longer alive: its
 * containers (delete --force under each runtime it used, and any
 * ocibench-* container of a dead run under the runtimes of set), its
 * network namespaces, mounts and bundle directory.  Only entries named by
 * run ids are touched, and only in directories ocibench owns (callers
 * check them with ob_owned_check first).  Prints one line per item to log (may be
 * NULL).  Returns the number of items removed. */
int ob_state_cleanup(const char *state_dir, const char *bundles_root, const struct ob_rtset *set,
		     FILE *log);

#endif
