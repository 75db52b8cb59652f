/* bundle.c - see bundle.h */
#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ob-fs.h"
#include "image.h"
#include "ob-cleanup.h"
#include "ob-ready.h"
#include "ob-file.h"

static char *join(const char *a, const char *b)
{
	return ob_xasprintf("%s/%s", a, b);
}

int ob_bundle_create(const char *dir, const struct ob_rootfs_src *src, struct ob_bundle *b,
		     struct ob_error *err)
{
	memset(b, 0, sizeof(*b));
	if (mkdir(dir, 0700) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "creating bundle %s", dir);
	b->dir = strdup(dir);
	b->rootfs = join(dir, "rootfs");
	b->out = join(dir, "stdout");
	b->errlog = join(dir, "stderr");
	b->pidfile = join(dir, "pid");
	if (mkdir(b->rootfs, 0755) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "creating %s", b->rootfs);
	if (src->img)
		return ob_image_unpack(src->img, b->rootfs, err);
	return ob_copy_tree(src->from_dir, b->rootfs, err);
}

static json_t *strv(const char *const *v)
{
	json_t *a = json_array();

	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *mount(const char *dst, const char *type, const char *src, const char *opts)
{
	json_t *m = json_object();
	json_t *o = json_array();
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", opts);
	for (char *s = strtok(buf, ","); s; s = strtok(NULL, ","))
		json_array_append_new(o, json_string(s));
	json_object_set_new(m, "destination", json_string(dst));
	json_object_set_new(m, "type", json_string(type));
	json_object_set_new(m, "source", json_string(src));
	json_object_set_new(m, "options", o);
	return m;
}

/* Docker's default capability set (the study ran its containers through Docker). */
const char *const ob_bundle_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE", NULL,
};

/* The same masked and read-only paths as `runc spec`. */
static const char *const masked[] = {
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
	"/proc/scsi", NULL,
};
static const char *const readonly[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};
static const char *const namespaces[] = { "pid", "ipc", "uts", "mount", "network", NULL };

static json_t *process(const struct ob_bundle_spec *spec)
{
	json_t *p = json_object(), *caps = json_object(), *env, *user = json_object();
	const char *const sets[] = { "bounding", "effective", "permitted", NULL };
	/* the workload writes the ready token to stderr (ob-ready.h) */
	const char *const path[] = { "PATH=/usr/local/bin:/usr/bin:/bin", OB_READY_ENV "=1", NULL };

	json_object_set_new(p, "terminal", json_false());
	json_object_set_new(user, "uid", json_integer(0));
	json_object_set_new(user, "gid", json_integer(0));
	json_object_set_new(p, "user", user);
	json_object_set_new(p, "args", strv(spec->args));
	env = strv(path);
	for (char *const *e = spec->env; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) != 0 && strncmp(*e, OB_READY_ENV "=", sizeof(OB_READY_ENV)) != 0)
			json_array_append_new(env, json_string(*e));
	json_object_set_new(p, "env", env);
	json_object_set_new(p, "cwd", json_string(spec->cwd ? spec->cwd : "/"));
	for (int i = 0; sets[i]; i++)
		json_object_set_new(caps, sets[i], strv(ob_bundle_caps));
	json_object_set_new(p, "capabilities", caps);
	json_t *rl = json_object();

	json_object_set_new(rl, "type", json_string("RLIMIT_NOFILE"));
	json_object_set_new(rl, "hard", json_integer(1024));
	json_object_set_new(rl, "soft", json_integer(1024));
	json_object_set_new(p, "rlimits", json_pack("[o]", rl));
	json_object_set_new(p, "noNewPrivileges", json_true());
	return p;
}

/* The run's system call filter (--seccomp), NULL: none. */
static json_t *run_seccomp;

void ob_bundle_set_seccomp(json_t *seccomp)
{
	run_seccomp = seccomp;
}

static json_t *config(const struct ob_bundle *b, const struct ob_bundle_spec *spec)
{
	json_t *c = json_object(), *mounts = json_array(), *lnx = json_object();
	json_t *ns = json_array();
	char tmpopts[128];

	json_object_set_new(c, "ociVersion", json_string("1.0.2"));
	json_object_set_new(c, "process", process(spec));
	json_object_set_new(c, "root", json_pack("{s:s,s:b}", "path", "rootfs", "readonly", 0));
	json_object_set_new(c, "hostname", json_string("ocibench"));
	json_array_append_new(mounts, mount("/proc", "proc", "proc", ""));
	json_array_append_new(mounts, mount("/dev", "tmpfs", "tmpfs",
					    "nosuid,strictatime,mode=755,size=65536k"));
	json_array_append_new(mounts, mount("/dev/pts", "devpts", "devpts",
					    "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620"));
	json_array_append_new(mounts, mount("/dev/shm", "tmpfs", "shm",
					    "nosuid,noexec,nodev,mode=1777,size=65536k"));
	json_array_append_new(mounts, mount("/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev"));
	json_array_append_new(mounts, mount("/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro"));
	snprintf(tmpopts, sizeof(tmpopts), "nosuid,nodev,mode=1777,size=%llu",
		 (unsigned long long)(spec->tmp_size ? spec->tmp_size : 64u << 20));
	json_array_append_new(mounts, mount("/tmp", "tmpfs", "tmpfs", tmpopts));
	if (spec->extra_mounts)
		json_array_extend(mounts, spec->extra_mounts);
	json_object_set_new(c, "mounts", mounts);
	for (int i = 0; namespaces[i]; i++)
		json_array_append_new(ns, b->netns && strcmp(namespaces[i], "network") == 0
					  ? json_pack("{s:s,s:s}", "type", namespaces[i], "path", b->netns)
					  : json_pack("{s:s}", "type", namespaces[i]));
	json_object_set_new(lnx, "namespaces", ns);
	json_object_set_new(lnx, "maskedPaths", strv(masked));
	json_object_set_new(lnx, "readonlyPaths", strv(readonly));
	json_object_set_new(lnx, "resources",
			    json_pack("{s:[{s:b,s:s}]}", "devices", "allow", 0, "access", "rwm"));
	if (run_seccomp)
		json_object_set(lnx, "seccomp", run_seccomp);
	json_object_set_new(c, "linux", lnx);
	return c;
}

static int empty_file(const char *path, struct ob_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "creating %s", path);
	close(fd);
	return 0;
}

int ob_bundle_configure(const struct ob_bundle *b, const struct ob_bundle_spec *spec,
			struct ob_error *err)
{
	json_t *c = config(b, spec);
	ob_cleanup_free char *text = NULL, *path = join(b->dir, "config.json");
	int rc = 0;

	if (spec->customize && spec->customize(c, spec->customize_arg, err) < 0)
		rc = -1;
	if (rc == 0 && !(text = json_dumps(c, JSON_INDENT(2) | JSON_SORT_KEYS)))
		rc = ob_err(err, OB_EXIT_FAIL, ENOMEM, "config.json");
	json_decref(c);
	if (rc < 0)
		return rc;
	if (spec->workdir) {
		ob_cleanup_free char *wd = join(b->rootfs, spec->workdir);

		if (ob_mkdir_p(wd, 0777, err) < 0)
			return -1;
	}
	unlink(b->pidfile);
	if (ob_write_file_atomic(path, text, strlen(text), err) < 0 ||
	    empty_file(b->out, err) < 0 || empty_file(b->errlog, err) < 0)
		return -1;
	/* the fresh rootfs must not be written back during the timed phases */
	ob_cleanup_close int fd = open(b->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || syncfs(fd) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "syncfs %s", b->dir);
	return 0;
}

/* Without openat2 (Linux < 5.6): walk the components, refusing symlinks. */
static int open_nofollow(int root, const char *path)
{
	char buf[4096], *save = NULL;
	int fd = dup(root);

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *c = strtok_r(buf, "/", &save); c && fd >= 0; c = strtok_r(NULL, "/", &save)) {
		int next = strcmp(c, "..") == 0 ? (errno = EXDEV, -1)
			   : openat(fd, c, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);

		close(fd);
		fd = next;
	}
	return fd;
}

int ob_bundle_open_in_root(const struct ob_bundle *b, const char *path, struct ob_error *err)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
	ob_cleanup_close int root = open(b->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	int fd;

	if (root < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "opening %s", b->rootfs);
	fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = open_nofollow(root, path);
	if (fd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "%s in the rootfs", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ob_err(err, OB_EXIT_FAIL, 0, "%s in the rootfs is not a regular file", path);
	}
	return fd;
}

int ob_bundle_find_bin(const struct ob_bundle *b, char *const *env, const char *name,
		       char *out, size_t len, struct ob_error *err)
{
	const char *dirs = "/usr/local/bin:/usr/bin:/bin:/";

	for (char *const *e = env; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			dirs = *e + 5;
	for (const char *p = dirs; *p;) {
		size_t n = strcspn(p, ":");
		struct ob_error e2;
		int fd;

		snprintf(out, len, "%.*s/%s", (int)n, p, name);
		if (n && out[0] == '/' && (fd = ob_bundle_open_in_root(b, out, &e2)) >= 0) {
			close(fd);
			return 0;
		}
		p += n;
		if (*p == ':')
			p++;
	}
	return ob_err(err, OB_EXIT_FAIL, ENOENT, "%s not found in the rootfs (PATH %s)", name, dirs);
}

int ob_bundle_destroy(struct ob_bundle *b, struct ob_error *err)
{
	int rc = b->dir ? ob_remove_tree(b->dir, err) : 0;

	ob_bundle_free(b);
	return rc;
}

void ob_bundle_free(struct ob_bundle *b)
{
	free(b->dir);
	free(b->rootfs);
	free(b->out);
	free(b->errlog);
	free(b->pidfile);
	memset(b, 0, sizeof(*b));
}
