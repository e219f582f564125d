#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "owner_groups.h"

#include <string.h>

#define ID_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* pid -> cgroup: 1-3 nginx.service, 4 php.service, 5 and 6 in container A (its scope), 7 in
 * container B, 8 nothing known, 9 unknown to the lookup. */
static struct cgroup_owner cgs[9];

static const struct cgroup_owner *lookup(void *ctx, uint32_t pid)
{
	(void)ctx;
	return pid >= 1 && pid <= 8 ? &cgs[pid] : NULL;
}

static void setup_cgs(void)
{
	memset(cgs, 0, sizeof(cgs));
	for (int p = 1; p <= 3; p++)
		strcpy(cgs[p].unit, "nginx.service");
	strcpy(cgs[4].unit, "php.service");
	for (int p = 5; p <= 7; p++) {
		cgs[p].runtime = CGROUP_RT_DOCKER;
		strcpy(cgs[p].id, p == 7 ? ID_B : ID_A);
		strcpy(cgs[p].unit, p == 7 ? "docker-" ID_B ".scope" : "docker-" ID_A ".scope");
	}
}

static struct stats_entry pid_count(uint32_t pid, uint64_t count)
{
	struct stats_entry e = {.count = count};
	e.key.id = pid;
	return e;
}

static void fold(void **state)
{
	(void)state;
	setup_cgs();
	struct stats_entry pids[] = {pid_count(1, 10), pid_count(2, 5),   pid_count(3, 1),
	                             pid_count(4, 40), pid_count(5, 7),   pid_count(6, 8),
	                             pid_count(7, 2),  pid_count(8, 100), pid_count(9, 50)};
	struct owner_groups g;
	assert_int_equal(owner_groups_build(&g, OWNER_GROUP_UNIT, pids, 9, lookup, NULL, 10), 0);
	/* php 40, nginx 16 (3 processes), docker A scope 15 (2), docker B scope 2. */
	assert_int_equal(g.count, 4);
	assert_string_equal(g.items[0].key, "php.service");
	assert_int_equal(g.items[0].count, 40);
	assert_string_equal(g.items[1].key, "nginx.service");
	assert_int_equal(g.items[1].count, 16);
	assert_int_equal(g.items[1].processes, 3);
	assert_int_equal(g.items[2].count, 15);
	assert_int_equal(g.other_groups, 0);
	owner_groups_free(&g);

	/* Top 1: the rest is "other". */
	assert_int_equal(owner_groups_build(&g, OWNER_GROUP_UNIT, pids, 9, lookup, NULL, 1), 0);
	assert_int_equal(g.count, 1);
	assert_int_equal(g.other_groups, 3);
	assert_int_equal(g.other_count, 16 + 15 + 2);
	assert_int_equal(g.other_processes, 6);
	owner_groups_free(&g);

	/* Containers: A 15 (2 processes), B 2; the services are in none. */
	assert_int_equal(owner_groups_build(&g, OWNER_GROUP_CONTAINER, pids, 9, lookup, NULL, 10),
	                 0);
	assert_int_equal(g.count, 2);
	assert_string_equal(g.items[0].key, ID_A);
	assert_int_equal(g.items[0].count, 15);
	assert_int_equal(g.items[0].processes, 2);
	assert_string_equal(g.items[1].cg->id, ID_B);
	owner_groups_free(&g);

	/* Ties: lower key first. Nothing to fold: empty, no allocation problem. */
	struct stats_entry tie[] = {pid_count(4, 5), pid_count(1, 5)};
	assert_int_equal(owner_groups_build(&g, OWNER_GROUP_UNIT, tie, 2, lookup, NULL, 10), 0);
	assert_string_equal(g.items[0].key, "nginx.service");
	owner_groups_free(&g);
	assert_int_equal(owner_groups_build(&g, OWNER_GROUP_UNIT, NULL, 0, lookup, NULL, 10), 0);
	assert_int_equal(g.count, 0);
	owner_groups_free(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(fold)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
