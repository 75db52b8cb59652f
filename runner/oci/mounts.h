/* mounts.h - where a container's fileio work directory lives.
 *
 *   rootfs      a directory in the container's own root filesystem (default)
 *   bind        a host directory on disk, bind-mounted in
 *   bind-tmpfs  a directory on a tmpfs the runner mounts on the host, bind-mounted in
 *   tmpfs       a tmpfs mounted inside the container
 *
 * ob_mount_prepare() checks the space first (free disk for rootfs/bind,
 * available memory for the tmpfs variants) and makes the host side;
 * ob_mount_oci() gives the OCI mount entry to add to config.json;
 * ob_mount_release() undoes the host side.  Everything the runner mounts
 * lives under a directory whose name carries the run's prefix, so a later
 * run can find and remove a killed run's leftovers (ob_remove_tree() in
 * ob-fs.h unmounts what is below a tree before removing it).
 */
#ifndef OB_MOUNTS_H
#define OB_MOUNTS_H

#include <limits.h>
#include <stdint.h>

#include <jansson.h>

#include "ob-error.h"

enum ob_mount_kind {
	OB_MOUNT_ROOTFS,
	OB_MOUNT_BIND,
	OB_MOUNT_BIND_TMPFS,
	OB_MOUNT_TMPFS,
};

struct ob_mount {
	enum ob_mount_kind kind;
	uint64_t size;          /* bytes the workload needs */
	char host_dir[PATH_MAX]; /* bind, bind-tmpfs: the directory bound in */
	char tmpfs_dir[PATH_MAX]; /* bind-tmpfs: the tmpfs mount point */
	int tmpfs_mounted;
};

/* "rootfs", "bind", "bind-tmpfs", "tmpfs" -> kind; exit 2 naming the value otherwise. */
int ob_mount_parse(const char *name, enum ob_mount_kind *kind, struct ob_error *err);
const char *ob_mount_name(enum ob_mount_kind kind);

/* The tmpfs variant under a VM runtime (Kata) lives in the guest's memory,
 * not the host's: is there room for size bytes in guest_mib MiB of guest,
 * by the rule of the host's check?  Fails naming the runtime and the
 * shortfall; other kinds always fit. */
int ob_mount_check_guest(enum ob_mount_kind kind, uint64_t size, unsigned long long guest_mib,
			 const char *runtime, struct ob_error *err);

/* Is there room for size bytes of files in variant kind?  Disk space in dir
 * (or its nearest existing ancestor) for rootfs and bind, available memory
 * for the tmpfs variants.  Fails with a message naming the shortfall. */
int ob_mount_check(enum ob_mount_kind kind, uint64_t size, const char *dir,
		   struct ob_error *err);

/* Prepare the host side of one variant.  base is a per-run directory on disk
 * (bind directories and tmpfs mount points are made below it); rootfs is the
 * bundle's root filesystem (checked for space in the rootfs variant). */
int ob_mount_prepare(struct ob_mount *m, enum ob_mount_kind kind, uint64_t size,
		     const char *base, const char *rootfs, struct ob_error *err);

/* The OCI "mounts" entry for destination dest, or NULL for the rootfs variant
 * (the caller then creates dest inside the rootfs). */
json_t *ob_mount_oci(const struct ob_mount *m, const char *dest);

/* Undo ob_mount_prepare (unmount, remove directories).  Safe to repeat. */
int ob_mount_release(struct ob_mount *m, struct ob_error *err);

#endif
