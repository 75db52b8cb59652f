/* fileio-uring.c - the "io_uring" engine (liburing).
 *
 * Each thread owns a ring and --file-io-depth request slots (page-aligned
 * buffers, so O_DIRECT works).  Its loop (thread_run) keeps up to depth
 * reads/writes in flight: it takes requests from the shared generator
 * (calling ob_thread_continue() before each, so --time and --events hold
 * exactly), submits each at once (one io_uring_submit() per request, like
 * fio's default), and when depth are in flight or no more may start, waits
 * for at least one completion and reaps all that are ready.  The span of a
 * request runs from just before its submission (after the request was
 * generated under the shared lock and queued) to the clock read after the
 * wait that returned its completion, or, under --file-fsync-all, to the end
 * of the write's fsync, as in the sync engine.  Counters and --validate
 * checks come after the span (fileio_completed), as in sysbench's async
 * mode; fsync events stay synchronous (sysbench: "the async fsync path
 * cannot be reached"), each timed as its own event.  Leftovers are drained
 * before the thread ends.
 *
 * Unsupported here (exit 77): io_uring_queue_init() refused (ENOSYS,
 * EPERM: seccomp, sandboxes) or the first request failing with EINVAL
 * (gVisor without the opcode).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <liburing.h>

#include "fileio-engine.h"
#include "ob-span.h"

struct slot {
	struct ob_event ev;
	struct ob_span span; /* submission to completion */
	void *buf;
};

struct uring {
	struct io_uring ring;
	bool ring_ok;
	bool completed_one;   /* false until the first completion */
	unsigned depth;
	struct slot *slots;
	struct slot **free;   /* stack of idle slots */
	unsigned nfree;
	void *bufs;
};

static int ring_init(struct uring *u, struct ob_error *err)
{
	/* Lower-overhead task handling where the kernel has it (6.1+). */
	static const unsigned tries[] = {
		IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		IORING_SETUP_COOP_TASKRUN,
		0,
	};
	int rc = -EINVAL;

	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]) && rc == -EINVAL; i++)
		rc = io_uring_queue_init(u->depth, &u->ring, tries[i]);
	if (rc == -ENOSYS || rc == -EPERM || rc == -EACCES)
		return ob_err(err, OB_EXIT_UNSUPPORTED, -rc,
			      "io_uring is not available here (io_uring_queue_init)");
	if (rc < 0)
		return ob_err(err, OB_EXIT_FAIL, -rc, "io_uring_queue_init(%u)", u->depth);
	u->ring_ok = true;
	return 0;
}

static int uring_thread_init(struct ob_thread *t, struct fileio_files *fs, struct ob_error *err)
{
	struct fileio_thread *ft = t->priv;
	struct uring *u = calloc(1, sizeof(*u));

	if (u == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "allocating io_uring state");
	ft->priv = u;
	u->depth = fs->depth;
	u->slots = calloc(u->depth, sizeof(*u->slots));
	u->free = calloc(u->depth, sizeof(*u->free));
	if (u->slots == NULL || u->free == NULL ||
	    posix_memalign(&u->bufs, 4096, (size_t)u->depth * fs->req_size) != 0)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "allocating %u io_uring buffers",
			      u->depth);
	memset(u->bufs, 0, (size_t)u->depth * fs->req_size);
	for (unsigned i = 0; i < u->depth; i++) {
		u->slots[i].buf = (char *)u->bufs + (size_t)i * fs->req_size;
		u->free[u->nfree++] = &u->slots[i];
	}
	return ring_init(u, err);
}

static void uring_thread_fini(struct ob_thread *t, struct fileio_files *fs)
{
	struct fileio_thread *ft = t->priv;
	struct uring *u = ft->priv;

	(void)fs;
	if (u == NULL)
		return;
	if (u->ring_ok)
		io_uring_queue_exit(&u->ring); /* before the buffers go */
	free(u->bufs);
	free(u->slots);
	free(u->free);
	free(u);
	ft->priv = NULL;
}

/* Prepare one request's submission queue entry. */
static void queue(struct uring *u, struct fileio_files *fs, struct slot *s)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring); /* never NULL: SQ is empty */
	int fd = fs->fds[s->ev.file];

	if (s->ev.op == FIO_OP_READ)
		io_uring_prep_read(sqe, fd, s->buf, (unsigned)s->ev.len, s->ev.pos);
	else
		io_uring_prep_write(sqe, fd, s->buf, (unsigned)s->ev.len, s->ev.pos);
	io_uring_sqe_set_data(sqe, s);
}

/* Submit one queued request at once, as fio does by default
 * (iodepth_batch_submit=1): on a virtio disk, submitting the refills in one
 * batch measured ~7% fewer IOPS than one at a time.  Its latency starts
 * here. */
static int submit(struct uring *u, struct slot *s, struct ob_error *err)
{
	int rc;

	ob_span_begin(&s->span);
	do
		rc = io_uring_submit(&u->ring);
	while (rc == -EINTR || rc == -EAGAIN || rc == 0);
	if (rc < 0)
		return ob_err(err, OB_EXIT_FAIL, -rc, "io_uring_submit");
	return 0;
}

static int completion_error(struct uring *u, struct fileio_files *fs, const struct slot *s,
			    int res, struct ob_error *err)
{
	if (res == -EINVAL && !u->completed_one)
		return ob_err(err, OB_EXIT_UNSUPPORTED, EINVAL,
			      "io_uring I/O is not supported here: the first %s on '%s' failed",
			      s->ev.op == FIO_OP_READ ? "read" : "write", fs->paths[s->ev.file]);
	return fileio_io_error(fs, &s->ev, res, err);
}

/* Wait for one completion at least, then reap every ready one. */
static int reap(struct ob_thread *t, struct uring *u, struct fileio_files *fs, unsigned *inflight,
		struct ob_error *err)
{
	struct io_uring_cqe *cqe;
	unsigned head, seen = 0;
	uint64_t t1, ns;
	int rc;

	do
		rc = io_uring_wait_cqe(&u->ring, &cqe);
	while (rc == -EINTR);
	if (rc < 0)
		return ob_err(err, OB_EXIT_FAIL, -rc, "io_uring_wait_cqe");
	t1 = ob_now_ns(); /* ends the span of every request reaped below */
	io_uring_for_each_cqe(&u->ring, head, cqe) {
		struct slot *s = io_uring_cqe_get_data(cqe);

		seen++;
		if (cqe->res != (int)s->ev.len)
			return completion_error(u, fs, s, cqe->res, err);
		u->completed_one = true;
		if (s->ev.op == FIO_OP_WRITE && fs->fsync_all) {
			/* the write's fsync belongs to its event, as in the sync engine */
			if (fileio_fsync(s->ev.file, err) < 0)
				return -1;
			ns = ob_span_end(&s->span);
		} else {
			ns = ob_span_end_at(&s->span, t1);
		}
		ob_lat_add(&t->lat, ns);
		/* counters, --validate check: after the span */
		if (fileio_completed(t, &s->ev, s->buf, err) < 0)
			return -1;
		u->free[u->nfree++] = s;
	}
	io_uring_cq_advance(&u->ring, seen);
	*inflight -= seen;
	return 0;
}

/* An fsync event: synchronous, timed on its own. */
static int fsync_event(struct ob_thread *t, const struct ob_event *ev, struct ob_error *err)
{
	struct ob_span span;
	int rc;

	ob_span_begin(&span);
	rc = fileio_fsync(ev->file, err);
	ob_lat_add(&t->lat, ob_span_end(&span));
	if (rc < 0)
		return -1;
	return fileio_completed(t, ev, NULL, err);
}

static int uring_thread_run(struct ob_thread *t, struct fileio_files *fs, struct ob_error *err)
{
	struct uring *u = ((struct fileio_thread *)t->priv)->priv;
	unsigned inflight = 0;
	bool more = true;

	while (more || inflight > 0) {
		while (more && inflight < u->depth) {
			struct slot *s = u->free[u->nfree - 1];

			if (!ob_thread_continue(t)) {
				more = false;
				break;
			}
			fileio_next(t, &s->ev, s->buf);
			if (s->ev.op == FIO_OP_FSYNC) {
				if (fsync_event(t, &s->ev, err) < 0)
					return -1;
				continue;
			}
			u->nfree--;
			queue(u, fs, s);
			if (submit(u, s, err) < 0)
				return -1;
			inflight++;
		}
		if (inflight > 0 && reap(t, u, fs, &inflight, err) < 0)
			return -1;
	}
	return 0;
}

const struct fileio_engine fileio_uring_engine = {
	.name = "io_uring",
	.thread_init = uring_thread_init,
	.fsync = fileio_fd_fsync,
	.thread_run = uring_thread_run,
	.thread_fini = uring_thread_fini,
};
