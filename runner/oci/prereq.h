/* prereq.h - a change to the host that ocibench makes only while its runs
 * need it, under one lock file shared by every run.
 *
 * Some columns need the host changed (binfmt_misc's emulator for a foreign
 * platform, Kata's syslog and shared mount).  Each run holds a shared flock
 * on the prerequisite's lock file while it needs it, so what a holder found
 * in place stays in place.  A run that finds it missing upgrades to the
 * exclusive lock (which waits for no run to hold it) and makes it.  The run
 * that ends last gets the exclusive lock without waiting and undoes what
 * ocibench made; `ocibench cleanup` does the same after a SIGKILL, the
 * kernel having dropped the killed run's lock with its descriptors.
 *
 * The undo may remove the lock file: a lock taken on a file that is no
 * longer the one at the path is let go and taken again, and whether the
 * prerequisite is in place is asked again under it.
 */
#ifndef OB_PREREQ_H
#define OB_PREREQ_H

#include <stdbool.h>
#include <stdio.h>

#include "ob-error.h"

struct ob_prereq {
	const char *lock; /* the lock file */
	/* how many times a hold sets up before it takes what is there */
	int setups;
	/* whether what the run needs is in place (under the shared lock) */
	bool (*ready)(void *ctx);
	/* make what is missing (under the exclusive lock); 0 or -1 */
	int (*provide)(void *ctx, FILE *log, struct ob_error *err);
	/* undo what ocibench made (under the exclusive lock): the number of
	 * items undone */
	int (*undo)(FILE *log);
};

/* Hold p for a run: set up when not ready, then held shared.  Returns the
 * lock's descriptor, or -1 (a set-up that failed is undone at once: no
 * other run held the lock then).  Whether it is ready once held is the
 * caller's to ask: after p->setups set-ups the hold takes what is there. */
int ob_prereq_hold(const struct ob_prereq *p, void *ctx, FILE *log, struct ob_error *err);

/* Let go of the hold *fd (-1: none; -1 after); undo what ocibench made when
 * no other run holds it. */
void ob_prereq_release(const struct ob_prereq *p, int *fd, FILE *log);

/* `ocibench cleanup` (and the start of every run): undo what a killed run
 * made, when no run holds it.  Returns the number of items undone. */
int ob_prereq_cleanup(const struct ob_prereq *p, FILE *log);

#endif
