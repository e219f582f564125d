#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "states.h"

static void parse_accepts_both_spellings_any_case(void **state)
{
	(void)state;
	assert_int_equal(tcp_state_parse("TIME_WAIT"), TCP_ST_TIME_WAIT);
	assert_int_equal(tcp_state_parse("time-wait"), TCP_ST_TIME_WAIT);
	assert_int_equal(tcp_state_parse("Time_Wait"), TCP_ST_TIME_WAIT);
	assert_int_equal(tcp_state_parse("estab"), TCP_ST_ESTABLISHED);
	assert_int_equal(tcp_state_parse("syn-recv"), TCP_ST_SYN_RECV);
	assert_int_equal(tcp_state_parse("SYN_RECV"), TCP_ST_SYN_RECV);
	assert_int_equal(tcp_state_parse("fin-wait-1"), TCP_ST_FIN_WAIT1);
	assert_int_equal(tcp_state_parse("FIN_WAIT2"), TCP_ST_FIN_WAIT2);
	assert_int_equal(tcp_state_parse("listening"), TCP_ST_LISTEN);
	assert_int_equal(tcp_state_parse("CLOSED"), TCP_ST_CLOSE);
	assert_int_equal(tcp_state_parse("close-wait"), TCP_ST_CLOSE_WAIT);
}

static void parse_rejects_unknown(void **state)
{
	(void)state;
	assert_int_equal(tcp_state_parse(""), TCP_ST_UNKNOWN);
	assert_int_equal(tcp_state_parse(NULL), TCP_ST_UNKNOWN);
	assert_int_equal(tcp_state_parse("TIME_WAITX"), TCP_ST_UNKNOWN);
	assert_int_equal(tcp_state_parse("bogus"), TCP_ST_UNKNOWN);
}

static void names_match_netstat(void **state)
{
	(void)state;
	assert_string_equal(tcp_state_name(TCP_ST_SYN_RECV), "SYN_RECV");
	assert_string_equal(tcp_state_name(TCP_ST_NEW_SYN_RECV), "SYN_RECV");
	assert_string_equal(tcp_state_name(TCP_ST_FIN_WAIT1), "FIN_WAIT1");
	assert_string_equal(tcp_state_name(TCP_ST_CLOSE), "CLOSED");
	assert_string_equal(tcp_state_name(99), "UNKNOWN");
	assert_null(tcp_state_info(0));
}

static void every_documented_state_has_texts(void **state)
{
	(void)state;
	assert_int_equal(tcp_states_documented_count, 11);
	for (unsigned int i = 0; i < tcp_states_documented_count; i++) {
		const struct tcp_state_info *info = tcp_state_info(tcp_states_documented[i]);
		assert_non_null(info);
		assert_non_null(info->meaning);
		assert_non_null(info->sequence);
		assert_non_null(info->many_means);
		assert_int_equal(tcp_state_parse(info->netstat_name), info->state);
		assert_int_equal(tcp_state_parse(info->ss_name), info->state);
	}
}

/* Every kernel state number has its netstat and ss name (include/net/tcp_states.h), and the
 * names parse back to the number. */
static void every_kernel_number_is_named(void **state)
{
	(void)state;
	static const struct {
		unsigned int n;
		const char *netstat, *ss;
	} table[] = {
	    /* the ss names are those `ss state NAME` accepts (ss 6.1, issue 13) */
	    {1, "ESTABLISHED", "established"}, {2, "SYN_SENT", "syn-sent"},
	    {3, "SYN_RECV", "syn-recv"},       {4, "FIN_WAIT1", "fin-wait-1"},
	    {5, "FIN_WAIT2", "fin-wait-2"},    {6, "TIME_WAIT", "time-wait"},
	    {7, "CLOSED", "closed"},           {8, "CLOSE_WAIT", "close-wait"},
	    {9, "LAST_ACK", "last-ack"},       {10, "LISTEN", "listening"},
	    {11, "CLOSING", "closing"},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct tcp_state_info *info = tcp_state_info(table[i].n);
		assert_non_null(info);
		assert_int_equal(info->state, table[i].n);
		assert_string_equal(tcp_state_name(table[i].n), table[i].netstat);
		assert_string_equal(info->ss_name, table[i].ss);
		assert_int_equal(tcp_state_parse(table[i].netstat), table[i].n);
		assert_int_equal(tcp_state_parse(table[i].ss), table[i].n);
	}
	/* request sockets (12) read as SYN_RECV, as ss and netstat show them */
	assert_int_equal(tcp_state_info(TCP_ST_NEW_SYN_RECV)->state, TCP_ST_SYN_RECV);
	assert_null(tcp_state_info(TCP_ST_MAX));
	assert_null(tcp_state_info(255));
	assert_string_equal(tcp_state_name(0), "UNKNOWN");
	assert_string_equal(tcp_state_name(TCP_ST_MAX), "UNKNOWN");
	/* the bitmask of every real state leaves out BOUND_INACTIVE (bit 13) and bit 0 */
	for (unsigned int n = 1; n <= TCP_ST_CLOSING; n++)
		assert_true(TCP_STATES_ALL & TCP_STATE_BIT(n));
	assert_false(TCP_STATES_ALL & TCP_STATE_BIT(0));
	assert_false(TCP_STATES_ALL & TCP_STATE_BIT(13));
	/* parse is exact apart from case: no prefixes, no blanks */
	assert_int_equal(tcp_state_parse(" LISTEN"), TCP_ST_UNKNOWN);
	assert_int_equal(tcp_state_parse("LISTEN "), TCP_ST_UNKNOWN);
	assert_int_equal(tcp_state_parse("EST"), TCP_ST_UNKNOWN);
	assert_int_equal(tcp_state_parse("eStAbLiShEd"), TCP_ST_ESTABLISHED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_kernel_number_is_named),
	    cmocka_unit_test(parse_accepts_both_spellings_any_case),
	    cmocka_unit_test(parse_rejects_unknown),
	    cmocka_unit_test(names_match_netstat),
	    cmocka_unit_test(every_documented_state_has_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
