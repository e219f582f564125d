/* The pid -> name table imported text fills from netstat -p and ss -p: one entry per pid with
 * its first name, stable 16-bit handles, names cut to fit, and a bound hostile input cannot
 * pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/pidnames.h"

#include <string.h>

static void one_entry_per_pid(void **state)
{
	(void)state;
	struct pidnames t;
	pidnames_init(&t);
	assert_null(pidnames_name(&t, 812));
	assert_null(pidnames_get(&t, 0));
	uint16_t sshd = pidnames_add(&t, 812, "sshd", 4);
	uint16_t curl = pidnames_add(&t, 2211, "curl", 4);
	assert_int_equal(sshd, 1);
	assert_int_equal(curl, 2);
	/* The same pid again, under another name (a later row of the same capture): its handle,
	 * its first name. */
	assert_int_equal(pidnames_add(&t, 812, "other", 5), sshd);
	assert_int_equal(t.count, 2);
	assert_string_equal(pidnames_name(&t, 812), "sshd");
	assert_int_equal(pidnames_get(&t, curl)->pid, 2211);
	assert_string_equal(pidnames_get(&t, curl)->name, "curl");
	assert_null(pidnames_get(&t, 3)); /* not given out */
	assert_null(pidnames_name(&t, 9));
	/* No pid (netstat's "-"), or a negative one: no entry. */
	assert_int_equal(pidnames_add(&t, 0, "x", 1), 0);
	assert_int_equal(pidnames_add(&t, -5, "x", 1), 0);
	assert_null(pidnames_name(&t, -5));
	pidnames_free(&t);
	assert_null(pidnames_name(&t, 812));
}

static void long_names_are_cut(void **state)
{
	(void)state;
	struct pidnames t;
	pidnames_init(&t);
	char name[100];
	memset(name, 'a', sizeof(name));
	uint16_t h = pidnames_add(&t, 1, name, sizeof(name));
	assert_int_equal(strlen(pidnames_get(&t, h)->name), PIDNAMES_NAME_MAX - 1);
	pidnames_free(&t);
}

static void full_table_gives_no_handle(void **state)
{
	(void)state;
	struct pidnames t;
	pidnames_init(&t);
	for (int32_t pid = 1; pid <= (int32_t)PIDNAMES_MAX; pid++)
		assert_int_equal(pidnames_add(&t, pid, "p", 1), (uint16_t)pid);
	assert_int_equal(pidnames_add(&t, (int32_t)PIDNAMES_MAX + 1, "p", 1), 0);
	assert_int_equal(pidnames_add(&t, 7, "p", 1), 7); /* known pids keep theirs */
	assert_int_equal(pidnames_get(&t, UINT16_MAX)->pid, (int32_t)PIDNAMES_MAX);
	pidnames_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(one_entry_per_pid),
	    cmocka_unit_test(long_names_are_cut),
	    cmocka_unit_test(full_table_gives_no_handle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
