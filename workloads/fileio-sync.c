/* fileio-sync.c - the "sync" engine: one pread/pwrite per request,
 * fsync(2) or fdatasync(2) per fsync event (sysbench's sync mode). */
#include <errno.h>
#include <unistd.h>

#include "fileio-engine.h"

int fileio_io_error(struct fileio_files *fs, const struct ob_event *ev, long long ret,
		    struct ob_error *err)
{
	const char *what = ev->op == FIO_OP_READ ? "read" : "write";

	if (ret < 0)
		return ob_err(err, OB_EXIT_FAIL, (int)-ret, "%s of %llu bytes at offset %llu of '%s'",
			      what, (unsigned long long)ev->len, (unsigned long long)ev->pos,
			      fs->paths[ev->file]);
	return ob_err(err, OB_EXIT_FAIL, 0,
		      "short %s: %lld of %llu bytes at offset %llu of '%s'", what, ret,
		      (unsigned long long)ev->len, (unsigned long long)ev->pos,
		      fs->paths[ev->file]);
}

int fileio_fd_fsync(struct fileio_files *fs, unsigned file, struct ob_error *err)
{
	int fd = fs->fds[file];

	if ((fs->fdatasync ? fdatasync(fd) : fsync(fd)) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "%s of '%s'",
			      fs->fdatasync ? "fdatasync" : "fsync", fs->paths[file]);
	return 0;
}

/* The measured work of one request. */
static int sync_execute(struct fileio_files *fs, const struct ob_event *ev, void *buf,
			struct ob_error *err)
{
	int fd = fs->fds[ev->file];
	ssize_t n;

	if (ev->op == FIO_OP_READ)
		n = pread(fd, buf, ev->len, (off_t)ev->pos);
	else
		n = pwrite(fd, buf, ev->len, (off_t)ev->pos);
	if (n != (ssize_t)ev->len)
		return fileio_io_error(fs, ev, n < 0 ? -errno : n, err);
	return 0;
}

const struct fileio_engine fileio_sync_engine = {
	.name = "sync",
	.execute = sync_execute,
	.fsync = fileio_fd_fsync,
};
