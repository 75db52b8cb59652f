/* net.h - ocibench-net: TCP bandwidth (stream) and request/response (rr)
 * between a server and a client, iperf3-style.
 *
 * Files: net-main.c (options, main), net-sock.c (sockets, waiting),
 * net-ctl.c (control protocol), net-client.c / net-server.c (the two
 * sides), net-test.c (threads, deadline, intervals), net-stream.c and
 * net-rr.c (the measured loops), net-report.c (text and JSON).
 */
#ifndef OB_NET_H
#define OB_NET_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <jansson.h>

#include "ob-error.h"
#include "ob-hist.h"
#include "ob-opt.h"
#include "ob-span.h"

#define NET_COOKIE_LEN 16
#define NET_WAIT_MS 200       /* poll slice: how often a blocked loop sees stop/abort */
#define NET_IDLE_S 30         /* a data connection silent this long is an error */
#define NET_HANDSHAKE_S 10    /* control replies during setup */
#define NET_STREAM_LEN 131072 /* -l default in stream mode (iperf3's 128K) */

enum net_mode { NET_STREAM, NET_RR };
enum net_format { NET_TEXT, NET_JSON };
enum net_family { NET_ANY, NET_V4, NET_V6 };

/* The command line (see the table in net-main.c). */
struct net_opts {
	bool server;
	const char *client;
	long long port;
	double time;
	long long parallel;
	uint64_t length; /* 0 = the mode's default */
	bool reverse;
	double interval;
	bool one_off;
	int format;
	const char *bind;
	int mode;
	double connect_timeout;
	int family;
	uint64_t window;
};

/* The test both sides run: sent by the client on the control connection. */
struct net_spec {
	int mode;
	double time;
	unsigned streams;
	uint64_t length;
	bool reverse;
	uint64_t window;
	unsigned char cookie[NET_COOKIE_LEN];
};

/* What one side measured; exchanged at the end of a test. */
struct net_side {
	uint64_t bytes;        /* bytes this side sent (sender) or received (receiver) */
	uint64_t transactions; /* rr */
	double time_s;         /* its measured interval */
	uint64_t calls;        /* rr client: its send, recv and poll calls */
	bool have_lat;         /* rr client: latency below */
	double lat_us[5];      /* min, avg, max, p95, p99 */
};

struct net_interval {
	double start, end; /* seconds since the test start */
	uint64_t bytes, transactions;
};

struct net_test;
struct net_report;

/* One data connection, owned by one worker thread. */
struct net_stream {
	int fd;
	unsigned id;
	struct net_test *test;
	char *buf;
	_Atomic uint64_t bytes;        /* published after every call, sampled by the intervals */
	_Atomic uint64_t transactions; /* rr */
	uint64_t calls;                /* rr: send, recv and poll calls of the loop */
	struct ob_lat lat;             /* rr client: transaction latency */
	struct ob_span window;         /* from the start gate to the end of the loop */
	struct ob_error err;
	bool failed;
};

typedef int (*net_loop_fn)(struct net_stream *s, struct ob_error *err);

/* One running test on one side. */
struct net_test {
	struct net_spec spec;
	bool timed;       /* this side ends the test after spec.time (sender / rr client) */
	net_loop_fn loop; /* the measured loop each stream runs */
	int ctl;          /* control connection: watched for the peer going away */
	int listen_fd;    /* server: newcomers get "busy"; -1 on the client */
	bool ctl_is_abort;/* server: anything on ctl during the run aborts it */
	double interval_s;
	bool print_intervals;
	atomic_bool stop;  /* timed side: the deadline passed */
	atomic_bool abort; /* everyone: give up now */
	int done_fd;       /* eventfd: workers that finished */
	unsigned nstreams;
	struct net_stream *streams;
	/* the start gate: every stream set up and waiting before the window opens */
	pthread_mutex_t gate_mu;
	pthread_cond_t gate_cv;
	unsigned gate_ready;
	bool gate_open;
	uint64_t start_ns, end_ns; /* the measured window: the gate's opening to the last stream's end */
	struct net_interval *iv;
	size_t niv, cap;
	struct net_side local;
	struct ob_lat lat; /* merged rr latency */
};

/* net-main.c: set by SIGINT/SIGTERM. */
extern volatile sig_atomic_t net_interrupted;

/* net-client.c, net-server.c.  report() prints the outcome of each test
 * (status OB_EXIT_OK, or the error); net_client() reports only success and
 * returns -1 on failure, net_server() reports every test and returns -1
 * only when it cannot serve at all (or the --one-off test failed). */
typedef void (*net_report_fn)(const struct net_report *r, int status, const struct ob_error *err);
int net_client(const struct net_opts *o, net_report_fn report, struct ob_error *err);
int net_server(const struct net_opts *o, net_report_fn report, struct ob_error *err);

/* net-sock.c */
int net_listen(const struct net_opts *o, int *fd, struct ob_error *err);
int net_connect(const struct net_opts *o, int *fd, struct sockaddr_storage *peer,
		socklen_t *peerlen, struct ob_error *err);
int net_connect_to(const struct sockaddr_storage *peer, socklen_t peerlen,
		   const struct net_opts *o, uint64_t window, int *fd, struct ob_error *err);
int net_set_buffers(int fd, uint64_t window, int mode, struct ob_error *err);
/* calls (may be NULL): incremented for every send, recv and poll made */
int net_wait(int fd, short events, const atomic_bool *abort, int timeout_ms, uint64_t *calls,
	     struct ob_error *err);
int net_send_full(int fd, const void *buf, size_t len, const atomic_bool *abort,
		  uint64_t *calls, struct ob_error *err);
/* Returns 1 when len bytes arrived, 0 on EOF before the first byte. */
int net_recv_full(int fd, void *buf, size_t len, const atomic_bool *abort, int timeout_ms,
		  uint64_t *calls, struct ob_error *err);
void net_addr_text(const struct sockaddr *sa, char *buf, size_t len, unsigned *port);

/* net-ctl.c */
int net_ctl_send(int fd, json_t *msg, struct ob_error *err); /* steals msg */
int net_ctl_recv(int fd, const char *want, int timeout_ms, json_t **msg, struct ob_error *err);
json_t *net_spec_to_json(const struct net_spec *spec);
int net_spec_from_json(json_t *msg, struct net_spec *spec, struct ob_error *err);
json_t *net_side_to_json(const struct net_side *side);
int net_side_from_json(json_t *msg, struct net_side *side, struct ob_error *err);
void net_ctl_refuse(int fd, const char *why);

/* net-test.c: set up the streams (fds -1) for this side of the test. */
int net_test_init(struct net_test *t, const struct net_spec *spec, bool client, int ctl,
		  struct ob_error *err);
int net_test_run(struct net_test *t, struct ob_error *err);
void net_test_fini(struct net_test *t);

/* net-stream.c, net-rr.c: the measured loops, and the set-up of a data
 * socket before the start gate (blocking, with a 100 ms timeout) */
int net_stream_setup(struct net_stream *s, struct ob_error *err);
int net_stream_send(struct net_stream *s, struct ob_error *err);
int net_stream_recv(struct net_stream *s, struct ob_error *err);
int net_rr_client(struct net_stream *s, struct ob_error *err);
int net_rr_server(struct net_stream *s, struct ob_error *err);

/* net-report.c */
struct net_report {
	const char *command; /* "client" or "server" */
	const struct net_spec *spec;
	const struct net_test *test; /* NULL when the test never ran */
	struct net_side sender, receiver;
	const struct net_side *rr; /* the rr client's side (transactions, latency) */
};
/* Fill sender/receiver/rr from what this side and its peer measured. */
void net_report_sides(struct net_report *r, bool client, const struct net_side *local,
		      const struct net_side *remote);
void net_report_connected(int fd, unsigned id);
void net_report_interval(const struct net_test *t, const struct net_interval *iv);
void net_report_text(const struct net_report *r);
void net_report_json(const struct net_report *r, const struct ob_optset *sets, int status,
		     const struct ob_error *err, uint64_t wall_start_ns);

#endif
