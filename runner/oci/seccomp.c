/* seccomp.c - see seccomp.h */
#include "seccomp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ob-sha256.h"

/* uname machine -> the profile's SCMP_ARCH_ name. */
static const char *scmp_arch(const char *machine)
{
	static const char *const map[][2] = {
		{ "x86_64", "SCMP_ARCH_X86_64" }, { "aarch64", "SCMP_ARCH_AARCH64" },
		{ "armv7l", "SCMP_ARCH_ARM" },    { "armv6l", "SCMP_ARCH_ARM" },
		{ "ppc64le", "SCMP_ARCH_PPC64LE" }, { "s390x", "SCMP_ARCH_S390X" },
		{ "riscv64", "SCMP_ARCH_RISCV64" }, { "i686", "SCMP_ARCH_X86" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], machine) == 0)
			return map[i][1];
	return NULL;
}

/* The profile's arch names ("amd64", "arm64", ...) of includes/excludes. */
static bool arch_is(const char *name, const char *machine)
{
	static const char *const alias[][2] = {
		{ "amd64", "x86_64" }, { "x86_64", "x86_64" }, { "arm64", "aarch64" },
		{ "aarch64", "aarch64" }, { "arm", "armv7l" }, { "ppc64le", "ppc64le" },
		{ "s390x", "s390x" }, { "riscv64", "riscv64" }, { "386", "i686" }, { "x86", "i686" },
	};

	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcmp(alias[i][0], name) == 0)
			return strcmp(alias[i][1], machine) == 0;
	return false;
}

static bool has_cap(const char *const *caps, const char *cap)
{
	for (; caps && *caps; caps++)
		if (strcmp(*caps, cap) == 0)
			return true;
	return false;
}

/* "5.8" <= kernel release "6.1.0-13-amd64"? */
static bool kernel_at_least(const char *kernel, const char *min)
{
	int a = 0, b = 0, x = 0, y = 0;

	sscanf(kernel, "%d.%d", &a, &b);
	sscanf(min, "%d.%d", &x, &y);
	return a > x || (a == x && b >= y);
}

/* Does a rule's includes (all must hold) or excludes (none may) fit? */
static bool holds(json_t *cond, bool all, const char *const *caps, const char *arch,
		  const char *kernel)
{
	json_t *v;
	size_t i;
	bool any = false, every = true;

	json_array_foreach(json_object_get(cond, "caps"), i, v) {
		bool h = has_cap(caps, json_string_value(v) ? json_string_value(v) : "");

		any |= h;
		every &= h;
	}
	json_t *arches = json_object_get(cond, "arches");

	if (json_array_size(arches)) {
		bool h = false;

		json_array_foreach(arches, i, v)
			h |= arch_is(json_string_value(v) ? json_string_value(v) : "", arch);
		any |= h;
		every &= h;
	}
	const char *mk = json_string_value(json_object_get(cond, "minKernel"));

	if (mk) {
		bool h = kernel_at_least(kernel, mk);

		any |= h;
		every &= h;
	}
	return all ? every : any;
}

json_t *ob_seccomp_convert(json_t *profile, const char *const *caps, const char *arch,
			   const char *kernel, struct ob_error *err)
{
	const char *def = json_string_value(json_object_get(profile, "defaultAction"));
	const char *sa = scmp_arch(arch);
	json_t *out, *arches = json_array(), *rules = json_array(), *m, *r;
	size_t i;

	if (!def || !json_is_array(json_object_get(profile, "syscalls"))) {
		json_decref(arches);
		json_decref(rules);
		ob_err(err, OB_EXIT_USAGE, 0, "not a seccomp profile (no defaultAction or syscalls)");
		return NULL;
	}
	/* this host's architecture and its sub-architectures */
	json_array_foreach(json_object_get(profile, "archMap"), i, m) {
		const char *a = json_string_value(json_object_get(m, "architecture"));
		json_t *s;
		size_t k;

		if (!a || !sa || strcmp(a, sa) != 0)
			continue;
		json_array_append_new(arches, json_string(a));
		json_array_foreach(json_object_get(m, "subArchitectures"), k, s)
			json_array_append(arches, s);
	}
	json_array_foreach(json_object_get(profile, "syscalls"), i, r) {
		json_t *inc = json_object_get(r, "includes"), *exc = json_object_get(r, "excludes");
		json_t *rule;

		if (json_object_size(inc) && !holds(inc, true, caps, arch, kernel))
			continue;
		if (json_object_size(exc) && holds(exc, false, caps, arch, kernel))
			continue;
		rule = json_object();
		json_object_set(rule, "names", json_object_get(r, "names"));
		json_object_set(rule, "action", json_object_get(r, "action"));
		if (json_array_size(json_object_get(r, "args")))
			json_object_set(rule, "args", json_object_get(r, "args"));
		if (json_object_get(r, "errnoRet"))
			json_object_set(rule, "errnoRet", json_object_get(r, "errnoRet"));
		json_array_append_new(rules, rule);
	}
	out = json_pack("{s:s,s:o,s:o}", "defaultAction", def, "architectures", arches, "syscalls",
			rules);
	if (json_object_get(profile, "defaultErrnoRet"))
		json_object_set(out, "defaultErrnoRet", json_object_get(profile, "defaultErrnoRet"));
	return out;
}

int ob_seccomp_load(const char *value, const char *const *caps, const char *arch,
		    const char *kernel, struct ob_seccomp *sc, struct ob_error *err)
{
	json_error_t jerr;
	json_t *profile;

	memset(sc, 0, sizeof(*sc));
	if (!value)
		value = "default";
	if (strcmp(value, "unconfined") == 0) {
		snprintf(sc->name, sizeof(sc->name), "unconfined");
		return 0;
	}
	if (!*value)
		return ob_err(err, OB_EXIT_USAGE, 0, "empty --seccomp (default, unconfined or a file)");
	snprintf(sc->name, sizeof(sc->name), "%s", strcmp(value, "default") == 0 ? "default" : "file");
	sc->path = strdup(strcmp(value, "default") == 0 ? OB_SECCOMP_DEFAULT_FILE : value);
	if (!sc->path)
		abort();
	if (access(sc->path, R_OK) < 0)
		return ob_err(err, OB_EXIT_USAGE, errno, "--seccomp %s: cannot read '%s'%s", value,
			      sc->path,
			      strcmp(value, "default") == 0
				      ? " (Debian package golang-github-containers-common)" : "");
	if (ob_sha256_file(sc->path, sc->sha256, NULL, err) < 0)
		return -1;
	if (!(profile = json_load_file(sc->path, 0, &jerr)))
		return ob_err(err, OB_EXIT_USAGE, 0, "--seccomp '%s': line %d: %s", sc->path, jerr.line,
			      jerr.text);
	sc->oci = ob_seccomp_convert(profile, caps, arch, kernel, err);
	json_decref(profile);
	if (!sc->oci)
		return ob_err_wrap(err, "--seccomp '%s'", sc->path);
	if (!json_array_size(json_object_get(sc->oci, "architectures")))
		return ob_err(err, OB_EXIT_USAGE, 0, "--seccomp '%s' has no rules for %s", sc->path,
			      arch);
	return 0;
}

/* What runc 1.0.0-rc10's binding knows (libcontainer/seccomp/config.go). */
static bool eperm_knows(const char *what, const char *name)
{
	static const char *const actions[] = { "SCMP_ACT_KILL", "SCMP_ACT_ERRNO", "SCMP_ACT_TRAP",
					       "SCMP_ACT_ALLOW", "SCMP_ACT_TRACE", "SCMP_ACT_LOG",
					       NULL };
	static const char *const arches[] = {
		"SCMP_ARCH_X86",      "SCMP_ARCH_X86_64",    "SCMP_ARCH_X32",     "SCMP_ARCH_ARM",
		"SCMP_ARCH_AARCH64",  "SCMP_ARCH_MIPS",      "SCMP_ARCH_MIPS64",  "SCMP_ARCH_MIPS64N32",
		"SCMP_ARCH_MIPSEL",   "SCMP_ARCH_MIPSEL64",  "SCMP_ARCH_MIPSEL64N32",
		"SCMP_ARCH_PPC",      "SCMP_ARCH_PPC64",     "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
		"SCMP_ARCH_S390X",    NULL
	};

	for (const char *const *k = strcmp(what, "action") == 0 ? actions : arches; *k; k++)
		if (strcmp(*k, name) == 0)
			return true;
	return false;
}

/* "ENOSYS" for 38, else the number. */
static const char *errno_name(int e, char *buf, size_t len)
{
	const char *n = e > 0 ? strerrorname_np(e) : NULL;

	if (n)
		return n;
	snprintf(buf, len, "errno %d", e);
	return buf;
}

/* A refused call's errno under the full filter: errnoRet, EPERM without. */
static int errno_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int)json_integer_value(v) : EPERM;
}

/* "socket (on some arguments): EPERM, not EINVAL" */
static void note_errno(json_t *diffs, json_t *names, bool args, int was)
{
	char buf[32], *list = NULL;
	json_t *n;
	size_t i;

	json_array_foreach(names, i, n) {
		char *l = ob_xasprintf("%s%s%s", list ? list : "", list ? ", " : "",
				       json_string_value(n) ? json_string_value(n) : "?");

		free(list);
		list = l;
	}
	json_array_append_new(diffs, json_sprintf("%s%s: EPERM, not %s", list ? list : "?",
						  args ? " (on some arguments)" : "",
						  errno_name(was, buf, sizeof(buf))));
	free(list);
}

json_t *ob_seccomp_eperm_only(json_t *oci, json_t **record, struct ob_error *err)
{
	const char *def = json_string_value(json_object_get(oci, "defaultAction"));
	json_t *out, *rules = json_array(), *left = json_array(), *diffs = json_array(), *r, *v;
	char buf[32], hex[OB_SHA256_HEX_LEN + 1];
	size_t i;

	*record = NULL;
	if (!def || !eperm_knows("action", def))
		goto unknown_action;
	json_array_foreach(json_object_get(oci, "architectures"), i, v)
		if (!eperm_knows("arch", json_string_value(v) ? json_string_value(v) : "")) {
			ob_err(err, OB_EXIT_USAGE, 0, "architecture %s is unknown to runc 1.0.0-rc10",
			       json_string_value(v) ? json_string_value(v) : "?");
			goto fail;
		}
	if (strcmp(def, "SCMP_ACT_ERRNO") == 0 && errno_of(oci, "defaultErrnoRet") != EPERM)
		json_array_append_new(diffs, json_sprintf("a call the profile does not allow: "
							  "EPERM, not %s",
							  errno_name(errno_of(oci, "defaultErrnoRet"),
								     buf, sizeof(buf))));
	json_array_foreach(json_object_get(oci, "syscalls"), i, r) {
		const char *act = json_string_value(json_object_get(r, "action"));
		bool args = json_array_size(json_object_get(r, "args")) > 0;

		if (!act || !eperm_knows("action", act)) {
			def = act ? act : "(none)";
			goto unknown_action;
		}
		if (strcmp(act, "SCMP_ACT_ERRNO") == 0 && errno_of(r, "errnoRet") != EPERM)
			note_errno(diffs, json_object_get(r, "names"), args, errno_of(r, "errnoRet"));
		if (strcmp(act, def) == 0) {
			json_array_extend(left, json_object_get(r, "names"));
			continue;
		}
		json_t *rule = json_deep_copy(r);

		json_object_del(rule, "errnoRet");
		json_array_append_new(rules, rule);
	}
	out = json_deep_copy(oci);
	json_object_del(out, "defaultErrnoRet");
	json_object_set_new(out, "syscalls", rules);

	char *text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	struct ob_sha256 h;
	unsigned char d[OB_SHA256_LEN];

	if (!text)
		abort();
	ob_sha256_init(&h);
	ob_sha256_update(&h, text, strlen(text));
	ob_sha256_final(&h, d);
	ob_sha256_hex(d, hex);
	free(text);
	*record = json_pack("{s:s,s:s,s:o,s:o}", "filter", "eperm-only", "sha256", hex, "left_out",
			    left, "differences", diffs);
	return out;
unknown_action:
	ob_err(err, OB_EXIT_USAGE, 0, "action %s is unknown to runc 1.0.0-rc10", def ? def : "(none)");
fail:
	json_decref(rules);
	json_decref(left);
	json_decref(diffs);
	return NULL;
}

int ob_seccomp_for_eperm(struct ob_seccomp *sc, json_t **oci, json_t **record,
			 struct ob_error *err)
{
	*oci = *record = NULL;
	if (!sc->oci)
		return 0;
	if (!sc->eperm && !(sc->eperm = ob_seccomp_eperm_only(sc->oci, &sc->eperm_record, err)))
		return ob_err_wrap(err, "--seccomp %s", sc->path);
	*oci = sc->eperm;
	*record = sc->eperm_record;
	return 0;
}

json_t *ob_seccomp_manifest(const struct ob_seccomp *sc)
{
	return json_pack("{s:s,s:s*,s:s*}", "profile", sc->name, "path", sc->path, "sha256",
			 sc->sha256[0] ? sc->sha256 : NULL);
}

void ob_seccomp_free(struct ob_seccomp *sc)
{
	free(sc->path);
	json_decref(sc->oci);
	json_decref(sc->eperm);
	json_decref(sc->eperm_record);
	memset(sc, 0, sizeof(*sc));
}
