/* prereq.c - see prereq.h */
#include "prereq.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Whether fd (locked) is still the lock file at path. */
static bool current(const char *path, int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

/* Lock the lock file with op (LOCK_SH, LOCK_EX, maybe | LOCK_NB), creating
 * it when create.  Returns the descriptor, or -1 (errno EWOULDBLOCK: another
 * run holds it; ENOENT: there is none and !create). */
static int take(const char *path, int op, bool create)
{
	for (;;) {
		int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);

		if (fd < 0)
			return -1;
		if (flock(fd, op) < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (current(path, fd))
			return fd;
		close(fd);
		if (!create)
			return errno = ENOENT, -1;
	}
}

int ob_prereq_hold(const struct ob_prereq *p, void *ctx, FILE *log, struct ob_error *err)
{
	int fd = take(p->lock, LOCK_SH, true);

	if (fd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "locking %s", p->lock);
	/* Converting a lock lets it go for a moment: the last run may end then
	 * and undo what it made.  So readiness is asked again under the shared
	 * lock, which must still be the current one. */
	for (int tries = 0;; tries++) {
		bool ready = p->ready(ctx);

		if (current(p->lock, fd) && (ready || tries == p->setups))
			return fd;
		if (!current(p->lock, fd) || flock(fd, LOCK_EX) < 0 || !current(p->lock, fd)) {
			close(fd);
			if ((fd = take(p->lock, LOCK_SH, true)) < 0)
				return ob_err(err, OB_EXIT_FAIL, errno, "locking %s", p->lock);
			continue;
		}
		if (p->provide(ctx, log, err) < 0) {
			p->undo(log);
			close(fd);
			return -1;
		}
		flock(fd, LOCK_SH);
	}
}

void ob_prereq_release(const struct ob_prereq *p, int *fd, FILE *log)
{
	if (*fd < 0)
		return;
	if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
		p->undo(log);
	close(*fd);
	*fd = -1;
}

int ob_prereq_cleanup(const struct ob_prereq *p, FILE *log)
{
	int fd = take(p->lock, LOCK_EX | LOCK_NB, false), n;

	if (fd < 0)
		return 0;
	n = p->undo(log);
	close(fd);
	return n;
}
