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

json_t *ob_seccomp_manifest(const struct ob_seccomp *sc)
{
	return json_pack("{s:s,s:s*,s:s*}", "profile", sc->name, "path", sc->path, "sha256",
			 sc->sha256[0] ? sc->sha256 : NULL);
}

void ob_seccomp_free(struct ob_seccomp *sc)
{
	free(sc->path);
	json_decref(sc->oci);
	memset(sc, 0, sizeof(*sc));
}
