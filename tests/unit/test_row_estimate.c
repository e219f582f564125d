/* The row estimate read from /proc/net/sockstat and sockstat6 before a dump. */
#include "row_estimate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static size_t parse(const char *text, bool tcp, bool udp)
{
	return row_estimate_parse(text, strlen(text), tcp, udp);
}

static void sums_what_a_dump_returns(void **state)
{
	(void)state;
	const char *v4 = "sockets: used 235123\n"
	                 "TCP: inuse 200000 orphan 3 tw 30000 alloc 200010 mem 2866\n"
	                 "UDP: inuse 12 mem 4\n"
	                 "UDPLITE: inuse 0\n"
	                 "RAW: inuse 1\n"
	                 "FRAG: inuse 0 memory 0\n";
	const char *v6 = "TCP6: inuse 5000\nUDP6: inuse 3\nUDPLITE6: inuse 0\nRAW6: inuse 0\n";
	assert_int_equal(parse(v4, true, true), 230012);
	assert_int_equal(parse(v4, true, false), 230000);
	assert_int_equal(parse(v4, false, true), 12);
	assert_int_equal(parse(v6, true, true), 5003);
}

static void bad_text_counts_nothing(void **state)
{
	(void)state;
	assert_int_equal(parse("", true, true), 0);
	assert_int_equal(parse("TCP:", true, true), 0);
	assert_int_equal(parse("TCP: inuse\n", true, true), 0);
	assert_int_equal(parse("TCP: inuse x tw 7", true, true), 7);
	assert_int_equal(parse("TCP: tw inuse 9", true, true), 9);
	assert_int_equal(parse("TCPX: inuse 9\nXTCP: inuse 9", true, true), 0);
	/* a number too long for 64 bits is not read; a huge one is capped */
	assert_int_equal(parse("TCP: inuse 999999999999999999999999 tw 1", true, true), 1);
	assert_int_equal(
	    parse("TCP: inuse 18446744073709551615 tw 18446744073709551615", true, true),
	    ROW_ESTIMATE_MAX);
	char no_nul[] = {'T', 'C', 'P', ':', ' ', 'i', 'n', 'u', 's', 'e', ' ', '4', '2'};
	assert_int_equal(row_estimate_parse(no_nul, sizeof(no_nul), true, false), 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sums_what_a_dump_returns),
	    cmocka_unit_test(bad_text_counts_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
