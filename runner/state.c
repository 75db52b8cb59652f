/* state.c - see state.h */
#include "state.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ob-fs.h"
#include "kata-host.h"
#include "lifecycle.h"
#include "netenv.h"
#include "engine/engine.h"
#include "ob-cleanup.h"
#include "ob-file.h"
#include "proc.h"

/* ---- ownership ------------------------------------------------------- */

bool ob_state_is_runid(const char *s)
{
	for (int i = 0; i < 15; i++)
		if (i == 8 ? s[i] != 'T' : !isdigit((unsigned char)s[i]))
			return false;
	if (s[15] != '-' || !isdigit((unsigned char)s[16]) || s[16] == '0')
		return false;
	for (s += 17; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* An entry ocibench itself makes directly in a directory of this kind. */
static bool own_entry(const char *name, enum ob_owned_kind kind)
{
	if (kind == OB_OWNED_STATE)
		return strcmp(name, "runs") == 0 || strcmp(name, "root") == 0;
	return ob_state_is_runid(name);
}

static bool has_mark(int dfd)
{
	struct stat st;
	ob_cleanup_close int fd = openat(dfd, OB_OWNED_MARK, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

int ob_owned_check(const char *dir, enum ob_owned_kind kind, const char *option,
		   struct ob_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	const char *foreign = NULL;
	DIR *d;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return ob_err(err, OB_EXIT_USAGE, errno, "%s '%s'", option, dir);
	if (has_mark(fd)) {
		close(fd);
		return 1;
	}
	if (!(d = fdopendir(fd))) {
		close(fd);
		return ob_err(err, OB_EXIT_USAGE, errno, "%s '%s'", option, dir);
	}
	while (!foreign && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !own_entry(e->d_name, kind))
			foreign = e->d_name;
	if (foreign)
		ob_err(err, OB_EXIT_USAGE, 0,
		       "%s '%s' holds '%.100s' and no %s: not an ocibench directory, refusing to use it",
		       option, dir, foreign, OB_OWNED_MARK);
	closedir(d);
	return foreign ? -1 : 1;
}

int ob_owned_claim(const char *dir, enum ob_owned_kind kind, const char *option,
		   struct ob_error *err)
{
	static const char text[] = "This directory belongs to ocibench: its cleanup removes the "
				   "entries named by run ids.\n";
	ob_cleanup_close int fd = -1, m = -1;
	int r = ob_owned_check(dir, kind, option, err);

	if (r < 0)
		return -1;
	if (r == 0 && ob_mkdir_p(dir, 0700, err) < 0)
		return -1;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "%s '%s'", option, dir);
	if (has_mark(fd))
		return 0;
	m = openat(fd, OB_OWNED_MARK, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (m < 0 && errno != EEXIST) /* EEXIST: a concurrent run marked it */
		return ob_err(err, OB_EXIT_FAIL, errno, "%s/%s", dir, OB_OWNED_MARK);
	if (m >= 0 && write(m, text, sizeof(text) - 1) != (ssize_t)(sizeof(text) - 1))
		return ob_err(err, OB_EXIT_FAIL, errno, "writing %s/%s", dir, OB_OWNED_MARK);
	return 0;
}

/* ---- live runs ---------------------------------------------------------- */

static char *run_file(const char *state_dir, const char *runid)
{
	return ob_xasprintf("%s/runs/%s.json", state_dir, runid);
}

/* Is the run runid alive (its state file names a living process)? */
static bool run_alive(const char *state_dir, const char *runid);

/* The live run (other than self) of state_dir that holds the /24 net, into
 * holder; false when none does. */
static bool subnet_holder(const char *state_dir, const char *self, struct in_addr net,
			  char *holder, size_t len)
{
	ob_cleanup_free char *runs = ob_xasprintf("%s/runs", state_dir);
	DIR *d = opendir(runs);
	struct dirent *e;
	bool found = false;

	while (!found && d && (e = readdir(d))) {
		char runid[256];
		size_t n = strlen(e->d_name);

		if (n < 6 || n - 5 >= sizeof(runid) || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(runid, sizeof(runid), "%.*s", (int)(n - 5), e->d_name);
		if (strcmp(runid, self) == 0 || !ob_state_is_runid(runid) ||
		    !run_alive(state_dir, runid))
			continue;
		ob_cleanup_free char *path = run_file(state_dir, runid);
		json_t *o = json_load_file(path, 0, NULL);
		const char *text = json_string_value(json_object_get(o, "subnet"));
		struct in_addr a;
		struct ob_error ignore;

		if (text && ob_netenv_parse_subnet(text, &a, &ignore) == 0 && a.s_addr == net.s_addr) {
			snprintf(holder, len, "%s", runid);
			found = true;
		}
		json_decref(o);
	}
	if (d)
		closedir(d);
	return found;
}

/* The /24 of the run's net cells: *subnet itself, or with pick the first
 * /24 from it upward that no live run holds.  Called with the runs
 * directory locked. */
static int claim_subnet(const char *state_dir, const char *runid, struct in_addr *subnet, bool pick,
			struct ob_error *err)
{
	char holder[256], text[INET_ADDRSTRLEN];
	struct in_addr net = *subnet;

	for (int k = 0; k < 256 && ob_netenv_private(net); k++) {
		if (!subnet_holder(state_dir, runid, net, holder, sizeof(holder))) {
			*subnet = net;
			return 0;
		}
		if (!pick)
			break;
		net.s_addr = htonl(ntohl(net.s_addr) + 256);
	}
	inet_ntop(AF_INET, subnet, text, sizeof(text));
	if (!pick)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "--net-subnet '%s/24' is in use by the live run %s: choose another", text,
			      holder);
	return ob_err(err, OB_EXIT_FAIL, 0,
		      "no free private /24 from %s/24 upward for the net test (live runs hold them)",
		      text);
}

int ob_state_begin(const char *state_dir, const char *runid, const char *bundles,
		   struct ob_runtime *const *rts, size_t nrts, struct in_addr *subnet,
		   bool pick_subnet, struct ob_error *err)
{
	ob_cleanup_free char *dir = NULL, *path = run_file(state_dir, runid), *text = NULL;
	ob_cleanup_close int lock = -1;
	char net[INET_ADDRSTRLEN + 4];
	json_t *o, *a;

	dir = ob_xasprintf("%s/runs", state_dir);
	if (ob_mkdir_p(dir, 0700, err) < 0)
		return -1;
	/* two runs starting at once: one picks its subnet and records it
	 * before the other looks (the lock goes with the descriptor) */
	if ((lock = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || flock(lock, LOCK_EX) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "locking %s", dir);
	if (claim_subnet(state_dir, runid, subnet, pick_subnet, err) < 0)
		return -1;
	inet_ntop(AF_INET, subnet, net, INET_ADDRSTRLEN);
	strcat(net, "/24");
	o = json_object();
	a = json_array();
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "starttime", json_integer(ob_proc_starttime(getpid())));
	json_object_set_new(o, "bundles", json_string(bundles));
	json_object_set_new(o, "subnet", json_string(net));
	for (size_t i = 0; i < nrts; i++) {
		json_t *args = json_array();

		for (char **s = rts[i]->args; *s; s++)
			json_array_append_new(args, json_string(*s));
		json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:s}", "name", rts[i]->name, "path",
						   rts[i]->path, "args", args, "root", rts[i]->root));
	}
	json_object_set_new(o, "runtimes", a);
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return ob_write_file_atomic(path, text, strlen(text), err);
}

void ob_state_end(const char *state_dir, const char *runid)
{
	ob_cleanup_free char *path = run_file(state_dir, runid);

	unlink(path);
}

static bool run_alive(const char *state_dir, const char *runid)
{
	ob_cleanup_free char *path = run_file(state_dir, runid);
	json_t *o = json_load_file(path, 0, NULL);
	bool alive = false;

	if (o) {
		long pid = (long)json_integer_value(json_object_get(o, "pid"));
		long long st = json_integer_value(json_object_get(o, "starttime"));

		alive = pid > 0 && ob_proc_starttime(pid) == st;
		json_decref(o);
	}
	return alive;
}

/* "ocibench-RUNID-N" -> RUNID in buf; false if id is not ours. */
static bool id_runid(const char *id, char *buf, size_t len)
{
	size_t pl = strlen(OB_CONTAINER_PREFIX);
	const char *dash;

	if (strncmp(id, OB_CONTAINER_PREFIX, pl) != 0 || !(dash = strrchr(id + pl, '-')))
		return false;
	snprintf(buf, len, "%.*s", (int)(dash - (id + pl)), id + pl);
	return buf[0] != '\0';
}

/* What a VM runtime can leave when it is killed mid-create (Kata: qemu,
 * kata-shim, kata-proxy, virtiofsd, the sandbox's mounts): every process
 * whose command line names the container id, and every mount whose path
 * does, once `delete --force` has had its go.  The ids are ocibench's own. */
static int sweep_by_id(const char *id, FILE *log)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d))) {
		char path[300], buf[8192];
		ssize_t len;
		int fd;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		for (ssize_t i = 0; i < len; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		buf[len] = '\0';
		if (strstr(buf, id) && kill((pid_t)atol(e->d_name), SIGKILL) == 0) {
			if (log)
				fprintf(log, "ocibench: killed leftover process %s (%.60s)\n", e->d_name, buf);
			n++;
		}
	}
	if (d)
		closedir(d);
	/* deepest first: a mount under another one goes before it */
	for (bool again = true; again;) {
		FILE *f = fopen("/proc/self/mountinfo", "re");
		char line[4096], mp[2048], last[2048] = "";

		again = false;
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "%*s %*s %*s %*s %2047s", mp) == 1 && strstr(mp, id))
				snprintf(last, sizeof(last), "%s", mp);
		if (f)
			fclose(f);
		if (last[0] && umount2(last, MNT_DETACH) == 0) {
			if (log)
				fprintf(log, "ocibench: unmounted leftover %s\n", last);
			n++;
			again = true;
		}
	}
	return n;
}

int ob_state_sweep_run(const char *runid, FILE *log)
{
	char prefix[300];

	snprintf(prefix, sizeof(prefix), OB_CONTAINER_PREFIX "%s-", runid);
	return sweep_by_id(prefix, log) + ob_kata_host_sweep_state(prefix, log);
}

/* delete --force every ocibench-* container of a dead run under rt. */
static int sweep_runtime(const char *state_dir, const struct ob_runtime *rt, FILE *log)
{
	const char *const args[] = { "--quiet", NULL };
	ob_cleanup_free char **argv = ob_rt_argv(rt, "list", args);
	ob_cleanup_free char *out = NULL;
	struct ob_error err;
	int st, n = 0;
	struct stat sb;

	if (stat(rt->root, &sb) < 0) /* never used: nothing to list */
		return 0;
	if (ob_proc_capture(argv, 30000000000ull, &st, &out, &err) < 0) {
		if (log)
			fprintf(log, "ocibench: %s\n", err.msg);
		return 0;
	}
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		char runid[256];

		if (!id_runid(line, runid, sizeof(runid)) || run_alive(state_dir, runid))
			continue;
		ob_lc_force_delete(rt, line);
		if (log)
			fprintf(log, "ocibench: removed leftover container %s (%s)\n", line, rt->name);
		n++;
		n += sweep_by_id(line, log);
	}
	return n;
}

/* The runtimes recorded in a dead run's state file, as ob_runtime. */
static int sweep_recorded(const char *state_dir, json_t *o, FILE *log)
{
	json_t *rts = json_object_get(o, "runtimes"), *r;
	size_t i;
	int n = 0;

	json_array_foreach(rts, i, r) {
		json_t *args = json_object_get(r, "args"), *a;
		size_t k, na = json_array_size(args);
		struct ob_runtime rt = { 0 };

		rt.name = (char *)json_string_value(json_object_get(r, "name"));
		rt.path = (char *)json_string_value(json_object_get(r, "path"));
		rt.root = (char *)json_string_value(json_object_get(r, "root"));
		if (!rt.name || !rt.path || !rt.root)
			continue;
		rt.args = calloc(na + 1, sizeof(char *));
		if (!rt.args)
			abort();
		json_array_foreach(args, k, a)
			rt.args[k] = (char *)json_string_value(a);
		n += sweep_runtime(state_dir, &rt, log);
		free(rt.args);
	}
	return n;
}

static int remove_bundles(const char *dir, FILE *log);

/* The bundle directory a dead run's state file names, removed only when it
 * is DIR/RUNID in a directory that carries the ownership marker. */
static int remove_recorded_bundles(const char *dir, const char *runid, FILE *log)
{
	const char *slash = strrchr(dir, '/');
	ob_cleanup_free char *parent = NULL;
	ob_cleanup_close int pfd = -1;

	if (!slash || strcmp(slash + 1, runid) != 0 || slash == dir)
		return 0;
	parent = strndup(dir, (size_t)(slash - dir));
	if (!parent)
		abort();
	if ((pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || !has_mark(pfd))
		return 0;
	return remove_bundles(dir, log);
}

static int remove_bundles(const char *dir, FILE *log)
{
	struct ob_error err;
	struct stat st;

	if (stat(dir, &st) < 0)
		return 0;
	ob_engine_sweep_tree(dir, log);
	if (ob_remove_tree(dir, &err) < 0) {
		if (log)
			fprintf(log, "ocibench: %s\n", err.msg);
		return 0;
	}
	if (log)
		fprintf(log, "ocibench: removed leftover bundles %s\n", dir);
	return 1;
}

/* ---- network namespaces of the net test (netcell.c, netenv.c) ---- */

static int remove_netns(const char *runid, FILE *log)
{
	char prefix[300];
	struct ob_error err;
	int n;

	snprintf(prefix, sizeof(prefix), OB_CONTAINER_PREFIX "%s" OB_NETNS_INFIX, runid);
	n = ob_netenv_cleanup_prefix(prefix, &err);
	if (n < 0) {
		if (log)
			fprintf(log, "ocibench: %s\n", err.msg);
		return 0;
	}
	if (n > 0 && log)
		fprintf(log, "ocibench: removed %d leftover network namespace%s of run %s\n", n,
			n == 1 ? "" : "s", runid);
	return n;
}

int ob_state_cleanup(const char *state_dir, const char *bundles_root, const struct ob_rtset *set,
		     FILE *log)
{
	ob_cleanup_free char *runs = NULL;
	struct dirent *e;
	DIR *d;
	int n = 0;

	runs = ob_xasprintf("%s/runs", state_dir);
	/* engine daemons of dead runs first: they hold mounts in the bundles */
	n += ob_daemon_cleanup(log);
	if ((d = opendir(runs))) {
		while ((e = readdir(d))) {
			char runid[256];
			size_t len = strlen(e->d_name);

			if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 || len - 5 >= sizeof(runid))
				continue;
			snprintf(runid, sizeof(runid), "%.*s", (int)(len - 5), e->d_name);
			if (!ob_state_is_runid(runid) || run_alive(state_dir, runid))
				continue;
			ob_cleanup_free char *path = run_file(state_dir, runid);
			json_t *o = json_load_file(path, 0, NULL);

			if (o) {
				const char *b = json_string_value(json_object_get(o, "bundles"));

				n += sweep_recorded(state_dir, o, log);
				n += remove_netns(runid, log);
				if (b)
					n += remove_recorded_bundles(b, runid, log);
				/* a VM runtime's helpers its delete missed (or whose
				 * runtime could not list them any more) */
				char prefix[300];

				snprintf(prefix, sizeof(prefix), OB_CONTAINER_PREFIX "%s-", runid);
				n += sweep_by_id(prefix, log);
				n += ob_kata_host_sweep_state(prefix, log);
				json_decref(o);
			}
			unlink(path);
		}
		closedir(d);
	}
	/* Containers and bundles of dead runs that left no state file.  Network
	 * namespaces are not swept host-wide: a run records itself before it
	 * makes any, so one without a state file here belongs to another state
	 * directory, and its own cleanup removes it. */
	for (size_t i = 0; i < set->n; i++)
		if (set->rt[i].path)
			n += sweep_runtime(state_dir, &set->rt[i], log);
	struct ob_error oerr;

	if (ob_owned_check(bundles_root, OB_OWNED_BUNDLES, "--bundle-dir", &oerr) > 0 &&
	    (d = opendir(bundles_root))) {
		while ((e = readdir(d))) {
			ob_cleanup_free char *p = NULL;

			if (!ob_state_is_runid(e->d_name) || run_alive(state_dir, e->d_name))
				continue;
			p = ob_xasprintf("%s/%s", bundles_root, e->d_name);
			n += remove_bundles(p, log);
		}
		closedir(d);
	}
	return n;
}
