/* net-rr.c - the request/response loops (rr mode, like netperf TCP_RR).
 *
 * One transaction is one -l byte request from the client and one -l byte
 * response from the server.  The data sockets block with a 100 ms timeout
 * (net_stream_setup), so a transaction costs each side one send and one
 * recv while the peer keeps up, not send + recv(EAGAIN) + poll + recv as on
 * a non-blocking socket: under gVisor, where rr measures the cost of each
 * system call, the count matters.  The loops count their calls (send, recv,
 * and a poll() where a recv or send had to wait); the client reports them as
 * calls_per_transaction.  The client times each transaction with an
 * ob_span around its send and recv and nothing else.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include "net.h"

static bool gave_up(const struct net_test *t)
{
	return net_interrupted || atomic_load_explicit(&t->abort, memory_order_relaxed);
}

/* A call that timed out or was interrupted: wait (counted) and try again,
 * unless the test is over or the peer has been silent for NET_IDLE_S. */
static int retry(struct net_stream *s, short events, unsigned *slices, struct ob_error *err)
{
	struct pollfd p = {.fd = s->fd, .events = events};

	if (gave_up(s->test))
		return ob_err(err, OB_EXIT_FAIL, 0, "interrupted");
	/* a slice: the call's 100 ms timeout, then a poll of up to 100 ms */
	if (++*slices * 200 >= NET_IDLE_S * 1000)
		return ob_err(err, OB_EXIT_FAIL, ETIMEDOUT, "no progress for %d s", NET_IDLE_S);
	/* gVisor's host network may return EAGAIN before the timeout: wait */
	s->calls++;
	if (poll(&p, 1, 100) < 0 && errno != EINTR)
		return ob_err(err, OB_EXIT_FAIL, errno, "poll");
	return 0;
}

/* One message out: one send() while the socket buffer has room. */
static int rr_send(struct net_stream *s, size_t len, struct ob_error *err)
{
	size_t done = 0;
	unsigned slices = 0;

	while (done < len) {
		ssize_t n = send(s->fd, s->buf + done, len - done, MSG_NOSIGNAL);

		s->calls++;
		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			if (retry(s, POLLOUT, &slices, err) < 0)
				return -1;
		} else
			return ob_err(err, OB_EXIT_FAIL, errno, "send");
	}
	return 0;
}

/* One message in: one recv() once it has arrived.  Returns 1, or 0 on the
 * peer's end of stream before the first byte. */
static int rr_recv(struct net_stream *s, size_t len, struct ob_error *err)
{
	size_t got = 0;
	unsigned slices = 0;

	while (got < len) {
		ssize_t n = recv(s->fd, s->buf + got, len - got, 0);

		s->calls++;
		if (n > 0) {
			got += (size_t)n;
		} else if (n == 0) {
			if (got == 0)
				return 0;
			return ob_err(err, OB_EXIT_FAIL, 0, "connection closed in the middle of a message");
		} else if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			if (retry(s, POLLIN, &slices, err) < 0)
				return -1;
		} else {
			return ob_err(err, OB_EXIT_FAIL, errno, "recv");
		}
	}
	return 1;
}

int net_rr_client(struct net_stream *s, struct ob_error *err)
{
	struct net_test *t = s->test;
	const size_t len = t->spec.length;
	uint64_t count = 0;

	while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
		struct ob_span span;
		uint64_t ns;
		int got;

		ob_span_begin(&span);
		if (rr_send(s, len, err) < 0)
			return ob_err_wrap(err, "stream %u", s->id);
		got = rr_recv(s, len, err);
		ns = ob_span_end(&span);
		if (got < 0)
			return ob_err_wrap(err, "stream %u", s->id);
		if (got == 0)
			return ob_err(err, OB_EXIT_FAIL, 0, "stream %u: the server closed the connection", s->id);
		ob_lat_add(&s->lat, ns);
		count++;
		atomic_store_explicit(&s->transactions, count, memory_order_relaxed);
		atomic_store_explicit(&s->bytes, count * len, memory_order_relaxed);
	}
	ob_span_end(&s->window);
	if (shutdown(s->fd, SHUT_WR) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "stream %u: shutdown", s->id);
	return 0;
}

int net_rr_server(struct net_stream *s, struct ob_error *err)
{
	struct net_test *t = s->test;
	const size_t len = t->spec.length;
	uint64_t count = 0;

	for (;;) {
		int got = rr_recv(s, len, err);

		if (got < 0)
			return ob_err_wrap(err, "stream %u", s->id);
		if (got == 0)
			break; /* the client is done */
		if (rr_send(s, len, err) < 0)
			return ob_err_wrap(err, "stream %u", s->id);
		count++;
		atomic_store_explicit(&s->transactions, count, memory_order_relaxed);
		atomic_store_explicit(&s->bytes, count * len, memory_order_relaxed);
	}
	ob_span_end(&s->window);
	return 0;
}
