/* net-client.c - the client side: agree on a test over the control
 * connection, open the data connections, run, exchange results. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "net.h"

static int handshake_ms(const struct net_opts *o)
{
	double s = o->connect_timeout > NET_HANDSHAKE_S ? o->connect_timeout : NET_HANDSHAKE_S;

	return (int)(s * 1000);
}

static int open_streams(const struct net_opts *o, struct net_test *t,
			const struct sockaddr_storage *peer, socklen_t peerlen,
			struct ob_error *err)
{
	for (unsigned i = 0; i < t->nstreams; i++) {
		struct net_stream *s = &t->streams[i];

		if (net_connect_to(peer, peerlen, o, t->spec.window, &s->fd, err) < 0 ||
		    net_send_full(s->fd, t->spec.cookie, NET_COOKIE_LEN, NULL, NULL, err) < 0)
			return ob_err_wrap(err, "data connection %u", s->id);
		if (o->format == NET_TEXT)
			net_report_connected(s->fd, s->id);
	}
	return 0;
}

/* The peer's result message; an error message from it is the error. */
static int recv_side(int ctl, int timeout_ms, struct net_side *side, struct ob_error *err)
{
	json_t *msg;
	int rc;

	if (net_ctl_recv(ctl, "result", timeout_ms, &msg, err) < 0)
		return -1;
	rc = net_side_from_json(msg, side, err);
	json_decref(msg);
	return rc;
}

int net_client(const struct net_opts *o, net_report_fn report, struct ob_error *err)
{
	struct net_spec spec = {.mode = o->mode, .time = o->time, .streams = (unsigned)o->parallel,
				.length = o->length, .reverse = o->reverse, .window = o->window};
	ob_cleanup_close int ctl = -1;
	struct sockaddr_storage peer;
	socklen_t peerlen = sizeof(peer);
	struct net_test t;
	struct net_side remote;
	struct net_report r = {.command = "client", .spec = &spec};
	json_t *msg;
	int rc;

	if (getrandom(spec.cookie, sizeof(spec.cookie), 0) != sizeof(spec.cookie))
		return ob_err(err, OB_EXIT_FAIL, 0, "getrandom failed");
	if (o->format == NET_TEXT) {
		printf("Connecting to host %s, port %lld\n", o->client, o->port);
		fflush(stdout);
	}
	if (net_connect(o, &ctl, &peer, &peerlen, err) < 0)
		return -1;
	if (net_ctl_send(ctl, net_spec_to_json(&spec), err) < 0 ||
	    net_ctl_recv(ctl, "accept", handshake_ms(o), &msg, err) < 0)
		return -1;
	json_decref(msg);
	if (net_test_init(&t, &spec, true, ctl, err) < 0) {
		net_test_fini(&t);
		return -1;
	}
	t.interval_s = o->interval;
	t.print_intervals = o->format == NET_TEXT;
	rc = open_streams(o, &t, &peer, peerlen, err);
	if (rc == 0 && (rc = net_ctl_recv(ctl, "start", handshake_ms(o), &msg, err)) == 0) {
		json_decref(msg);
		rc = net_test_run(&t, err);
	}
	/* our result first would not help a server waiting for its own end of stream:
	 * the server reports first, then we answer */
	if (rc == 0 && (rc = recv_side(ctl, NET_IDLE_S * 1000, &remote, err)) == 0)
		rc = net_ctl_send(ctl, net_side_to_json(&t.local), err);
	if (rc == 0) {
		r.test = &t;
		net_report_sides(&r, true, &t.local, &remote);
		report(&r, OB_EXIT_OK, NULL);
	}
	net_test_fini(&t);
	return rc;
}
