/* runtime.c - see runtime.h */
#include "runtime.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "proc.h"

struct builtin {
	const char *name, *exe;
	const char *const *args;
	unsigned quirks;
	const char *needs;
};

/* runsc: no network stack for the tests that need none (its sandbox network
 * fails in a fresh netns on kernels >= 6.11, see RUNTIMES.md). */
static const char *const runsc_args[] = { "--network=none", NULL };

static const struct builtin builtins[] = {
	{ "runc", "runc", NULL, 0, NULL },
	{ "crun", "crun", NULL, OB_RTQ_HYBRID_CGROUP, NULL },
	{ "runsc", "runsc", runsc_args, OB_RTQ_ORPHANS | OB_RTQ_NETSTACK, NULL },
	{ "kata-runtime", "kata-runtime", NULL, OB_RTQ_KATA_CONFIG, "kvm" },
	{ "rune", "rune", NULL, 0, "sgx" },
};
#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static const struct builtin *builtin_by_exe(const char *exe)
{
	const char *base = strrchr(exe, '/');

	base = base ? base + 1 : exe;
	for (size_t i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].exe, base) == 0)
			return &builtins[i];
	return NULL;
}

static void rt_clear(struct ob_runtime *rt)
{
	if (rt->args)
		for (char **a = rt->args; *a; a++)
			free(*a);
	free(rt->args);
	free(rt->name);
	free(rt->exe);
	free(rt->path);
	free(rt->root);
	free(rt->version);
	free(rt->unusable);
	free(rt->hide_mount);
	memset(rt, 0, sizeof(*rt));
}

static void rt_init(struct ob_runtime *rt, const char *name, const char *exe,
		    const char *const *args, size_t nargs, const char *state_root)
{
	const struct builtin *b = builtin_by_exe(exe);
	size_t nb = 0;

	if (b && b->args)
		while (b->args[nb])
			nb++;
	rt->name = xstrdup(name);
	rt->exe = xstrdup(exe);
	rt->quirks = b ? b->quirks : 0;
	rt->needs = b ? b->needs : NULL;
	rt->args = calloc(nargs + nb + 1, sizeof(char *));
	if (!rt->args)
		abort();
	/* built-in flags first: a user flag given later wins (Go flag, getopt) */
	for (size_t i = 0; i < nb; i++)
		rt->args[i] = xstrdup(b->args[i]);
	for (size_t i = 0; i < nargs; i++)
		rt->args[nb + i] = xstrdup(args[i]);
	rt->root = ob_xasprintf("%s/%s", state_root, name);
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') ||
		      ('0' <= *s && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static struct ob_runtime *add(struct ob_rtset *set)
{
	struct ob_runtime *n = realloc(set->rt, (set->n + 1) * sizeof(*n));

	if (!n)
		abort();
	set->rt = n;
	memset(&n[set->n], 0, sizeof(*n));
	return &n[set->n++];
}

int ob_rt_load(struct ob_rtset *set, char *const *defs, size_t ndefs, const char *state_root,
	       struct ob_error *err)
{
	memset(set, 0, sizeof(*set));
	for (size_t i = 0; i < NBUILTINS; i++) {
		const struct builtin *b = &builtins[i];

		rt_init(add(set), b->name, b->exe, NULL, 0, state_root);
	}
	for (size_t d = 0; d < ndefs; d++) {
		ob_cleanup_free char *copy = xstrdup(defs[d]);
		char *eq = strchr(copy, '=');
		const char *args[64];
		size_t nargs = 0;

		if (!eq || eq == copy || !eq[1])
			return ob_err(err, OB_EXIT_USAGE, 0,
				      "bad --runtime '%s' (expected NAME=PATH[,ARG...])", defs[d]);
		*eq = '\0';
		if (!valid_name(copy))
			return ob_err(err, OB_EXIT_USAGE, 0,
				      "bad runtime name '%s' in --runtime (letters, digits, '-', '_', '.')",
				      copy);
		char *exe = eq + 1, *comma = strchr(exe, ',');

		if (comma)
			*comma = '\0';
		if (!*exe)
			return ob_err(err, OB_EXIT_USAGE, 0, "empty PATH in --runtime '%s'", defs[d]);
		for (char *a = comma ? comma + 1 : NULL; a; a = comma ? comma + 1 : NULL) {
			comma = strchr(a, ',');
			if (comma)
				*comma = '\0';
			if (nargs == 63)
				return ob_err(err, OB_EXIT_USAGE, 0, "too many flags in --runtime '%s'",
					      defs[d]);
			if (*a)
				args[nargs++] = a;
		}
		struct ob_runtime *rt = ob_rt_find(set, copy);

		if (rt)
			rt_clear(rt);
		else
			rt = add(set);
		rt_init(rt, copy, exe, args, nargs, state_root);
		rt->user = true;
	}
	return 0;
}

/* The cgroup2 mount of a hybrid hierarchy whose cgroup.controllers is not
 * empty (crun 1.8 refuses to run then), or NULL. */
static char *hybrid_unified_mount(void)
{
	FILE *f = fopen("/proc/self/mounts", "re");
	char dev[256], dir[1024], type[64];
	char *found = NULL;
	bool v2_root = false;

	if (!f)
		return NULL;
	while (fscanf(f, "%255s %1023s %63s %*[^\n]", dev, dir, type) == 3) {
		if (strcmp(type, "cgroup2") != 0)
			continue;
		if (strcmp(dir, "/sys/fs/cgroup") == 0) {
			v2_root = true;
			continue;
		}
		char ctl[1100], buf[256] = "";
		FILE *c;

		snprintf(ctl, sizeof(ctl), "%s/cgroup.controllers", dir);
		if (!found && (c = fopen(ctl, "re"))) {
			if (fgets(buf, sizeof(buf), c) && buf[0] != '\n' && buf[0])
				found = xstrdup(dir);
			fclose(c);
		}
	}
	fclose(f);
	if (v2_root) {
		free(found);
		return NULL;
	}
	return found;
}

static bool have_sgx(void)
{
	glob_t g;
	bool yes;

	if (access("/dev/isgx", F_OK) == 0)
		return true;
	yes = glob("/dev/sgx*", 0, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	return yes;
}

/* kata-runtime's global --kata-config FILE (or =FILE), NULL if not given. */
static const char *kata_config(const struct ob_runtime *rt)
{
	const char *file = NULL;

	for (char **a = rt->args; *a; a++)
		if (strncmp(*a, "--kata-config=", 14) == 0)
			file = *a + 14;
		else if (strcmp(*a, "--kata-config") == 0 && a[1])
			file = *++a;
	return file;
}

static void detect_one(struct ob_runtime *rt, const char *hybrid)
{
	const char *cfg;

	rt->path = ob_proc_which(rt->exe);
	if (!rt->path) {
		rt->unusable = ob_xasprintf(strchr(rt->exe, '/') ? "%s is not an executable"
								  : "%s is not on PATH",
					    rt->exe);
		return;
	}
	char *argv[] = { rt->path, "--version", NULL };
	char *out = NULL;
	int st;

	/* a runtime that does not tell its version still runs: no version */
	if (ob_proc_capture(argv, 10000000000u, &st, &out, NULL) == 0) {
		char *nl = strchr(out, '\n'), *v;

		if (nl)
			*nl = '\0';
		/* "runc version 1.1.5", "kata-runtime  : 1.12.0" */
		if ((v = strstr(out, "version ")))
			v += 8;
		else if ((v = strstr(out, ": ")))
			v += 2;
		rt->version = xstrdup(v ? v : out);
	} else {
		rt->version = xstrdup("");
	}
	free(out);
	if (rt->needs && strcmp(rt->needs, "kvm") == 0 && access("/dev/kvm", R_OK | W_OK) != 0)
		rt->unusable = xstrdup("needs KVM: /dev/kvm is missing or not accessible");
	else if (rt->needs && strcmp(rt->needs, "sgx") == 0 && !have_sgx())
		rt->unusable = xstrdup("needs Intel SGX: no /dev/sgx* or /dev/isgx");
	else if ((rt->quirks & OB_RTQ_KATA_CONFIG) && (cfg = kata_config(rt)) &&
		 access(cfg, R_OK) != 0)
		rt->unusable = ob_xasprintf("--kata-config %s: %s", cfg, strerror(errno));
	if ((rt->quirks & OB_RTQ_HYBRID_CGROUP) && hybrid)
		rt->hide_mount = xstrdup(hybrid);
}

void ob_rt_detect(struct ob_rtset *set)
{
	ob_cleanup_free char *hybrid = hybrid_unified_mount();

	for (size_t i = 0; i < set->n; i++)
		detect_one(&set->rt[i], hybrid);
}

struct ob_runtime *ob_rt_find(const struct ob_rtset *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->rt[i].name, name) == 0)
			return &set->rt[i];
	return NULL;
}

char **ob_rt_argv(const struct ob_runtime *rt, const char *sub, const char *const *args)
{
	size_t na = 0, ng = 0, i = 0;
	char **v;

	while (rt->args[ng])
		ng++;
	while (args && args[na])
		na++;
	v = calloc(ng + na + 5, sizeof(char *));
	if (!v)
		abort();
	v[i++] = rt->path;
	v[i++] = "--root";
	v[i++] = rt->root;
	for (size_t k = 0; k < ng; k++)
		v[i++] = rt->args[k];
	v[i++] = (char *)sub;
	for (size_t k = 0; k < na; k++)
		v[i++] = (char *)args[k];
	return v;
}

void ob_rt_free(struct ob_rtset *set)
{
	for (size_t i = 0; i < set->n; i++)
		rt_clear(&set->rt[i]);
	free(set->rt);
	memset(set, 0, sizeof(*set));
}
