/* net-server.c - the server side: serve tests one after another until
 * SIGINT/SIGTERM (or one test with --one-off). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-clock.h"
#include "net.h"

/* Wait for a connection on the listening socket.  Returns 1 with *fd, 0 when
 * interrupted, -1 on error or after timeout_ms (0 = forever). */
static int accept_one(int listen_fd, int timeout_ms, int *fd, struct ob_error *err)
{
	for (;;) {
		int c = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c >= 0) {
			*fd = c;
			return 1;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			return ob_err(err, OB_EXIT_FAIL, errno, "accept");
		if (net_wait(listen_fd, POLLIN, NULL, timeout_ms, NULL, err) < 0)
			return net_interrupted ? 0 : -1;
	}
}

static void print_peer(int fd, const char *what)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[64];
	unsigned port;

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	net_addr_text((struct sockaddr *)&ss, addr, sizeof(addr), &port);
	printf("%s %s, port %u\n", what, addr, port);
}

/* Accept the test's data connections: each must open with the cookie;
 * anything else (another client) is told the server is busy. */
static int accept_streams(const struct net_opts *o, int listen_fd, struct net_test *t,
			  struct ob_error *err)
{
	uint64_t give_up = ob_now_ns() + NET_HANDSHAKE_S * 1000000000ull;

	for (unsigned i = 0; i < t->nstreams;) {
		unsigned char cookie[NET_COOKIE_LEN];
		ob_cleanup_close int fd = -1;
		uint64_t now = ob_now_ns();
		int rc;

		if (now >= give_up)
			return ob_err(err, OB_EXIT_FAIL, 0, "the client opened %u of %u data connections",
				      i, t->nstreams);
		rc = accept_one(listen_fd, (int)((give_up - now) / 1000000) + 1, &fd, err);
		if (rc <= 0)
			return rc < 0 ? ob_err_wrap(err, "waiting for data connection %u", i + 1)
				      : ob_err(err, OB_EXIT_FAIL, 0, "interrupted");
		if (net_recv_full(fd, cookie, sizeof(cookie), NULL, 2000, NULL, err) <= 0 ||
		    memcmp(cookie, t->spec.cookie, sizeof(cookie)) != 0) {
			net_ctl_refuse(fd, "the server is busy running a test");
			continue;
		}
		if (net_set_buffers(fd, t->spec.window, t->spec.mode, err) < 0)
			return -1;
		t->streams[i].fd = ob_steal_fd(&fd);
		if (o->format == NET_TEXT)
			net_report_connected(t->streams[i].fd, i + 1);
		i++;
	}
	return 0;
}

static int recv_spec(int ctl, struct net_spec *spec, struct ob_error *err)
{
	json_t *msg;
	int rc;

	if (net_ctl_recv(ctl, "params", NET_HANDSHAKE_S * 1000, &msg, err) < 0)
		return -1;
	rc = net_spec_from_json(msg, spec, err);
	json_decref(msg);
	if (rc < 0)
		net_ctl_refuse(ctl, err->msg);
	return rc;
}

/* One test on an accepted control connection. */
static int serve_one(const struct net_opts *o, int listen_fd, int ctl, net_report_fn report,
		     struct ob_error *err)
{
	struct net_spec spec = {0};
	struct net_report r = {.command = "server", .spec = &spec};
	struct net_side remote;
	struct net_test t;
	json_t *msg;
	int rc;

	if (o->format == NET_TEXT) {
		print_peer(ctl, "Accepted connection from");
		fflush(stdout);
	}
	if (recv_spec(ctl, &spec, err) < 0) {
		report(&r, err->status, err);
		return -1;
	}
	if (net_test_init(&t, &spec, false, ctl, err) < 0) {
		net_ctl_refuse(ctl, err->msg);
		net_test_fini(&t);
		report(&r, err->status, err);
		return -1;
	}
	t.listen_fd = listen_fd;
	t.ctl_is_abort = true;
	t.interval_s = o->interval;
	t.print_intervals = o->format == NET_TEXT;
	rc = net_ctl_send(ctl, json_pack("{s:s}", "type", "accept"), err);
	if (rc == 0)
		rc = accept_streams(o, listen_fd, &t, err);
	if (rc == 0)
		rc = net_ctl_send(ctl, json_pack("{s:s}", "type", "start"), err);
	if (rc == 0)
		rc = net_test_run(&t, err);
	if (rc == 0)
		rc = net_ctl_send(ctl, net_side_to_json(&t.local), err);
	if (rc == 0 && net_ctl_recv(ctl, "result", NET_IDLE_S * 1000, &msg, err) == 0) {
		rc = net_side_from_json(msg, &remote, err);
		json_decref(msg);
	} else if (rc == 0) {
		rc = -1;
	}
	if (rc == 0) {
		r.test = &t;
		net_report_sides(&r, false, &t.local, &remote);
		report(&r, OB_EXIT_OK, NULL);
	} else {
		report(&r, err->status, err);
	}
	net_test_fini(&t);
	return rc;
}

int net_server(const struct net_opts *o, net_report_fn report, struct ob_error *err)
{
	ob_cleanup_close int listen_fd = -1;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[64];
	unsigned port;

	if (net_listen(o, &listen_fd, err) < 0) {
		struct net_spec none = {0};
		struct net_report r = {.command = "server", .spec = &none};

		report(&r, err->status, err);
		return -1;
	}
	getsockname(listen_fd, (struct sockaddr *)&ss, &len);
	net_addr_text((struct sockaddr *)&ss, addr, sizeof(addr), &port);
	if (o->format == NET_TEXT) {
		printf("-----------------------------------------------------------\n");
		printf("Server listening on %u\n", port);
		printf("-----------------------------------------------------------\n");
		fflush(stdout);
	}
	for (;;) {
		ob_cleanup_close int ctl = -1;
		struct ob_error test_err = {0};
		int rc = accept_one(listen_fd, 0, &ctl, err);

		if (rc <= 0)
			return rc; /* 0: SIGINT/SIGTERM, a clean exit */
		rc = serve_one(o, listen_fd, ctl, report, &test_err);
		if (o->one_off) {
			if (rc < 0)
				*err = test_err;
			return rc;
		}
		if (net_interrupted)
			return 0;
	}
}
