/* image-unpack.c - extract an image's layers into a rootfs with libarchive.
 *
 * libarchive reads each blob through a callback that hashes every byte it
 * hands over (and the rest of the file after the tar's end), so the digest
 * checked is the digest of what was unpacked, not of an earlier read.
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
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-sha256.h"

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

/* The system errno behind a libarchive error (a full or failing disk), 0
 * for its own codes (format, misc), whose text says it all. */
static int aerrno(struct archive *a)
{
	int e = archive_errno(a);

	return e > 0 && e != EILSEQ && e != EINVAL ? e : 0;
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
			return ob_err(err, OB_EXIT_FAIL, aerrno(out), "%s", errstr(out));
	if (r != ARCHIVE_EOF)
		return ob_err(err, OB_EXIT_FAIL, aerrno(in), "%s", errstr(in));
	return 0;
}

/* A layer blob read by libarchive and hashed on the way. */
struct layer_src {
	int fd;
	struct ob_sha256 sha;
	unsigned char buf[65536];
};

static la_ssize_t layer_read(struct archive *a, void *arg, const void **buf)
{
	struct layer_src *s = arg;
	ssize_t n;

	do
		n = read(s->fd, s->buf, sizeof(s->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "reading the layer");
		return -1;
	}
	ob_sha256_update(&s->sha, s->buf, (size_t)n);
	*buf = s->buf;
	return n;
}

/* Hash what libarchive did not read, then compare with the digest. */
static int layer_check(struct layer_src *s, const char *digest, long long size,
		       struct ob_error *err)
{
	unsigned char sum[OB_SHA256_LEN];
	char hex[OB_SHA256_HEX_LEN + 1];
	ssize_t n;

	while ((n = read(s->fd, s->buf, sizeof(s->buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ob_err(err, OB_EXIT_FAIL, errno, "reading the layer");
		ob_sha256_update(&s->sha, s->buf, (size_t)n);
	}
	uint64_t got = s->sha.bytes;

	ob_sha256_final(&s->sha, sum);
	ob_sha256_hex(sum, hex);
	if (strncmp(digest, "sha256:", 7) != 0 || strcmp(digest + 7, hex) != 0)
		return ob_err(err, OB_EXIT_FAIL, 0,
			      "the unpacked bytes have digest sha256:%s, not %s (the blob changed "
			      "or is corrupt)", hex, digest);
	if (size >= 0 && got != (uint64_t)size)
		return ob_err(err, OB_EXIT_FAIL, 0, "%llu bytes unpacked, the descriptor says %lld",
			      (unsigned long long)got, size);
	return 0;
}

static int extract_layer(const char *layer, const char *digest, long long size, const char *root,
			 struct ob_error *err)
{
	struct layer_src src;
	ob_cleanup_close int fd = open(layer, O_RDONLY | O_CLOEXEC);
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
	if (fd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "opening the layer");
	src.fd = fd;
	ob_sha256_init(&src.sha);
	if (archive_read_open(in, &src, NULL, layer_read, NULL) != ARCHIVE_OK)
		return ob_err(err, OB_EXIT_FAIL, aerrno(in), "%s", errstr(in));
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
			return ob_err(err, OB_EXIT_FAIL, aerrno(out), "%.200s: %s", shown,
				      errstr(out));
		if (archive_entry_size(e) > 0 && copy_data(in, out, err) < 0)
			return ob_err_wrap(err, "%.200s", shown);
		if (archive_write_finish_entry(out) < ARCHIVE_WARN)
			return ob_err(err, OB_EXIT_FAIL, aerrno(out), "%.200s: %s", shown,
				      errstr(out));
	}
	if (r != ARCHIVE_EOF) /* a truncated or corrupt blob: say which digest it should have */
		return ob_err(err, OB_EXIT_FAIL, aerrno(in), "%s (layer %s)", errstr(in), digest);
	if (archive_write_close(out) != ARCHIVE_OK)
		return ob_err(err, OB_EXIT_FAIL, aerrno(out), "%s", errstr(out));
	return layer_check(&src, digest, size, err);
}

int ob_image_unpack(const struct ob_image *img, const char *rootfs, struct ob_error *err)
{
	char root[PATH_MAX];

	/* the real path: SECURE_SYMLINKS checks every component, the prefix too */
	if (realpath(rootfs, root) == NULL)
		return ob_err(err, OB_EXIT_FAIL, errno, "rootfs %s", rootfs);
	for (size_t i = 0; i < img->nlayers; i++)
		if (extract_layer(img->layers[i], img->layer_digests[i], img->layer_sizes[i], root,
				  err) < 0)
			return ob_err_wrap(err, "unpacking layer %zu (%s) into %s", i, img->layers[i], rootfs);
	return 0;
}
