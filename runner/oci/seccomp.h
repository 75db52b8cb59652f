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
 *
 * Some runtimes cannot express the whole converted filter: rune v0.6.0 is
 * runc 1.0.0-rc10, whose OCI spec (1.0.2) has neither errnoRet nor
 * defaultErrnoRet, so it refuses every call with EPERM; libseccomp then
 * refuses to add the profile's own EPERM rules, which equal the default
 * action ("error adding seccomp filter rule for syscall bdflush: permission
 * denied"), and the container never starts.  ob_seccomp_eperm_only() gives
 * such a runtime the filter it can load, and says what differs.
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
	json_t *eperm;     /* oci as an EPERM-only runtime loads it, made on demand */
	json_t *eperm_record; /* what eperm is and how it differs from oci */
};

/* Parse and load --seccomp (NULL: "default").  caps: the container's
 * capabilities (NULL-terminated), arch: uname machine, kernel: release. */
int ob_seccomp_load(const char *value, const char *const *caps, const char *arch,
		    const char *kernel, struct ob_seccomp *sc, struct ob_error *err);

/* The conversion alone (unit tests): profile -> linux.seccomp. */
json_t *ob_seccomp_convert(json_t *profile, const char *const *caps, const char *arch,
			   const char *kernel, struct ob_error *err);

/* linux.seccomp as a runtime without errnoRet (every refusal EPERM) can
 * load it: no errnoRet or defaultErrnoRet, and no rule whose action is the
 * default action (it would only repeat the default, and libseccomp refuses
 * it).  The same calls are allowed with the same arguments; a refused call
 * may get another errno.  *record: {"filter": "eperm-only", "sha256" (of
 * the filter's JSON, keys sorted), "left_out" (the calls of the rules left
 * out: still refused, by the default), "differences" (one line per errno
 * that changes)}.  NULL and err when oci needs what such a runtime lacks
 * (an action of a later libseccomp, an unknown architecture). */
json_t *ob_seccomp_eperm_only(json_t *oci, json_t **record, struct ob_error *err);

/* sc's filter for a runtime with the OB_RTQ_SECCOMP_EPERM quirk (made
 * once, kept in sc; record borrowed from sc); NULL when unconfined. */
int ob_seccomp_for_eperm(struct ob_seccomp *sc, json_t **oci, json_t **record,
			 struct ob_error *err);

/* {"profile", "path", "sha256"} for the manifest. */
json_t *ob_seccomp_manifest(const struct ob_seccomp *sc);

void ob_seccomp_free(struct ob_seccomp *sc);

#endif
