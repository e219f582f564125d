#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "netns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void spec_kinds(void **state)
{
	(void)state;
	assert_int_equal(netns_spec_kind("all"), 0);
	assert_int_equal(netns_spec_kind("blue"), 1);
	assert_int_equal(netns_spec_kind("cni-1234-abcd"), 1);
	assert_int_equal(netns_spec_kind("/proc/1/ns/net"), 2);
	assert_int_equal(netns_spec_kind("./x"), 2);
	assert_int_equal(netns_spec_kind("1234"), 3);
	const char *bad[] = {"",
	                     ".",
	                     "..",
	                     "a b",
	                     "tab\there",
	                     "\x7f",
	                     "0123456789012345678901234567890123456789012345678901234567890123"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (netns_spec_kind(bad[i]) != -1)
			fail_msg("accepted '%s'", bad[i]);
	/* "0" is no pid but a valid `ip netns` name. */
	assert_int_equal(netns_spec_kind("0"), 1);
	assert_int_equal(netns_spec_kind(NULL), -1);
	char longer[300];
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(netns_spec_kind(longer), -1);
}

static void labels(void **state)
{
	(void)state;
	char out[NETNS_LABEL_MAX];
	netns_make_label(out, sizeof(out), "blue", 4026532000u, NULL, false);
	assert_string_equal(out, "blue");
	netns_make_label(out, sizeof(out), "", 4026531840u, NULL, true);
	assert_string_equal(out, "host");
	netns_make_label(out, sizeof(out), "", 4026532001u, NULL, false);
	assert_string_equal(out, "net:[4026532001]");
	struct cgroup_owner cg;
	const char *t = "0::/system.slice/docker-"
	                "3f4e1a7b9c2d8e6f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcdef0.scope\n";
	assert_true(cgroup_owner_parse(t, strlen(t), &cg));
	netns_make_label(out, sizeof(out), NULL, 4026532002u, &cg, false);
	assert_string_equal(out, "net:[4026532002] docker:3f4e1a7b9c2d");
	const char *u = "0::/system.slice/php-fpm.service\n";
	assert_true(cgroup_owner_parse(u, strlen(u), &cg));
	netns_make_label(out, sizeof(out), NULL, 7, &cg, false);
	assert_string_equal(out, "net:[7] php-fpm.service");
	/* A name always wins, and a small buffer cuts. */
	netns_make_label(out, 6, "a-long-name", 7, &cg, false);
	assert_string_equal(out, "a-lon");
}

/* Opening: names under a made-up /run/netns, paths and pids under a made-up /proc; files that
 * are not namespaces are refused with a message naming them. */
static void open_errors(void **state)
{
	(void)state;
	char dir[] = "/tmp/cw-netns-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/plain", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	struct netns_set set;
	struct cw_error err = {0};
	assert_int_equal(netns_set_open(&set, "plain", "/proc", dir, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not a network namespace"));
	assert_int_equal(netns_set_open(&set, "missing", "/proc", dir, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "missing"));
	assert_int_equal(netns_set_open(&set, "a b", NULL, dir, &err), -EINVAL);
	assert_int_equal(netns_set_open(&set, "999999999", NULL, dir, &err), -ENOENT);
	/* Our own namespace by path and by pid: opened, labelled, its inode known. */
	char self[64];
	snprintf(self, sizeof(self), "%d", (int)getpid());
	assert_int_equal(netns_set_open(&set, self, NULL, dir, &err), 0);
	assert_int_equal(set.count, 1);
	struct stat st;
	assert_int_equal(stat("/proc/self/ns/net", &st), 0);
	assert_true(set.items[0].inode == (uint64_t)st.st_ino);
	snprintf(path, sizeof(path), "net:[%llu]", (unsigned long long)st.st_ino);
	assert_string_equal(set.items[0].link, path);
	netns_set_free(&set);
	/* all: ours first, each namespace once. */
	assert_int_equal(netns_set_open(&set, "all", NULL, dir, &err), 0);
	assert_true(set.count >= 1);
	assert_true(set.all);
	assert_true(set.items[0].fd < 0 && set.items[0].inode == (uint64_t)st.st_ino);
	for (size_t i = 0; i < set.count; i++)
		for (size_t k = i + 1; k < set.count; k++)
			assert_true(set.items[i].inode != set.items[k].inode);
	netns_set_free(&set);
	snprintf(path, sizeof(path), "%s/plain", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(spec_kinds),
	    cmocka_unit_test(labels),
	    cmocka_unit_test(open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
