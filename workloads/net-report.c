/* net-report.c - iperf3-like text lines and the JSON object. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ob-hist.h"
#include "ob-result.h"
#include "net.h"

static const char *const mode_names[] = {"stream", "rr"};

/* iperf3's unit style: bytes in powers of 1024, rates in powers of 1000. */
static void units(char *buf, size_t len, double v, double base, const char *const *names)
{
	int u = 0;

	while (v >= base && names[u + 1] != NULL) {
		v /= base;
		u++;
	}
	snprintf(buf, len, v < 9.995 ? "%4.2f %s" : v < 99.95 ? "%4.1f %s" : "%4.0f %s", v, names[u]);
}

static void transfer(char *buf, size_t len, uint64_t bytes)
{
	static const char *const n[] = {"Bytes", "KBytes", "MBytes", "GBytes", "TBytes", NULL};

	units(buf, len, (double)bytes, 1024, n);
}

static void bitrate(char *buf, size_t len, uint64_t bytes, double s)
{
	static const char *const n[] = {"bits/sec", "Kbits/sec", "Mbits/sec", "Gbits/sec", NULL};

	units(buf, len, s > 0 ? (double)bytes * 8 / s : 0, 1000, n);
}

static const char *id_text(unsigned nstreams)
{
	return nstreams > 1 ? "SUM" : "  1";
}

void net_report_connected(int fd, unsigned id)
{
	struct sockaddr_storage me, peer;
	socklen_t l1 = sizeof(me), l2 = sizeof(peer);
	char a[64], b[64];
	unsigned pa, pb;

	if (getsockname(fd, (struct sockaddr *)&me, &l1) < 0 ||
	    getpeername(fd, (struct sockaddr *)&peer, &l2) < 0)
		return;
	net_addr_text((struct sockaddr *)&me, a, sizeof(a), &pa);
	net_addr_text((struct sockaddr *)&peer, b, sizeof(b), &pb);
	printf("[%3u] local %s port %u connected to %s port %u\n", id, a, pa, b, pb);
	fflush(stdout);
}

static void header(const struct net_test *t)
{
	if (t->spec.mode == NET_RR)
		printf("[ ID] Interval           Transactions Rate\n");
	else
		printf("[ ID] Interval           Transfer     Bitrate\n");
}

void net_report_interval(const struct net_test *t, const struct net_interval *iv)
{
	double s = iv->end - iv->start;
	char a[32], b[32];

	if (t->niv == 0)
		header(t);
	if (t->spec.mode == NET_RR) {
		printf("[%s] %6.2f-%-6.2f sec  %llu trans  %.1f trans/sec\n", id_text(t->nstreams),
		       iv->start, iv->end, (unsigned long long)iv->transactions,
		       s > 0 ? (double)iv->transactions / s : 0);
	} else {
		transfer(a, sizeof(a), iv->bytes);
		bitrate(b, sizeof(b), iv->bytes, s);
		printf("[%s] %6.2f-%-6.2f sec  %s  %s\n", id_text(t->nstreams), iv->start, iv->end,
		       a, b);
	}
	fflush(stdout);
}

void net_report_sides(struct net_report *r, bool client, const struct net_side *local,
		      const struct net_side *remote)
{
	/* stream: the sender is the client unless -R; rr: the client asks */
	bool local_sends = r->spec->mode == NET_RR ? client : client != r->spec->reverse;

	r->sender = local_sends ? *local : *remote;
	r->receiver = local_sends ? *remote : *local;
	r->rr = client ? local : remote;
}

static double gbits(const struct net_side *s)
{
	return s->time_s > 0 ? (double)s->bytes * 8 / s->time_s / 1e9 : 0;
}

static double rate(const struct net_side *s)
{
	return s->time_s > 0 ? (double)s->transactions / s->time_s : 0;
}

static void summary_line(const struct net_report *r, const struct net_side *s, const char *role)
{
	char a[32], b[32];

	transfer(a, sizeof(a), s->bytes);
	bitrate(b, sizeof(b), s->bytes, s->time_s);
	printf("[%s] %6.2f-%-6.2f sec  %s  %s                  %s\n", id_text(r->spec->streams),
	       0.0, s->time_s, a, b, role);
}

void net_report_text(const struct net_report *r)
{
	const struct net_side *rr = r->rr;

	printf("- - - - - - - - - - - - - - - - - - - - - - - - -\n");
	printf("[ ID] Interval           Transfer     Bitrate\n");
	summary_line(r, &r->sender, "sender");
	summary_line(r, &r->receiver, "receiver");
	if (r->spec->mode == NET_RR) {
		printf("[%s] %6.2f-%-6.2f sec  %llu transactions  %.1f trans/sec\n",
		       id_text(r->spec->streams), 0.0, rr->time_s,
		       (unsigned long long)rr->transactions, rate(rr));
		if (rr->have_lat)
			printf("Latency (us): min %.1f  avg %.1f  max %.1f  95th %.1f  99th %.1f\n",
			       rr->lat_us[0], rr->lat_us[1], rr->lat_us[2], rr->lat_us[3],
			       rr->lat_us[4]);
	}
	printf("\nocibench-net Done.\n");
	fflush(stdout);
}

static json_t *intervals_json(const struct net_test *t)
{
	json_t *a = json_array();

	for (size_t i = 0; i < t->niv; i++) {
		const struct net_interval *iv = &t->iv[i];
		double s = iv->end - iv->start;
		json_t *o = json_pack("{s:f, s:f, s:I, s:f}", "start", iv->start, "end", iv->end,
				      "bytes", (json_int_t)iv->bytes, "gbits_per_s",
				      s > 0 ? (double)iv->bytes * 8 / s / 1e9 : 0.0);

		if (t->spec.mode == NET_RR)
			json_object_set_new(o, "transactions", json_integer((json_int_t)iv->transactions));
		json_array_append_new(a, o);
	}
	return a;
}

/* The measured figures (status ok only). */
static void json_figures(const struct net_report *r, json_t *root)
{
	const struct net_side *rr = r->rr;

	json_object_set_new(root, "mode", json_string(mode_names[r->spec->mode]));
	json_object_set_new(root, "gbits_per_s", json_real(gbits(&r->receiver)));
	json_object_set_new(root, "bytes", json_integer((json_int_t)r->receiver.bytes));
	json_object_set_new(root, "total_time_s", json_real(r->receiver.time_s));
	json_object_set_new(root, "sender_bytes", json_integer((json_int_t)r->sender.bytes));
	json_object_set_new(root, "receiver_bytes", json_integer((json_int_t)r->receiver.bytes));
	json_object_set_new(root, "sender_time_s", json_real(r->sender.time_s));
	json_object_set_new(root, "receiver_time_s", json_real(r->receiver.time_s));
	json_object_set_new(root, "intervals", intervals_json(r->test));
	if (r->spec->mode != NET_RR)
		return;
	json_object_set_new(root, "transactions", json_integer((json_int_t)rr->transactions));
	json_object_set_new(root, "transactions_per_s", json_real(rate(rr)));
	/* the client's send, recv and poll calls per transaction (2 when each
	 * message takes one call) */
	json_object_set_new(root, "calls_per_transaction",
			    json_real(rr->transactions > 0 ? (double)rr->calls / (double)rr->transactions : 0));
	if (rr->have_lat)
		json_object_set_new(root, "latency_us",
				    json_pack("{s:f, s:f, s:f, s:f, s:f}", "min", rr->lat_us[0],
					      "avg", rr->lat_us[1], "max", rr->lat_us[2], "p95",
					      rr->lat_us[3], "p99", rr->lat_us[4]));
}

/* One object on stdout; on failure still a valid object with the error. */
void net_report_json(const struct net_report *r, const struct ob_optset *sets, int status,
		     const struct ob_error *err, uint64_t wall_start_ns)
{
	json_t *root = ob_result_new("net", r->command, status, err, sets, 1, wall_start_ns);

	if (status == OB_EXIT_OK && r->test != NULL)
		json_figures(r, root);
	ob_result_emit(root);
}
