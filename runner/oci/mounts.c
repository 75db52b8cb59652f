/* mounts.c - see mounts.h */
#include "mounts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ob-fs.h"

static const char *const names[] = {
	[OB_MOUNT_ROOTFS] = "rootfs",
	[OB_MOUNT_BIND] = "bind",
	[OB_MOUNT_BIND_TMPFS] = "bind-tmpfs",
	[OB_MOUNT_TMPFS] = "tmpfs",
};

/* Slack on top of the file set: metadata, the workload's own temp files. */
#define SLACK (64ull << 20)

int ob_mount_parse(const char *name, enum ob_mount_kind *kind, struct ob_error *err)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			*kind = (enum ob_mount_kind)i;
			return 0;
		}
	return ob_err(err, OB_EXIT_USAGE, 0,
		      "invalid value '%s' for --mount: expected rootfs, bind, bind-tmpfs or tmpfs", name);
}

const char *ob_mount_name(enum ob_mount_kind kind)
{
	return names[kind];
}

static int check_disk(const char *dir, uint64_t need, struct ob_error *err)
{
	struct statvfs st;
	uint64_t avail;

	if (statvfs(dir, &st) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "checking free space in %s", dir);
	avail = (uint64_t)st.f_bavail * st.f_frsize;
	if (avail < need + SLACK)
		return ob_err(err, OB_EXIT_FAIL, 0,
			      "not enough free space in %s: %llu MiB needed, %llu MiB available",
			      dir, (unsigned long long)((need + SLACK) >> 20),
			      (unsigned long long)(avail >> 20));
	return 0;
}

/* MemAvailable from /proc/meminfo, in bytes (0 if unknown). */
static uint64_t mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kb = 0;
	char line[256];

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb << 10;
}

/* a tmpfs full of test files is memory: keep a quarter free for the rest */
static bool fits_memory(uint64_t need, uint64_t avail)
{
	return avail == 0 || need + SLACK <= avail / 4 * 3;
}

static int check_memory(uint64_t need, struct ob_error *err)
{
	uint64_t avail = mem_available();

	if (!fits_memory(need, avail))
		return ob_err(err, OB_EXIT_FAIL, 0,
			      "not enough memory for a %llu MiB tmpfs: %llu MiB available",
			      (unsigned long long)((need + SLACK) >> 20),
			      (unsigned long long)(avail >> 20));
	return 0;
}

int ob_mount_check_guest(enum ob_mount_kind kind, uint64_t size, unsigned long long guest_mib,
			 const char *runtime, struct ob_error *err)
{
	if (kind != OB_MOUNT_TMPFS || guest_mib == 0 || fits_memory(size, guest_mib << 20))
		return 0;
	return ob_err(err, OB_EXIT_FAIL, 0,
		      "%s mounts the tmpfs in its guest, whose %llu MiB (default_memory) leave no "
		      "room for a %llu MiB tmpfs",
		      runtime, guest_mib, (unsigned long long)((size + SLACK) >> 20));
}

int ob_mount_check(enum ob_mount_kind kind, uint64_t size, const char *dir,
		   struct ob_error *err)
{
	char path[PATH_MAX];
	struct stat st;

	if (kind == OB_MOUNT_TMPFS || kind == OB_MOUNT_BIND_TMPFS)
		return check_memory(size, err);
	if ((size_t)snprintf(path, sizeof(path), "%s", dir) >= sizeof(path))
		return ob_err(err, OB_EXIT_FAIL, ENAMETOOLONG, "%s", dir);
	/* the directory may not exist yet: its nearest existing ancestor */
	while (stat(path, &st) < 0) {
		char *slash = strrchr(path, '/');

		if (slash == NULL || slash == path) {
			snprintf(path, sizeof(path), "%s", slash == path ? "/" : ".");
			break;
		}
		*slash = '\0';
	}
	return check_disk(path, size, err);
}

/* dst = dir + "/" + name, refusing to truncate. */
static int join(char *dst, size_t len, const char *dir, const char *name, struct ob_error *err)
{
	if ((size_t)snprintf(dst, len, "%s/%s", dir, name) >= len)
		return ob_err(err, OB_EXIT_FAIL, ENAMETOOLONG, "%s/%s", dir, name);
	return 0;
}

static int make_dir(const char *path, struct ob_error *err)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return ob_err(err, OB_EXIT_FAIL, errno, "creating %s", path);
	return 0;
}

int ob_mount_prepare(struct ob_mount *m, enum ob_mount_kind kind, uint64_t size,
		     const char *base, const char *rootfs, struct ob_error *err)
{
	char opts[64];

	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->size = size;
	switch (kind) {
	case OB_MOUNT_ROOTFS:
		return check_disk(rootfs, size, err);
	case OB_MOUNT_TMPFS:
		return check_memory(size, err);
	case OB_MOUNT_BIND:
		if (check_disk(base, size, err) < 0)
			return -1;
		if (join(m->host_dir, sizeof(m->host_dir), base, "bind", err) < 0)
			return -1;
		return make_dir(m->host_dir, err);
	case OB_MOUNT_BIND_TMPFS:
		if (check_memory(size, err) < 0)
			return -1;
		if (join(m->tmpfs_dir, sizeof(m->tmpfs_dir), base, "tmpfs", err) < 0 ||
		    make_dir(m->tmpfs_dir, err) < 0)
			return -1;
		snprintf(opts, sizeof(opts), "size=%llu,mode=0755",
			 (unsigned long long)(size + SLACK));
		if (mount("tmpfs", m->tmpfs_dir, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0) {
			int e = errno;

			rmdir(m->tmpfs_dir);
			return ob_err(err, OB_EXIT_FAIL, e, "mounting a tmpfs on %s", m->tmpfs_dir);
		}
		m->tmpfs_mounted = 1;
		if (join(m->host_dir, sizeof(m->host_dir), m->tmpfs_dir, "data", err) < 0)
			return -1;
		return make_dir(m->host_dir, err);
	}
	return ob_err(err, OB_EXIT_FAIL, 0, "unknown mount kind %d", kind);
}

json_t *ob_mount_oci(const struct ob_mount *m, const char *dest)
{
	char size[48];

	switch (m->kind) {
	case OB_MOUNT_ROOTFS:
		return NULL;
	case OB_MOUNT_BIND:
	case OB_MOUNT_BIND_TMPFS:
		return json_pack("{s:s, s:s, s:s, s:[s, s]}", "destination", dest, "type", "bind",
				 "source", m->host_dir, "options", "rbind", "rw");
	case OB_MOUNT_TMPFS:
		snprintf(size, sizeof(size), "size=%llu", (unsigned long long)(m->size + SLACK));
		return json_pack("{s:s, s:s, s:s, s:[s, s, s, s]}", "destination", dest, "type",
				 "tmpfs", "source", "tmpfs", "options", "nosuid", "nodev", size,
				 "mode=1777");
	}
	return NULL;
}

int ob_mount_release(struct ob_mount *m, struct ob_error *err)
{
	int ret = 0;

	if (m->kind == OB_MOUNT_BIND && m->host_dir[0] != '\0') {
		if (ob_remove_tree(m->host_dir, err) < 0)
			ret = -1;
		m->host_dir[0] = '\0';
	}
	if (m->tmpfs_mounted) {
		if (umount2(m->tmpfs_dir, MNT_DETACH) < 0)
			ret = ob_err(err, OB_EXIT_FAIL, errno, "unmounting %s", m->tmpfs_dir);
		else
			m->tmpfs_mounted = 0;
	}
	if (m->tmpfs_dir[0] != '\0' && !m->tmpfs_mounted) {
		rmdir(m->tmpfs_dir);
		m->tmpfs_dir[0] = '\0';
	}
	return ret;
}
