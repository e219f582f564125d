#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "diag_fixtures.h"
#include "stats.h"

#include <netinet/in.h>
#include <stdio.h>

static void counts_per_state_and_protocol(void **state)
{
	(void)state;
	struct stats s;
	stats_init(&s, NULL);
	struct conn c = fx_tcp("10.0.0.1", 22, "10.0.0.9", 40000, TCP_ST_ESTABLISHED);
	stats_add(&s, &c, NULL);
	c = fx_tcp("::ffff:10.0.0.1", 443, "::ffff:10.0.0.9", 40001, TCP_ST_NEW_SYN_RECV);
	stats_add(&s, &c, NULL);
	c = fx_conn(CONN_UDP, "10.0.0.1", 68, "10.0.0.254", 67, TCP_ST_ESTABLISHED);
	stats_add(&s, &c, NULL);
	c = fx_conn(CONN_UDP, "::", 5353, "::", 0, TCP_ST_CLOSE);
	stats_add(&s, &c, NULL);
	assert_int_equal(s.total, 4);
	assert_int_equal(s.by_proto_state[STATS_TCP][TCP_ST_ESTABLISHED], 1);
	assert_int_equal(s.by_proto_state[STATS_TCP6][TCP_ST_SYN_RECV],
	                 1); /* NEW_SYN_RECV folded */
	assert_int_equal(s.by_proto_state[STATS_UDP][TCP_ST_ESTABLISHED], 1);
	assert_int_equal(s.by_proto_state[STATS_UDP6][TCP_ST_CLOSE], 1);
	assert_int_equal(s.by_state[TCP_ST_ESTABLISHED], 2);
	assert_int_equal(s.by_proto[STATS_TCP6], 1);
	/* The v4-mapped peer counts as the same IPv4 address; unconnected UDP has no peer. */
	struct stats_entry top[4];
	assert_int_equal(stats_top(&s, STATS_REMOTE_IP, -1, top, 4), 2);
	char text[STATS_KEY_TEXT_MAX];
	stats_key_format(text, &top[0].key, false);
	assert_string_equal(text, "10.0.0.9");
	assert_int_equal(top[0].count, 2);
	stats_free(&s);
}

static void user_example_busiest_remote(void **state)
{
	(void)state;
	/* The connections of the user's netstat example (seed document). */
	static const struct {
		int proto;
		const char *l;
		unsigned lp;
		const char *r;
		unsigned rp;
		unsigned st;
	} rows[] = {
	    {CONN_TCP, "127.0.0.1", 3306, "127.0.0.1", 47308, TCP_ST_ESTABLISHED},
	    {CONN_TCP, "127.0.0.1", 57164, "127.0.0.1", 556, TCP_ST_ESTABLISHED},
	    {CONN_TCP, "127.0.0.1", 38366, "127.0.0.1", 3306, TCP_ST_ESTABLISHED},
	    {CONN_TCP, "127.0.0.1", 556, "127.0.0.1", 57164, TCP_ST_ESTABLISHED},
	    {CONN_TCP, "192.168.80.51", 22, "196.251.70.166", 57154, TCP_ST_ESTABLISHED},
	    {CONN_TCP, "192.168.80.51", 41344, "91.189.91.48", 80, TCP_ST_TIME_WAIT},
	    {CONN_TCP, "192.168.80.51", 2014, "222.124.78.211", 59143, TCP_ST_ESTABLISHED},
	    {CONN_TCP, "127.0.0.1", 47308, "127.0.0.1", 3306, TCP_ST_ESTABLISHED},
	    {CONN_TCP, "127.0.0.1", 3306, "127.0.0.1", 38366, TCP_ST_ESTABLISHED},
	    {CONN_TCP, "192.168.80.51", 22, "222.124.78.211", 59160, TCP_ST_ESTABLISHED},
	    {CONN_TCP, "::ffff:192.168.80.51", 443, "::ffff:114.125.120.16", 41242,
	     TCP_ST_TIME_WAIT},
	    {CONN_TCP, "::ffff:192.168.80.51", 80, "::ffff:45.82.76.192", 41150, TCP_ST_SYN_RECV},
	    {CONN_TCP, "::ffff:192.168.80.51", 443, "::ffff:177.93.63.18", 45129, TCP_ST_CLOSING},
	    {CONN_UDP, "192.168.80.51", 68, "192.168.80.1", 67, TCP_ST_ESTABLISHED},
	    {CONN_UDP, "169.254.95.120", 68, "169.254.95.118", 67, TCP_ST_ESTABLISHED},
	};
	struct stats s;
	stats_init(&s, NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct conn c = fx_conn(rows[i].proto, rows[i].l, rows[i].lp, rows[i].r, rows[i].rp,
		                        rows[i].st);
		stats_add(&s, &c, NULL);
	}
	assert_int_equal(s.total, 15);
	assert_int_equal(s.by_state[TCP_ST_ESTABLISHED], 11);
	assert_int_equal(s.by_proto_state[STATS_TCP][TCP_ST_ESTABLISHED] +
	                     s.by_proto_state[STATS_TCP6][TCP_ST_ESTABLISHED],
	                 9);
	assert_int_equal(s.by_proto_state[STATS_UDP][TCP_ST_ESTABLISHED], 2);
	assert_int_equal(s.by_state[TCP_ST_TIME_WAIT], 2);
	assert_int_equal(s.by_proto_state[STATS_TCP6][TCP_ST_TIME_WAIT], 1);
	assert_int_equal(s.by_state[TCP_ST_SYN_RECV], 1);
	assert_int_equal(s.by_state[TCP_ST_CLOSING], 1);
	struct stats_entry top[1];
	assert_int_equal(stats_top(&s, STATS_REMOTE_IP, -1, top, 1), 1);
	char text[STATS_KEY_TEXT_MAX];
	stats_key_format(text, &top[0].key, false);
	assert_string_equal(text, "127.0.0.1");
	assert_int_equal(top[0].count, 6);
	stats_free(&s);
}

static void syn_recv_distinct_sources_per_port(void **state)
{
	(void)state;
	struct stats s;
	stats_init(&s, NULL);
	char addr[32];
	for (int i = 0; i < 300; i++) {
		snprintf(addr, sizeof(addr), "203.0.113.%d", i % 30);
		struct conn c =
		    fx_tcp("198.51.100.1", 80, addr, (unsigned)(10000 + i), TCP_ST_SYN_RECV);
		stats_add(&s, &c, NULL);
	}
	struct conn c = fx_tcp("198.51.100.1", 443, "192.0.2.1", 5000, TCP_ST_SYN_RECV);
	stats_add(&s, &c, NULL);
	struct stats_entry ports[2];
	assert_int_equal(stats_top(&s, STATS_SYN_RECV_PORT, -1, ports, 2), 2);
	assert_int_equal(ports[0].key.port, 80);
	assert_int_equal(ports[0].count, 300);
	assert_int_equal(ports[0].aux, 30); /* distinct sources */
	assert_int_equal(ports[1].aux, 1);
	/* Sources of one port only, ties in address order. */
	struct stats_entry src[40];
	assert_int_equal(stats_top(&s, STATS_SYN_RECV_SOURCE, 80, src, 40), 30);
	assert_int_equal(src[0].count, 10);
	char text[STATS_KEY_TEXT_MAX];
	stats_key_format(text, &src[0].key, false);
	assert_string_equal(text, "203.0.113.0");
	/* 30 sources .0-.29 spread over both halves of .0/27: that /27 is the one network. */
	struct stats_cover_item net[4];
	uint64_t covered;
	assert_int_equal(stats_syn_recv_cover(&s, 80, net, 4, &covered), 1);
	stats_key_format(text, &net[0].key, false);
	assert_string_equal(text, "203.0.113.0/27");
	assert_int_equal(net[0].count, 300);
	assert_int_equal(covered, 300);
	stats_free(&s);
}

static void time_wait_side_and_close_wait_ages(void **state)
{
	(void)state;
	struct stats s;
	stats_init(&s, NULL);
	for (int i = 0; i < 50; i++) {
		struct conn c =
		    fx_tcp("10.0.0.1", (unsigned)(40000 + i), "10.0.0.2", 5432, TCP_ST_TIME_WAIT);
		stats_add(&s, &c, NULL);
	}
	struct stats_entry tw[1];
	assert_int_equal(stats_top(&s, STATS_TIME_WAIT_REMOTE, -1, tw, 1), 1);
	assert_int_equal(tw[0].count, 50);
	assert_int_equal(tw[0].aux, 50); /* all from ephemeral local ports: client */
	char text[STATS_KEY_TEXT_MAX];
	stats_key_format(text, &tw[0].key, true);
	assert_string_equal(text, "10.0.0.2:5432");

	/* CLOSE_WAIT: tcp_info estimate, a tracked age that wins over it, unknown ages. */
	struct conn c = fx_tcp("2001:db8::1", 8080, "2001:db8::2", 50000, TCP_ST_CLOSE_WAIT);
	c.idle_ms = 120000;
	stats_add(&s, &c, NULL);
	struct stats_row_extra tracked = {.state_age_ms = 5000, .owner_pid = 42};
	stats_add(&s, &c, &tracked);
	c.idle_ms = CONN_UNKNOWN_U32;
	stats_add(&s, &c, NULL);
	struct stats_entry cw[1];
	assert_int_equal(stats_top(&s, STATS_CLOSE_WAIT_PORT, -1, cw, 1), 1);
	assert_int_equal(cw[0].key.port, 8080);
	assert_int_equal(cw[0].count, 3);
	assert_int_equal(cw[0].age_known, 2);
	assert_int_equal(cw[0].aux, 1); /* only the 120 s one is past 60 s */
	assert_int_equal(cw[0].max_age_ms, 120000);
	assert_int_equal(s.close_wait_hanging, 1);
	struct stats_key owner = {.id = 42};
	const struct stats_entry *o = stats_find(&s, STATS_CLOSE_WAIT_OWNER, &owner);
	assert_non_null(o);
	assert_int_equal(o->count, 1);
	stats_key_format(
	    text,
	    &(struct stats_key){.family = AF_INET6, .prefix = 64, .addr = {0x20, 0x01, 0x0d, 0xb8}},
	    false);
	assert_string_equal(text, "2001:db8::/64");
	stats_free(&s);
}

static void listeners_noted_without_counting(void **state)
{
	(void)state;
	struct stats s;
	stats_init(&s, NULL);
	struct conn l = fx_tcp("0.0.0.0", 80, "0.0.0.0", 0, TCP_ST_LISTEN);
	l.recv_q = 129;
	l.backlog = 128;
	stats_note_listener(&s, &l);
	assert_int_equal(s.total, 0);
	assert_true(stats_is_listen_port(&s, 80));
	assert_false(stats_is_listen_port(&s, 81));
	assert_int_equal(s.fullest_count, 1);
	assert_int_equal(s.fullest[0].queue, 129);
	assert_int_equal(s.tcp_listeners, 1);
	stats_add(&s, &l, NULL);
	assert_int_equal(s.total, 1);
	assert_int_equal(s.by_state[TCP_ST_LISTEN], 1);
	stats_free(&s);
}

static void many_keys_and_reset(void **state)
{
	(void)state;
	struct stats s;
	stats_init(&s, NULL);
	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; i < 70000; i++) {
			struct conn c = fx_tcp("10.0.0.1", 443, "10.0.0.1", 1, TCP_ST_ESTABLISHED);
			c.remote_addr[1] = (uint8_t)(i >> 16);
			c.remote_addr[2] = (uint8_t)(i >> 8);
			c.remote_addr[3] = (uint8_t)i;
			stats_add(&s, &c, NULL);
		}
		/* 70,000 remote addresses: the busiest STATS_REMOTE_KEYS_MAX are held, no more. */
		assert_int_equal(stats_distinct(&s, STATS_REMOTE_IP), STATS_REMOTE_KEYS_MAX);
		assert_true(s.tally[STATS_REMOTE_IP].evictions > 0);
		assert_int_equal(s.total, 70000);
		assert_false(s.out_of_memory);
		stats_reset(&s);
		assert_int_equal(s.total, 0);
		assert_int_equal(stats_distinct(&s, STATS_REMOTE_IP), 0);
		assert_int_equal(s.tally[STATS_REMOTE_IP].evictions, 0);
	}
	stats_free(&s);
}

/* The counts and the listed tallies of a and b are the same: every entry of each (up to 64) with
 * its key, count and aux. */
static void assert_same_stats(const struct stats *a, const struct stats *b,
                              const enum stats_tally_id *ids, size_t n_ids)
{
	assert_int_equal(a->total, b->total);
	assert_memory_equal(a->by_proto_state, b->by_proto_state, sizeof(a->by_proto_state));
	assert_memory_equal(a->by_state, b->by_state, sizeof(a->by_state));
	assert_memory_equal(a->by_proto, b->by_proto, sizeof(a->by_proto));
	for (size_t t = 0; t < n_ids; t++) {
		struct stats_entry want[64], got[64];
		size_t n = stats_top(b, ids[t], -1, want, 64);
		assert_int_equal(stats_top(a, ids[t], -1, got, 64), n);
		assert_true(n > 0);
		for (size_t i = 0; i < n; i++) {
			assert_memory_equal(&got[i].key, &want[i].key, sizeof(want[i].key));
			assert_int_equal(got[i].count, want[i].count);
			assert_int_equal(got[i].aux, want[i].aux);
		}
	}
}

/* What the BPF source counts in the kernel (stats_add_counts, _keyed, _remote) gives the same
 * counts and tallies as the rows it stands for: states per family, local ports, remote addresses
 * and their networks with the number of distinct addresses, IPv4-mapped peers as IPv4. */
static void counted_equals_rows(void **state)
{
	(void)state;
	struct conn rows[] = {
	    fx_tcp("10.0.0.1", 443, "192.0.2.7", 40000, TCP_ST_ESTABLISHED),
	    fx_tcp("10.0.0.1", 443, "192.0.2.7", 40001, TCP_ST_ESTABLISHED),
	    fx_tcp("10.0.0.1", 443, "192.0.2.8", 40002, TCP_ST_FIN_WAIT1),
	    fx_tcp("10.0.0.1", 80, "192.0.2.9", 40003, TCP_ST_LAST_ACK),
	    fx_tcp("2001:db8::1", 443, "2001:db8::7", 40004, TCP_ST_ESTABLISHED),
	    fx_tcp("::ffff:10.0.0.1", 8443, "::ffff:192.0.2.7", 40005, TCP_ST_CLOSING),
	};
	struct stats from_rows, from_counts;
	stats_init(&from_rows, NULL);
	stats_init(&from_counts, NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		stats_add(&from_rows, &rows[i], NULL);
	/* The same sockets as the BPF source hands them over: aggregated, in any order. */
	struct stats_counts c = {0};
	c.by_proto_state[STATS_TCP][TCP_ST_ESTABLISHED] = 2;
	c.by_proto_state[STATS_TCP][TCP_ST_FIN_WAIT1] = 1;
	c.by_proto_state[STATS_TCP][TCP_ST_LAST_ACK] = 1;
	c.by_proto_state[STATS_TCP6][TCP_ST_ESTABLISHED] = 1;
	c.by_proto_state[STATS_TCP6][TCP_ST_CLOSING] = 1;
	stats_add_counts(&from_counts, &c);
	const uint16_t ports[][2] = {{8443, 1}, {443, 4}, {80, 1}};
	for (size_t i = 0; i < 3; i++) {
		struct stats_key k = {.port = ports[i][0]};
		stats_add_keyed(&from_counts, STATS_LOCAL_PORT, &k, ports[i][1], 0);
	}
	const uint8_t a7[4] = {192, 0, 2, 7}, a8[4] = {192, 0, 2, 8}, a9[4] = {192, 0, 2, 9};
	const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 7};
	stats_add_remote(&from_counts, AF_INET6, v6, 1);
	stats_add_remote(&from_counts, AF_INET, a9, 1);
	stats_add_remote(&from_counts, AF_INET, a7, 3);
	stats_add_remote(&from_counts, AF_INET, a8, 1);

	/* the networks' aux: distinct addresses in each */
	const enum stats_tally_id ids[] = {STATS_REMOTE_IP, STATS_REMOTE_NET, STATS_LOCAL_PORT};
	assert_same_stats(&from_counts, &from_rows, ids, sizeof(ids) / sizeof(ids[0]));
	stats_free(&from_rows);
	stats_free(&from_counts);
}

/* TIME_WAIT and request sockets as the BPF source hands them over (per remote endpoint with the
 * client count, per local port of TIME_WAIT, per local port then per source of SYN_RECV, the
 * remote addresses and local ports of all) give the tallies their rows give: the endpoints with
 * their side, the SYN_RECV ports with their distinct sources, the per-source and per-prefix
 * counts the syn_flood evidence reads. */
static void counted_time_wait_and_syn_recv_equal_rows(void **state)
{
	(void)state;
	struct conn rows[] = {
	    fx_tcp("10.0.0.1", 40000, "192.0.2.7", 443, TCP_ST_TIME_WAIT),
	    fx_tcp("10.0.0.1", 40001, "192.0.2.7", 443, TCP_ST_TIME_WAIT),
	    fx_tcp("10.0.0.1", 80, "192.0.2.8", 50000, TCP_ST_TIME_WAIT),
	    fx_tcp("::ffff:10.0.0.1", 8443, "::ffff:192.0.2.9", 41000, TCP_ST_TIME_WAIT),
	    fx_tcp("10.0.0.1", 80, "198.51.100.1", 1000, TCP_ST_NEW_SYN_RECV),
	    fx_tcp("10.0.0.1", 80, "198.51.100.1", 1001, TCP_ST_NEW_SYN_RECV),
	    fx_tcp("10.0.0.1", 80, "198.51.100.2", 1002, TCP_ST_NEW_SYN_RECV),
	    fx_tcp("2001:db8::1", 443, "2001:db8::7", 1003, TCP_ST_NEW_SYN_RECV),
	};
	struct stats from_rows, from_counts;
	stats_init(&from_rows, NULL);
	stats_init(&from_counts, NULL);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		stats_add(&from_rows, &rows[i], NULL);

	struct stats_counts c = {0};
	c.by_proto_state[STATS_TCP][TCP_ST_TIME_WAIT] = 3;
	c.by_proto_state[STATS_TCP6][TCP_ST_TIME_WAIT] = 1;
	c.by_proto_state[STATS_TCP][TCP_ST_SYN_RECV] = 3;
	c.by_proto_state[STATS_TCP6][TCP_ST_SYN_RECV] = 1;
	stats_add_counts(&from_counts, &c);
	const uint16_t ports[][2] = {{40000, 1}, {40001, 1}, {80, 4}, {8443, 1}, {443, 1}};
	for (size_t i = 0; i < 5; i++) {
		struct stats_key k = {.port = ports[i][0]};
		stats_add_keyed(&from_counts, STATS_LOCAL_PORT, &k, ports[i][1], 0);
		if (i < 4) /* the first four are TIME_WAIT's local ports */
			stats_add_keyed(&from_counts, STATS_TIME_WAIT_LOCAL, &k,
			                ports[i][0] == 80 ? 1 : ports[i][1], 0);
	}
	const uint8_t a7[4] = {192, 0, 2, 7}, a8[4] = {192, 0, 2, 8}, a9[4] = {192, 0, 2, 9};
	const uint8_t s1[16] = {198, 51, 100, 1}, s2[16] = {198, 51, 100, 2};
	const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 7};
	struct stats_key ep = {.family = AF_INET, .port = 443};
	memcpy(ep.addr, a7, 4);
	stats_add_keyed(&from_counts, STATS_TIME_WAIT_REMOTE, &ep, 2, 2); /* both client */
	ep.port = 50000;
	memcpy(ep.addr, a8, 4);
	stats_add_keyed(&from_counts, STATS_TIME_WAIT_REMOTE, &ep, 1, 0);
	ep.port = 41000;
	memcpy(ep.addr, a9, 4);
	stats_add_keyed(&from_counts, STATS_TIME_WAIT_REMOTE, &ep, 1, 0);
	struct stats_key port80 = {.port = 80}, port443 = {.port = 443};
	stats_add_keyed(&from_counts, STATS_SYN_RECV_PORT, &port80, 2, 0);
	stats_add_keyed(&from_counts, STATS_SYN_RECV_PORT, &port443, 1, 0);
	stats_add_keyed(&from_counts, STATS_SYN_RECV_PORT, &port80, 1, 0);
	stats_add_syn_recv_source(&from_counts, 80, AF_INET, s1, 2);
	stats_add_syn_recv_source(&from_counts, 443, AF_INET6, v6, 1);
	stats_add_syn_recv_source(&from_counts, 80, AF_INET, s2, 1);
	stats_add_remote(&from_counts, AF_INET, a7, 2);
	stats_add_remote(&from_counts, AF_INET, a8, 1);
	stats_add_remote(&from_counts, AF_INET, a9, 1);
	stats_add_remote(&from_counts, AF_INET, s1, 2);
	stats_add_remote(&from_counts, AF_INET, s2, 1);
	stats_add_remote(&from_counts, AF_INET6, v6, 1);

	const enum stats_tally_id ids[] = {STATS_REMOTE_IP,        STATS_REMOTE_NET,
	                                   STATS_LOCAL_PORT,       STATS_TIME_WAIT_LOCAL,
	                                   STATS_TIME_WAIT_REMOTE, STATS_SYN_RECV_PORT,
	                                   STATS_SYN_RECV_SOURCE,  STATS_SYN_RECV_PREFIX};
	assert_same_stats(&from_counts, &from_rows, ids, sizeof(ids) / sizeof(ids[0]));
	stats_free(&from_rows);
	stats_free(&from_counts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(counts_per_state_and_protocol),
	    cmocka_unit_test(user_example_busiest_remote),
	    cmocka_unit_test(syn_recv_distinct_sources_per_port),
	    cmocka_unit_test(time_wait_side_and_close_wait_ages),
	    cmocka_unit_test(listeners_noted_without_counting),
	    cmocka_unit_test(many_keys_and_reset),
	    cmocka_unit_test(counted_equals_rows),
	    cmocka_unit_test(counted_time_wait_and_syn_recv_equal_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
