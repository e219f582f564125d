/* /etc/services read once (util/services.c) and interned names (util/names.c): the two lookups
 * behind import's reading of netstat and ss output without -n. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/names.h"
#include "util/services.h"

#include <stdio.h>
#include <string.h>

static void services_file_is_parsed_like_getservent(void **state)
{
	(void)state;
	static const char text[] = "# comment\n"
	                           "ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol\n"
	                           "domain\t\t53/tcp\n"
	                           "domain\t\t53/udp\n"
	                           "http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP\n"
	                           "bootpc\t\t68/udp\n"
	                           "kerberos\t88/tcp\t\tkerberos5 krb5 kerberos-sec\n"
	                           "sctp-only\t9/sctp\n"
	                           "broken\tnoport/tcp\n"
	                           "toobig\t70000/tcp\n"
	                           "   \n"
	                           "nonewline 1234/udp";
	struct services sv = {0};
	assert_int_equal(services_parse(&sv, text, strlen(text)), 0);
	assert_int_equal(services_port(&sv, "ssh", 3, SERVICES_TCP), 22);
	assert_int_equal(services_port(&sv, "ssh", 3, SERVICES_UDP), -1);
	assert_int_equal(services_port(&sv, "domain", 6, SERVICES_UDP), 53);
	assert_int_equal(services_port(&sv, "www", 3, SERVICES_TCP), 80); /* an alias */
	assert_int_equal(services_port(&sv, "krb5", 4, SERVICES_TCP), 88);
	assert_int_equal(services_port(&sv, "bootpc", 6, SERVICES_UDP), 68);
	assert_int_equal(services_port(&sv, "sctp-only", 9, SERVICES_TCP), -1);
	assert_int_equal(services_port(&sv, "broken", 6, SERVICES_TCP), -1);
	assert_int_equal(services_port(&sv, "toobig", 6, SERVICES_TCP), -1);
	assert_int_equal(services_port(&sv, "nonewline", 9, SERVICES_UDP), 1234);
	assert_int_equal(services_port(&sv, "sshd", 3, SERVICES_TCP), 22); /* length, not NUL */
	services_free(&sv);
	/* No file: an empty table that answers "unknown". */
	assert_true(services_load(&sv, "/nonexistent/services") < 0);
	assert_int_equal(services_port(&sv, "ssh", 3, SERVICES_TCP), -1);
}

static void names_are_interned_and_bounded(void **state)
{
	(void)state;
	struct names n;
	names_init(&n);
	const char *a = names_intern(&n, "localhost:x", 9);
	assert_string_equal(a, "localhost");
	assert_ptr_equal(names_intern(&n, "localhost", 9), a);
	assert_ptr_not_equal(names_intern(&n, "localhos", 8), a);
	char buf[32];
	const char *last = NULL;
	size_t i;
	for (i = 0; i < 2 * NAMES_MAX_COUNT; i++) {
		int len = snprintf(buf, sizeof(buf), "host-%zu", i);
		last = names_intern(&n, buf, (size_t)len);
		if (!last)
			break;
	}
	assert_null(last); /* full: at most NAMES_MAX_COUNT names, then NULL */
	assert_true(n.count <= NAMES_MAX_COUNT);
	assert_true(n.bytes <= NAMES_MAX_BYTES);
	assert_ptr_equal(names_intern(&n, "localhost", 9), a); /* known names still answer */
	names_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(services_file_is_parsed_like_getservent),
	    cmocka_unit_test(names_are_interned_and_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
