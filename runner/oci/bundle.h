/* bundle.h - one fresh OCI bundle per run: rootfs from the image (or, for
 * developers, a copy of a directory) and a config.json built with jansson.
 * Preparing a bundle is never part of a timed phase. */
#ifndef OB_BUNDLE_H
#define OB_BUNDLE_H

#include <stdint.h>

#include <jansson.h>

#include "ob-error.h"

struct ob_image;

/* Where a rootfs comes from: the image, else a directory to copy. */
struct ob_rootfs_src {
	const struct ob_image *img;
	const char *from_dir;
};

struct ob_bundle {
	char *dir;     /* the bundle */
	char *rootfs;  /* dir/rootfs */
	char *out;     /* dir/stdout: the container's stdout (O_APPEND) */
	char *errlog;  /* dir/stderr: the container's and the runtime's stderr */
	char *pidfile; /* dir/pid */
	const char *netns; /* borrowed: the network namespace (a path) the container
	                    * joins; NULL: a new one */
	/* Undoes what a failed create left outside the bundle, before create is
	 * tried again (the network namespace a Kata create half set up); may be
	 * NULL.  Set by the bundle's user. */
	int (*before_retry)(void *arg, struct ob_error *err);
	void *retry_arg;
};

/* What the container runs and sees; tests fill it (see suite.h). */
struct ob_bundle_spec {
	const char *const *args; /* process args, args[0] an absolute path in the rootfs */
	char *const *env;        /* extra "K=V" (image env), may be NULL */
	const char *cwd;
	const char *workdir;     /* created in the rootfs (writable, the container's own fs) */
	uint64_t tmp_size;       /* size of the tmpfs at /tmp */
	json_t *extra_mounts;    /* borrowed array of OCI mounts appended, may be NULL */
	int (*customize)(json_t *config, void *arg, struct ob_error *err); /* last word, may be NULL */
	void *customize_arg;
};

/* Make dir (must not exist) with a rootfs from src. */
int ob_bundle_create(const char *dir, const struct ob_rootfs_src *src, struct ob_bundle *b,
		     struct ob_error *err);

/* (Re)write config.json and empty the stdout/stderr/pid files. */
int ob_bundle_configure(const struct ob_bundle *b, const struct ob_bundle_spec *spec,
			struct ob_error *err);

/* Path of NAME inside the rootfs ("/bin/ocibench-cpu"), looking in the
 * image's PATH dirs; -1 if it is not there.  Paths resolve inside the
 * rootfs (see ob_bundle_open_in_root), as the container sees them. */
int ob_bundle_find_bin(const struct ob_bundle *b, char *const *env, const char *name,
		       char *out, size_t len, struct ob_error *err);

/* The capabilities every bundle's process gets (Docker's default set). */
extern const char *const ob_bundle_caps[];

/* linux.seccomp of every bundle configured from now on (borrowed; NULL:
 * none, the default until the run loads its --seccomp). */
void ob_bundle_set_seccomp(json_t *seccomp);

/* Open path (absolute in the container) read-only, resolved as if the
 * rootfs were / (openat2 RESOLVE_IN_ROOT: symlinks and ".." never leave
 * it; without openat2, any symlink is refused), and check it is a regular
 * file.  Returns the descriptor or -1. */
int ob_bundle_open_in_root(const struct ob_bundle *b, const char *path, struct ob_error *err);

/* Free b, leaving the directory in place. */
void ob_bundle_free(struct ob_bundle *b);

/* Unmount and remove the bundle directory; frees b. */
int ob_bundle_destroy(struct ob_bundle *b, struct ob_error *err);

#endif
