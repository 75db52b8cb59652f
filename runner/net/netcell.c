/* netcell.c - see netcell.h */
#include "netcell.h"

#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "netenv.h"
#include "ob-clock.h"
#include "ob-file.h"
#include "ob-fault.h"
#include "proc.h"
#include "state.h"

#define SEC 1000000000ull
#define READY_NS (30 * SEC)        /* server started -> listening */
#define GRACE_NS (10 * SEC)        /* client done -> one-off server exited */
#define POLL_NS (10 * SEC / 1000)  /* how often the server's stdout is read */
#define LISTENING "Server listening"
#define SYSCTL_DIR OB_NET_SYSCTL_DIR

/* One side (server or client) of a cell: the runtime as that side runs
 * it, which may differ from the column's (runsc's network flag, wrapper). */
struct side {
	struct ob_runtime rt; /* shallow copy; only args is owned */
	const char *network;  /* runsc's --network value, NULL for other runtimes */
};

/* ("cannot run with network enabled in root network namespace"); asked
 * in a child in a new network namespace. */
bool ob_net_sysctl_leaks(void)
{
	static int known = -1;
	uint64_t t;
	int st;

	if (known >= 0)
		return known;
	pid_t pid = ob_proc_fork();

	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) < 0 ? 2 :
		      access(SYSCTL_DIR "/core/rmem_default", F_OK) == 0 ? 0 : 1);
	known = pid > 0 && ob_proc_wait(pid, ob_now_ns() + 10 * SEC, false, &st, &t, NULL) ==
				   OB_WAIT_DONE &&
		WIFEXITED(st) && WEXITSTATUS(st) == 0;
	return known;
}

static void side_init(struct side *sd, const struct ob_runtime *rt)
{
	size_t n = 0, nnet = 0, last = 0;

	for (; rt->args[n]; n++)
		if (strncmp(rt->args[n], "--network=", 10) == 0) {
			nnet++;
			last = n;
		}
	sd->rt = *rt;
	sd->rt.args = calloc(n + 1, sizeof(char *));
	if (!sd->rt.args)
		abort();
	memcpy(sd->rt.args, rt->args, n * sizeof(char *));
	sd->network = NULL;
	if (!(rt->quirks & OB_RTQ_NETSTACK))
		return;
	sd->network = nnet ? rt->args[last] + 10 : "sandbox";
	/* only the built-in --network=none: a user's own flag is kept */
	if (nnet == 1 && strcmp(sd->network, "none") == 0) {
		sd->rt.args[last] = "--network=sandbox";
		sd->network = "sandbox";
	}
	if (strcmp(sd->network, "sandbox") == 0 && ob_net_sysctl_leaks())
		sd->rt.mask_dir = SYSCTL_DIR;
}

/* One endpoint of the cell's network, for a create's retry. */
struct endpoint {
	const struct ob_netenv *ne;
	unsigned i;
};

static int reset_endpoint(void *arg, struct ob_error *err)
{
	const struct endpoint *ep = arg;

	return ob_netenv_reset(ep->ne, ep->i, err);
}

static int join_netns(json_t *config, void *path, struct ob_error *err)
{
	json_t *nss = json_object_get(json_object_get(config, "linux"), "namespaces"), *ns;
	size_t i;

	json_array_foreach(nss, i, ns) {
		const char *type = json_string_value(json_object_get(ns, "type"));

		if (type && strcmp(type, "network") == 0)
			return json_object_set_new(ns, "path", json_string(path));
	}
	return ob_err(err, OB_EXIT_FAIL, 0, "config.json has no network namespace");
}

/* config.json of one side: the workload's cmd ("server" or "run") arguments
 * from the test table, the client's "-c ADDR" first. */
static int configure(const struct ob_suite *s, const struct ob_test *t, const char *variant,
		     const char *cmd, const struct side *sd, const struct ob_bundle *b,
		     const char *ns_path, const char *server_addr, struct ob_error *err)
{
	struct ob_args a = { 0 };
	char bin[512], wl[64];

	snprintf(wl, sizeof(wl), "ocibench-%s", t->workload);
	if (ob_bundle_find_bin(b, s->image_env, wl, bin, sizeof(bin), err) < 0)
		return -1;
	a.v[a.n++] = bin;
	if (server_addr) {
		a.v[a.n++] = "-c";
		a.v[a.n++] = server_addr;
	}
	t->args(s->profile, variant, cmd, &a);

	struct ob_bundle_spec spec = { .args = a.v, .env = s->image_env, .workdir = t->workdir,
				       .customize = join_netns, .customize_arg = (void *)ns_path };

	/* the server's runtime may be another column's (--net-peer) */
	ob_bundle_set_seccomp(sd->rt.seccomp);
	return ob_bundle_configure(b, &spec, err);
}

static bool listening(const char *out)
{
	char *text = NULL;
	size_t len;
	/* no file yet: not listening yet */
	bool yes = ob_read_file(out, &text, &len, NULL) == 0 && strstr(text, LISTENING);

	free(text);
	return yes;
}

/* Wait until the server says it listens (0), or fill r: it exited, a stop
 * signal came, or no word before the deadline (-1). */
static int wait_listening(const struct ob_bundle *b, pid_t pid, uint64_t deadline,
			  struct ob_lc_result *r)
{
	uint64_t ready = ob_now_ns() + READY_NS, give_up = ready < deadline ? ready : deadline;
	struct ob_error err;
	char buf[64];
	uint64_t t;
	int st, w;

	while (!listening(b->out)) {
		uint64_t next = ob_now_ns() + POLL_NS;

		w = ob_proc_wait(pid, next < give_up ? next : give_up, true, &st, &t, &err);
		if (w == OB_WAIT_TIMEOUT && next < give_up)
			continue;
		if (w == OB_WAIT_DONE)
			ob_lc_fail(r, OB_LC_FAILED, "server: %s before it listened",
			     ob_proc_status_text(st, buf, sizeof(buf)));
		else if (w == OB_WAIT_STOPPED)
			ob_lc_fail(r, OB_LC_STOPPED, "server: stopped by a signal");
		else if (w == OB_WAIT_TIMEOUT && give_up == deadline)
			ob_lc_fail(r, OB_LC_TIMEOUT, "server: timed out before it listened");
		else if (w == OB_WAIT_TIMEOUT)
			ob_lc_fail(r, OB_LC_FAILED, "server: not listening after %llu s",
			     (unsigned long long)(READY_NS / SEC));
		else
			ob_lc_fail_err(r, OB_LC_FAILED, "server", &err);
		return -1;
	}
	return 0;
}

static json_t *args_json(char *const *args)
{
	json_t *a = json_array();

	for (; *args; args++)
		json_array_append_new(a, json_string(*args));
	return a;
}

/* The record's "runtime_args" (the client's as run) and "net". */
static json_t *extra(const struct ob_netenv *ne, const struct side *cli, const struct side *srv,
		     const struct ob_lc_result *sr)
{
	char subnet[INET_ADDRSTRLEN + 4];

	inet_ntop(AF_INET, &ne->net, subnet, INET_ADDRSTRLEN);
	strcat(subnet, "/24");
	json_t *net = json_pack("{s:s,s:s,s:s,s:i,s:s,s:o,s:s?,s:s?,s:b}", "subnet", subnet,
				"server_address", ne->addr[0], "client_address", ne->addr[1], "port",
				OB_NET_PORT, "server_runtime", srv->rt.name, "server_runtime_args",
				args_json(srv->rt.args), "network", cli->network, "server_network",
				srv->network, "proc_sys_net_masked",
				cli->rt.mask_dir != NULL || srv->rt.mask_dir != NULL);

	json_object_set_new(net, "server_exit_status",
			    sr->exit_status >= 0 ? json_integer(sr->exit_status) : json_null());
	if (sr->create_attempts > 0 && (srv->rt.quirks & OB_RTQ_KATA_CONFIG))
		json_object_set_new(net, "server_create_attempts", json_integer(sr->create_attempts));
	return json_pack("{s:o,s:o}", "runtime_args", args_json(cli->rt.args), "net", net);
}

/* After a client run that went well: the one-off server must exit 0. */
static void server_down(const struct side *srv, const struct ob_bundle *sb, const char *sid,
			pid_t pid, uint64_t deadline, struct ob_lc_result *sr, struct ob_lc_result *r)
{
	uint64_t grace = ob_now_ns() + GRACE_NS;
	enum ob_lc_status st;

	ob_lc_down(&srv->rt, sb, sid, pid, grace < deadline ? grace : deadline, sr);
	if (sr->exit_status == 0 && sr->have[OB_PH_DELETE])
		return;
	st = sr->status == OB_LC_STOPPED ? OB_LC_STOPPED : OB_LC_FAILED;
	if (sr->exit_status > 0)
		ob_lc_fail(r, st, "server: exit %d", sr->exit_status);
	else
		ob_lc_fail_err(r, st, "server", &sr->err);
	free(r->stderr_tail);
	r->stderr_tail = sr->stderr_tail ? strdup(sr->stderr_tail) : ob_lc_tail(sb->errlog);
}

void ob_net_cell(const struct ob_suite *s, const struct ob_runtime *rt, const struct ob_test *t,
		 const char *variant, size_t seq, struct ob_lc_result *r)
{
	uint64_t deadline = ob_now_ns() + s->timeout_ns;
	char prefix[48], cdir[4096], sdir[4096], cid[256], sid[256], ns[2][128];
	struct ob_lc_result sr = { .exit_status = -1 };
	struct ob_bundle cb = { 0 }, sb = { 0 };
	struct ob_netenv ne = { 0 };
	struct endpoint eps[2] = { { &ne, 0 }, { &ne, 1 } };
	struct side cli, srv;
	struct ob_error err;
	bool server_up = false, have_net = false;
	pid_t spid;

	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
	side_init(&cli, rt);
	side_init(&srv, s->net_peer ? s->net_peer : rt);
	snprintf(prefix, sizeof(prefix), OB_CONTAINER_PREFIX "%s" OB_NETNS_INFIX "%zu", s->runid, seq);
	snprintf(cdir, sizeof(cdir), "%s/%zu", s->bundles, seq);
	snprintf(sdir, sizeof(sdir), "%s/%zus", s->bundles, seq);
	snprintf(cid, sizeof(cid), OB_CONTAINER_PREFIX "%s-%zu", s->runid, seq);
	/* not "CID-s": runsc takes an id for a prefix of the ids it knows */
	snprintf(sid, sizeof(sid), OB_CONTAINER_PREFIX "%s-s%zu", s->runid, seq);

	if (ob_netenv_create(&ne, prefix, s->net_subnet, 2, &err) < 0) {
		ob_lc_fail_err(r, OB_LC_FAILED, "network", &err);
		goto out;
	}
	have_net = true;
	ob_test_stop_point("net");
	ob_netenv_path(&ne, 0, ns[0], sizeof(ns[0]));
	ob_netenv_path(&ne, 1, ns[1], sizeof(ns[1]));
	if (ob_bundle_create(sdir, s->src, &sb, &err) < 0 ||
	    configure(s, t, variant, "server", &srv, &sb, ns[0], NULL, &err) < 0 ||
	    ob_bundle_create(cdir, s->src, &cb, &err) < 0 ||
	    configure(s, t, variant, "run", &cli, &cb, ns[1], ne.addr[0], &err) < 0) {
		ob_lc_fail_err(r, OB_LC_FAILED, "bundle", &err);
		goto out;
	}
	sb.before_retry = cb.before_retry = reset_endpoint;
	sb.retry_arg = &eps[0];
	cb.retry_arg = &eps[1];
	if (ob_lc_up(&srv.rt, &sb, sid, deadline, &sr, &spid) < 0) {
		ob_lc_fail_err(r, sr.status, "server", &sr.err);
		r->create_attempts = sr.create_attempts;
		r->stderr_tail = sr.stderr_tail ? strdup(sr.stderr_tail) : NULL;
		goto out;
	}
	server_up = true;
	if (wait_listening(&sb, spid, deadline, r) < 0) {
		r->stderr_tail = ob_lc_tail(sb.errlog);
		goto out;
	}
	ob_lc_run(&cli.rt, &cb, cid, deadline, r);
	if (r->status == OB_LC_OK) {
		server_down(&srv, &sb, sid, spid, deadline, &sr, r);
		server_up = false;
	}
out:
	if (server_up) /* the client failed or was stopped: the server waits forever */
		ob_lc_force_delete(&srv.rt, sid);
	if (have_net)
		r->extra = extra(&ne, &cli, &srv, &sr);
	ob_lc_result_clear(&sr);
	if (ob_bundle_destroy(&cb, &err) < 0)
		fprintf(s->progress ? s->progress : stderr, "ocibench: %s\n", err.msg);
	if (ob_bundle_destroy(&sb, &err) < 0)
		fprintf(s->progress ? s->progress : stderr, "ocibench: %s\n", err.msg);
	if (have_net && ob_netenv_destroy(&ne, &err) < 0)
		fprintf(s->progress ? s->progress : stderr, "ocibench: %s\n", err.msg);
	free(cli.rt.args);
	free(srv.rt.args);
}
