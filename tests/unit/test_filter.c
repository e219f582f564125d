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
	struct conn est =
	    make(CONN_TCP, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, TCP_ST_ESTABLISHED);
	struct conn lis = make(CONN_TCP, AF_INET6, "::", 80, "::", 0, TCP_ST_LISTEN);
	struct conn udpc =
	    make(CONN_UDP, AF_INET, "10.0.0.1", 68, "10.0.0.2", 67, TCP_ST_ESTABLISHED);
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
	struct conn tw =
	    make(CONN_TCP, AF_INET, "10.0.0.1", 443, "10.2.0.9", 5555, TCP_ST_TIME_WAIT);
	struct conn tw_other =
	    make(CONN_TCP, AF_INET, "10.0.0.1", 80, "10.2.0.9", 5555, TCP_ST_TIME_WAIT);
	struct conn est =
	    make(CONN_TCP, AF_INET, "10.0.0.1", 443, "10.2.0.9", 5555, TCP_ST_ESTABLISHED);
	struct conn tw_far =
	    make(CONN_TCP, AF_INET, "10.0.0.1", 443, "192.0.2.1", 5, TCP_ST_TIME_WAIT);
	assert_true(filter_match(&f, &tw));
	assert_false(filter_match(&f, &tw_other));
	assert_false(filter_match(&f, &est));
	assert_false(filter_match(&f, &tw_far));
	assert_true(filter_tcp_states(&f) & TCP_STATE_BIT(TCP_ST_SYN_RECV));
	assert_false(filter_tcp_states(&f) & TCP_STATE_BIT(TCP_ST_ESTABLISHED));
}

/* The valid-states text is written out by hand; it must name every state of the table. */
static void valid_states_text_names_every_state(void **state)
{
	(void)state;
	const char *text = filter_valid_states_text();
	for (unsigned int i = 0; i < tcp_states_documented_count; i++)
		assert_non_null(strstr(text, tcp_state_name(tcp_states_documented[i])));
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

/* -4/-6 go by the socket's family, as netstat -4/-6 do: an IPv4 client of a dual-stack listener
 * is a tcp6 socket; --local/--remote with an IPv4 network still match its mapped address. */
static void families_and_mapped_addresses(void **state)
{
	(void)state;
	struct cw_error err;
	struct conn v4 =
	    make(CONN_TCP, AF_INET, "10.0.0.1", 22, "10.9.9.9", 5000, TCP_ST_ESTABLISHED);
	struct conn mapped = make(CONN_TCP, AF_INET6, "::ffff:10.0.0.1", 443, "::ffff:10.9.9.9",
	                          5001, TCP_ST_ESTABLISHED);
	struct conn v6 =
	    make(CONN_TCP, AF_INET6, "2001:db8::1", 443, "2001:db8::9", 5002, TCP_ST_ESTABLISHED);
	struct filter f;
	filter_init(&f);
	f.ipv4 = true;
	filter_finish(&f);
	assert_true(filter_match(&f, &v4));
	assert_false(filter_match(&f, &mapped));
	assert_false(filter_match(&f, &v6));

	filter_init(&f);
	f.ipv6 = true;
	filter_finish(&f);
	assert_false(filter_match(&f, &v4));
	assert_true(filter_match(&f, &mapped));
	assert_true(filter_match(&f, &v6));

	filter_init(&f);
	assert_int_equal(filter_add_local(&f, "10.0.0.0/24", &err), 0);
	filter_finish(&f);
	assert_true(filter_match(&f, &v4));
	assert_true(filter_match(&f, &mapped));
	assert_false(filter_match(&f, &v6));

	/* several --local values: any one matches; --local and --remote must both match */
	filter_init(&f);
	assert_int_equal(filter_add_local(&f, "192.0.2.1", &err), 0);
	assert_int_equal(filter_add_local(&f, "2001:db8::/64", &err), 0);
	assert_int_equal(filter_add_remote(&f, "2001:db8::9/128", &err), 0);
	filter_finish(&f);
	assert_false(filter_match(&f, &v4));
	assert_true(filter_match(&f, &v6));
	v6.remote_addr[15] ^= 1;
	assert_false(filter_match(&f, &v6));
}

/* --port matches either end; several ports are alternatives; the limits are enforced. */
static void ports(void **state)
{
	(void)state;
	struct cw_error err;
	struct filter f;
	filter_init(&f);
	assert_int_equal(filter_add_port(&f, "22", &err), 0);
	assert_int_equal(filter_add_port(&f, "65535", &err), 0);
	filter_finish(&f);
	struct conn local =
	    make(CONN_TCP, AF_INET, "10.0.0.1", 22, "10.0.0.2", 4000, TCP_ST_ESTABLISHED);
	struct conn remote =
	    make(CONN_TCP, AF_INET, "10.0.0.1", 4000, "10.0.0.2", 65535, TCP_ST_ESTABLISHED);
	struct conn neither =
	    make(CONN_TCP, AF_INET, "10.0.0.1", 4000, "10.0.0.2", 4001, TCP_ST_ESTABLISHED);
	assert_true(filter_match(&f, &local));
	assert_true(filter_match(&f, &remote));
	assert_false(filter_match(&f, &neither));

	filter_init(&f);
	for (int i = 0; i < FILTER_MAX_PORTS; i++)
		assert_int_equal(filter_add_port(&f, "80", &err), 0);
	assert_int_equal(filter_add_port(&f, "80", &err), -EINVAL);
	filter_init(&f);
	for (int i = 0; i < FILTER_MAX_PREFIXES; i++)
		assert_int_equal(filter_add_remote(&f, "10.0.0.0/8", &err), 0);
	assert_int_equal(filter_add_remote(&f, "10.0.0.0/8", &err), -EINVAL);
	assert_int_equal(filter_add_port(&f, NULL, &err), -EINVAL);
	assert_int_equal(filter_add_port(&f, "", &err), -EINVAL);
	assert_int_equal(filter_add_port(&f, " 80", &err), -EINVAL);
	assert_int_equal(filter_add_port(&f, "99999999999999999999999", &err), -EINVAL);
}

/* --state: request sockets (12) count as SYN_RECV, UDP follows netstat's names (connected is
 * ESTABLISHED, unconnected is among the listeners), the set goes to the kernel without bit 12
 * (the kernel adds request sockets itself when SYN_RECV is asked for) and --state wins over -l. */
static void states_for_tcp_and_udp(void **state)
{
	(void)state;
	struct cw_error err;
	struct filter f;
	filter_init(&f);
	assert_int_equal(filter_add_states(&f, "syn-recv", &err), 0);
	filter_finish(&f);
	struct conn req =
	    make(CONN_TCP, AF_INET, "10.0.0.1", 80, "10.0.0.2", 4000, TCP_ST_NEW_SYN_RECV);
	struct conn synr =
	    make(CONN_TCP, AF_INET, "10.0.0.1", 80, "10.0.0.2", 4001, TCP_ST_SYN_RECV);
	struct conn est =
	    make(CONN_TCP, AF_INET, "10.0.0.1", 80, "10.0.0.2", 4002, TCP_ST_ESTABLISHED);
	assert_true(filter_match(&f, &req));
	assert_true(filter_match(&f, &synr));
	assert_false(filter_match(&f, &est));
	assert_int_equal(filter_tcp_states(&f), TCP_STATE_BIT(TCP_ST_SYN_RECV));

	struct conn udp_conn =
	    make(CONN_UDP, AF_INET, "10.0.0.1", 68, "10.0.0.254", 67, TCP_ST_ESTABLISHED);
	struct conn udp_unconn = make(CONN_UDP, AF_INET6, "::", 53, "::", 0, TCP_ST_CLOSE);
	filter_init(&f);
	assert_int_equal(filter_add_states(&f, "ESTABLISHED", &err), 0);
	filter_finish(&f);
	assert_true(filter_match(&f, &udp_conn));
	assert_false(filter_match(&f, &udp_unconn));
	filter_init(&f);
	assert_int_equal(filter_add_states(&f, "listen", &err), 0);
	f.listening = FILTER_CONNECTED;
	filter_finish(&f);
	assert_false(filter_match(&f, &udp_conn));
	assert_true(filter_match(&f, &udp_unconn));

	/* -t alone leaves out UDP; -u alone leaves out TCP */
	filter_init(&f);
	f.tcp = true;
	filter_finish(&f);
	assert_false(filter_match(&f, &udp_conn));
	assert_true(filter_match(&f, &est));
	filter_init(&f);
	f.udp = true;
	filter_finish(&f);
	assert_true(filter_match(&f, &udp_conn));
	assert_false(filter_match(&f, &est));
	struct source_request req_u;
	memset(&req_u, 0, sizeof(req_u));
	filter_to_request(&f, &req_u);
	assert_true(req_u.udp);
	assert_true(req_u.ipv4 && req_u.ipv6);

	/* a state number past the table never matches */
	filter_init(&f);
	f.listening = FILTER_ALL;
	filter_finish(&f);
	struct conn odd = est;
	odd.state = 200;
	assert_false(filter_match(&f, &odd));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_are_netstat_ntu),
	    cmocka_unit_test(states_ports_and_prefixes),
	    cmocka_unit_test(valid_states_text_names_every_state),
	    cmocka_unit_test(bad_values_are_named),
	    cmocka_unit_test(apply_compacts_in_order),
	    cmocka_unit_test(families_and_mapped_addresses),
	    cmocka_unit_test(ports),
	    cmocka_unit_test(states_for_tcp_and_udp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
