/* runtime.h - the OCI runtimes ocibench knows, user additions, detection.
 *
 * A runtime is a column of the results: a name, an executable and global
 * flags given before every subcommand (runsc needs them repeated on each).
 * Built-ins: runc, crun, runsc, kata and kata-virtiofs (kata-runtime with
 * the 9p or virtio-fs configuration of `./quickstart kata`), rune.  `--runtime
 * NAME=PATH[,ARG...]` adds a column or overrides a built-in; it inherits
 * the quirks of the built-in whose executable has the same base name, so
 * `runsc-kvm=runsc,--platform=kvm` is handled like runsc, and
 * `kata-9p=kata-runtime,--kata-config=/etc/kata-containers/9p.toml` like
 * kata-runtime (its configuration file, e.g. 9p or virtio-fs file sharing,
 * is checked to exist).
 */
#ifndef OB_RUNTIME_H
#define OB_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "ob-error.h"

enum {
	OB_RTQ_HYBRID_CGROUP = 1u << 0, /* crun: refuses a non-empty cgroup2 "unified" mount */
	OB_RTQ_ORPHANS = 1u << 1,       /* runsc: gofer must be reaped before delete */
	OB_RTQ_KATA_CONFIG = 1u << 2,   /* kata-runtime: --kata-config FILE must be readable */
	OB_RTQ_NETSTACK = 1u << 3,      /* runsc: --network=none|sandbox|host picks its stack */
	OB_RTQ_ENCLAVE_OK = 1u << 4,    /* rune: a column named *-sgx runs enclaves */
	OB_RTQ_ENCLAVE = 1u << 5,       /* this column is the enclave variant */
	OB_RTQ_OWN_NETNS = 1u << 6,     /* kata-runtime: gets a network namespace the runner
	                                 * made (its own outlives a killed create) */
	OB_RTQ_APP_STUBS = 1u << 7,     /* runsc: the application runs in host processes its
					 * sandbox drives (stubs), and its own CPU count is
					 * the sandbox's, not the host kernel's */
	OB_RTQ_SECCOMP_EPERM = 1u << 8, /* rune: runc 1.0.0-rc10 inside, no errnoRet (seccomp.h) */
	OB_RTQ_GUEST = 1u << 9,         /* kata-runtime: the workload runs on a VM's guest kernel,
	                                 * whose CPU counts are on the guest's clock */
};

struct ob_ecol;

struct ob_runtime {
	char *name;      /* column name */
	char *exe;       /* as configured ("runc" or "/opt/x/runc") */
	char *path;      /* resolved absolute path, NULL when not found */
	char **args;     /* global flags, NULL-terminated (user + built-in) */
	char *root;      /* private --root state directory of this column */
	unsigned quirks;
	const char *needs; /* "kvm", "sgx" or NULL */
	const char *accel; /* Kata: "kvm" or "tcg" (QEMU's software CPU); else NULL */
	unsigned long long guest_mem_mib; /* Kata: the guest's memory (default_memory), else 0 */
	bool user;       /* defined or overridden by --runtime */
	char *version;   /* first line of --version, "" when unknown */
	char *unusable;  /* why it cannot be used; NULL when usable */
	char *hide_mount; /* create/run in a private mount ns without this mount */
	const char *mask_dir; /* create/start/run with an empty tmpfs over this dir
			       * (runsc's sandbox network on kernels >= 6.11; set per cell) */
	struct ob_ecol *engine; /* a column through an engine (engine/engine.h), NULL:
				 * the bare OCI path */
	json_t *seccomp;        /* linux.seccomp of its bundles, borrowed (NULL: none) */
	json_t *seccomp_record; /* how it differs from the run's --seccomp, borrowed
				 * (NULL: it is the run's filter as converted) */
};

struct ob_rtset {
	struct ob_runtime *rt;
	size_t n;
};

/* Built-ins plus each "NAME=PATH[,ARG...]" of defs (a later one overrides an
 * earlier one of the same name).  state_root: parent of the --root dirs. */
int ob_rt_load(struct ob_rtset *set, char *const *defs, size_t ndefs, const char *state_root,
	       struct ob_error *err);

/* Find executables, read versions, check needs (KVM, SGX) and quirks. */
void ob_rt_detect(struct ob_rtset *set);

/* Where runtimes built from source live: $OCIBENCH_PREFIX, or the
 * configured default (runtimes/build installs NAME under PREFIX/NAME). */
const char *ob_rt_prefix(void);

/* Whether this host can run SGX enclaves; why: what was found. */
bool ob_rt_sgx(const char **why);

struct ob_runtime *ob_rt_find(const struct ob_rtset *set, const char *name);

/* argv for "RUNTIME [global flags] --root ROOT SUB ARGS...": args is
 * NULL-terminated; the result (NULL-terminated) is malloc'ed, strings borrowed. */
char **ob_rt_argv(const struct ob_runtime *rt, const char *sub, const char *const *args);

void ob_rt_free(struct ob_rtset *set);

#endif
