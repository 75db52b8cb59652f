/* idle.c - the footprint and density cells of an engine column: the idle
 * containers of runner/host's fleet, run with the engine's own commands (a
 * fleet driver), and their host processes from what the engine's state
 * says (the container's process; podman's conmon), the process tree (the
 * shim or conmon the container hangs from, with every process below it:
 * runsc's sandbox and gofer) and the container's cgroup.
 */
#include "engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/cells.h"
#include "host/fleet.h"
#include "host/procs.h"
#include "ob-cleanup.h"

#define SEC 1000000000ull
#define FORCE_NS (60 * SEC)

struct idle {
	struct ob_engine *e;
	const struct ob_runtime *rt;
	char *const *argv;
};

/* The container as the engine's commands take it (its start is given
 * c->b.out, where containerd's client writes OUT.pid). */
static struct ob_ectr ectr(const struct idle *x, const struct ob_idle *c)
{
	return (struct ob_ectr){ .id = c->id, .argv = x->argv, .attach = true };
}

static int prepare(void *ctx, struct ob_idle *c, const char *dir, struct ob_error *err)
{
	int fd;

	(void)ctx;
	if (asprintf(&c->b.dir, "%s", dir) < 0 || asprintf(&c->b.errlog, "%s/stderr", dir) < 0 ||
	    asprintf(&c->b.out, "%s/out", dir) < 0)
		abort();
	if ((fd = open(c->b.errlog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "creating %s", c->b.errlog);
	close(fd);
	return 0;
}

static int spawn(void *ctx, const struct ob_idle *c, enum ob_fleet_cmd cmd, int step, int in,
		 int out, int errfd, pid_t *pid, struct ob_error *err)
{
	const struct idle *x = ctx;
	struct ob_engine *e = x->e;
	struct ob_ectr ec = ectr(x, c);
	struct ob_argv a = { 0 };
	int rc;

	switch (cmd) {
	case OB_FLEET_CREATE:
		e->ops->create(e, x->rt, &ec, &a);
		break;
	case OB_FLEET_START:
		e->ops->start(e, x->rt, &ec, c->b.out, &a);
		break;
	case OB_FLEET_KILL:
		e->ops->kill(e, x->rt, &ec, &a);
		break;
	case OB_FLEET_DELETE:
		e->ops->remove(e, x->rt, &ec, false,
			       e->ops->nremove - e->ops->nremove_attached + step, &a);
		break;
	}
	rc = ob_engine_spawn(e, a.v, in, out, errfd, pid, err);
	ob_argv_free(&a);
	return rc;
}

static void force_delete(void *ctx, const struct ob_idle *c)
{
	const struct idle *x = ctx;
	struct ob_ectr ec = ectr(x, c);
	struct ob_error err;

	for (int step = 0; step < x->e->ops->nremove; step++) {
		struct ob_argv a = { 0 };
		ob_cleanup_free char *said = NULL;

		x->e->ops->remove(x->e, x->rt, &ec, true, step, &a);
		ob_engine_cmd(x->e, a.v, FORCE_NS, &said, &err);
		ob_argv_free(&a);
	}
}

int ob_engine_rtstate(struct ob_engine *e, const struct ob_ectr *c, const char *out,
		      struct ob_rtstate *rs, struct stat *wl, bool *have_wl, struct ob_error *err)
{
	char exe[4200];

	memset(rs, 0, sizeof(*rs));
	if (e->ops->pids(e, c, out, &rs->pid, rs->own, sizeof(rs->own) / sizeof(rs->own[0]),
			 err) < 0)
		return -1;
	rs->above = ob_host_top(rs->pid, e->pid);
	/* the workload binary as the container sees it: a runtime whose
	 * process has no such root (runsc's sandbox) has no host process of
	 * the workload's */
	snprintf(exe, sizeof(exe), "/proc/%ld/root%s", (long)rs->pid, c->argv[0]);
	*have_wl = stat(exe, wl) == 0;
	return 0;
}

static int find(void *ctx, const struct ob_idle *c, struct ob_hprocs *hp)
{
	const struct idle *x = ctx;
	struct ob_ectr ec = ectr(x, c);
	struct ob_rtstate rs;
	struct ob_error err;
	struct stat wl;
	bool have_wl;

	if (ob_engine_rtstate(x->e, &ec, c->b.out, &rs, &wl, &have_wl, &err) < 0)
		return -1;
	return ob_hprocs_find(rs.pid, &rs, have_wl ? &wl : NULL, hp);
}

void ob_engine_idle_cell(const struct ob_suite *s, const struct ob_runtime *rt,
			 const struct ob_test *t, const char *variant, size_t seq,
			 char *const *argv, struct ob_lc_result *r)
{
	struct idle x = { .e = rt->engine->e, .rt = rt, .argv = argv };
	const struct ob_fleet_driver drv = {
		.ctx = &x, .prepare = prepare, .spawn = spawn,
		.ndelete = x.e->ops->nremove_attached, .force_delete = force_delete, .find = find,
	};

	if (t->cell == ob_density_cell)
		ob_density_run(s, rt, &drv, t, variant, seq, r);
	else
		ob_footprint_run(s, rt, &drv, t, variant, seq, r);
}
