#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kcounters.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reads_a_capture_directory(void **state)
{
	(void)state;
	char root[512];
	snprintf(root, sizeof(root), "%s/kcounters", getenv("FIXTURES"));
	struct kcounters kc;
	struct cw_error err = {0};
	assert_int_equal(kcounters_read(&kc, root, &err), 0);
	assert_true(kc.valid);
	assert_int_equal(kcounters_get(&kc, KC_LISTEN_OVERFLOWS), 17);
	assert_int_equal(kcounters_get(&kc, KC_LISTEN_DROPS), 19);
	assert_int_equal(kcounters_get(&kc, KC_SYNCOOKIES_SENT), 5);
	assert_int_equal(kcounters_get(&kc, KC_TW), 1234);
	assert_int_equal(kcounters_get(&kc, KC_ACTIVE_OPENS), 42);
	assert_int_equal(kcounters_get(&kc, KC_CURR_ESTAB), 7);
	assert_int_equal(kcounters_get(&kc, KC_SOCK_ORPHAN), 2);
	assert_int_equal(kcounters_get(&kc, KC_SOCK_TW), 11);
	assert_int_equal(kcounters_get(&kc, KC_SYSCTL_PORT_LOW), 1024);
	assert_int_equal(kcounters_get(&kc, KC_SYSCTL_PORT_HIGH), 65000);
	assert_int_equal(kcounters_get(&kc, KC_SYSCTL_SYNCOOKIES), 1);
	/* Not in the capture: unknown, never this machine's value. */
	assert_int_equal(kcounters_get(&kc, KC_SYSCTL_MAX_ORPHANS), KC_UNKNOWN);
}

static void missing_directory_is_all_unknown(void **state)
{
	(void)state;
	struct kcounters kc;
	struct cw_error err = {0};
	assert_int_equal(kcounters_read(&kc, "/nonexistent", &err), 0);
	assert_false(kc.valid);
	for (int i = 0; i < KC_COUNT; i++)
		assert_int_equal(kc.v[i], KC_UNKNOWN);
}

static void malformed_text_is_ignored(void **state)
{
	(void)state;
	static const char *const texts[] = {
	    "TcpExt: ListenOverflows ListenDrops\nTcpExt: 5\n",           /* short value line */
	    "TcpExt: ListenOverflows\nIpExt: 9\n",                        /* sections differ */
	    "TcpExt: ListenOverflows\n",                                  /* no value line */
	    "TcpExt: ListenOverflows\nTcpExt: x\n",                       /* not a number */
	    "TcpExt: ListenOverflows\nTcpExt: 99999999999999999999999\n", /* overflow */
	    "",
	    "\n\n:\n:\n",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct kcounters kc;
		kcounters_init(&kc);
		kcounters_parse_pairs(&kc, texts[i], strlen(texts[i]));
		if (i == 0)
			assert_int_equal(kc.v[KC_LISTEN_OVERFLOWS], 5);
		else
			assert_int_equal(kc.v[KC_LISTEN_OVERFLOWS], KC_UNKNOWN);
		assert_int_equal(kc.v[KC_LISTEN_DROPS], KC_UNKNOWN);
	}
	struct kcounters kc;
	kcounters_init(&kc);
	const char *snmp = "Tcp: RtoAlgorithm MaxConn ActiveOpens\nTcp: 1 -1 12\n";
	kcounters_parse_pairs(&kc, snmp, strlen(snmp));
	assert_int_equal(kc.v[KC_ACTIVE_OPENS], 12); /* MaxConn -1 does not stop the line */
	const char *sock = "TCP: inuse 4 orphan\nTCP: bogus\n";
	kcounters_parse_sockstat(&kc, sock, strlen(sock));
	assert_int_equal(kc.v[KC_SOCK_INUSE], 4);
	assert_int_equal(kc.v[KC_SOCK_ORPHAN], KC_UNKNOWN);
}

static void deltas(void **state)
{
	(void)state;
	struct kcounters a, b;
	kcounters_init(&a);
	kcounters_init(&b);
	a.v[KC_LISTEN_DROPS] = 10;
	b.v[KC_LISTEN_DROPS] = 25;
	assert_int_equal(kcounters_delta(&a, &b, KC_LISTEN_DROPS), 15);
	assert_int_equal(kcounters_delta(&b, &a, KC_LISTEN_DROPS), KC_UNKNOWN); /* went back */
	assert_int_equal(kcounters_delta(&a, &b, KC_LISTEN_OVERFLOWS), KC_UNKNOWN);
	for (int i = 0; i < KC_COUNT; i++)
		assert_non_null(kcounters_info((enum kc_id)i)->name);
	assert_null(kcounters_info(KC_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reads_a_capture_directory),
	    cmocka_unit_test(missing_directory_is_all_unknown),
	    cmocka_unit_test(malformed_text_is_ignored),
	    cmocka_unit_test(deltas),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
