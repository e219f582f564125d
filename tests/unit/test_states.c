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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accepts_both_spellings_any_case),
		cmocka_unit_test(parse_rejects_unknown),
		cmocka_unit_test(names_match_netstat),
		cmocka_unit_test(every_documented_state_has_texts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
