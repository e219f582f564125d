/* The counting stage: rows streamed through a snapshot sink, rows kept, and ready counts (the
 * entry point of a counting source such as a BPF iterator) give the same stats and warnings,
 * and streaming keeps at most one batch of rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "diag_fixtures.h"
#include "tally.h"

#include <stdio.h>
#include <string.h>

/* Row i of a deterministic table of n rows: ESTABLISHED, TIME_WAIT, CLOSE_WAIT, SYN_RECV from
 * many sources, a few listeners (one with a full accept queue on port 9000) and UDP. */
static struct conn row(size_t i)
{
	char remote[32];
	snprintf(remote, sizeof(remote), "10.%zu.%zu.%zu", (i >> 16) & 255, (i >> 8) & 255,
	         i & 255);
	unsigned lport = 1000 + (unsigned)(i % 7);
	switch (i % 11) {
	case 0:
		return fx_tcp("10.0.0.1", 443, remote, 40000 + (unsigned)(i % 2000),
		              TCP_ST_NEW_SYN_RECV);
	case 1:
		return fx_tcp("10.0.0.1", 45000 + (unsigned)(i % 9000), "10.1.1.1", 80,
		              TCP_ST_TIME_WAIT);
	case 2: {
		struct conn c = fx_tcp("10.0.0.1", 8080, remote, 50000, TCP_ST_CLOSE_WAIT);
		c.idle_ms = (uint32_t)(i * 37 % 200000);
		return c;
	}
	case 3:
		if (i % 1000 == 3) {
			struct conn c = fx_tcp("0.0.0.0", 9000 + (unsigned)(i / 1000 % 3),
			                       "0.0.0.0", 0, TCP_ST_LISTEN);
			c.recv_q = 129;
			c.backlog = 128;
			return c;
		}
		return fx_conn(CONN_UDP, "10.0.0.1", 53, remote, 5353, TCP_ST_ESTABLISHED);
	default:
		return fx_tcp("10.0.0.1", lport, remote, 33000, TCP_ST_ESTABLISHED);
	}
}

static struct diag_config low_thresholds(void)
{
	struct diag_config cfg;
	diag_config_default(&cfg);
	cfg.syn_recv_warning = 10;
	cfg.time_wait_remote = 10;
	cfg.close_wait_count = 10;
	return cfg;
}

static void assert_same_tally(const struct tally *a, const struct tally *b)
{
	assert_int_equal(a->stats.total, b->stats.total);
	assert_memory_equal(a->stats.by_proto_state, b->stats.by_proto_state,
	                    sizeof(a->stats.by_proto_state));
	assert_int_equal(a->stats.tcp_listeners, b->stats.tcp_listeners);
	assert_int_equal(a->stats.fullest_count, b->stats.fullest_count);
	assert_int_equal(a->stats.close_wait_hanging, b->stats.close_wait_hanging);
	for (int id = 0; id < STATS_TALLY_COUNT; id++) {
		struct stats_entry ta[10], tb[10];
		size_t na = stats_top(&a->stats, (enum stats_tally_id)id, -1, ta, 10);
		size_t nb = stats_top(&b->stats, (enum stats_tally_id)id, -1, tb, 10);
		assert_int_equal(na, nb);
		assert_memory_equal(ta, tb, na * sizeof(ta[0]));
	}
	assert_int_equal(a->report.count, b->report.count);
	for (size_t i = 0; i < a->report.count; i++)
		assert_string_equal(a->report.items[i].message, b->report.items[i].message);
}

/* A sink that checks the batches and counts through the tally. */
struct batch_probe {
	struct tally *t;
	size_t batches, largest;
};

static void probe_rows(void *ctx, const struct conn *rows, size_t n)
{
	struct batch_probe *p = ctx;
	p->batches++;
	if (n > p->largest)
		p->largest = n;
	const struct snapshot_sink *inner = tally_sink(p->t);
	inner->rows(inner->ctx, rows, n);
}

static void streamed_rows_count_as_kept_rows(void **state)
{
	(void)state;
	const size_t n = 3 * SNAPSHOT_BATCH + 123;
	struct diag_config cfg = low_thresholds();
	struct filter f;
	filter_init(&f);
	filter_finish(&f); /* netstat -ntu: listeners hidden but noted for the rules */

	struct tally kept, streamed;
	tally_init(&kept, &cfg, NULL);
	tally_init(&streamed, &cfg, NULL);
	kept.filter = streamed.filter = &f;

	struct snapshot all, stream;
	snapshot_init(&all);
	snapshot_init(&stream);
	struct batch_probe probe = {.t = &streamed};
	struct snapshot_sink sink = {.rows = probe_rows, .ctx = &probe};
	snapshot_set_sink(&stream, &sink);
	for (size_t i = 0; i < n; i++) {
		struct conn c = row(i);
		assert_int_equal(snapshot_add_conn(&all, &c), 0);
		assert_int_equal(snapshot_add_conn(&stream, &c), 0);
		assert_true(stream.count <= SNAPSHOT_BATCH);
	}
	snapshot_flush(&stream);
	/* Memory of a streamed snapshot: one batch, whatever the number of rows. */
	assert_true(stream.capacity < 2 * SNAPSHOT_BATCH);
	assert_int_equal(stream.count, 0);
	assert_int_equal(snapshot_rows_seen(&stream), n);
	assert_int_equal(probe.batches, 4);
	assert_int_equal(probe.largest, SNAPSHOT_BATCH);

	tally_rows(&kept, &all, NULL, 0);
	assert_int_equal(tally_diagnose(&kept, NULL, 0), 0);
	assert_int_equal(tally_diagnose(&streamed, NULL, 0), 0);
	assert_true(kept.stats.tcp_listeners > 0);
	assert_int_equal(kept.stats.by_state[TCP_ST_LISTEN], 0); /* noted, not counted */
	assert_true(kept.report.count >= 3);                     /* syn_flood, time_wait, ... */
	assert_same_tally(&kept, &streamed);

	snapshot_free(&all);
	snapshot_free(&stream);
	tally_free(&kept);
	tally_free(&streamed);
}

static void hidden_listeners_are_left_out_when_asked(void **state)
{
	(void)state;
	struct diag_config cfg;
	diag_config_default(&cfg);
	struct filter f;
	filter_init(&f);
	struct cw_error err = {0};
	assert_int_equal(filter_add_port(&f, "22", &err), 0);
	filter_finish(&f);
	struct tally t;
	tally_init(&t, &cfg, NULL);
	t.filter = &f;
	struct conn l = fx_tcp("0.0.0.0", 80, "0.0.0.0", 0, TCP_ST_LISTEN);
	struct conn e = fx_tcp("10.0.0.1", 22, "10.0.0.2", 40000, TCP_ST_ESTABLISHED);
	tally_row(&t, &l, STATS_AGE_UNKNOWN);
	tally_row(&t, &e, STATS_AGE_UNKNOWN);
	assert_int_equal(t.stats.total, 1);
	assert_int_equal(t.stats.tcp_listeners, 1); /* noted (summary, live view) */
	tally_reset(&t);
	t.note_hidden_listeners = false; /* check, serve */
	tally_row(&t, &l, STATS_AGE_UNKNOWN);
	assert_int_equal(t.stats.tcp_listeners, 0);
	assert_int_equal(t.stats.total, 0);
	tally_free(&t);
}

/* A source that counts in the kernel hands over counts per state and the per-port tallies; the
 * syn_flood warning must read exactly as from the rows. */
static void ready_counts_diagnose_as_rows(void **state)
{
	(void)state;
	struct diag_config cfg = low_thresholds();
	struct tally rows, counts;
	tally_init(&rows, &cfg, NULL);
	tally_init(&counts, &cfg, NULL);

	struct conn l = fx_tcp("0.0.0.0", 8080, "0.0.0.0", 0, TCP_ST_LISTEN);
	tally_row(&rows, &l, STATS_AGE_UNKNOWN);
	for (unsigned i = 0; i < 300; i++) {
		char src[32];
		snprintf(src, sizeof(src), "127.0.1.%u", i % 30);
		struct conn c = fx_tcp("127.0.0.1", 8080, src, 20000 + i, TCP_ST_SYN_RECV);
		tally_row(&rows, &c, STATS_AGE_UNKNOWN);
	}

	/* The counting source: no filter, so the sink offers its stats. */
	struct stats *into = tally_sink(&counts)->counts;
	assert_non_null(into);
	struct stats_counts sc = {0};
	sc.by_proto_state[STATS_TCP][TCP_ST_SYN_RECV] = 300;
	sc.by_proto_state[STATS_TCP][TCP_ST_LISTEN] = 1;
	stats_add_counts(into, &sc);
	struct stats_listener li = {.family = AF_INET, .port = 8080};
	stats_add_listener(into, &li, false);
	struct stats_key pk = {.port = 8080};
	stats_add_keyed(into, STATS_SYN_RECV_PORT, &pk, 300, 0);
	for (unsigned i = 0; i < 30; i++) {
		const uint8_t src[16] = {127, 0, 1, (uint8_t)i};
		stats_add_syn_recv_source(into, 8080, AF_INET, src, 10);
	}

	assert_int_equal(tally_diagnose(&rows, NULL, 0), 0);
	assert_int_equal(tally_diagnose(&counts, NULL, 0), 0);
	assert_int_equal(rows.report.count, 1);
	assert_int_equal(counts.report.count, 1);
	assert_string_equal(rows.report.items[0].id, "syn_flood");
	assert_string_equal(rows.report.items[0].message, counts.report.items[0].message);
	assert_int_equal(rows.report.items[0].lists[1].count, 1); /* 127.0.1.0/27 */
	assert_memory_equal(&rows.report.items[0].lists[1], &counts.report.items[0].lists[1],
	                    sizeof(struct diag_list));
	assert_memory_equal(rows.stats.by_proto_state, counts.stats.by_proto_state,
	                    sizeof(rows.stats.by_proto_state));
	tally_free(&rows);
	tally_free(&counts);
}

static uint32_t fake_pid_of(void *ctx, const struct conn *c)
{
	(void)ctx;
	(void)c;
	return 1;
}

static void counts_sink_is_withheld_when_rows_are_filtered(void **state)
{
	(void)state;
	struct diag_config cfg;
	diag_config_default(&cfg);
	struct filter f;
	filter_init(&f);
	filter_finish(&f);
	struct tally t;
	tally_init(&t, &cfg, NULL);
	assert_non_null(tally_sink(&t)->counts);
	/* States, families and protocols go to the source's request: counts still fit. */
	t.filter = &f;
	assert_non_null(tally_sink(&t)->counts);
	/* A port (or address) is decided row by row: no counts. */
	struct cw_error err;
	assert_int_equal(filter_add_port(&f, "443", &err), 0);
	assert_null(tally_sink(&t)->counts);
	/* Listeners only: counted sockets are never listeners. */
	filter_init(&f);
	f.listening = FILTER_LISTENING;
	filter_finish(&f);
	assert_null(tally_sink(&t)->counts);
	/* An owner lookup needs rows. */
	filter_init(&f);
	filter_finish(&f);
	assert_non_null(tally_sink(&t)->counts);
	t.owners.pid_of = fake_pid_of;
	assert_null(tally_sink(&t)->counts);
	tally_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(streamed_rows_count_as_kept_rows),
	    cmocka_unit_test(hidden_listeners_are_left_out_when_asked),
	    cmocka_unit_test(ready_counts_diagnose_as_rows),
	    cmocka_unit_test(counts_sink_is_withheld_when_rows_are_filtered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
