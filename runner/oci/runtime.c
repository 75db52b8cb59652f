/* runtime.c - see runtime.h */
#include "runtime.h"

#include "config.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-file.h"
#include "proc.h"

struct builtin {
	const char *name, *exe;
	const char *const *args;
	unsigned quirks;
	const char *needs;
};

/* Where runtimes/build installs the runtimes built from source; a flag value
 * "@PREFIX@/..." is expanded with it. */
const char *ob_rt_prefix(void)
{
	const char *p = getenv("OCIBENCH_PREFIX");

	return p && *p ? p : OB_RUNTIMES_PREFIX;
}

/* runsc: no network stack for the tests that need none (its sandbox network
 * fails in a fresh netns on kernels >= 6.11, see RUNTIMES.md). */
static const char *const runsc_args[] = { "--network=none", NULL };
/* Kata from `./quickstart kata`: the study's 9p default and virtio-fs. */
static const char *const kata_9p_args[] = {
	"--kata-config=@PREFIX@/kata/share/configuration-9p.toml", NULL
};
static const char *const kata_vfs_args[] = {
	"--kata-config=@PREFIX@/kata/share/configuration-virtio-fs.toml", NULL
};

static const struct builtin builtins[] = {
	{ "runc", "runc", NULL, 0, NULL },
	{ "crun", "crun", NULL, OB_RTQ_HYBRID_CGROUP, NULL },
	{ "runsc", "runsc", runsc_args, OB_RTQ_ORPHANS | OB_RTQ_NETSTACK | OB_RTQ_APP_STUBS, NULL },
	{ "kata", "kata-runtime", kata_9p_args, OB_RTQ_KATA_CONFIG | OB_RTQ_OWN_NETNS | OB_RTQ_GUEST, NULL },
	{ "kata-virtiofs", "kata-runtime", kata_vfs_args, OB_RTQ_KATA_CONFIG | OB_RTQ_OWN_NETNS | OB_RTQ_GUEST,
	  NULL },
	/* ordinary containers take rune's plain runc path: no SGX needed */
	{ "rune", "rune", NULL, OB_RTQ_ENCLAVE_OK | OB_RTQ_SECCOMP_EPERM, NULL },
};
/* A rune column named *-sgx is the enclave variant (opt-in, --runtime). */
#define ENCLAVE_SUFFIX "-sgx"
#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		abort();
	return d;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static const struct builtin *builtin_by_exe(const char *exe)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].exe, base_name(exe)) == 0)
			return &builtins[i];
	return NULL;
}

static const struct builtin *builtin_by_name(const char *name)
{
	for (size_t i = 0; i < NBUILTINS; i++)
		if (strcmp(builtins[i].name, name) == 0)
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

/* "--flag=value" and "--flag" have the name "--flag". */
static bool same_flag(const char *a, const char *b)
{
	size_t la = strcspn(a, "="), lb = strcspn(b, "=");

	return la == lb && strncmp(a, b, la) == 0;
}

static char *expand_prefix(const char *arg)
{
	const char *at = strstr(arg, "@PREFIX@");

	if (!at)
		return xstrdup(arg);
	return ob_xasprintf("%.*s%s%s", (int)(at - arg), arg, ob_rt_prefix(), at + 8);
}

static void rt_init(struct ob_runtime *rt, const struct builtin *b, const char *name,
		    const char *exe, const char *const *args, size_t nargs, const char *state_root)
{
	size_t nb = 0, n = 0;

	if (!b)
		b = builtin_by_exe(exe);
	if (b && b->args)
		while (b->args[nb])
			nb++;
	rt->name = xstrdup(name);
	rt->exe = xstrdup(exe);
	rt->quirks = b ? b->quirks : 0;
	rt->needs = b ? b->needs : NULL;
	if ((rt->quirks & OB_RTQ_ENCLAVE_OK) && strlen(name) > strlen(ENCLAVE_SUFFIX) &&
	    strcmp(name + strlen(name) - strlen(ENCLAVE_SUFFIX), ENCLAVE_SUFFIX) == 0) {
		rt->quirks |= OB_RTQ_ENCLAVE;
		rt->needs = "sgx";
	}
	rt->args = calloc(nargs + nb + 1, sizeof(char *));
	if (!rt->args)
		abort();
	/* built-in flags first, unless the user gives the same flag */
	for (size_t i = 0; i < nb; i++) {
		bool mine = false;

		for (size_t k = 0; k < nargs; k++)
			mine = mine || same_flag(b->args[i], args[k]);
		if (!mine)
			rt->args[n++] = expand_prefix(b->args[i]);
	}
	for (size_t i = 0; i < nargs; i++)
		rt->args[n++] = xstrdup(args[i]);
	rt->root = ob_xasprintf("%s/%s", state_root, name);
}

/* [A-Za-z0-9][A-Za-z0-9_.-]*: the name is a directory below the state
 * directory, so "." and ".." (and anything not starting alphanumeric) are
 * refused. */
static bool valid_name(const char *s)
{
	if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') || ('0' <= *s && *s <= '9')))
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

		rt_init(add(set), b, b->name, b->exe, NULL, 0, state_root);
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
				      "bad runtime name '%s' in --runtime (a letter or digit, then letters, digits, '-', '_', '.')",
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
		/* an override of a built-in keeps its defaults when the executable matches */
		const struct builtin *b = builtin_by_name(copy);

		if (b && b != builtin_by_exe(exe) && strcmp(base_name(exe), b->exe) != 0)
			b = NULL;
		rt_init(rt, b, copy, exe, args, nargs, state_root);
		rt->user = true;
	}
	return 0;
}

/* exe on PATH, then among the runtimes built from source by runtimes/build. */
static char *find_exe(const char *exe)
{
	char *found = ob_proc_which(exe), buf[4096];
	glob_t g;

	if (found || strchr(exe, '/'))
		return found;
	snprintf(buf, sizeof(buf), "%s/*/bin/%s", ob_rt_prefix(), exe);
	if (glob(buf, 0, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc && !found; i++)
			if (access(g.gl_pathv[i], X_OK) == 0)
				found = realpath(g.gl_pathv[i], NULL);
	globfree(&g);
	return found;
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

/* Intel SGX: the in-kernel driver's /dev/sgx_enclave or the out-of-tree
 * /dev/isgx, plus the aesmd service's socket (launch and quoting). */
bool ob_rt_sgx(const char **why)
{
	bool dev = access("/dev/sgx_enclave", F_OK) == 0 || access("/dev/isgx", F_OK) == 0;
	bool aesmd = access("/var/run/aesmd/aesm.socket", F_OK) == 0;

	if (why)
		*why = dev && aesmd ? "/dev/sgx_enclave or /dev/isgx, and aesmd"
		       : dev	    ? "an SGX device but no aesmd (/var/run/aesmd/aesm.socket)"
		       : aesmd	    ? "aesmd but no /dev/sgx_enclave or /dev/isgx"
				    : "no /dev/sgx_enclave or /dev/isgx, no aesmd";
	return dev && aesmd;
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

/* The line "KEY = VALUE" of the [hypervisor.qemu] section of a Kata
 * configuration's text: VALUE (quotes dropped) into buf, or false. */
static bool qemu_value(const char *text, const char *key, char *buf, size_t len)
{
	const char *sec = text ? strstr(text, "[hypervisor.qemu]") : NULL, *end, *p;
	size_t kl = strlen(key);

	if (!sec)
		return false;
	end = strstr(sec + 1, "\n[");
	for (p = strchr(sec, '\n'); p && (!end || p < end); p = strchr(p + 1, '\n')) {
		if (strncmp(p + 1, key, kl) != 0 || strncmp(p + 1 + kl, " = ", 3) != 0)
			continue;
		p += 1 + kl + 3;
		size_t n = strcspn(p, "\n");

		if (*p == '"' && n >= 2 && p[n - 1] == '"') {
			p++;
			n -= 2;
		}
		if (n >= len)
			return false;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return true;
	}
	return false;
}

/* The accelerator of a Kata configuration: its hypervisor.path is asked
 * "--ocibench-accel" (ocibench's qemu-accel wrapper answers kvm or tcg); a
 * plain QEMU, or no configuration given, means KVM, Kata's only one. */
static const char *kata_accel(const char *text)
{
	ob_cleanup_free char *out = NULL;
	char hyp[4096];
	struct ob_error err;
	int st;

	if (!qemu_value(text, "path", hyp, sizeof(hyp)))
		return "kvm";
	char *argv[] = { hyp, "--ocibench-accel", NULL };

	if (ob_proc_capture(argv, 10000000000u, &st, &out, &err) == 0 && st == 0) {
		if (strcmp(out, "tcg\n") == 0)
			return "tcg";
	}
	return "kvm";
}

/* How to get a runtime that builds from source. */
static const char *builtin_hint(const char *exe)
{
	if (strcmp(exe, "kata-runtime") == 0)
		return " (build it: ./quickstart kata)";
	if (strcmp(exe, "rune") == 0)
		return " (build it: ./quickstart inclavare)";
	return "";
}

static void detect_one(struct ob_runtime *rt, const char *hybrid)
{
	const char *cfg = NULL;

	rt->path = find_exe(rt->exe);
	if (!rt->path) {
		rt->unusable = strchr(rt->exe, '/')
				       ? ob_xasprintf("%s is not an executable", rt->exe)
				       : ob_xasprintf("%s is not on PATH nor in %s/*/bin%s", rt->exe,
						      ob_rt_prefix(), builtin_hint(rt->exe));
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
	if ((rt->quirks & OB_RTQ_KATA_CONFIG) && (cfg = kata_config(rt)) && access(cfg, R_OK) != 0) {
		rt->unusable = ob_xasprintf("--kata-config %s: %s%s", cfg, strerror(errno),
					    strncmp(cfg, ob_rt_prefix(), strlen(ob_rt_prefix())) == 0
						    ? " (build it: ./quickstart kata)" : "");
		return;
	}
	if (rt->quirks & OB_RTQ_KATA_CONFIG) {
		ob_cleanup_free char *text = NULL;
		char mem[32];
		size_t len;

		if (cfg && ob_read_file(cfg, &text, &len, NULL) < 0)
			text = NULL;
		rt->accel = kata_accel(text);
		/* Kata's own default without the key */
		rt->guest_mem_mib = qemu_value(text, "default_memory", mem, sizeof(mem))
					    ? strtoull(mem, NULL, 10) : 2048;
		if (strcmp(rt->accel, "kvm") == 0)
			rt->needs = "kvm";
	}
	const char *why;

	if (rt->needs && strcmp(rt->needs, "kvm") == 0 && access("/dev/kvm", R_OK | W_OK) != 0)
		rt->unusable = xstrdup("needs KVM: /dev/kvm is missing or not accessible");
	else if (rt->needs && strcmp(rt->needs, "sgx") == 0 && !ob_rt_sgx(&why))
		rt->unusable = ob_xasprintf("enclave containers need Intel SGX: %s", why);
	else if (rt->quirks & OB_RTQ_ENCLAVE)
		/* the static workloads are no enclave applications: they would need an
		 * enclave runtime (an Occlum or Graphene PAL) and images packed for it */
		rt->unusable = xstrdup("SGX found, but enclave runs of the workloads (an Occlum or "
				       "Graphene PAL image) are not supported yet");
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
