/* fileio-fstype.c - see fileio-fstype.h */
#include "fileio-fstype.h"

#include <stdio.h>
#include <sys/vfs.h>

/* Magic numbers of <linux/magic.h> (spelled out: the cross headers of some
 * distributions lack a few). */
static const struct {
	unsigned long magic;
	const char *name;
} fs_types[] = {
	{0x01021994, "tmpfs"},
	{0xEF53, "ext4"}, /* ext2 and ext3 share the magic */
	{0x794c7630, "overlay"},
	{0x01021997, "9p"}, /* also gVisor's gofer mounts */
	{0x58465342, "xfs"},
	{0x9123683E, "btrfs"},
	{0x65735546, "fuse"}, /* also virtio-fs */
	{0x6969, "nfs"},
	{0x858458f6, "ramfs"},
	{0x2fc12fc1, "zfs"},
	{0xF2F52010, "f2fs"},
	{0x73717368, "squashfs"},
};

const char *fileio_fs_type(const char *dir, char *buf, size_t len)
{
	struct statfs st;

	if (statfs(dir, &st) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(fs_types) / sizeof(fs_types[0]); i++)
		if ((unsigned long)st.f_type == fs_types[i].magic) {
			snprintf(buf, len, "%s", fs_types[i].name);
			return buf;
		}
	snprintf(buf, len, "0x%lx", (unsigned long)st.f_type);
	return buf;
}
