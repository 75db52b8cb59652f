/* rtstate.h - the host processes a runtime's own state names for a
 * container: the pid of `RUNTIME state ID` (OCI state), and runsc's sandbox
 * and gofer pids from its state file in the column's --root, Kata's QEMU,
 * virtiofsd and kata-proxy from its sandbox's persist.json.  An engine
 * fills the same from its own state (runner/engine/). */
#ifndef OB_HOST_RTSTATE_H
#define OB_HOST_RTSTATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime.h"

struct ob_rtstate {
	pid_t pid;     /* `state`'s pid (the container's process, or a sandbox), 0 if none */
	pid_t own[4];  /* processes the runtime's state names as its own, 0-terminated */
	pid_t above;   /* the process the container hangs from, found by process tree
			* (an engine's shim or conmon: procs.h ob_host_top), 0 none */
};

void ob_rtstate_get(const struct ob_runtime *rt, const char *id, struct ob_rtstate *st);

/* Whether the state names pid as the runtime's own (own[], above). */
bool ob_rtstate_owns(const struct ob_rtstate *rs, pid_t pid);

#endif
