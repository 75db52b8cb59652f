/* net-ctl.c - the control connection: one JSON object per line.
 *
 *   client -> server  {"type":"params", mode, time, streams, length, reverse, window, cookie}
 *   server -> client  {"type":"accept"} or {"type":"error","error":"..."}
 *   client -> server  one data connection per stream, each opening with the 16-byte cookie
 *   server -> client  {"type":"start"}           both sides start their clocks
 *   server -> client  {"type":"result", bytes, transactions, time_s}
 *   client -> server  {"type":"result", ... , latency_us (rr)}
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "ob-cleanup.h"
#include "net.h"

#define CTL_MAX 65536

static const char *const mode_names[] = {"stream", "rr", NULL};

int net_ctl_send(int fd, json_t *msg, struct ob_error *err)
{
	ob_cleanup_free char *text = json_dumps(msg, JSON_COMPACT);
	size_t len;
	int rc;

	json_decref(msg);
	if (text == NULL)
		return ob_err(err, OB_EXIT_FAIL, 0, "encoding a control message");
	len = strlen(text);
	text[len] = '\n'; /* json_dumps' NUL becomes the line end */
	rc = net_send_full(fd, text, len + 1, NULL, NULL, err);
	return rc < 0 ? ob_err_wrap(err, "control connection") : 0;
}

/* Read one line, without reading past it (MSG_PEEK finds the newline). */
static int read_line(int fd, char *buf, int timeout_ms, struct ob_error *err)
{
	for (;;) {
		ssize_t n = recv(fd, buf, CTL_MAX - 1, MSG_PEEK);
		char *nl;

		if (n == 0)
			return ob_err(err, OB_EXIT_FAIL, 0, "the peer closed the control connection");
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				return ob_err(err, OB_EXIT_FAIL, errno, "control connection");
			if (net_wait(fd, POLLIN, NULL, timeout_ms, NULL, err) < 0)
				return ob_err_wrap(err, "waiting for the peer");
			continue;
		}
		nl = memchr(buf, '\n', (size_t)n);
		if (nl == NULL) {
			if (n >= CTL_MAX - 1)
				return ob_err(err, OB_EXIT_FAIL, 0, "control message too long");
			if (net_wait(fd, POLLIN, NULL, timeout_ms, NULL, err) < 0)
				return ob_err_wrap(err, "waiting for the peer");
			continue;
		}
		n = recv(fd, buf, (size_t)(nl - buf + 1), 0); /* consume exactly the line */
		if (n <= 0)
			return ob_err(err, OB_EXIT_FAIL, errno, "control connection");
		buf[n - 1] = '\0';
		return 0;
	}
}

int net_ctl_recv(int fd, const char *want, int timeout_ms, json_t **out, struct ob_error *err)
{
	ob_cleanup_free char *buf = malloc(CTL_MAX);
	json_t *msg;
	const char *type;

	if (buf == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "control buffer");
	if (read_line(fd, buf, timeout_ms, err) < 0)
		return -1;
	msg = json_loads(buf, 0, NULL);
	type = json_string_value(json_object_get(msg, "type"));
	if (type == NULL) {
		json_decref(msg);
		return ob_err(err, OB_EXIT_FAIL, 0, "not an ocibench-net peer (bad control message)");
	}
	if (strcmp(type, "error") == 0) {
		const char *why = json_string_value(json_object_get(msg, "error"));

		ob_err(err, OB_EXIT_FAIL, 0, "the peer refused: %s", why ? why : "no reason given");
		json_decref(msg);
		return -1;
	}
	if (strcmp(type, want) != 0) {
		ob_err(err, OB_EXIT_FAIL, 0, "expected a '%s' control message, got '%.32s'", want, type);
		json_decref(msg);
		return -1;
	}
	*out = msg;
	return 0;
}

void net_ctl_refuse(int fd, const char *why)
{
	struct ob_error ignored;

	net_ctl_send(fd, json_pack("{s:s, s:s}", "type", "error", "error", why), &ignored);
}

json_t *net_spec_to_json(const struct net_spec *spec)
{
	char cookie[2 * NET_COOKIE_LEN + 1];

	for (int i = 0; i < NET_COOKIE_LEN; i++)
		snprintf(cookie + 2 * i, 3, "%02x", spec->cookie[i]);
	return json_pack("{s:s, s:i, s:s, s:f, s:I, s:I, s:b, s:I, s:s}", "type", "params",
			 "version", 1, "mode", mode_names[spec->mode], "time", spec->time,
			 "streams", (json_int_t)spec->streams, "length", (json_int_t)spec->length,
			 "reverse", spec->reverse, "window", (json_int_t)spec->window,
			 "cookie", cookie);
}

int net_spec_from_json(json_t *msg, struct net_spec *spec, struct ob_error *err)
{
	const char *mode = NULL, *cookie = NULL;
	json_int_t streams = 0, length = 0, window = 0, version = 0;
	int reverse = 0;

	if (json_unpack(msg, "{s:I, s:s, s:F, s:I, s:I, s:b, s:I, s:s}", "version", &version,
			"mode", &mode, "time", &spec->time, "streams", &streams, "length", &length,
			"reverse", &reverse, "window", &window, "cookie", &cookie) < 0 ||
	    version != 1)
		return ob_err(err, OB_EXIT_FAIL, 0, "malformed test parameters");
	for (spec->mode = 0; mode_names[spec->mode] != NULL; spec->mode++)
		if (strcmp(mode_names[spec->mode], mode) == 0)
			break;
	if (mode_names[spec->mode] == NULL || spec->time <= 0 || spec->time > 86400 ||
	    streams < 1 || streams > 128 || length < 1 || length > (256 << 20) || window < 0 ||
	    window > (1 << 30) || strlen(cookie) != 2 * NET_COOKIE_LEN)
		return ob_err(err, OB_EXIT_FAIL, 0, "test parameters out of range");
	for (int i = 0; i < NET_COOKIE_LEN; i++) {
		unsigned v;

		if (sscanf(cookie + 2 * i, "%2x", &v) != 1)
			return ob_err(err, OB_EXIT_FAIL, 0, "malformed cookie");
		spec->cookie[i] = (unsigned char)v;
	}
	spec->streams = (unsigned)streams;
	spec->length = (uint64_t)length;
	spec->reverse = reverse;
	spec->window = (uint64_t)window;
	return 0;
}

json_t *net_side_to_json(const struct net_side *side)
{
	json_t *msg = json_pack("{s:s, s:I, s:I, s:f}", "type", "result", "bytes",
				(json_int_t)side->bytes, "transactions",
				(json_int_t)side->transactions, "time_s", side->time_s);

	if (side->calls > 0)
		json_object_set_new(msg, "calls", json_integer((json_int_t)side->calls));
	if (side->have_lat)
		json_object_set_new(msg, "latency_us",
				    json_pack("[f, f, f, f, f]", side->lat_us[0], side->lat_us[1],
					      side->lat_us[2], side->lat_us[3], side->lat_us[4]));
	return msg;
}

int net_side_from_json(json_t *msg, struct net_side *side, struct ob_error *err)
{
	json_int_t bytes, transactions, calls = 0;
	json_t *lat = NULL;

	memset(side, 0, sizeof(*side));
	if (json_unpack(msg, "{s:I, s:I, s:F, s?o, s?I}", "bytes", &bytes, "transactions",
			&transactions, "time_s", &side->time_s, "latency_us", &lat, "calls",
			&calls) < 0 ||
	    bytes < 0 || transactions < 0 || calls < 0)
		return ob_err(err, OB_EXIT_FAIL, 0, "malformed result from the peer");
	side->bytes = (uint64_t)bytes;
	side->transactions = (uint64_t)transactions;
	side->calls = (uint64_t)calls;
	if (lat != NULL) {
		if (json_unpack(lat, "[F, F, F, F, F]", &side->lat_us[0], &side->lat_us[1],
				&side->lat_us[2], &side->lat_us[3], &side->lat_us[4]) < 0)
			return ob_err(err, OB_EXIT_FAIL, 0, "malformed latency from the peer");
		side->have_lat = true;
	}
	return 0;
}
