#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "diag_fixtures.h"
#include "diagnose.h"

#include <stdio.h>

/* A fixture: stats with the given options, counters, config; run the rules. */
struct fx {
	struct stats s;
	struct kcounters kc;
	struct diag_config cfg;
	struct diag_report r;
};

static void fx_init(struct fx *f)
{
	diag_config_default(&f->cfg);
	kcounters_init(&f->kc);
	f->kc.v[KC_SYSCTL_SYNCOOKIES] = 1;
	f->kc.v[KC_SYSCTL_MAX_TW_BUCKETS] = 262144;
	f->kc.v[KC_SYSCTL_PORT_LOW] = 32768;
	f->kc.v[KC_SYSCTL_PORT_HIGH] = 60999;
	f->kc.valid = true;
	struct stats_options opt;
	diagnose_stats_options(&f->cfg, &f->kc, &opt);
	stats_init(&f->s, &opt);
	diag_report_init(&f->r);
}

static void fx_free(struct fx *f)
{
	stats_free(&f->s);
	diag_report_free(&f->r);
}

static int fx_run(struct fx *f, const struct diag_sample *prev, double now)
{
	struct diag_input in = {
	    .stats = &f->s, .counters = &f->kc, .prev = prev, .now_s = now, .config = &f->cfg};
	return diagnose_run(&in, &f->r);
}

static void add_n(struct fx *f, int n, const char *local, unsigned lport, const char *remote_fmt,
                  unsigned rport, unsigned state, uint32_t idle_ms)
{
	char addr[64];
	for (int i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), remote_fmt, i % 200);
		/* Port 0 stands for "an ephemeral port, a different one per row". */
		struct conn c = fx_tcp(local, lport ? lport : (unsigned)(33000 + i), addr,
		                       rport ? rport : (unsigned)(33000 + i), state);
		c.idle_ms = idle_ms;
		stats_add(&f->s, &c, NULL);
	}
}

static const struct warning *find(const struct fx *f, const char *id)
{
	for (size_t i = 0; i < f->r.count; i++)
		if (!strcmp(f->r.items[i].id, id))
			return &f->r.items[i];
	return NULL;
}

static const struct diag_scalar *ev(const struct warning *w, const char *key)
{
	for (size_t i = 0; i < w->evidence_count; i++)
		if (!strcmp(w->evidence[i].key, key))
			return &w->evidence[i];
	fail_msg("evidence %s missing from %s", key, w->id);
	return NULL;
}

static const struct diag_list *list(const struct warning *w, const char *key)
{
	for (size_t i = 0; i < w->list_count; i++)
		if (!strcmp(w->lists[i].key, key))
			return &w->lists[i];
	fail_msg("list %s missing from %s", key, w->id);
	return NULL;
}

static void ordinary_moment_is_quiet(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct conn l = fx_tcp("0.0.0.0", 443, "0.0.0.0", 0, TCP_ST_LISTEN);
	l.backlog = 511;
	l.recv_q = 2;
	stats_add(&f.s, &l, NULL);
	add_n(&f, 40, "10.0.0.1", 443, "198.51.100.%d", 0, TCP_ST_ESTABLISHED, 300);
	add_n(&f, 6, "10.0.0.1", 443, "198.51.100.%d", 0, TCP_ST_TIME_WAIT, 0);
	add_n(&f, 5, "10.0.0.1", 0, "192.0.2.10", 443, TCP_ST_TIME_WAIT, 0);
	add_n(&f, 3, "10.0.0.1", 443, "203.0.113.%d", 0, TCP_ST_SYN_RECV, 0);
	add_n(&f, 2, "10.0.0.1", 443, "198.51.100.%d", 0, TCP_ST_CLOSE_WAIT, 20);
	add_n(&f, 2, "10.0.0.1", 0, "192.0.2.11", 443, TCP_ST_SYN_SENT, 0);
	add_n(&f, 4, "10.0.0.1", 443, "198.51.100.%d", 0, TCP_ST_FIN_WAIT2, 0);
	assert_int_equal(fx_run(&f, NULL, 0), 0);
	assert_int_equal(diag_report_worst(&f.r), DIAG_OK);
	fx_free(&f);
}

static void syn_flood_names_port_and_sources(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct conn l = fx_tcp("0.0.0.0", 80, "0.0.0.0", 0, TCP_ST_LISTEN);
	stats_note_listener(&f.s, &l);
	add_n(&f, 300, "10.0.0.1", 80, "203.0.113.%d", 0, TCP_ST_NEW_SYN_RECV, 0);
	add_n(&f, 99, "10.0.0.1", 22, "198.51.100.%d", 0, TCP_ST_SYN_RECV, 0); /* below */
	f.kc.v[KC_LISTEN_OVERFLOWS] = 7;
	assert_int_equal(fx_run(&f, NULL, 0), 1);
	const struct warning *w = find(&f, "syn_flood");
	assert_non_null(w);
	assert_int_equal(w->severity, DIAG_WARNING);
	assert_int_equal(w->port, 80);
	assert_int_equal(ev(w, "port")->v.u, 80);
	assert_int_equal(ev(w, "count")->v.u, 300);
	assert_int_equal(ev(w, "distinct_sources")->v.u, 200);
	assert_true(ev(w, "listening")->v.b);
	assert_true(ev(w, "syncookies_on")->v.b);
	assert_int_equal(ev(w, "listen_overflows")->v.u, 7);
	const struct diag_list *src = list(w, "top_sources");
	assert_int_equal(src->count, DIAG_LIST_ITEMS);
	assert_int_equal(src->items[0].count, 2);
	assert_non_null(strstr(src->items[0].address, "203.0.113."));
	assert_string_equal(list(w, "top_networks")->items[0].address, "203.0.113.0/24");
	assert_non_null(strstr(w->message, "80"));
	assert_non_null(w->remedy);

	/* Syncookies off: real clients are turned away, so it is critical. */
	f.kc.v[KC_SYSCTL_SYNCOOKIES] = 0;
	fx_run(&f, NULL, 0);
	assert_int_equal(find(&f, "syn_flood")->severity, DIAG_CRITICAL);
	fx_free(&f);
}

static void time_wait_client_and_port_exhaustion(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	add_n(&f, 2500, "10.0.0.1", 0, "10.0.0.2", 5432, TCP_ST_TIME_WAIT, 0);
	assert_int_equal(fx_run(&f, NULL, 0), 1);
	const struct warning *w = find(&f, "time_wait");
	assert_non_null(w);
	assert_int_equal(w->severity, DIAG_WARNING);
	assert_string_equal(ev(w, "side")->text, "client");
	assert_int_equal(ev(w, "destination_port")->v.u, 5432);
	assert_string_equal(ev(w, "destination")->text, "10.0.0.2:5432");
	assert_int_equal(ev(w, "ephemeral_ports_used_pct")->v.u, 2500 * 100 / 28232);
	fx_free(&f);

	/* A narrow port range: the same load uses most of it, connects will fail. */
	fx_init(&f);
	f.kc.v[KC_SYSCTL_PORT_HIGH] = 36767;
	stats_free(&f.s);
	struct stats_options opt;
	diagnose_stats_options(&f.cfg, &f.kc, &opt);
	stats_init(&f.s, &opt);
	add_n(&f, 2500, "10.0.0.1", 0, "10.0.0.2", 5432, TCP_ST_TIME_WAIT, 0);
	fx_run(&f, NULL, 0);
	assert_int_equal(find(&f, "time_wait")->severity, DIAG_CRITICAL);

	/* Rate between two samples: growth + those that finished (TcpExt TW). */
	struct diag_sample prev;
	struct stats empty;
	stats_init(&empty, NULL);
	struct kcounters before = f.kc;
	before.v[KC_TW] = 1000;
	diag_sample_take(&prev, &empty, &before, 100.0);
	f.kc.v[KC_TW] = 1500;
	fx_run(&f, &prev, 110.0);
	assert_true(ev(find(&f, "time_wait"), "new_per_s")->v.d == (2500.0 + 500.0) / 10.0);
	stats_free(&empty);
	fx_free(&f);
}

static void time_wait_server_side_by_total(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	f.cfg.time_wait_total = 1000;
	add_n(&f, 1200, "10.0.0.1", 80, "198.51.100.%d", 0, TCP_ST_TIME_WAIT, 0);
	assert_int_equal(fx_run(&f, NULL, 0), 1);
	const struct warning *w = find(&f, "time_wait");
	assert_string_equal(ev(w, "side")->text, "server");
	assert_int_equal(list(w, "top_local_ports")->items[0].port, 80);
	fx_free(&f);
}

static void close_wait_by_age(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	add_n(&f, 100, "10.0.0.1", 8080, "198.51.100.%d", 0, TCP_ST_CLOSE_WAIT, 10 * 1000);
	assert_int_equal(fx_run(&f, NULL, 0), 0); /* young: a program may still close them */
	add_n(&f, 100, "10.0.0.1", 8080, "198.51.100.%d", 0, TCP_ST_CLOSE_WAIT, 90 * 1000);
	assert_int_equal(fx_run(&f, NULL, 0), 1);
	const struct warning *w = find(&f, "close_wait");
	assert_int_equal(w->port, 8080);
	assert_int_equal(ev(w, "count")->v.u, 200);
	assert_int_equal(ev(w, "hanging")->v.u, 100);
	assert_int_equal(ev(w, "oldest_s")->v.u, 90);

	/* Growth since the previous sample makes it critical. */
	struct diag_sample prev;
	struct stats before;
	stats_init(&before, NULL);
	struct conn c = fx_tcp("10.0.0.1", 8080, "198.51.100.1", 1, TCP_ST_CLOSE_WAIT);
	for (int i = 0; i < 150; i++)
		stats_add(&before, &c, NULL);
	diag_sample_take(&prev, &before, &f.kc, 0.0);
	fx_run(&f, &prev, 30.0);
	w = find(&f, "close_wait");
	assert_int_equal(w->severity, DIAG_CRITICAL);
	assert_true(ev(w, "growth")->v.d == 50.0);
	assert_true(ev(w, "growth_per_min")->v.d == 100.0);
	stats_free(&before);
	fx_free(&f);
}

static void close_wait_without_ages(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	add_n(&f, 150, "10.0.0.1", 9000, "198.51.100.%d", 0, TCP_ST_CLOSE_WAIT, CONN_UNKNOWN_U32);
	assert_int_equal(fx_run(&f, NULL, 0), 0);
	add_n(&f, 100, "10.0.0.1", 9000, "198.51.100.%d", 0, TCP_ST_CLOSE_WAIT, CONN_UNKNOWN_U32);
	assert_int_equal(fx_run(&f, NULL, 0), 1);
	assert_int_equal(find(&f, "close_wait")->port, 9000);
	fx_free(&f);
}

static void listen_queue_and_overflow_rate(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct conn l = fx_tcp("0.0.0.0", 8000, "0.0.0.0", 0, TCP_ST_LISTEN);
	l.backlog = 128;
	l.recv_q = 129;
	stats_note_listener(&f.s, &l);
	assert_int_equal(fx_run(&f, NULL, 0), 1);
	const struct warning *w = find(&f, "listen_overflow");
	assert_int_equal(w->severity, DIAG_CRITICAL);
	assert_int_equal(ev(w, "queue")->v.u, 129);
	assert_int_equal(ev(w, "backlog")->v.u, 128);
	fx_free(&f);

	/* queue == backlog is not an overflow yet: the kernel drops only when queue > backlog */
	fx_init(&f);
	l.recv_q = 128;
	stats_note_listener(&f.s, &l);
	assert_int_equal(fx_run(&f, NULL, 0), 1);
	assert_int_equal(find(&f, "listen_overflow")->severity, DIAG_WARNING);
	fx_free(&f);

	/* An empty queue now, but the kernel counted overflows since the last sample. */
	fx_init(&f);
	struct diag_sample prev;
	struct kcounters before = f.kc;
	before.v[KC_LISTEN_OVERFLOWS] = 100;
	diag_sample_take(&prev, &f.s, &before, 10.0);
	f.kc.v[KC_LISTEN_OVERFLOWS] = 150;
	assert_int_equal(fx_run(&f, &prev, 15.0), 1);
	assert_true(ev(find(&f, "listen_overflow"), "listen_overflows_per_s")->v.d == 10.0);
	fx_free(&f);
}

static void queues_fin_wait2_orphans_syn_sent(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	for (int i = 0; i < 3; i++) {
		struct conn c =
		    fx_tcp("10.0.0.1", 5000, "10.0.0.9", (unsigned)(40000 + i), TCP_ST_ESTABLISHED);
		c.recv_q = 2u << 20;
		c.send_q = (unsigned)(5 + i) << 20;
		stats_add(&f.s, &c, NULL);
	}
	add_n(&f, 1000, "10.0.0.1", 443, "198.51.100.%d", 0, TCP_ST_FIN_WAIT2, 0);
	add_n(&f, 60, "10.0.0.1", 0, "192.0.2.50", 3306, TCP_ST_SYN_SENT, 0);
	f.kc.v[KC_SOCK_ORPHAN] = 70000;
	f.kc.v[KC_SYSCTL_MAX_ORPHANS] = 131072;
	assert_int_equal(fx_run(&f, NULL, 0), 5);
	const struct warning *w = find(&f, "send_q");
	assert_int_equal(list(w, "connections")->items[0].count, 7u << 20);
	assert_int_equal(list(w, "connections")->items[0].extra[0], 5000);
	assert_non_null(find(&f, "recv_q"));
	assert_int_equal(ev(find(&f, "fin_wait2"), "count")->v.u, 1000);
	assert_int_equal(ev(find(&f, "orphans"), "used_pct")->v.u, 53);
	w = find(&f, "syn_sent");
	assert_int_equal(ev(w, "destination_port")->v.u, 3306);
	fx_free(&f);
}

static void rule_table_is_complete(void **state)
{
	(void)state;
	static const char *const expected[] = {"syn_flood",       "time_wait", "close_wait",
	                                       "listen_overflow", "recv_q",    "send_q",
	                                       "fin_wait2",       "orphans",   "syn_sent"};
	assert_int_equal(diag_rule_count, sizeof(expected) / sizeof(expected[0]));
	for (size_t i = 0; i < diag_rule_count; i++) {
		const struct diag_rule *r = diag_rule_find(expected[i]);
		assert_non_null(r);
		assert_non_null(r->title);
		assert_non_null(r->remedy);
		assert_non_null(r->check);
	}
	assert_null(diag_rule_find("bogus"));
	assert_string_equal(diag_severity_name(DIAG_CRITICAL), "critical");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ordinary_moment_is_quiet),
	    cmocka_unit_test(syn_flood_names_port_and_sources),
	    cmocka_unit_test(time_wait_client_and_port_exhaustion),
	    cmocka_unit_test(time_wait_server_side_by_total),
	    cmocka_unit_test(close_wait_by_age),
	    cmocka_unit_test(close_wait_without_ages),
	    cmocka_unit_test(listen_queue_and_overflow_rate),
	    cmocka_unit_test(queues_fin_wait2_orphans_syn_sent),
	    cmocka_unit_test(rule_table_is_complete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
