/* net-stream.c - the bulk-transfer loops (stream mode).
 *
 * The sender sends the same buffer again and again until the main thread
 * sets `stop`; the receiver reads until the sender's end of stream.  Per
 * call there is nothing but the send/recv and a relaxed store of the byte
 * count (a plain store on x86 and arm64) that the interval sampler reads:
 * no clock reads, no copies; poll() only when the call timed out.  The
 * stream's measured window (s->window) opens when the start gate opens for
 * every stream at once (net-test.c) and closes here, when its loop ends.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "ob-clock.h"
#include "net.h"

/* Data sockets block, with a 100 ms timeout, during the measured loops
 * (stream and rr): while data flows that is one system call per chunk or
 * message, without the EAGAIN + poll() round trip a non-blocking socket
 * costs each time its buffer fills or empties; the timeout still returns
 * control to the loop (stop, abort, and the spurious EAGAIN of gVisor's host
 * network are all handled there).  Called before the start gate. */
int net_stream_setup(struct net_stream *s, struct ob_error *err)
{
	const struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
	int flags = fcntl(s->fd, F_GETFL);

	if (flags < 0 || fcntl(s->fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "stream %u: socket options", s->id);
	return 0;
}

static int failed_call(struct net_stream *s, const char *what, int e, struct ob_error *err)
{
	return ob_err(err, OB_EXIT_FAIL, e, "stream %u: %s", s->id, what);
}

int net_stream_send(struct net_stream *s, struct ob_error *err)
{
	struct net_test *t = s->test;
	const size_t len = t->spec.length;
	uint64_t total = 0;

	while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
		ssize_t n = send(s->fd, s->buf, len, MSG_NOSIGNAL); /* measured */

		if (n > 0) {
			total += (uint64_t)n;
			atomic_store_explicit(&s->bytes, total, memory_order_relaxed);
		} else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			if (net_wait(s->fd, POLLOUT, &t->abort, NET_IDLE_S * 1000, NULL, err) < 0)
				return -1;
		} else {
			return failed_call(s, "send", errno, err);
		}
	}
	ob_span_end(&s->window);
	/* end of stream: the receiver reads the rest and sees EOF */
	if (shutdown(s->fd, SHUT_WR) < 0)
		return failed_call(s, "shutdown", errno, err);
	return 0;
}

int net_stream_recv(struct net_stream *s, struct ob_error *err)
{
	struct net_test *t = s->test;
	const size_t len = t->spec.length;
	uint64_t total = 0;

	for (;;) {
		ssize_t n = recv(s->fd, s->buf, len, 0); /* measured */

		if (n > 0) {
			total += (uint64_t)n;
			atomic_store_explicit(&s->bytes, total, memory_order_relaxed);
		} else if (n == 0) {
			break; /* the sender's end of stream */
		} else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			if (net_wait(s->fd, POLLIN, &t->abort, NET_IDLE_S * 1000, NULL, err) < 0)
				return -1;
		} else {
			return failed_call(s, "recv", errno, err);
		}
	}
	ob_span_end(&s->window);
	return 0;
}
