/* ob-file.c - see ob-file.h */
#include "ob-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ob-cleanup.h"

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory holding path, so that a rename in it is durable. */
static int sync_parent(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	ob_cleanup_close int fd = -1;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash == path ? 1 : slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 || fsync(fd) < 0 ? -1 : 0;
}

int ob_write_file_atomic(const char *path, const void *data, size_t len, struct ob_error *err)
{
	char tmp[4096];
	ob_cleanup_close int fd = -1;

	/* a fresh name, created with O_EXCL: never an existing file or symlink */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= sizeof(tmp))
		return ob_err(err, OB_EXIT_FAIL, ENAMETOOLONG, "writing %s", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "creating %s", tmp);
	if (write_all(fd, data, len) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		int e = errno;

		unlink(tmp);
		return ob_err(err, OB_EXIT_FAIL, e, "writing %s", path);
	}
	if (close(fd) < 0) {
		int e = errno;

		fd = -1;
		unlink(tmp);
		return ob_err(err, OB_EXIT_FAIL, e, "writing %s", path);
	}
	fd = -1;
	/* rename replaces a symlink at path itself, never what it points to */
	if (rename(tmp, path) < 0) {
		int e = errno;

		unlink(tmp);
		return ob_err(err, OB_EXIT_FAIL, e, "renaming %s to %s", tmp, path);
	}
	if (sync_parent(path) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "writing %s (its directory)", path);
	return 0;
}

int ob_read_file(const char *path, char **data, size_t *len, struct ob_error *err)
{
	ob_cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, used = 0;
	char *buf;

	if (fd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "opening %s", path);
	buf = malloc(cap);
	if (buf == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "reading %s", path);
	for (;;) {
		ssize_t n;

		if (used + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (nb == NULL) {
				free(buf);
				return ob_err(err, OB_EXIT_FAIL, ENOMEM, "reading %s", path);
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			free(buf);
			return ob_err(err, OB_EXIT_FAIL, e, "reading %s", path);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*data = buf;
	*len = used;
	return 0;
}
