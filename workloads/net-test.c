/* net-test.c - one test on one side: a thread per stream running the
 * measured loop, and the main thread keeping time (deadline, interval
 * samples) and watching the control connection, so the loops never read
 * the clock.  The streams start together: each sets its socket up and waits
 * at the start gate; the main thread opens it once every stream is there,
 * and that moment begins the measured window of every stream (ob_span
 * s->window, ended by its loop) and of the test (start_ns .. end_ns).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ob-clock.h"
#include "net.h"

/* A stream at the gate: counted as ready, then wait for it to open. */
static void gate_wait(struct net_test *t)
{
	pthread_mutex_lock(&t->gate_mu);
	t->gate_ready++;
	pthread_cond_broadcast(&t->gate_cv);
	while (!t->gate_open)
		pthread_cond_wait(&t->gate_cv, &t->gate_mu);
	pthread_mutex_unlock(&t->gate_mu);
}

/* The main thread: wait for the n streams started, then open the gate; the
 * measured window of every stream begins now. */
static void gate_open(struct net_test *t, unsigned n)
{
	struct ob_span window;

	pthread_mutex_lock(&t->gate_mu);
	while (t->gate_ready < n)
		pthread_cond_wait(&t->gate_cv, &t->gate_mu);
	ob_span_begin(&window);
	t->start_ns = window.begin_ns;
	for (unsigned i = 0; i < t->nstreams; i++)
		t->streams[i].window = window;
	t->gate_open = true;
	pthread_cond_broadcast(&t->gate_cv);
	pthread_mutex_unlock(&t->gate_mu);
}

static void *worker(void *arg)
{
	struct net_stream *s = arg;
	struct net_test *t = s->test;
	uint64_t one = 1;
	int rc = net_stream_setup(s, &s->err);

	gate_wait(t);
	if (rc < 0 || t->loop(s, &s->err) < 0) {
		s->failed = true;
		atomic_store(&t->abort, true); /* one broken stream ends the test */
	}
	while (write(t->done_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	return NULL;
}

static uint64_t sum_bytes(const struct net_test *t, uint64_t *transactions)
{
	uint64_t b = 0, n = 0;

	for (unsigned i = 0; i < t->nstreams; i++) {
		b += atomic_load_explicit(&t->streams[i].bytes, memory_order_relaxed);
		n += atomic_load_explicit(&t->streams[i].transactions, memory_order_relaxed);
	}
	*transactions = n;
	return b;
}

/* Close the interval that ends at `now`; a last sliver shorter than a tenth
 * of an interval joins the one before. */
static void sample(struct net_test *t, uint64_t now, bool last)
{
	struct net_interval *prev = t->niv ? &t->iv[t->niv - 1] : NULL;
	double start = prev ? prev->end : 0, end = (double)(now - t->start_ns) / 1e9;
	uint64_t tr, bytes = sum_bytes(t, &tr), prev_bytes = 0, prev_tr = 0;

	for (size_t i = 0; i < t->niv; i++) {
		prev_bytes += t->iv[i].bytes;
		prev_tr += t->iv[i].transactions;
	}
	if (prev != NULL && (t->niv == t->cap || (last && end - start < t->interval_s / 10))) {
		prev->end = end;
		prev->bytes += bytes - prev_bytes;
		prev->transactions += tr - prev_tr;
		return;
	}
	t->iv[t->niv] = (struct net_interval){start, end, bytes - prev_bytes, tr - prev_tr};
	if (t->print_intervals)
		net_report_interval(t, &t->iv[t->niv]);
	t->niv++;
}

static void refuse_newcomer(int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd >= 0) {
		net_ctl_refuse(fd, "the server is busy running a test");
		close(fd);
	}
}

static void abort_test(struct net_test *t, const char *why, struct ob_error *err)
{
	if (atomic_exchange(&t->abort, true))
		return;
	if (why != NULL)
		ob_err(err, OB_EXIT_FAIL, 0, "%s", why);
	for (unsigned i = 0; i < t->nstreams; i++)
		shutdown(t->streams[i].fd, SHUT_RDWR); /* wake the loops now */
}

/* The main thread until the running streams are done. */
static void keep_time(struct net_test *t, unsigned running, struct ob_error *err)
{
	const uint64_t deadline = t->start_ns + (uint64_t)(t->spec.time * 1e9);
	const uint64_t step = (uint64_t)(t->interval_s * 1e9);
	struct pollfd p[3] = {{.fd = t->done_fd, .events = POLLIN},
			      {.fd = t->ctl, .events = POLLIN},
			      {.fd = t->listen_fd, .events = POLLIN}};
	unsigned done = 0;

	while (done < running) {
		uint64_t now = ob_now_ns(), wake = now + NET_WAIT_MS * 1000000ull;
		uint64_t tick = step ? t->start_ns + (t->niv + 1) * step : UINT64_MAX;
		uint64_t count;

		if (t->timed && !atomic_load(&t->stop) && deadline < wake)
			wake = deadline;
		if (tick < wake)
			wake = tick;
		if (poll(p, 3, wake > now ? (int)((wake - now + 999999) / 1000000) : 0) < 0 &&
		    errno != EINTR)
			abort_test(t, "poll failed", err);
		if (net_interrupted)
			abort_test(t, "interrupted", err);
		if (p[0].revents && read(t->done_fd, &count, sizeof(count)) == sizeof(count))
			done += (unsigned)count;
		if (p[1].revents) {
			if (t->ctl_is_abort)
				abort_test(t, "the client went away during the test", err);
			p[1].fd = -1; /* the peer's result arrived early: read it later */
		}
		if (p[2].revents)
			refuse_newcomer(t->listen_fd);
		now = ob_now_ns();
		if (t->timed && now >= deadline)
			atomic_store(&t->stop, true);
		/* the deadline's own tick is left to the final sample */
		if (now >= tick && done < running && !(t->timed && tick >= deadline))
			sample(t, now, false);
	}
}

int net_test_run(struct net_test *t, struct ob_error *err)
{
	size_t cap = t->interval_s > 0 ? (size_t)(t->spec.time / t->interval_s) + 8 : 1;
	pthread_t *tids = calloc(t->nstreams, sizeof(*tids));
	sigset_t block, old;
	unsigned started = 0;
	uint64_t tr;
	int rc = 0;

	t->iv = calloc(cap, sizeof(*t->iv));
	t->cap = t->interval_s > 0 ? cap : 0;
	t->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (tids == NULL || t->iv == NULL || t->done_fd < 0) {
		free(tids);
		return ob_err(err, OB_EXIT_FAIL, errno, "setting up the test");
	}
	ob_lat_init(&t->lat);
	/* signals go to the main thread only */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (; started < t->nstreams; started++) {
		errno = pthread_create(&tids[started], NULL, worker, &t->streams[started]);
		if (errno != 0)
			break;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	gate_open(t, started);
	if (started < t->nstreams) {
		rc = ob_err(err, OB_EXIT_FAIL, errno, "creating stream thread %u", started);
		abort_test(t, NULL, err);
	}
	keep_time(t, started, err);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);

	t->end_ns = t->start_ns;
	for (unsigned i = 0; i < t->nstreams; i++) {
		struct net_stream *s = &t->streams[i];

		if (s->window.end_ns > t->end_ns)
			t->end_ns = s->window.end_ns;
		ob_lat_merge(&t->lat, &s->lat);
		t->local.calls += s->calls;
	}
	if (t->end_ns == t->start_ns)
		t->end_ns = ob_now_ns();
	if (t->cap > 0)
		sample(t, t->end_ns, true);
	t->local.bytes = sum_bytes(t, &tr);
	t->local.transactions = tr;
	t->local.time_s = (double)(t->end_ns - t->start_ns) / 1e9;
	if (t->lat.count > 0) {
		const double p[] = {95, 99};

		t->local.have_lat = true;
		t->local.lat_us[0] = (double)t->lat.min_ns / 1e3;
		t->local.lat_us[1] = (double)t->lat.sum_ns / 1e3 / (double)t->lat.count;
		t->local.lat_us[2] = (double)t->lat.max_ns / 1e3;
		for (int i = 0; i < 2; i++) /* the sysbench histogram, quantised to its buckets */
			t->local.lat_us[3 + i] = ob_lat_percentile(&t->lat, p[i]) * 1e3;
		for (int i = 3; i < 5; i++) { /* a bucket's value may lie just outside [min, max] */
			if (t->local.lat_us[i] < t->local.lat_us[0])
				t->local.lat_us[i] = t->local.lat_us[0];
			if (t->local.lat_us[i] > t->local.lat_us[2])
				t->local.lat_us[i] = t->local.lat_us[2];
		}
	}
	/* a failing stream sets abort too; its own error explains more than "aborted" */
	if (atomic_load(&t->abort)) {
		for (unsigned i = 0; i < t->nstreams; i++)
			if (t->streams[i].failed && strcmp(t->streams[i].err.msg, "interrupted") != 0 &&
			    err->msg[0] == '\0') {
				*err = t->streams[i].err;
				break;
			}
		if (err->msg[0] == '\0')
			ob_err(err, OB_EXIT_FAIL, 0, "the test was aborted");
		return -1;
	}
	return rc;
}

void net_test_fini(struct net_test *t)
{
	for (unsigned i = 0; t->streams != NULL && i < t->nstreams; i++) {
		if (t->streams[i].fd >= 0)
			close(t->streams[i].fd);
		free(t->streams[i].buf);
	}
	free(t->streams);
	free(t->iv);
	if (t->done_fd >= 0)
		close(t->done_fd);
	t->streams = NULL;
	t->iv = NULL;
	t->done_fd = -1;
}

int net_test_init(struct net_test *t, const struct net_spec *spec, bool client, int ctl,
		  struct ob_error *err)
{
	/* stream: the client sends unless -R; rr: the client asks, the server answers */
	bool sender = spec->mode == NET_RR ? client : client != spec->reverse;

	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->gate_mu, NULL);
	pthread_cond_init(&t->gate_cv, NULL);
	t->spec = *spec;
	t->timed = sender;
	if (spec->mode == NET_RR)
		t->loop = client ? net_rr_client : net_rr_server;
	else
		t->loop = sender ? net_stream_send : net_stream_recv;
	t->ctl = ctl;
	t->listen_fd = -1;
	t->done_fd = -1;
	t->nstreams = spec->streams;
	t->streams = calloc(spec->streams, sizeof(*t->streams));
	if (t->streams == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "allocating %u streams", spec->streams);
	for (unsigned i = 0; i < spec->streams; i++) {
		struct net_stream *s = &t->streams[i];

		s->fd = -1;
		s->id = i + 1;
		s->test = t;
		ob_lat_init(&s->lat);
		/* One buffer per stream, written once here, never copied.  Page
		 * aligned, as iperf3's (a mapped file): the kernel copies each
		 * chunk to or from it, and a copy into a destination 16 bytes
		 * past a page boundary (where calloc puts a block this large) ran
		 * at half the speed on x86_64 here. */
		errno = posix_memalign((void **)&s->buf, (size_t)sysconf(_SC_PAGESIZE), spec->length);
		if (errno != 0) {
			s->buf = NULL;
			return ob_err(err, OB_EXIT_FAIL, errno, "allocating a %llu-byte buffer",
				      (unsigned long long)spec->length);
		}
		memset(s->buf, 0, spec->length);
	}
	return 0;
}
