/* net-rr.c - the request/response loops (rr mode, like netperf TCP_RR).
 *
 * One transaction is one -l byte request from the client and one -l byte
 * response from the server.  The data sockets block with a 100 ms timeout
 * (net_stream_setup), so a transaction costs each side one send and one
 * recv while the peer keeps up, not send + recv(EAGAIN) + poll + recv as on
 * a non-blocking socket: under gVisor, where rr measures the cost of each
 * system call, the count matters.  net_send_full and net_recv_full count the
 * calls (send, recv, and a poll() where a call timed out or met gVisor's
 * spurious EAGAIN); the client reports them as calls_per_transaction.  The
 * client times each transaction with an ob_span around its send and recv
 * and nothing else.
 */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include "net.h"

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
		if (net_send_full(s->fd, s->buf, len, &t->abort, &s->calls, err) < 0)
			return ob_err_wrap(err, "stream %u", s->id);
		got = net_recv_full(s->fd, s->buf, len, &t->abort, NET_IDLE_S * 1000, &s->calls, err);
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
		int got = net_recv_full(s->fd, s->buf, len, &t->abort, NET_IDLE_S * 1000, &s->calls,
					err);

		if (got < 0)
			return ob_err_wrap(err, "stream %u", s->id);
		if (got == 0)
			break; /* the client is done */
		if (net_send_full(s->fd, s->buf, len, &t->abort, &s->calls, err) < 0)
			return ob_err_wrap(err, "stream %u", s->id);
		count++;
		atomic_store_explicit(&s->transactions, count, memory_order_relaxed);
		atomic_store_explicit(&s->bytes, count * len, memory_order_relaxed);
	}
	ob_span_end(&s->window);
	return 0;
}
