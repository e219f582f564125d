#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "procmap.h"
#include "render_table.h"
#include "snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static bool link_ok(const char *s, uint32_t *inode)
{
	return procmap_parse_socket_link(s, strlen(s), inode);
}

static void socket_links(void **state)
{
	(void)state;
	uint32_t ino = 0;
	assert_true(link_ok("socket:[123]", &ino));
	assert_int_equal(ino, 123);
	assert_true(link_ok("socket:[4294967295]", &ino));
	assert_int_equal(ino, UINT32_MAX);
	/* What readlink gives: the length, no NUL; a longer buffer after it must not matter. */
	assert_true(procmap_parse_socket_link("socket:[77]garbage", 11, &ino));
	assert_int_equal(ino, 77);
	ino = 5;
	const char *junk[] = {
	    "",
	    "socket:[",
	    "socket:[]",
	    "socket:[0]",
	    "socket:[12",
	    "socket:12]",
	    "socket:[12]x",
	    "socket:[1 2]",
	    "socket:[-1]",
	    "socket:[+1]",
	    "socket:[0x1f]",
	    "socket:[4294967296]",
	    "socket:[99999999999999999999999]",
	    "pipe:[123]",
	    "anon_inode:[eventfd]",
	    "/dev/null",
	    "SOCKET:[1]",
	    "socket:(1)",
	    "socket[1]",
	};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		if (link_ok(junk[i], &ino))
			fail_msg("accepted '%s'", junk[i]);
	}
	assert_int_equal(ino, 5); /* untouched on failure */
}

static void stat_lines(void **state)
{
	(void)state;
	char name[PROCMAP_NAME_MAX];
	uint64_t start = 0;
	const char *plain = "42 (nginx) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 12345 "
	                    "999 0 18446744073709551615\n";
	assert_true(procmap_parse_stat(plain, strlen(plain), name, sizeof(name), &start));
	assert_string_equal(name, "nginx");
	assert_true(start == 12345);
	/* A name may hold ')', '(' and spaces: the name ends at the LAST ')'. */
	const char *hostile = "7 (a) S 1 (b) ) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777 1\n";
	assert_true(procmap_parse_stat(hostile, strlen(hostile), name, sizeof(name), &start));
	assert_string_equal(name, "a) S 1 (b) ");
	assert_true(start == 777);
	/* Cut names stay NUL-terminated. */
	char small[4];
	assert_true(procmap_parse_stat(plain, strlen(plain), small, sizeof(small), &start));
	assert_string_equal(small, "ngi");
	const char *bad[] = {"", "42 nginx S 1", "42 (nginx S 1 2 3", "42 (x) S 1 2 3",
	                     "42 (x) S 1 42 42 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 abc 9"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(
		    procmap_parse_stat(bad[i], strlen(bad[i]), name, sizeof(name), &start));
}

#define CW_TEST_ID "3f4e1a7b9c2d8e6f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcdef0"

/* A made-up /proc: directories with fd links and stat/cmdline files. */
static char root[64];

static void write_file(const char *rel, const char *text, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void add_process(int pid, const char *name, unsigned long start, const char *cmdline,
                        size_t cmdline_len)
{
	char rel[128], text[512];
	snprintf(rel, sizeof(rel), "%s/%d", root, pid);
	assert_int_equal(mkdir(rel, 0755), 0);
	snprintf(rel, sizeof(rel), "%s/%d/fd", root, pid);
	assert_int_equal(mkdir(rel, 0755), 0);
	int n = snprintf(text, sizeof(text),
	                 "%d (%s) S 1 %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %lu 100 0\n", pid, name,
	                 pid, pid, start);
	snprintf(rel, sizeof(rel), "%d/stat", pid);
	write_file(rel, text, (size_t)n);
	snprintf(rel, sizeof(rel), "%d/cmdline", pid);
	write_file(rel, cmdline, cmdline_len);
}

static void add_fd(int pid, int fd, const char *target)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%d/fd/%d", root, pid, fd);
	assert_int_equal(symlink(target, path), 0);
}

static int make_tree(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/cw-procmap-XXXXXX");
	assert_non_null(mkdtemp(root));
	static const char cmdline[] = "server\0--port\0"
	                              "80\0";
	add_process(100, "server", 1000, cmdline, sizeof(cmdline) - 1);
	add_fd(100, 0, "/dev/null");
	add_fd(100, 3, "socket:[11]");
	add_fd(100, 4, "pipe:[11]");
	add_fd(100, 5, "socket:[12]");
	add_process(200, "evil)\x1b[31m\"", 2000, "", 0);
	add_fd(200, 7, "socket:[13]");
	add_fd(200, 8, "socket:[15]"); /* shared after fork: either holder may be shown */
	add_fd(100, 6, "socket:[15]");
	/* pid 100 runs in a Docker container whose name Docker's own file says; 200 has no
	 * cgroup file (no cgroups in the kernel): no unit, no container. */
	static const char cg[] = "0::/system.slice/docker-" CW_TEST_ID ".scope\n";
	write_file("100/cgroup", cg, sizeof(cg) - 1);
	char dir[256];
	const char *parts[] = {"var", "var/lib", "var/lib/docker", "var/lib/docker/containers",
	                       "var/lib/docker/containers/" CW_TEST_ID};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, parts[i]);
		assert_int_equal(mkdir(dir, 0755), 0);
	}
	static const char config[] = "{\"ID\":\"" CW_TEST_ID "\",\"Name\":\"/web\"}";
	write_file("var/lib/docker/containers/" CW_TEST_ID "/config.v2.json", config,
	           sizeof(config) - 1);
	/* A process that exited between the listing and the walk: its directory has no fd/. */
	char path[256];
	snprintf(path, sizeof(path), "%s/300", root);
	assert_int_equal(mkdir(path, 0755), 0);
	/* Entries that are not processes. */
	snprintf(path, sizeof(path), "%s/self", root);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file("stat", "cpu 1 2 3\n", 10);
	return 0;
}

static int remove_tree(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void walk_made_up_proc(void **state)
{
	(void)state;
	struct procmap pm;
	struct procmap_info info;
	struct cw_error err = {0};
	procmap_init(&pm, root);
	pm.names.root = root;
	uint32_t want[] = {11, 12, 13, 99, 0, 11, 15};
	assert_int_equal(procmap_resolve(&pm, want, 7, &info, &err), 0);
	assert_true(info.walked);
	assert_int_equal(info.wanted, 5);
	assert_int_equal(info.found, 4);
	assert_int_equal(info.unresolved, 1);
	assert_int_equal(info.denied, 0);
	const struct procmap_owner *o = procmap_owner_of(&pm, 11);
	assert_non_null(o);
	assert_int_equal(o->pid, 100);
	assert_string_equal(o->name, "server");
	assert_string_equal(o->cmdline, "server --port 80");
	assert_true(o->start_time == 1000);
	assert_string_equal(o->cgroup.unit, "docker-" CW_TEST_ID ".scope");
	assert_string_equal(o->cgroup.id, CW_TEST_ID);
	assert_string_equal(o->cgroup.name, "web");
	assert_int_equal(procmap_owner_of(&pm, 12)->pid, 100);
	o = procmap_owner_of(&pm, 13);
	assert_int_equal(o->pid, 200);
	assert_string_equal(o->name, "evil)\x1b[31m\"");
	assert_string_equal(o->cmdline, "");
	assert_string_equal(o->cgroup.unit, "");
	assert_int_equal(o->cgroup.runtime, CGROUP_RT_NONE);
	assert_null(procmap_owner_of(&pm, 99));
	assert_null(procmap_owner_of(&pm, 0));
	int32_t shared = procmap_owner_of(&pm, 15)->pid;
	assert_true(shared == 100 || shared == 200);

	/* The same inodes again: everything known, no walk, 99 is not looked for again. */
	assert_int_equal(procmap_resolve(&pm, want, 7, &info, &err), 0);
	assert_false(info.walked);
	assert_int_equal(info.found, 4);
	assert_int_equal(info.unresolved, 1);

	/* A new socket starts a walk; inodes no longer asked for are forgotten. */
	add_process(500, "worker", 5000, "w", 1);
	add_fd(500, 3, "socket:[14]");
	uint32_t next[] = {11, 14};
	assert_int_equal(procmap_resolve(&pm, next, 2, &info, &err), 0);
	assert_true(info.walked);
	assert_int_equal(info.wanted, 2);
	assert_int_equal(info.found, 2);
	assert_int_equal(procmap_owner_of(&pm, 14)->pid, 500);
	assert_null(procmap_owner_of(&pm, 13));
	assert_null(procmap_owner_of(&pm, 12));

	/* pid 100 was replaced by another process (new start time): looked up again. */
	const char *reborn = "100 (reborn) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 1001 1\n";
	write_file("100/stat", reborn, strlen(reborn));
	assert_int_equal(procmap_resolve(&pm, next, 2, &info, &err), 0);
	assert_true(info.walked);
	o = procmap_owner_of(&pm, 11);
	assert_non_null(o);
	assert_string_equal(o->name, "reborn");
	assert_true(o->start_time == 1001);
	procmap_free(&pm);
}

/* The live screen's way: resolve into one map from what the other (on view) knows. Only new
 * inodes cost a walk, the known map is left as it was, and the two can trade places. */
static void resolve_from_known_map(void **state)
{
	(void)state;
	struct procmap shown, next;
	struct procmap_info info;
	struct cw_error err = {0};
	procmap_init(&shown, root);
	procmap_init(&next, root);
	shown.names.root = next.names.root = root;
	uint32_t want[] = {11, 12, 13, 99};
	assert_int_equal(procmap_resolve(&shown, want, 4, &info, &err), 0);
	assert_true(info.walked);

	/* Everything known to shown: no walk for next, not even for 99 (looked for already). */
	assert_int_equal(procmap_resolve_from(&next, &shown, want, 4, &info, &err), 0);
	assert_false(info.walked);
	assert_int_equal(info.found, 3);
	assert_int_equal(info.unresolved, 1);
	assert_string_equal(procmap_owner_of(&next, 11)->cmdline, "server --port 80");
	assert_string_equal(procmap_owner_of(&next, 11)->cgroup.name, "web");
	assert_int_equal(procmap_owner_of(&next, 13)->pid, 200);
	assert_ptr_not_equal(procmap_owner_of(&next, 11), procmap_owner_of(&shown, 11));

	/* A new socket: walked for; shown does not learn of it and keeps what it had. */
	add_process(500, "worker", 5000, "w", 1);
	add_fd(500, 3, "socket:[14]");
	uint32_t more[] = {11, 14};
	assert_int_equal(procmap_resolve_from(&next, &shown, more, 2, &info, &err), 0);
	assert_true(info.walked);
	assert_int_equal(info.found, 2);
	assert_int_equal(procmap_owner_of(&next, 14)->pid, 500);
	assert_null(procmap_owner_of(&next, 13));
	assert_null(procmap_owner_of(&shown, 14));
	assert_int_equal(procmap_owner_of(&shown, 13)->pid, 200);

	/* Places traded (the refresh published): the old view resolves from the new one. */
	assert_int_equal(procmap_resolve_from(&shown, &next, more, 2, &info, &err), 0);
	assert_false(info.walked);
	assert_int_equal(procmap_owner_of(&shown, 14)->pid, 500);
	assert_string_equal(procmap_owner_of(&shown, 14)->name, "worker");
	procmap_free(&shown);
	procmap_free(&next);
}

/* A lister that gives many pairs of one process, counting what it gave; q is pressed (the
 * cancel flag, ctx, is set) after the first 100. */
static size_t listed;
static int many_pairs(void *ctx, procmap_visit_fn visit, void *arg, struct cw_error *err)
{
	(void)err;
	for (uint32_t ino = 1000; ino < 1000 + 100000; ino++, listed++) {
		if (listed == 100)
			atomic_store((atomic_bool *)ctx, true);
		if (visit(arg, 100, ino) != 0)
			break;
	}
	return 0;
}

/* A cancel flag ends a resolve with -ECANCELED: set before, or set during a long listing (the
 * BPF iterator's); the next resolve (flag cleared) finds everything. */
static void cancelled_walk(void **state)
{
	(void)state;
	struct procmap pm;
	struct procmap_info info;
	struct cw_error err = {0};
	atomic_bool cancel;
	atomic_init(&cancel, true);
	procmap_init(&pm, root);
	pm.names.root = root;
	pm.cancel = &cancel;
	uint32_t want[] = {11, 13};
	assert_int_equal(procmap_resolve(&pm, want, 2, &info, &err), -ECANCELED);
	assert_non_null(strstr(err.msg, "cancel"));
	atomic_store(&cancel, false);
	assert_int_equal(procmap_resolve(&pm, want, 2, &info, &err), 0);
	assert_int_equal(info.found, 2);

	struct procmap_lister l = {.list = many_pairs, .ctx = &cancel};
	procmap_set_lister(&pm, &l);
	uint32_t absent[] = {11, 7};
	listed = 0;
	assert_int_equal(procmap_resolve(&pm, absent, 2, &info, &err), -ECANCELED);
	assert_true(listed > 100 && listed <= 100 + 4096); /* stopped at the next look */
	assert_null(procmap_owner_of(&pm, 7));
	procmap_free(&pm);
}

/* The table's owner cells: made once per process and reused, so each row must still show its
 * own process (rows of two processes and an unknown one, interleaved as a dump gives them). */
static void table_rows_show_their_owner(void **state)
{
	(void)state;
	struct procmap pm;
	struct cw_error err = {0};
	procmap_init(&pm, root);
	pm.names.root = root;
	uint32_t want[] = {11, 12, 13, 99};
	assert_int_equal(procmap_resolve(&pm, want, 4, NULL, &err), 0);
	struct snapshot snap;
	snapshot_init(&snap);
	const uint32_t rows[] = {11, 13, 99, 12, 13, 11, 0, 99};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct conn *c = snapshot_append(&snap);
		assert_non_null(c);
		memset(c, 0, sizeof(*c));
		c->proto = CONN_TCP;
		c->family = AF_INET;
		c->state = TCP_ST_ESTABLISHED;
		c->local_port = (uint16_t)(1000 + i);
		c->inode = rows[i];
	}
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_int_equal(render_table_owners(out, &snap, false, &pm), 0);
	fclose(out);
	const char *expect[] = {"100/server",           "200/evil)\\x1b[31m\"", "-", "100/server",
	                        "200/evil)\\x1b[31m\"", "100/server",           "-", "-"};
	const char *line = text;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *end = strchr(line, '\n');
		assert_non_null(end);
		char row[512];
		size_t n = (size_t)(end - line);
		assert_true(n < sizeof(row));
		memcpy(row, line, n);
		row[n] = '\0';
		char cell[64];
		snprintf(cell, sizeof(cell), " %s ", expect[i]);
		if (!strstr(row, cell) && !(expect[i][0] == '-' && strstr(row, " - ")))
			fail_msg("row %zu: '%s' does not show %s", i, row, expect[i]);
		/* the unit column: pid 100 is in container "web", 200 and the unknown in none */
		bool unit = strstr(row, " docker:web") != NULL;
		if (unit != (rows[i] == 11 || rows[i] == 12))
			fail_msg("row %zu: '%s': the unit of another process", i, row);
		line = end + 1;
	}
	assert_int_equal(*line, '\0');
	free(text);
	snapshot_free(&snap);
	procmap_free(&pm);
}

static void unreadable_proc_is_an_error(void **state)
{
	(void)state;
	struct procmap pm;
	struct cw_error err = {0};
	procmap_init(&pm, "/nonexistent-proc-for-test");
	uint32_t want[] = {1};
	assert_int_equal(procmap_resolve(&pm, want, 1, NULL, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent-proc-for-test"));
	/* Nothing asked for: nothing to walk, no error. */
	assert_int_equal(procmap_resolve(&pm, NULL, 0, NULL, &err), 0);
	procmap_free(&pm);
}

/* The real /proc: a socket of this very process is found with our pid. */
static void finds_own_socket(void **state)
{
	(void)state;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	struct stat st;
	assert_int_equal(fstat(s, &st), 0);
	struct procmap pm;
	struct procmap_info info;
	struct cw_error err = {0};
	procmap_init(&pm, NULL);
	uint32_t want[] = {(uint32_t)st.st_ino};
	assert_int_equal(procmap_resolve(&pm, want, 1, &info, &err), 0);
	const struct procmap_owner *o = procmap_owner_of(&pm, want[0]);
	assert_non_null(o);
	assert_int_equal(o->pid, getpid());
	assert_true(strstr(o->cmdline, "test_procmap") != NULL);
	procmap_free(&pm);
	close(s);
}

static void owner_cell_is_escaped(void **state)
{
	(void)state;
	struct procmap_owner o = {.pid = 1234};
	char buf[OWNER_TEXT_MAX];
	snprintf(o.name, sizeof(o.name), "a\x1b[2J\"b\n");
	size_t n = owner_text(&o, buf, sizeof(buf));
	assert_string_equal(buf, "1234/a\\x1b[2J\"b\\x0a");
	assert_int_equal(n, strlen(buf));
	assert_int_equal(owner_text(NULL, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "-");
	/* Too small a buffer: cut, still terminated. */
	char tiny[4];
	owner_text(&o, tiny, sizeof(tiny));
	assert_true(strlen(tiny) < sizeof(tiny));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(socket_links),
	    cmocka_unit_test(stat_lines),
	    cmocka_unit_test_setup_teardown(walk_made_up_proc, make_tree, remove_tree),
	    cmocka_unit_test_setup_teardown(resolve_from_known_map, make_tree, remove_tree),
	    cmocka_unit_test_setup_teardown(cancelled_walk, make_tree, remove_tree),
	    cmocka_unit_test_setup_teardown(table_rows_show_their_owner, make_tree, remove_tree),
	    cmocka_unit_test(unreadable_proc_is_an_error),
	    cmocka_unit_test(finds_own_socket),
	    cmocka_unit_test(owner_cell_is_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
