/* net-sock.c - sockets for ocibench-net: listen, bounded connect, and the
 * waiting rule every loop follows.
 *
 * Sockets are created non-blocking: the listening socket, the control
 * connection and a connect in progress.  A loop on them first makes its
 * call (send, recv, accept); only when that would block does it poll(), in
 * slices of NET_WAIT_MS so it sees stop/abort/signals.  The data sockets of
 * a test are switched to blocking with a 100 ms timeout before the measured
 * loops start (net_stream_setup in net-stream.c).  EAGAIN and EINTR always
 * mean "wait and try again": gVisor's host network can return EAGAIN even
 * from a blocking read.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-clock.h"
#include "net.h"

static const int family_of[] = {[NET_ANY] = AF_UNSPEC, [NET_V4] = AF_INET, [NET_V6] = AF_INET6};

void net_addr_text(const struct sockaddr *sa, char *buf, size_t len, unsigned *port)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
	const void *a = &s4->sin_addr;
	int family = sa->sa_family;

	if (family == AF_INET6) {
		a = &s6->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) { /* IPv4 on the dual-stack socket */
			a = &s6->sin6_addr.s6_addr[12];
			family = AF_INET;
		}
	}
	if (inet_ntop(family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	*port = ntohs(sa->sa_family == AF_INET6 ? s6->sin6_port : s4->sin_port);
}

static bool again(int e)
{
	return e == EAGAIN || e == EWOULDBLOCK || e == EINTR;
}

static bool aborted(const atomic_bool *abort)
{
	return net_interrupted || (abort != NULL && atomic_load_explicit(abort, memory_order_relaxed));
}

int net_wait(int fd, short events, const atomic_bool *abort, int timeout_ms, uint64_t *calls,
	     struct ob_error *err)
{
	struct pollfd p = {.fd = fd, .events = events};
	int waited = 0;

	for (;;) {
		int n;

		if (aborted(abort))
			return ob_err(err, OB_EXIT_FAIL, 0, "interrupted");
		n = poll(&p, 1, NET_WAIT_MS);
		if (calls != NULL)
			++*calls;
		if (n > 0)
			return 0; /* ready, or an error the next call reports */
		if (n < 0 && errno != EINTR)
			return ob_err(err, OB_EXIT_FAIL, errno, "poll");
		waited += NET_WAIT_MS;
		if (timeout_ms > 0 && waited >= timeout_ms)
			return ob_err(err, OB_EXIT_FAIL, ETIMEDOUT, "no progress for %.1f s",
				      timeout_ms / 1000.0);
	}
}

int net_send_full(int fd, const void *buf, size_t len, const atomic_bool *abort,
		  uint64_t *calls, struct ob_error *err)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (calls != NULL)
			++*calls;
		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && again(errno)) {
			if (net_wait(fd, POLLOUT, abort, NET_IDLE_S * 1000, calls, err) < 0)
				return -1;
		} else {
			return ob_err(err, OB_EXIT_FAIL, errno, "send");
		}
	}
	return 0;
}

int net_recv_full(int fd, void *buf, size_t len, const atomic_bool *abort, int timeout_ms,
		  uint64_t *calls, struct ob_error *err)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, p + got, len - got, 0);

		if (calls != NULL)
			++*calls;
		if (n > 0) {
			got += (size_t)n;
		} else if (n == 0) {
			if (got == 0)
				return 0;
			return ob_err(err, OB_EXIT_FAIL, 0, "connection closed in the middle of a message");
		} else if (again(errno)) {
			if (net_wait(fd, POLLIN, abort, timeout_ms, calls, err) < 0)
				return -1;
		} else {
			return ob_err(err, OB_EXIT_FAIL, errno, "recv");
		}
	}
	return 1;
}

int net_set_buffers(int fd, uint64_t window, int mode, struct ob_error *err)
{
	int one = 1, w = (int)window;

	if (window != 0 && (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &w, sizeof(w)) < 0 ||
			    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &w, sizeof(w)) < 0))
		return ob_err(err, OB_EXIT_FAIL, errno, "setting the socket buffers to %d bytes", w);
	/* rr measures one small message each way: do not let Nagle hold them */
	if (mode == NET_RR && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "TCP_NODELAY");
	return 0;
}

static int resolve(const char *host, const char *port, int family, int flags,
		   struct addrinfo **res, struct ob_error *err)
{
	struct addrinfo hints = {.ai_family = family, .ai_socktype = SOCK_STREAM,
				 .ai_flags = flags | AI_ADDRCONFIG};
	int rc = getaddrinfo(host, port, &hints, res);

	if (rc == EAI_ADDRFAMILY || rc == EAI_NONAME) {
		hints.ai_flags &= ~AI_ADDRCONFIG; /* loopback-only hosts have no "configured" address */
		rc = getaddrinfo(host, port, &hints, res);
	}
	if (rc != 0)
		return ob_err(err, OB_EXIT_FAIL, 0, "cannot resolve '%s': %s", host,
			      rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
	return 0;
}

static int listen_on(int family, const struct sockaddr *sa, socklen_t len, bool v6only,
		     unsigned port, int *out, struct ob_error *err)
{
	ob_cleanup_close int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1, v6 = v6only;

	if (fd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6));
	if (bind(fd, sa, len) < 0) {
		if (errno == EADDRINUSE)
			return ob_err(err, OB_EXIT_FAIL, 0, "port %u is in use", port);
		return ob_err(err, OB_EXIT_FAIL, errno, "binding port %u", port);
	}
	if (listen(fd, 128) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "listen on port %u", port);
	*out = ob_steal_fd(&fd);
	return 0;
}

int net_listen(const struct net_opts *o, int *fd, struct ob_error *err)
{
	unsigned port = (unsigned)o->port;
	struct sockaddr_in6 any6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
				    .sin6_addr = IN6ADDR_ANY_INIT};
	struct sockaddr_in any4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				   .sin_addr.s_addr = htonl(INADDR_ANY)};
	char portstr[16];
	struct addrinfo *res;
	int rc;

	if (o->bind != NULL) {
		snprintf(portstr, sizeof(portstr), "%u", port);
		if (resolve(o->bind, portstr, family_of[o->family], AI_PASSIVE, &res, err) < 0)
			return ob_err_wrap(err, "--bind");
		rc = listen_on(res->ai_family, res->ai_addr, res->ai_addrlen, true, port, fd, err);
		freeaddrinfo(res);
		return rc;
	}
	if (o->family != NET_V4) {
		/* one dual-stack socket serves IPv4 and IPv6 */
		rc = listen_on(AF_INET6, (struct sockaddr *)&any6, sizeof(any6), o->family == NET_V6,
			       port, fd, err);
		if (rc == 0 || o->family == NET_V6 || err->errnum != EAFNOSUPPORT)
			return rc;
	}
	return listen_on(AF_INET, (struct sockaddr *)&any4, sizeof(any4), false, port, fd, err);
}

static int bind_local(int fd, int family, const char *addr, struct ob_error *err)
{
	struct addrinfo *res;
	int rc = 0;

	if (resolve(addr, NULL, family, AI_PASSIVE, &res, err) < 0)
		return ob_err_wrap(err, "--bind");
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0)
		rc = ob_err(err, OB_EXIT_FAIL, errno, "binding to '%s'", addr);
	freeaddrinfo(res);
	return rc;
}

int net_connect_to(const struct sockaddr_storage *peer, socklen_t peerlen,
		   const struct net_opts *o, uint64_t window, int *out, struct ob_error *err)
{
	ob_cleanup_close int fd = socket(peer->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int timeout_ms = (int)(o->connect_timeout * 1000), soerr = 0;
	socklen_t len = sizeof(soerr);

	if (fd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "socket");
	if (net_set_buffers(fd, window, o->mode, err) < 0)
		return -1;
	if (o->bind != NULL && bind_local(fd, peer->ss_family, o->bind, err) < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)peer, peerlen) < 0) {
		if (errno != EINPROGRESS && errno != EINTR)
			return ob_err(err, OB_EXIT_FAIL, errno, "connect");
		if (net_wait(fd, POLLOUT, NULL, timeout_ms, NULL, err) < 0) {
			if (err->errnum == ETIMEDOUT)
				return ob_err(err, OB_EXIT_FAIL, 0, "connect timed out after %g s",
					      o->connect_timeout);
			return -1;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			soerr = errno;
		if (soerr != 0)
			return ob_err(err, OB_EXIT_FAIL, soerr, "connect");
	}
	*out = ob_steal_fd(&fd);
	return 0;
}

int net_connect(const struct net_opts *o, int *fd, struct sockaddr_storage *peer,
		socklen_t *peerlen, struct ob_error *err)
{
	char portstr[16];
	struct addrinfo *res;
	int rc = -1;

	snprintf(portstr, sizeof(portstr), "%lld", o->port);
	if (resolve(o->client, portstr, family_of[o->family], 0, &res, err) < 0)
		return -1;
	/* try each address in turn, as iperf3 does; the last error is reported */
	for (struct addrinfo *ai = res; ai != NULL && rc < 0; ai = ai->ai_next) {
		memcpy(peer, ai->ai_addr, ai->ai_addrlen);
		*peerlen = ai->ai_addrlen;
		rc = net_connect_to(peer, *peerlen, o, 0, fd, err);
		if (net_interrupted)
			break;
	}
	freeaddrinfo(res);
	if (rc < 0)
		return ob_err_wrap(err, "connecting to %s port %lld", o->client, o->port);
	return 0;
}
