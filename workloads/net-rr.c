/* net-rr.c - the request/response loops (rr mode, like netperf TCP_RR).
 *
 * One transaction is one -l byte request from the client and one -l byte
 * response from the server; the client times each transaction between two
 * clock reads with nothing else in between.
 */
#include "config.h"

#include <errno.h>

#include "ob-clock.h"
#include "net.h"

int net_rr_client(struct net_stream *s, struct ob_error *err)
{
	struct net_test *t = s->test;
	const size_t len = t->spec.length;
	uint64_t count = 0;

	while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
		uint64_t t0, t1;
		int got;

		t0 = ob_now_ns();
		if (net_send_full(s->fd, s->buf, len, &t->abort, err) < 0) /* measured */
			return ob_err_wrap(err, "stream %u", s->id);
		got = net_recv_full(s->fd, s->buf, len, &t->abort, NET_IDLE_S * 1000, err);
		t1 = ob_now_ns();
		if (got < 0)
			return ob_err_wrap(err, "stream %u", s->id);
		if (got == 0)
			return ob_err(err, OB_EXIT_FAIL, 0, "stream %u: the server closed the connection", s->id);
		ob_lat_add(&s->lat, t1 - t0);
		count++;
		atomic_store_explicit(&s->transactions, count, memory_order_relaxed);
		atomic_store_explicit(&s->bytes, count * len, memory_order_relaxed);
	}
	s->end_ns = ob_now_ns();
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
		int got = net_recv_full(s->fd, s->buf, len, &t->abort, NET_IDLE_S * 1000, err);

		if (got < 0)
			return ob_err_wrap(err, "stream %u", s->id);
		if (got == 0)
			break; /* the client is done */
		if (net_send_full(s->fd, s->buf, len, &t->abort, err) < 0)
			return ob_err_wrap(err, "stream %u", s->id);
		count++;
		atomic_store_explicit(&s->transactions, count, memory_order_relaxed);
		atomic_store_explicit(&s->bytes, count * len, memory_order_relaxed);
	}
	s->end_ns = ob_now_ns();
	return 0;
}
