#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

static struct conn make(int proto, int family, const char *l, uint16_t lp, const char *r,
			uint16_t rp, int state)
{
	struct conn c;
	memset(&c, 0, sizeof(c));
	c.proto = (uint8_t)proto;
	c.family = (uint8_t)family;
	inet_pton(family, l, c.local_addr);
	inet_pton(family, r, c.remote_addr);
	c.local_port = lp;
	c.remote_port = rp;
	c.state = (uint8_t)state;
	return c;
}

static void defaults_are_netstat_ntu(void **state)
{
	(void)state;
	struct filter f;
	filter_init(&f);
	filter_finish(&f);
	struct conn est = make(CONN_TCP, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, TCP_ST_ESTABLISHED);
	struct conn lis = make(CONN_TCP, AF_INET6, "::", 80, "::", 0, TCP_ST_LISTEN);
	struct conn udpc = make(CONN_UDP, AF_INET, "10.0.0.1", 68, "10.0.0.2", 67, TCP_ST_ESTABLISHED);
	struct conn udpu = make(CONN_UDP, AF_INET, "0.0.0.0", 53, "0.0.0.0", 0, TCP_ST_CLOSE);
	struct conn synr = make(CONN_TCP, AF_INET, "10.0.0.1", 80, "10.0.0.9", 5, TCP_ST_SYN_RECV);
	assert_true(filter_match(&f, &est));
	assert_false(filter_match(&f, &lis));
	assert_true(filter_match(&f, &udpc));
	assert_false(filter_match(&f, &udpu));
	assert_true(filter_match(&f, &synr));
	assert_false(filter_tcp_states(&f) & TCP_STATE_BIT(TCP_ST_LISTEN));
	assert_true(filter_tcp_states(&f) & TCP_STATE_BIT(TCP_ST_TIME_WAIT));

	f.listening = FILTER_LISTENING;
	assert_false(filter_match(&f, &est));
	assert_true(filter_match(&f, &lis));
	assert_true(filter_match(&f, &udpu));
	assert_int_equal(filter_tcp_states(&f), TCP_STATE_BIT(TCP_ST_LISTEN));

	f.listening = FILTER_ALL;
	assert_true(filter_match(&f, &est) && filter_match(&f, &lis) && filter_match(&f, &udpu));
}

static void states_ports_and_prefixes(void **state)
{
	(void)state;
	struct filter f;
	struct cw_error err;
	filter_init(&f);
	assert_int_equal(filter_add_states(&f, "time-wait,SYN_RECV", &err), 0);
	assert_int_equal(filter_add_port(&f, "443", &err), 0);
	assert_int_equal(filter_add_remote(&f, "10.0.0.0/8", &err), 0);
	filter_finish(&f);
	struct conn tw = make(CONN_TCP, AF_INET, "10.0.0.1", 443, "10.2.0.9", 5555, TCP_ST_TIME_WAIT);
	struct conn tw_other = make(CONN_TCP, AF_INET, "10.0.0.1", 80, "10.2.0.9", 5555,
				    TCP_ST_TIME_WAIT);
	struct conn est = make(CONN_TCP, AF_INET, "10.0.0.1", 443, "10.2.0.9", 5555,
			       TCP_ST_ESTABLISHED);
	struct conn tw_far = make(CONN_TCP, AF_INET, "10.0.0.1", 443, "192.0.2.1", 5, TCP_ST_TIME_WAIT);
	assert_true(filter_match(&f, &tw));
	assert_false(filter_match(&f, &tw_other));
	assert_false(filter_match(&f, &est));
	assert_false(filter_match(&f, &tw_far));
	assert_true(filter_tcp_states(&f) & TCP_STATE_BIT(TCP_ST_SYN_RECV));
	assert_false(filter_tcp_states(&f) & TCP_STATE_BIT(TCP_ST_ESTABLISHED));
}

static void bad_values_are_named(void **state)
{
	(void)state;
	struct filter f;
	struct cw_error err;
	filter_init(&f);
	assert_int_equal(filter_add_states(&f, "TIME_WAIT,nope", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "nope"));
	assert_non_null(strstr(err.msg, "ESTABLISHED"));
	assert_int_equal(filter_add_states(&f, ",", &err), -EINVAL);
	assert_int_equal(filter_add_port(&f, "0", &err), -EINVAL);
	assert_int_equal(filter_add_port(&f, "65536", &err), -EINVAL);
	assert_int_equal(filter_add_port(&f, "80x", &err), -EINVAL);
	assert_int_equal(filter_add_port(&f, "-1", &err), -EINVAL);
	assert_int_equal(filter_add_local(&f, "300.1.1.1", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "300.1.1.1"));
}

static void apply_compacts_in_order(void **state)
{
	(void)state;
	struct filter f;
	filter_init(&f);
	filter_finish(&f);
	struct snapshot s;
	snapshot_init(&s);
	struct conn a = make(CONN_TCP, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, TCP_ST_ESTABLISHED);
	struct conn l = make(CONN_TCP, AF_INET, "0.0.0.0", 80, "0.0.0.0", 0, TCP_ST_LISTEN);
	struct conn b = make(CONN_TCP, AF_INET, "127.0.0.1", 3, "127.0.0.1", 4, TCP_ST_TIME_WAIT);
	assert_int_equal(snapshot_add_conn(&s, &a), 0);
	assert_int_equal(snapshot_add_conn(&s, &l), 0);
	assert_int_equal(snapshot_add_conn(&s, &b), 0);
	filter_apply(&f, &s);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.conns[0].local_port, 1);
	assert_int_equal(s.conns[1].local_port, 3);
	snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_netstat_ntu),
		cmocka_unit_test(states_ports_and_prefixes),
		cmocka_unit_test(bad_values_are_named),
		cmocka_unit_test(apply_compacts_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
