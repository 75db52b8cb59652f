/* net-main.c - ocibench-net: options (iperf3's short flags), signals, main. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "ob-ready.h"
#include "ob-clock.h"
#include "ob-getopt.h"
#include "net.h"
#include "ob-revision.h"

volatile sig_atomic_t net_interrupted;

static const char *const format_names[] = {"text", "json", NULL};
static const char *const mode_names[] = {"stream", "rr", NULL};
static const char *const family_names[] = {"any", "ipv4", "ipv6", NULL};

#define O(f) offsetof(struct net_opts, f)
static const struct ob_opt net_opts_table[] = {
	{"server", OB_OPT_BOOL, O(server), "off", 0, 0, NULL, "-s: run as a server"},
	{"client", OB_OPT_STRING, O(client), NULL, 0, 0, NULL, "-c HOST: run as a client of HOST"},
	{"port", OB_OPT_INT, O(port), "5201", 0, 65535, NULL,
	 "-p: server port to listen on / connect to (server: 0 = any free port)"},
	{"time", OB_OPT_DOUBLE, O(time), "10", 0.001, 86400, NULL, "-t: seconds to transmit"},
	{"parallel", OB_OPT_INT, O(parallel), "1", 1, 128, NULL, "-P: parallel streams (one thread each)"},
	{"length", OB_OPT_SIZE, O(length), "0", 0, 256 << 20, NULL,
	 "-l: buffer length per send/recv (stream) or message size (rr), K/M suffixes; 0 = 128K for stream, 1 for rr"},
	{"reverse", OB_OPT_BOOL, O(reverse), "off", 0, 0, NULL, "-R: reverse: the server sends, the client receives"},
	{"interval", OB_OPT_DOUBLE, O(interval), "1", 0, 3600, NULL,
	 "-i: seconds between interval reports (0 = none; at least 0.1)"},
	{"one-off", OB_OPT_BOOL, O(one_off), "off", 0, 0, NULL, "-1: server: handle one test, then exit"},
	{"format", OB_OPT_CHOICE, O(format), "text", 0, 0, format_names,
	 "report format: text or json (-J: one JSON object per test on stdout)"},
	{"bind", OB_OPT_STRING, O(bind), NULL, 0, 0, NULL, "-B: local address to bind to"},
	{"mode", OB_OPT_CHOICE, O(mode), "stream", 0, 0, mode_names,
	 "stream (bulk TCP throughput, like iperf3) or rr (request/response, like netperf TCP_RR)"},
	{"connect-timeout", OB_OPT_DOUBLE, O(connect_timeout), "10", 0.001, 3600, NULL,
	 "seconds a connect may take before the client gives up"},
	{"family", OB_OPT_CHOICE, O(family), "any", 0, 0, family_names,
	 "address family: any, ipv4 (-4) or ipv6 (-6)"},
	{"window", OB_OPT_SIZE, O(window), "0", 0, 1 << 30, NULL,
	 "-w: SO_SNDBUF/SO_RCVBUF of the data sockets (0 = kernel autotuning)"},
	{NULL},
};
#undef O

static const struct ob_short net_shorts[] = {
	{'s', "server", NULL}, {'c', "client", NULL}, {'p', "port", NULL},
	{'t', "time", NULL},   {'P', "parallel", NULL}, {'l', "length", NULL},
	{'R', "reverse", NULL}, {'i', "interval", NULL}, {'1', "one-off", NULL},
	{'J', "format", "json"}, {'B', "bind", NULL},    {'4', "family", "ipv4"},
	{'6', "family", "ipv6"}, {'w', "window", NULL},  {0},
};

static struct net_opts opts;
static uint64_t wall_start_ns;

static void on_signal(int sig)
{
	net_interrupted = 1;
}

static void usage(const struct ob_optset *set)
{
	printf("Usage: ocibench-net -s [OPTIONS]\n"
	       "       ocibench-net -c HOST [OPTIONS]\n"
	       "TCP bandwidth (stream) and request/response rate and latency (rr) between a\n"
	       "server and a client, iperf3-style.\n\nOptions (short flags as in iperf3):\n");
	ob_opt_help(stdout, set, 1);
	printf("  -h, --help  --version\n"
	       "\nExit status: 0 ok, 1 test failed, 2 bad usage.\n");
}

static int check(struct net_opts *o, char **pos, int npos, struct ob_error *err)
{
	if (npos > 0)
		return ob_err(err, OB_EXIT_USAGE, 0, "unexpected argument '%s'", pos[0]);
	if (o->server == (o->client != NULL))
		return ob_err(err, OB_EXIT_USAGE, 0, "give exactly one of -s (server) or -c HOST (client)");
	if (o->client != NULL && o->port == 0)
		return ob_err(err, OB_EXIT_USAGE, 0, "invalid value '0' for --port: a client needs the server's port");
	if (o->interval > 0 && o->interval < 0.1)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid value '%g' for --interval: expected 0 or at least 0.1", o->interval);
	if (o->mode == NET_RR && o->reverse)
		return ob_err(err, OB_EXIT_USAGE, 0, "--reverse has no meaning in --mode=rr");
	if (o->length == 0)
		o->length = o->mode == NET_RR ? 1 : NET_STREAM_LEN;
	return 0;
}

/* The parameters of the test actually run: the server takes the client's. */
static void report(const struct net_report *r, int status, const struct ob_error *err)
{
	struct net_opts eff = opts;
	struct ob_optset set = {net_opts_table, &eff};

	if (r->spec->streams > 0) {
		eff.mode = r->spec->mode;
		eff.time = r->spec->time;
		eff.parallel = r->spec->streams;
		eff.length = r->spec->length;
		eff.reverse = r->spec->reverse;
		eff.window = r->spec->window;
	}
	if (status != OB_EXIT_OK)
		fprintf(stderr, "ocibench-net: %s\n", err->msg);
	if (opts.format == NET_JSON)
		net_report_json(r, &set, status, err, wall_start_ns);
	else if (status == OB_EXIT_OK)
		net_report_text(r);
}

int main(int argc, char **argv)
{
	struct ob_optset set = {net_opts_table, &opts};
	struct sigaction sa = {.sa_handler = on_signal};
	struct ob_error err = {0};
	char *pos[argc + 1];
	int npos = 0, rc;

	wall_start_ns = ob_wall_ns(); /* first act */
	ob_ready_signal();            /* the runner times our start on its own clock */
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("ocibench-net %s (source %s)\n", PACKAGE_VERSION, OB_SOURCE_REVISION);
		return OB_EXIT_OK;
	}
	if (ob_opt_defaults(&set, 1, &err) < 0) {
		ob_err_print("ocibench-net", &err);
		return err.status;
	}
	rc = ob_getopt_parse(&set, 1, net_shorts, argc, argv, pos, &npos, &err);
	if (rc == OB_OPT_HELP) {
		usage(&set);
		return OB_EXIT_OK;
	}
	if (rc < 0 || check(&opts, pos, npos, &err) < 0) {
		/* usage errors: one line, nothing on stdout */
		ob_err_print("ocibench-net", &err);
		return err.status;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: a waiting poll() returns */
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (opts.server) {
		rc = net_server(&opts, report, &err); /* reports its failures itself */
	} else {
		rc = net_client(&opts, report, &err);
		if (rc < 0) {
			struct net_spec none = {0};
			struct net_report r = {.command = "client", .spec = &none};

			report(&r, err.status, &err);
		}
	}
	if (fflush(stdout) != 0 && rc == 0)
		return OB_EXIT_FAIL;
	return rc < 0 ? (err.status ? err.status : OB_EXIT_FAIL) : OB_EXIT_OK;
}
