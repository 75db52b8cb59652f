/* seccomp.h - the container's system call filter (--seccomp).
 *
 *   default     the engines' default profile, read at run time from the
 *               containers-common package (/usr/share/containers/seccomp.json,
 *               the file Podman applies), so the bare runtimes pay the same
 *               filter cost as containers run through an engine
 *   unconfined  no filter
 *   FILE        a profile in the same (Docker/containers) format
 *
 * The profile is turned into the OCI config's linux.seccomp the way the
 * engines do it: its architectures are this host's (archMap), and a rule
 * is kept only when its includes / excludes (capabilities of the
 * container, architecture, minimum kernel) hold for this container.
 */
#ifndef OB_SECCOMP_H
#define OB_SECCOMP_H

#include <jansson.h>

#include "ob-error.h"

#define OB_SECCOMP_DEFAULT_FILE "/usr/share/containers/seccomp.json"

struct ob_seccomp {
	char name[16];     /* "default", "unconfined" or "file" */
	char *path;        /* the profile read, NULL for unconfined */
	char sha256[65];   /* of the profile file, "" for unconfined */
	json_t *oci;       /* linux.seccomp, NULL for unconfined */
};

/* Parse and load --seccomp (NULL: "default").  caps: the container's
 * capabilities (NULL-terminated), arch: uname machine, kernel: release. */
int ob_seccomp_load(const char *value, const char *const *caps, const char *arch,
		    const char *kernel, struct ob_seccomp *sc, struct ob_error *err);

/* The conversion alone (unit tests): profile -> linux.seccomp. */
json_t *ob_seccomp_convert(json_t *profile, const char *const *caps, const char *arch,
			   const char *kernel, struct ob_error *err);

/* {"profile", "path", "sha256"} for the manifest. */
json_t *ob_seccomp_manifest(const struct ob_seccomp *sc);

void ob_seccomp_free(struct ob_seccomp *sc);

#endif
