/* engine.c - see engine.h: the engine list, columns, starting and stopping
 * the engines of a run, the client command line. */
#include "engine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "ob-cleanup.h"
#include "ob-clock.h"
#include "ob-fs.h"
#include "proc.h"

#define SEC 1000000000ull

void ob_argv_add(struct ob_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (a->n + 2 > a->cap) {
		a->cap = a->cap ? 2 * a->cap : 16;
		a->v = realloc(a->v, a->cap * sizeof(char *));
		if (!a->v)
			abort();
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void ob_argv_addv(struct ob_argv *a, char *const *v)
{
	for (; v && *v; v++)
		ob_argv_add(a, "%s", *v);
}

void ob_argv_free(struct ob_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static const struct ob_engine_ops *const all_ops[] = { &ob_docker_ops, &ob_podman_ops,
						       &ob_containerd_ops };

const char *ob_engine_name(const struct ob_runtime *rt)
{
	return rt->engine ? rt->engine->e->ops->name : "oci";
}

int ob_engines_parse(struct ob_engines *es, const struct ob_engine_opts *o, struct ob_error *err)
{
	ob_cleanup_free char *keep = strdup(o->list ? o->list : "oci");

	memset(es, 0, sizeof(*es));
	if (!keep)
		abort();
	for (char *n = strtok(keep, ","); n; n = strtok(NULL, ",")) {
		const struct ob_engine_ops *ops = NULL;

		if (strcmp(n, "oci") == 0) {
			if (es->oci)
				return ob_err(err, OB_EXIT_USAGE, 0, "repeated engine 'oci' in --engine");
			es->oci = true;
			es->e[es->n++] = NULL; /* its place in the column order */
			continue;
		}
		for (size_t i = 0; i < sizeof(all_ops) / sizeof(all_ops[0]); i++)
			if (strcmp(all_ops[i]->name, n) == 0)
				ops = all_ops[i];
		if (!ops)
			return ob_err(err, OB_EXIT_USAGE, 0,
				      "unknown engine '%s' in --engine (oci, docker, podman, containerd)", n);
		for (size_t i = 0; i < es->n; i++)
			if (es->e[i] && es->e[i]->ops == ops)
				return ob_err(err, OB_EXIT_USAGE, 0, "repeated engine '%s' in --engine", n);
		if (es->n == 4)
			return ob_err(err, OB_EXIT_USAGE, 0, "too many engines in --engine");

		struct ob_engine *e = calloc(1, sizeof(*e));

		if (!e)
			abort();
		e->ops = ops;
		const char *given = ops == &ob_docker_ops ? o->docker_host :
				    ops == &ob_containerd_ops ? o->containerd_address : NULL;

		e->daemon = "private";
		if (given && strcmp(given, OB_DAEMON_PRIVATE) == 0) {
			e->private_daemon = true;
		} else if (given) {
			e->address = strdup(given + (strncmp(given, "unix://", 7) ? 0 : 7));
			e->daemon = "given";
		}
		e->user_daemon = e->address != NULL;
		es->e[es->n++] = e;
	}
	if (!es->n)
		return ob_err(err, OB_EXIT_USAGE, 0, "empty --engine");
	/* "private" is a choice that holds whatever the engines are */
	if (o->docker_host && strcmp(o->docker_host, OB_DAEMON_PRIVATE) != 0 &&
	    !strstr(o->list ? o->list : "", "docker"))
		return ob_err(err, OB_EXIT_USAGE, 0, "--docker-host needs --engine=...,docker");
	if (o->containerd_address && strcmp(o->containerd_address, OB_DAEMON_PRIVATE) != 0 &&
	    !strstr(o->list ? o->list : "", "containerd"))
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "--containerd-address needs --engine=...,containerd");
	return 0;
}

/* Whether a process accepts connections on the unix socket path. */
static bool listens(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path) || stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return false;
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

char *ob_engine_find_daemon(const struct ob_engine_ops *ops, const char **how)
{
	/* the sockets Debian's packages listen on */
	static const char *const docker[] = { "/run/docker.sock", "/var/run/docker.sock", NULL };
	static const char *const containerd[] = { "/run/containerd/containerd.sock", NULL };
	const char *const *socks = ops == &ob_docker_ops ? docker : ops == &ob_containerd_ops ? containerd : NULL;
	const char *var = getenv(ops == &ob_docker_ops ? "DOCKER_HOST" : "CONTAINERD_ADDRESS");
	char *p;

	if (!socks)
		return NULL; /* podman: no daemon */
	/* the user's choice for the client, which the engine's own CLI would
	 * follow too (a tcp:// Docker host is not one ocibench can reach) */
	if (var && *var && (strncmp(var, "unix://", 7) == 0 || !strstr(var, "://"))) {
		*how = "given";
		if (!(p = strdup(var + (strncmp(var, "unix://", 7) ? 0 : 7))))
			abort();
		return p;
	}
	/* OB_DOCKER_SOCKETS / OB_CONTAINERD_SOCKETS (PATH:PATH...) replace
	 * the packages' list: a daemon installed elsewhere, or one a test
	 * starts where no other process looks */
	const char *list = getenv(ops == &ob_docker_ops ? "OB_DOCKER_SOCKETS" : "OB_CONTAINERD_SOCKETS");
	ob_cleanup_free char *copy = list ? strdup(list) : NULL;
	const char *paths[32];
	size_t n = 0;
	char *save = NULL;

	if (list && !copy)
		abort();
	for (char *t = copy ? strtok_r(copy, ":", &save) : NULL; t && n < 31; t = strtok_r(NULL, ":", &save))
		paths[n++] = t;
	for (; !list && *socks && n < 31; socks++)
		paths[n++] = *socks;
	for (size_t i = 0; i < n; i++)
		if (listens(paths[i])) {
			*how = "found";
			if (!(p = strdup(paths[i])))
				abort();
			return p;
		}
	return NULL;
}

/* Whether the engines run rt: runc, crun, runsc and rune's ordinary
 * containers (with the filter it can load: ob_ecol's seccomp_file); Kata,
 * whose VM sandbox the runner sets up itself, and rune's enclaves, which
 * need SGX, stay on the bare path. */
bool ob_engine_runs(const struct ob_runtime *rt)
{
	return !rt->needs && !(rt->quirks & OB_RTQ_KATA_CONFIG);
}

int ob_engines_columns(struct ob_engines *es, struct ob_runtime *const *rts, size_t nrts,
		       struct ob_runtime **out, size_t max, size_t *nout, struct ob_error *err)
{
	*nout = 0;
	for (size_t k = 0; k < es->n; k++) {
		struct ob_engine *e = es->e[k];

		if (e) {
			e->base = rts;
			e->nbase = nrts;
		}
		for (size_t i = 0; i < nrts; i++) {
			if (*nout == max)
				return ob_err(err, OB_EXIT_USAGE, 0, "too many columns (engines x runtimes)");
			if (!e) {
				out[(*nout)++] = rts[i];
				continue;
			}
			if (!ob_engine_runs(rts[i]))
				continue;
			struct ob_ecol *c = calloc(1, sizeof(*c));

			if (!c)
				abort();
			c->rt = *rts[i];
			if (asprintf(&c->rt.name, "%s/%s", e->ops->name, rts[i]->name) < 0)
				abort();
			c->rt.engine = c;
			c->e = e;
			c->base = rts[i];
			es->cols[es->ncols++] = c;
			out[(*nout)++] = &c->rt;
		}
	}
	if (!*nout)
		return ob_err(err, OB_EXIT_USAGE, 0, "no runtime to run through the engines");
	return 0;
}

/* How argv runs: exe found, in e's namespace and cgroup; 0 or -1. */
struct how {
	struct ob_argv a;
	struct ob_spawn sp;
	char *netns, *procs;
};

static int how_init(struct ob_engine *e, char *const *argv, struct how *h, struct ob_error *err)
{
	ob_cleanup_free char *exe = ob_proc_which(argv[0]);

	memset(h, 0, sizeof(*h));
	if (!exe)
		return ob_err(err, OB_EXIT_USAGE, 0, "%s not found", argv[0]);
	if (e->netns[0] && asprintf(&h->netns, "/var/run/netns/%s", e->netns) < 0)
		abort();
	h->sp.netns = h->netns;
	/* the engine's clients (podman, conmon, ctr) in its cgroup too */
	if (e->netns[0] && e->cgroup[0]) {
		if (asprintf(&h->procs, "%s/%s/cgroup.procs", ob_cgroup_track_root(), e->cgroup) < 0)
			abort();
		h->sp.cgroup = h->procs;
	}
	ob_argv_add(&h->a, "%s", exe);
	ob_argv_addv(&h->a, argv + 1);
	h->sp.argv = h->a.v;
	return 0;
}

static void how_free(struct how *h)
{
	ob_argv_free(&h->a);
	free(h->netns);
	free(h->procs);
}

int ob_engine_spawn(struct ob_engine *e, char *const *argv, int in, int out, int errfd,
		    pid_t *pid, struct ob_error *err)
{
	struct how h;
	int rc;

	if (how_init(e, argv, &h, err) < 0)
		return -1;
	h.sp.in = in;
	h.sp.out = out;
	h.sp.err = errfd;
	rc = ob_proc_spawn(&h.sp, pid, err);
	how_free(&h);
	return rc;
}

int ob_engine_cmd(struct ob_engine *e, char *const *argv, uint64_t timeout_ns, char **out,
		  struct ob_error *err)
{
	struct how h;
	int st, rc;
	char buf[64];

	*out = NULL;
	if (how_init(e, argv, &h, err) < 0)
		return -1;
	rc = ob_proc_capture_sp(&h.sp, h.a.v, timeout_ns, &st, out, err);
	if (rc == 0 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		char *last = *out ? *out + strlen(*out) : NULL;

		while (last && last > *out && last[-1] == '\n')
			*--last = '\0';
		last = *out ? strrchr(*out, '\n') : NULL;
		rc = ob_err(err, OB_EXIT_FAIL, 0, "%s %s: %s", argv[0],
			    ob_proc_status_text(st, buf, sizeof(buf)),
			    last ? last + 1 : *out ? *out : "");
	}
	how_free(&h);
	return rc;
}

int ob_engine_cli(struct ob_engine *e, char *const *args, uint64_t timeout_ns, char **out,
		  struct ob_error *err)
{
	struct ob_argv a = { 0 };
	int rc;

	ob_argv_addv(&a, e->cli.v);
	ob_argv_addv(&a, args);
	rc = ob_engine_cmd(e, a.v, timeout_ns, out, err);
	ob_argv_free(&a);
	return rc;
}

/* The image as an archive for the engines: docker-archive for Docker 20.10
 * (it does not load OCI archives), an OCI archive for the others. */
static int make_archive(struct ob_engine *e, const char *dir, const char *layout,
			struct ob_error *err)
{
	bool docker = e->ops == &ob_docker_ops;
	ob_cleanup_free char *src = NULL, *dst = NULL, *out = NULL;

	if (asprintf(&e->archive, "%s/image-%s.tar", dir, docker ? "docker" : "oci") < 0 ||
	    asprintf(&src, "oci:%s:latest", layout) < 0 ||
	    asprintf(&dst, "%s:%s:ocibench:latest", docker ? "docker-archive" : "oci-archive",
		     e->archive) < 0)
		abort();
	if (access(e->archive, R_OK) == 0)
		return 0;

	char *const argv[] = { "skopeo", "copy", "-q", src, dst, NULL };
	struct ob_engine none = { 0 };

	if (ob_engine_cmd(&none, argv, 300 * SEC, &out, err) < 0)
		return ob_err_wrap(err, "converting the image for %s", e->ops->name);
	return 0;
}

int ob_engines_up(struct ob_engines *es, const char *runid, const char *dir,
		  const char *layout, const struct ob_seccomp *sc, struct ob_error *err)
{
	for (size_t k = 0; k < es->n; k++) {
		struct ob_engine *e = es->e[k];

		if (!e)
			continue;
		e->runid = runid;
		e->sc = sc;
		if (!e->address && !e->private_daemon &&
		    (e->address = ob_engine_find_daemon(e->ops, &e->daemon))) {
			e->user_daemon = true;
			fprintf(stderr,
				"ocibench: %s: using the daemon at %s (%s), as it is configured; --%s=private for one of the run's own\n",
				e->ops->name, e->address,
				strcmp(e->daemon, "found") == 0 ? "found" :
				e->ops == &ob_docker_ops ? "DOCKER_HOST" : "CONTAINERD_ADDRESS",
				e->ops == &ob_docker_ops ? "docker-host" : "containerd-address");
		}
		if (e->user_daemon && !listens(e->address))
			return ob_err(err, OB_EXIT_USAGE, 0, "the %s daemon at %s does not answer (nothing listens there)",
				      e->ops->name, e->address);
		snprintf(e->cgroup, sizeof(e->cgroup), "ocibench-%s-engines/%s", runid, e->ops->name);
		if (asprintf(&e->dir, "%s/%s", dir, e->ops->name) < 0 ||
		    asprintf(&e->wrapdir, "%s/%s/wrap", dir, e->ops->name) < 0)
			abort();
		if (make_archive(e, dir, layout, err) < 0 || e->ops->up(e, err) < 0)
			return -1;
		/* a user's docker daemon: the runtimes it lacks, said once here and
		 * in each of their cells */
		for (size_t i = 0; i < es->ncols; i++) {
			struct ob_ecol *c = es->cols[i];
			char word[128];

			snprintf(word, sizeof(word), " %s ", c->base->name);
			if (c->e == e && e->has && !strstr(e->has, word) &&
			    asprintf(&c->why, "the %s daemon at %s has no runtime '%s' (it has:%s)",
				     e->ops->name, e->address, c->base->name, e->has) < 0)
				abort();
		}
		for (size_t i = 0; i < es->ncols; i++)
			if (es->cols[i]->e == e && es->cols[i]->why)
				fprintf(stderr, "ocibench: %s: %s\n", es->cols[i]->rt.name, es->cols[i]->why);
		/* a column whose runtime cannot load the run's filter (rune:
		 * runc 1.0.0-rc10, no errnoRet) gets the form it can load, as a
		 * profile file given to the engine, as the bare path does */
		for (size_t i = 0; i < es->ncols; i++) {
			struct ob_ecol *c = es->cols[i];

			if (c->e != e || !c->rt.seccomp_record || !c->rt.seccomp)
				continue;
			c->seccomp_file = ob_xasprintf("%s/seccomp-%s.json", e->dir, c->base->name);
			if (ob_mkdir_p(e->dir, 0700, err) < 0)
				return -1;
			if (json_dump_file(c->rt.seccomp, c->seccomp_file, JSON_COMPACT) < 0)
				return ob_err(err, OB_EXIT_FAIL, errno, "writing %s", c->seccomp_file);
		}
	}
	return 0;
}

void ob_engines_down(struct ob_engines *es)
{
	for (size_t k = es->n; k-- > 0;)
		if (es->e[k] && es->e[k]->ops)
			es->e[k]->ops->down(es->e[k]);
}

void ob_engines_free(struct ob_engines *es)
{
	for (size_t k = 0; k < es->n; k++) {
		struct ob_engine *e = es->e[k];

		if (!e)
			continue;
		free(e->dir);
		free(e->address);
		ob_argv_free(&e->cli);
		free(e->image);
		free(e->archive);
		free(e->version);
		free(e->wrapdir);
		free(e->seccomp_oci);
		free(e->logger);
		free(e->has);
		free(e->data_root);
		free(e);
	}
	for (size_t i = 0; i < es->ncols; i++) {
		free(es->cols[i]->rt.name);
		free(es->cols[i]->erun);
		free(es->cols[i]->why);
		free(es->cols[i]->seccomp_file);
		free(es->cols[i]);
	}
	memset(es, 0, sizeof(*es));
}

json_t *ob_engines_manifest(const struct ob_engines *es)
{
	json_t *a = json_array();

	for (size_t k = 0; k < es->n; k++) {
		const struct ob_engine *e = es->e[k];

		if (!e) {
			json_array_append_new(a, json_pack("{s:s}", "name", "oci"));
			continue;
		}
		json_array_append_new(a, json_pack("{s:s,s:s?,s:b,s:s,s:s?,s:s?}", "name", e->ops->name,
						   "version", e->version, "user_daemon",
						   e->user_daemon, "daemon", e->daemon, "address",
						   e->user_daemon ? e->address : NULL, "image",
						   e->image));
	}
	return a;
}

/* ---- ocibench runtimes ---- */

static const char *const engine_bins[][4] = {
	{ "/usr/bin/docker", "dockerd", "skopeo", NULL },
	{ "podman", "conmon", "skopeo", NULL },
	{ "ctr", "containerd", "containerd-shim-runc-v2", "skopeo" },
};

/* The daemon `ocibench run` would use for engine k (given, the client's
 * variable, found, or none: private); its version and, for Docker, the
 * runtimes registered with it ("" when the run registers its own). */
static const char *daemon_of(size_t k, const struct ob_engine_opts *o, char **addr, char **ver,
			     char **has, char **why)
{
	const struct ob_engine_ops *ops = all_ops[k];
	const char *given = ops == &ob_docker_ops ? o->docker_host : o->containerd_address;
	const char *how = NULL;
	struct ob_engine e = { .ops = ops };
	struct ob_error err;
	ob_cleanup_free char *text = NULL;

	*addr = *ver = *has = *why = NULL;
	if (given && strcmp(given, OB_DAEMON_PRIVATE) == 0)
		return "private";
	if (given) {
		*addr = strdup(given + (strncmp(given, "unix://", 7) ? 0 : 7));
		how = "given";
	} else if (!(*addr = ob_engine_find_daemon(ops, &how))) {
		return "private";
	}
	if (!*addr)
		abort();
	if (ops == &ob_docker_ops) {
		ob_argv_add(&e.cli, "/usr/bin/docker");
		ob_argv_add(&e.cli, "-H");
		ob_argv_add(&e.cli, "unix://%s", *addr);
	} else {
		ob_argv_add(&e.cli, "ctr");
		ob_argv_add(&e.cli, "--address=%s", *addr);
	}
	char *const dargs[] = { "info", "--format",
				"{{.ServerVersion}}|{{range $k, $v := .Runtimes}}{{$k}} {{end}}", NULL };
	char *const cargs[] = { "version", NULL };

	if (!listens(*addr)) {
		*why = strdup("nothing listens there");
	} else if (ob_engine_cli(&e, ops == &ob_docker_ops ? dargs : cargs, 10 * SEC, &text, &err) < 0) {
		*why = strdup(err.msg);
	} else if (ops == &ob_docker_ops) {
		char *bar = strchr(text, '|');

		text[strcspn(text, "\n")] = '\0';
		if (bar) {
			*bar = '\0';
			if (asprintf(has, " %s ", bar + 1) < 0)
				abort();
		}
		*ver = strdup(text);
	} else {
		const char *sv = strstr(text, "Server:"), *v = sv ? strstr(sv, "Version:") : NULL;

		if (v) {
			v += 8 + strspn(v + 8, " \t");
			*ver = strndup(v, strcspn(v, "\n"));
		}
	}
	ob_argv_free(&e.cli);
	return how;
}

/* " word" appended to the malloc'ed list *l. */
static void add_word(char **l, const char *word)
{
	size_t n = strlen(*l);

	*l = realloc(*l, n + strlen(word) + 2);
	if (!*l)
		abort();
	sprintf(*l + n, " %s", word);
}

void ob_engines_print(const struct ob_engine_opts *o, const struct ob_rtset *set, FILE *out)
{
	fprintf(out, "\nENGINE      STATUS    VERSION            RUNTIMES THROUGH IT\n");
	fprintf(out, "%-11s %-9s %-18s %s\n", "oci", "ok", "-", "every usable runtime above");
	for (size_t k = 0; k < sizeof(all_ops) / sizeof(all_ops[0]); k++) {
		const char *missing = NULL;
		ob_cleanup_free char *ver = NULL, *addr = NULL, *dver = NULL, *has = NULL, *why = NULL;

		for (int i = 0; i < 4 && engine_bins[k][i]; i++) {
			char *p = ob_proc_which(engine_bins[k][i]);

			if (!p && !missing)
				missing = engine_bins[k][i];
			free(p);
		}
		if (missing) {
			fprintf(out, "%-11s %-9s %-18s %s not found (Debian: %s)\n", all_ops[k]->name,
				"missing", "-", missing,
				k == 0 ? "docker.io skopeo" : k == 1 ? "podman skopeo" : "containerd skopeo");
			continue;
		}
		const char *how = all_ops[k] == &ob_podman_ops ? "private" :
				  daemon_of(k, o, &addr, &dver, &has, &why);

		if (why) {
			fprintf(out, "%-11s %-9s %-18s the %s daemon at %s: %s\n", all_ops[k]->name,
				"no-daemon", "-", how, addr, why);
			continue;
		}
		struct ob_engine none = { 0 };
		/* the private daemon's version (podman has none), from its binary */
		char *const vargv[] = { (char *)engine_bins[k][k == 1 ? 0 : 1], "--version", NULL };

		if (!dver && ob_engine_cmd(&none, vargv, 10 * SEC, &ver, &(struct ob_error){ 0 }) == 0 && ver)
			ver[strcspn(ver, "\n")] = '\0';
		const char *v = dver ? dver : ver ? ver : "-";

		/* "Docker version 20.10.24+dfsg1, build ..." -> "20.10.24+dfsg1" */
		const char *digit = strpbrk(v, "0123456789");
		char vb[19];

		snprintf(vb, sizeof(vb), "%.*s", (int)strcspn(digit ? digit : v, ", "), digit ? digit : v);
		fprintf(out, "%-11s %-9s %-18s", all_ops[k]->name, "ok", vb);
		/* a user's docker daemon runs the runtimes registered with it, by
		 * name, without the host remedies; containerd and the private
		 * daemons run every runtime through a wrapper path */
		ob_cleanup_free char *lacks = strdup(""), *bare = strdup("");

		for (size_t i = 0; i < set->n; i++) {
			const struct ob_runtime *rt = &set->rt[i];
			char word[128];

			if (!rt->path || rt->unusable)
				continue;
			if (!ob_engine_runs(rt)) {
				add_word(&bare, rt->name);
				continue;
			}
			snprintf(word, sizeof(word), " %s ", rt->name);
			if (has && !strstr(has, word)) {
				add_word(&lacks, rt->name);
				continue;
			}
			fprintf(out, " %s%s", rt->name,
				!has && (rt->hide_mount || (rt->quirks & OB_RTQ_NETSTACK)) ? "(wrapped)" : "");
		}
		if (lacks[0])
			fprintf(out, "  (not registered with that daemon:%s)", lacks);
		if (bare[0])
			fprintf(out, "  (bare OCI path only:%s)", bare);
		if (addr)
			fprintf(out, "  daemon: %s (%s)\n", addr, how);
		else
			fprintf(out, "  (%s per run)\n", k == 1 ? "private storage" : "private daemon");
	}
}
