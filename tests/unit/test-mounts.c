/* Unit tests of runner/oci/mounts.c (the mount tests need root: skipped otherwise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cmocka.h>

#include "mounts.h"
#include "ob-fs.h"

#define TMPFS_MAGIC 0x01021994

static char base[64];

static int setup(void **state)
{
	(void)state;
	strcpy(base, "/var/tmp/ob-mounts.XXXXXX");
	return mkdtemp(base) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	struct ob_error err;

	(void)state;
	ob_remove_tree(base, &err);
	return 0;
}

static void test_parse(void **state)
{
	struct ob_error err = {0};
	enum ob_mount_kind k;

	(void)state;
	assert_int_equal(ob_mount_parse("bind-tmpfs", &k, &err), 0);
	assert_int_equal(k, OB_MOUNT_BIND_TMPFS);
	assert_string_equal(ob_mount_name(k), "bind-tmpfs");
	assert_int_equal(ob_mount_parse("nfs", &k, &err), -1);
	assert_int_equal(err.status, OB_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "'nfs'"));
}

static void test_space_checks(void **state)
{
	struct ob_error err = {0};
	struct ob_mount m;

	(void)state;
	/* 1 PiB fits neither the disk nor the memory */
	assert_int_equal(ob_mount_prepare(&m, OB_MOUNT_BIND, 1ull << 50, base, base, &err), -1);
	assert_non_null(strstr(err.msg, "not enough free space"));
	assert_int_equal(ob_mount_prepare(&m, OB_MOUNT_TMPFS, 1ull << 50, base, base, &err), -1);
	assert_non_null(strstr(err.msg, "not enough memory"));
}

static void test_check_before_mkdir(void **state)
{
	struct ob_error err = {0};
	char missing[128];

	(void)state;
	/* a directory still to be made: its nearest existing ancestor counts */
	snprintf(missing, sizeof(missing), "%s/not/yet", base);
	assert_int_equal(ob_mount_check(OB_MOUNT_BIND, 1 << 20, missing, &err), 0);
	assert_int_equal(ob_mount_check(OB_MOUNT_ROOTFS, 1ull << 50, missing, &err), -1);
	assert_non_null(strstr(err.msg, "not enough free space"));
	assert_non_null(strstr(err.msg, base));
	assert_int_equal(ob_mount_check(OB_MOUNT_BIND_TMPFS, 1ull << 50, missing, &err), -1);
	assert_non_null(strstr(err.msg, "not enough memory"));
	assert_int_equal(ob_mount_check(OB_MOUNT_TMPFS, 1 << 20, missing, &err), 0);
}

static void test_tmpfs_inside(void **state)
{
	struct ob_error err = {0};
	struct ob_mount m;
	json_t *j;

	(void)state;
	assert_int_equal(ob_mount_prepare(&m, OB_MOUNT_TMPFS, 1 << 20, base, base, &err), 0);
	j = ob_mount_oci(&m, "/data");
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "tmpfs");
	assert_string_equal(json_string_value(json_object_get(j, "destination")), "/data");
	json_decref(j);
	assert_null(ob_mount_oci(&(struct ob_mount){.kind = OB_MOUNT_ROOTFS}, "/data"));
	assert_int_equal(ob_mount_release(&m, &err), 0);
}

static void test_bind_tmpfs(void **state)
{
	struct ob_error err = {0};
	struct ob_mount m;
	struct statfs sf;
	json_t *j;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_int_equal(ob_mount_prepare(&m, OB_MOUNT_BIND_TMPFS, 1 << 20, base, base, &err), 0);
	assert_int_equal(statfs(m.host_dir, &sf), 0);
	assert_true(sf.f_type == TMPFS_MAGIC);
	j = ob_mount_oci(&m, "/data");
	assert_string_equal(json_string_value(json_object_get(j, "type")), "bind");
	assert_string_equal(json_string_value(json_object_get(j, "source")), m.host_dir);
	json_decref(j);
	assert_int_equal(ob_mount_release(&m, &err), 0);
	assert_int_equal(ob_mount_release(&m, &err), 0); /* twice is fine */
	assert_int_equal(statfs(base, &sf), 0);
	assert_false(sf.f_type == TMPFS_MAGIC);
	assert_int_equal(access(m.tmpfs_dir[0] ? m.tmpfs_dir : "/nonexistent-ob", F_OK), -1);
}

static void test_bind_disk(void **state)
{
	struct ob_error err = {0};
	struct ob_mount m;
	struct stat st;

	(void)state;
	assert_int_equal(ob_mount_prepare(&m, OB_MOUNT_BIND, 1 << 20, base, base, &err), 0);
	assert_int_equal(stat(m.host_dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(ob_mount_release(&m, &err), 0);
}

static void test_remove_tree_unmounts(void **state)
{
	struct ob_error err = {0};
	char a[128], b[128];

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(a, sizeof(a), "%s/a", base);
	snprintf(b, sizeof(b), "%s/a/b", base);
	assert_int_equal(mkdir(a, 0755), 0);
	assert_int_equal(mount("tmpfs", a, "tmpfs", 0, "size=1m"), 0);
	assert_int_equal(mkdir(b, 0755), 0);
	assert_int_equal(mount("tmpfs", b, "tmpfs", 0, "size=1m"), 0);
	assert_int_equal(ob_mounts_below(base), 2);
	/* a killed run's leftovers: unmounted deepest first, then removed */
	assert_int_equal(ob_remove_tree(a, &err), 0);
	assert_int_equal(ob_mounts_below(base), 0);
	assert_int_equal(access(a, F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_space_checks),
		cmocka_unit_test(test_check_before_mkdir),
		cmocka_unit_test(test_tmpfs_inside),
		cmocka_unit_test(test_bind_tmpfs),
		cmocka_unit_test(test_bind_disk),
		cmocka_unit_test(test_remove_tree_unmounts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
