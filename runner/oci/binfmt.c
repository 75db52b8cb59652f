/* binfmt.c - see binfmt.h */
#include "binfmt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-file.h"
#include "prereq.h"

#ifndef OB_BINFMT_MISC
#define OB_BINFMT_MISC "/proc/sys/fs/binfmt_misc"
#endif
#ifndef OB_BINFMTS_DIR
#define OB_BINFMTS_DIR "/usr/share/binfmts" /* binfmt-support's descriptions */
#endif
#define LOCK "/run/ocibench-binfmt.lock"
#define MOUNTED "/run/ocibench-binfmt.mounted" /* ocibench mounted binfmt_misc */
#define PREFIX "ocibench-"                    /* the entries ocibench adds */
#define MAGIC_MAX 128

/* A handler: Debian's description, or an entry of binfmt_misc. */
struct handler {
	char interpreter[256];
	unsigned char magic[MAGIC_MAX], mask[MAGIC_MAX];
	size_t len; /* of magic (and of mask when has_mask) */
	bool has_mask;
	long offset;
	bool enabled, fix_binary;
	char flags[8];      /* as registered: F, then P and C as described */
	char magic_text[4 * MAGIC_MAX + 1], mask_text[4 * MAGIC_MAX + 1];
};

const char *ob_binfmt_qemu_arch(const char *a)
{
	static const char *const map[][2] = {
		{ "amd64", "x86_64" },	 { "arm64", "aarch64" }, { "arm", "arm" },
		{ "386", "i386" },	 { "ppc64le", "ppc64le" }, { "ppc64", "ppc64" },
		{ "s390x", "s390x" },	 { "riscv64", "riscv64" }, { "mips64le", "mips64el" },
		{ "mips64", "mips64" }, { "loong64", "loongarch64" },
	};

	for (size_t i = 0; a && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(a, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Bytes of a description's "\x7f\x45..." (other characters stand for
 * themselves, as the kernel reads them); -1 when malformed or too long. */
static long unescape(const char *s, unsigned char *out)
{
	size_t n = 0;

	while (*s) {
		if (n == MAGIC_MAX)
			return -1;
		if (s[0] == '\\' && s[1] == '\\') {
			out[n++] = '\\';
			s += 2;
		} else if (s[0] == '\\' && s[1] == 'x') {
			int hi = hexval((unsigned char)s[2]), lo = hi < 0 ? -1 : hexval((unsigned char)s[3]);

			if (lo < 0)
				return -1;
			out[n++] = (unsigned char)(hi << 4 | lo);
			s += 4;
		} else {
			out[n++] = (unsigned char)*s++;
		}
	}
	return (long)n;
}

/* Bytes of an entry's "magic 7f454c46..." (plain hex). */
static long unhex(const char *s, unsigned char *out)
{
	size_t n = 0;

	for (; s[0] && s[0] != '\n'; s += 2) {
		int hi = hexval((unsigned char)s[0]), lo = hi < 0 ? -1 : hexval((unsigned char)s[1]);

		if (lo < 0 || n == MAGIC_MAX)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
	}
	return (long)n;
}

/* Value of "key value" lines (description) or "key: value" ones. */
static const char *field(char *text, const char *key)
{
	size_t k = strlen(key);

	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, k) != 0 || (l[k] != ' ' && l[k] != ':'))
			continue;
		l += k + (l[k] == ':');
		while (*l == ' ')
			l++;
		return l;
	}
	return NULL;
}

/* The rest of a field's line, copied into buf. */
static const char *field_line(char *text, const char *key, char *buf, size_t len)
{
	const char *v = field(text, key);

	if (!v)
		return NULL;
	snprintf(buf, len, "%.*s", (int)strcspn(v, "\n"), v);
	return buf;
}

/* Debian's description of QEMU's handler for qemu_arch. */
static int describe(const char *qemu_arch, struct handler *h, struct ob_error *err)
{
	ob_cleanup_free char *path = ob_xasprintf("%s/qemu-%s", OB_BINFMTS_DIR, qemu_arch);
	ob_cleanup_free char *text = NULL;
	char v[sizeof(h->magic_text)];
	size_t len;
	long n, m = 0;

	memset(h, 0, sizeof(*h));
	if (access(path, R_OK) < 0)
		return ob_err(err, OB_EXIT_UNSUPPORTED, errno,
			      "no QEMU user-mode emulator for %s: %s (install qemu-user-static)",
			      qemu_arch, path);
	if (ob_read_file(path, &text, &len, err) < 0)
		return -1;
	const char *type = field_line(text, "type", v, sizeof(v));

	if ((type && strcmp(type, "magic") != 0) ||
	    !field_line(text, "interpreter", h->interpreter, sizeof(h->interpreter)) ||
	    !field_line(text, "magic", h->magic_text, sizeof(h->magic_text)) ||
	    (n = unescape(h->magic_text, h->magic)) <= 0 ||
	    (field_line(text, "mask", h->mask_text, sizeof(h->mask_text)) &&
	     (m = unescape(h->mask_text, h->mask)) != n) ||
	    strpbrk(h->interpreter, ":\n") || strchr(h->magic_text, ':') ||
	    strchr(h->mask_text, ':'))
		return ob_err(err, OB_EXIT_FAIL, 0, "%s: not a binfmt-support magic description",
			      path);
	h->len = (size_t)n;
	h->has_mask = m > 0;
	h->offset = field_line(text, "offset", v, sizeof(v)) ? strtol(v, NULL, 10) : 0;
	if (h->offset < 0 || h->offset > 127)
		return ob_err(err, OB_EXIT_FAIL, 0, "%s: offset %ld", path, h->offset);
	/* F always: the emulator is opened now, so it runs in a container's root */
	snprintf(h->flags, sizeof(h->flags), "F%s%s",
		 field_line(text, "preserve", v, sizeof(v)) && strcmp(v, "yes") == 0 ? "P" : "",
		 field_line(text, "credentials", v, sizeof(v)) && strcmp(v, "yes") == 0 ? "C" : "");
	if (access(h->interpreter, X_OK) < 0)
		return ob_err(err, OB_EXIT_UNSUPPORTED, errno,
			      "QEMU's emulator %s (named by %s) (install qemu-user-static)",
			      h->interpreter, path);
	return 0;
}

/* An entry of binfmt_misc (a file in it); -1 when unreadable or not magic. */
static int entry_read(const char *name, struct handler *h)
{
	ob_cleanup_free char *path = ob_xasprintf("%s/%s", OB_BINFMT_MISC, name);
	ob_cleanup_free char *text = NULL;
	char v[sizeof(h->magic_text)];
	size_t len;
	long n, m = 0;

	memset(h, 0, sizeof(*h));
	if (ob_read_file(path, &text, &len, NULL) < 0)
		return -1;
	h->enabled = strncmp(text, "enabled", 7) == 0;
	field_line(text, "interpreter", h->interpreter, sizeof(h->interpreter));
	h->fix_binary = field_line(text, "flags", h->flags, sizeof(h->flags)) &&
			strchr(h->flags, 'F') != NULL;
	if (!field_line(text, "magic", v, sizeof(v)) || (n = unhex(v, h->magic)) <= 0)
		return -1;
	if (field_line(text, "mask", v, sizeof(v)) && (m = unhex(v, h->mask)) != n)
		return -1;
	h->len = (size_t)n;
	h->has_mask = m > 0;
	h->offset = field_line(text, "offset", v, sizeof(v)) ? strtol(v, NULL, 10) : 0;
	return 0;
}

/* Whether two handlers recognise the same files (magic under each mask). */
static bool same_magic(const struct handler *a, const struct handler *b)
{
	if (a->len != b->len || a->offset != b->offset)
		return false;
	for (size_t i = 0; i < a->len; i++) {
		unsigned char ma = a->has_mask ? a->mask[i] : 0xff;
		unsigned char mb = b->has_mask ? b->mask[i] : 0xff;

		if (ma != mb || (a->magic[i] & ma) != (b->magic[i] & mb))
			return false;
	}
	return true;
}

static bool entry_name(const char *n)
{
	return n[0] != '.' && strcmp(n, "register") != 0 && strcmp(n, "status") != 0;
}

/* The enabled entry that handles what want describes: its name in name (""
 * when none) and its fields in *found. */
static void find_entry(const struct handler *want, char *name, size_t len, struct handler *found)
{
	DIR *d = opendir(OB_BINFMT_MISC);
	struct dirent *de;

	name[0] = '\0';
	if (!d)
		return;
	while ((de = readdir(d)))
		if (entry_name(de->d_name) && strlen(de->d_name) < len &&
		    entry_read(de->d_name, found) == 0 && found->enabled && same_magic(want, found)) {
			memcpy(name, de->d_name, strlen(de->d_name) + 1);
			break;
		}
	closedir(d);
}

static bool mounted(void)
{
	return access(OB_BINFMT_MISC "/register", F_OK) == 0;
}

static int write_text(const char *path, const char *text, struct ob_error *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));
	int e = errno;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)strlen(text))
		return ob_err(err, OB_EXIT_FAIL, n < 0 ? e : EIO, "writing %s", path);
	return 0;
}

static int do_mount(FILE *log, struct ob_error *err)
{
	int fd = open(MOUNTED, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	/* the marker first: a kill between the two leaves nothing unrecorded */
	if (fd < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "creating %s", MOUNTED);
	close(fd);
	if (mount("binfmt_misc", OB_BINFMT_MISC, "binfmt_misc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) < 0) {
		int e = errno;

		unlink(MOUNTED);
		return ob_err(err, OB_EXIT_FAIL, e, "mounting binfmt_misc on %s", OB_BINFMT_MISC);
	}
	fprintf(log, "ocibench: binfmt_misc mounted on %s, during the run\n", OB_BINFMT_MISC);
	return 0;
}

static int do_register(struct ob_binfmt *b, const struct handler *h, FILE *log,
		       struct ob_error *err)
{
	ob_cleanup_free char *line = NULL;

	snprintf(b->entry, sizeof(b->entry), PREFIX "qemu-%s", b->qemu);
	line = ob_xasprintf(":%s:M:%ld:%s:%s:%s:%s", b->entry, h->offset, h->magic_text,
			    h->mask_text, h->interpreter, h->flags);
	if (write_text(OB_BINFMT_MISC "/register", line, err) < 0)
		return ob_err_wrap(err, "registering %s's emulator %s with binfmt_misc", b->qemu,
				   h->interpreter);
	b->added = true;
	fprintf(log, "ocibench: binfmt_misc entry %s (%s, flags %s) registered, during the run\n",
		b->entry, h->interpreter, h->flags);
	return 0;
}

/* Undo what ocibench made (the caller holds the lock exclusively); the lock
 * file goes last, so the host is left as it was. */
static int undo(FILE *log)
{
	char others[512] = "";
	DIR *d = opendir(OB_BINFMT_MISC);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d))) {
		if (!entry_name(de->d_name))
			continue;
		if (strncmp(de->d_name, PREFIX, strlen(PREFIX)) != 0) {
			size_t l = strlen(others);

			snprintf(others + l, sizeof(others) - l, "%s%s", l ? ", " : "", de->d_name);
			continue;
		}
		ob_cleanup_free char *path = ob_xasprintf("%s/%s", OB_BINFMT_MISC, de->d_name);
		struct ob_error e;

		if (write_text(path, "-1", &e) < 0) {
			fprintf(log, "ocibench: removing binfmt_misc entry %s: %s\n", de->d_name, e.msg);
			continue;
		}
		fprintf(log, "ocibench: binfmt_misc entry %s removed\n", de->d_name);
		n++;
	}
	if (d)
		closedir(d);
	if (access(MOUNTED, F_OK) != 0) {
		unlink(LOCK);
		return n;
	}
	if (others[0]) {
		/* unmounting would drop entries that are not ocibench's */
		fprintf(log, "ocibench: binfmt_misc left mounted on %s: it now holds entries ocibench did not add (%s)\n",
			OB_BINFMT_MISC, others);
	} else if (mounted() && umount2(OB_BINFMT_MISC, 0) < 0) {
		fprintf(log, "ocibench: unmounting %s: %s\n", OB_BINFMT_MISC, strerror(errno));
		return n;
	} else {
		fprintf(log, "ocibench: binfmt_misc unmounted from %s\n", OB_BINFMT_MISC);
	}
	unlink(MOUNTED);
	unlink(LOCK);
	return n + 1;
}

/* What a hold asks and makes: the handler for b->qemu, as want describes it. */
struct need {
	struct ob_binfmt *b;
	const struct handler *want;
	char name[128]; /* the enabled entry that handles it ("" when none) */
	struct handler have;
};

static bool ready(void *ctx)
{
	struct need *n = ctx;

	find_entry(n->want, n->name, sizeof(n->name), &n->have);
	return n->name[0] != '\0';
}

/* Under the exclusive lock: what is missing for b->qemu, made. */
static int provide(void *ctx, FILE *log, struct ob_error *err)
{
	struct need *n = ctx;

	if (!mounted() && do_mount(log, err) < 0)
		return -1;
	if (ready(n))
		return 0;
	return do_register(n->b, n->want, log, err);
}

/* Held shared for the run.  A run that holds it has its handler in place,
 * so changes (under the exclusive lock) wait for no run to go.  A hold sets
 * up a few times: another run's last release may undo what it made between. */
static const struct ob_prereq prereq = {
	.lock = LOCK, .setups = 8, .ready = ready, .provide = provide, .undo = undo
};

int ob_binfmt_up(struct ob_binfmt *b, const char *oci_arch, FILE *log, struct ob_error *err)
{
	const char *q = ob_binfmt_qemu_arch(oci_arch);
	struct handler want;
	struct need n = { .b = b, .want = &want };
	const char *name = n.name;
	char status[16] = "";

	memset(b, 0, sizeof(*b));
	b->lock = -1;
	if (!q)
		return ob_err(err, OB_EXIT_UNSUPPORTED, 0,
			      "no QEMU user-mode emulator for architecture '%s'", oci_arch);
	snprintf(b->qemu, sizeof(b->qemu), "%s", q);
	if (describe(q, &want, err) < 0)
		return -1;
	int fd = ob_prereq_hold(&prereq, &n, log, err);

	if (fd < 0)
		return -1;
	int fd2 = open(OB_BINFMT_MISC "/status", O_RDONLY | O_CLOEXEC);

	if (fd2 >= 0) {
		ssize_t got = read(fd2, status, sizeof(status) - 1);

		status[got > 0 ? got : 0] = '\0';
		close(fd2);
	}
	b->lock = fd;
	if (!name[0]) {
		ob_binfmt_down(b, log);
		return ob_err(err, OB_EXIT_FAIL, 0, "binfmt_misc has no handler for %s after registering one", q);
	}
	snprintf(b->entry, sizeof(b->entry), "%s", name);
	snprintf(b->interpreter, sizeof(b->interpreter), "%s", n.have.interpreter);
	b->added = strncmp(name, PREFIX, strlen(PREFIX)) == 0;
	if (strncmp(status, "disabled", 8) == 0) {
		ob_binfmt_down(b, log);
		return ob_err(err, OB_EXIT_UNSUPPORTED, 0,
			      "binfmt_misc is disabled on this host (%s/status): %s binaries cannot run",
			      OB_BINFMT_MISC, q);
	}
	if (!n.have.fix_binary) {
		ob_binfmt_down(b, log);
		return ob_err(err, OB_EXIT_UNSUPPORTED, 0,
			      "binfmt_misc entry '%s' runs %s binaries without the F flag: its interpreter %s is not in a container's root (register it with F, e.g. update-binfmts with fix_binary yes)",
			      name, q, n.have.interpreter);
	}
	return 0;
}

void ob_binfmt_down(struct ob_binfmt *b, FILE *log)
{
	ob_prereq_release(&prereq, &b->lock, log);
}

int ob_binfmt_cleanup(FILE *log)
{
	return ob_prereq_cleanup(&prereq, log);
}
