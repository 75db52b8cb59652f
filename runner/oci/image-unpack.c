/* image-unpack.c - extract an image's layers into a rootfs with libarchive.
 *
 * Every entry name is made relative (leading "/" and "./" dropped), checked
 * for ".." and whiteouts, and prefixed with the rootfs' real path (no
 * chdir, so callers may have threads).  libarchive's SECURE_SYMLINKS then
 * refuses to write through a symlink an earlier entry or layer planted.
 */
#include "image.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ob-cleanup.h"

static void archive_freep(struct archive **a)
{
	if (*a != NULL)
		archive_free(*a); /* closes too; write_disk applies deferred dir modes */
}
#define cleanup_archive __attribute__((cleanup(archive_freep)))

static const char *errstr(struct archive *a)
{
	const char *s = archive_error_string(a);

	return s ? s : "unknown libarchive error";
}

/* name relative to the rootfs, or NULL when it must be refused */
static const char *relative_name(const char *name)
{
	const char *p = name;

	for (;;) {
		if (*p == '/')
			p++;
		else if (p[0] == '.' && p[1] == '/')
			p += 2;
		else
			break;
	}
	for (const char *c = p; *c; c = strchr(c, '/') ? strchr(c, '/') + 1 : c + strlen(c))
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
			return NULL;
	return p;
}

static int is_whiteout(const char *rel)
{
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	return strncmp(base, ".wh.", 4) == 0;
}

/* Rewrite an entry's path (and hard-link target) to root/rel. */
static int reroot(struct archive_entry *e, const char *root, struct ob_error *err)
{
	const char *name = archive_entry_pathname(e);
	const char *link = archive_entry_hardlink(e);
	const char *rel = name ? relative_name(name) : NULL;
	ob_cleanup_free char *full = NULL;

	if (rel == NULL)
		return ob_err(err, OB_EXIT_FAIL, 0, "entry '%.200s' leaves the rootfs", name ? name : "");
	if (is_whiteout(rel))
		return ob_err(err, OB_EXIT_FAIL, 0,
			      "entry '%.200s' is a whiteout (not supported)", name);
	if (*rel == '\0')
		return 1; /* the root itself: keep the caller's directory as it is */
	if (asprintf(&full, "%s/%s", root, rel) < 0)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "unpacking");
	archive_entry_copy_pathname(e, full);
	if (link != NULL) {
		const char *lrel = relative_name(link);
		ob_cleanup_free char *lfull = NULL;

		if (lrel == NULL || *lrel == '\0')
			return ob_err(err, OB_EXIT_FAIL, 0, "hard link '%.200s' leaves the rootfs", link);
		if (asprintf(&lfull, "%s/%s", root, lrel) < 0)
			return ob_err(err, OB_EXIT_FAIL, ENOMEM, "unpacking");
		archive_entry_copy_hardlink(e, lfull);
	}
	return 0;
}

static int copy_data(struct archive *in, struct archive *out, struct ob_error *err)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
		if (archive_write_data_block(out, buf, len, off) < ARCHIVE_OK)
			return ob_err(err, OB_EXIT_FAIL, 0, "%s", errstr(out));
	if (r != ARCHIVE_EOF)
		return ob_err(err, OB_EXIT_FAIL, 0, "%s", errstr(in));
	return 0;
}

static int extract_layer(const char *layer, const char *root, struct ob_error *err)
{
	cleanup_archive struct archive *in = archive_read_new();
	cleanup_archive struct archive *out = archive_write_disk_new();
	int flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
		    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT;
	struct archive_entry *e;
	int r;

	if (in == NULL || out == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "unpacking");
	if (geteuid() == 0)
		flags |= ARCHIVE_EXTRACT_OWNER; /* numeric ids: no lookup is set */
	archive_write_disk_set_options(out, flags);
	archive_read_support_filter_all(in);
	archive_read_support_format_tar(in);
	if (archive_read_open_filename(in, layer, 65536) != ARCHIVE_OK)
		return ob_err(err, OB_EXIT_FAIL, 0, "%s", errstr(in));
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		ob_cleanup_free char *shown = strdup(name ? name : "");
		int skip = reroot(e, root, err);

		if (shown == NULL)
			return ob_err(err, OB_EXIT_FAIL, ENOMEM, "unpacking");
		if (skip < 0)
			return -1;
		if (skip)
			continue;
		if (archive_write_header(out, e) < ARCHIVE_WARN)
			return ob_err(err, OB_EXIT_FAIL, 0, "%.200s: %s", shown, errstr(out));
		if (archive_entry_size(e) > 0 && copy_data(in, out, err) < 0)
			return ob_err_wrap(err, "%.200s", shown);
		if (archive_write_finish_entry(out) < ARCHIVE_WARN)
			return ob_err(err, OB_EXIT_FAIL, 0, "%.200s: %s", shown, errstr(out));
	}
	if (r != ARCHIVE_EOF)
		return ob_err(err, OB_EXIT_FAIL, 0, "%s", errstr(in));
	if (archive_write_close(out) != ARCHIVE_OK)
		return ob_err(err, OB_EXIT_FAIL, 0, "%s", errstr(out));
	return 0;
}

int ob_image_unpack(const struct ob_image *img, const char *rootfs, struct ob_error *err)
{
	char root[PATH_MAX];

	/* the real path: SECURE_SYMLINKS checks every component, the prefix too */
	if (realpath(rootfs, root) == NULL)
		return ob_err(err, OB_EXIT_FAIL, errno, "rootfs %s", rootfs);
	for (size_t i = 0; i < img->nlayers; i++)
		if (extract_layer(img->layers[i], root, err) < 0)
			return ob_err_wrap(err, "unpacking layer %zu (%s) into %s", i, img->layers[i], rootfs);
	return 0;
}
