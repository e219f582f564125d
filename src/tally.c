#include "tally.h"

#include <errno.h>
#include <string.h>

static void count_batch(void *ctx, const struct conn *rows, size_t n)
{
	struct tally *t = ctx;
	for (size_t i = 0; i < n; i++)
		tally_row(t, &rows[i], STATS_AGE_UNKNOWN);
}

void tally_init(struct tally *t, const struct diag_config *cfg, const struct kcounters *kc)
{
	memset(t, 0, sizeof(*t));
	t->config = *cfg;
	if (kc && kc->valid) {
		t->counters = *kc;
		t->have_counters = true;
	} else {
		kcounters_init(&t->counters);
	}
	struct stats_options opt;
	diagnose_stats_options(cfg, t->have_counters ? &t->counters : NULL, &opt);
	stats_init(&t->stats, &opt);
	diag_report_init(&t->report);
	t->note_hidden_listeners = true;
	t->time_wait_rate = -1;
}

void tally_free(struct tally *t)
{
	stats_free(&t->stats);
	diag_report_free(&t->report);
}

void tally_reset(struct tally *t)
{
	stats_reset(&t->stats);
	diag_report_clear(&t->report);
	t->skipped = 0;
	t->time_wait_rate = -1;
}

int tally_read_counters(struct tally *t, const char *proc_root, struct cw_error *err)
{
	struct kcounters kc;
	kcounters_init(&kc);
	int r = kcounters_read(&kc, proc_root, err);
	if (r < 0)
		kcounters_init(&kc);
	t->counters = kc;
	t->have_counters = kc.valid;
	/* The port range sysctl decides what counts as an ephemeral port. */
	diagnose_stats_options(&t->config, t->have_counters ? &t->counters : NULL, &t->stats.opt);
	return r;
}

void tally_request(const struct filter *f, struct source_request *req)
{
	filter_to_request(f, req);
	if (f->tcp)
		req->tcp_states |= TCP_STATE_BIT(TCP_ST_LISTEN);
}

void tally_row(struct tally *t, const struct conn *c, uint32_t state_age_ms)
{
	if (t->filter && !filter_match(t->filter, c)) {
		if (t->note_hidden_listeners)
			stats_note_listener(&t->stats, c);
		return;
	}
	struct stats_row_extra x = {.state_age_ms = state_age_ms};
	if (t->owners.pid_of)
		x.owner_pid = t->owners.pid_of(t->owners.ctx, c);
	stats_add(&t->stats, c, &x);
}

void tally_note_source(struct tally *t, const struct snapshot *snap)
{
	t->source_name = snap->source_name;
	t->skipped += snap->skipped;
}

void tally_rows(struct tally *t, const struct snapshot *snap, const struct track_mark *marks,
                uint64_t now_ms)
{
	tally_note_source(t, snap);
	for (size_t i = 0; i < snap->count; i++) {
		const struct conn *c = &snap->conns[i];
		tally_row(t, c, marks ? tally_state_age(c, &marks[i], now_ms) : STATS_AGE_UNKNOWN);
	}
}

const struct snapshot_sink *tally_sink(struct tally *t)
{
	t->sink = (struct snapshot_sink){
	    .rows = count_batch,
	    .ctx = t,
	    /* Pre-counted sockets cannot pass a per-row filter or an owner lookup; a filter that
	     * only decides what the source's request already decides (states, families,
	     * protocols) lets them through. */
	    .counts = (t->filter && !filter_is_request_only(t->filter)) || t->owners.pid_of
	                  ? NULL
	                  : &t->stats,
	};
	return &t->sink;
}

bool tally_needs_close_wait_ages(const struct tally *t)
{
	if (!t->stats.by_state[TCP_ST_CLOSE_WAIT])
		return false;
	if (t->always_close_wait_ages)
		return true;
	uint64_t need = t->config.close_wait_count;
	if (!need || (t->config.close_wait_unaged && t->config.close_wait_unaged < need))
		need = t->config.close_wait_unaged;
	struct stats_entry top;
	return need && stats_top(&t->stats, STATS_CLOSE_WAIT_PORT, -1, &top, 1) == 1 &&
	       top.count >= need;
}

static void add_ages(void *ctx, const struct conn *rows, size_t n)
{
	struct tally *t = ctx;
	for (size_t i = 0; i < n; i++) {
		const struct conn *c = &rows[i];
		if (c->proto != CONN_TCP || c->state != TCP_ST_CLOSE_WAIT ||
		    c->idle_ms == CONN_UNKNOWN_U32 || (t->filter && !filter_match(t->filter, c)))
			continue;
		uint32_t owner = t->owners.pid_of ? t->owners.pid_of(t->owners.ctx, c) : 0;
		stats_add_close_wait_age(&t->stats, c->local_port, c->idle_ms, owner);
	}
}

const struct snapshot_sink *tally_age_sink(struct tally *t)
{
	t->age_sink = (struct snapshot_sink){.rows = add_ages, .ctx = t};
	return &t->age_sink;
}

int tally_diagnose(struct tally *t, const struct diag_sample *prev, double now_s)
{
	if (t->stats.out_of_memory)
		return -ENOMEM;
	struct diag_input in = {
	    .stats = &t->stats,
	    .counters = t->have_counters ? &t->counters : NULL,
	    .prev = prev,
	    .now_s = now_s,
	    .config = &t->config,
	};
	t->time_wait_rate = diagnose_time_wait_rate(&in);
	return diagnose_run(&in, &t->report) < 0 ? -ENOMEM : 0;
}

uint32_t tally_state_age(const struct conn *c, const struct track_mark *m, uint64_t now_ms)
{
	uint64_t age = now_ms > m->state_since_ms ? now_ms - m->state_since_ms : 0;
	if (age > UINT32_MAX - 1)
		age = UINT32_MAX - 1;
	if ((m->flags & TRACK_BASELINE) && !(m->flags & TRACK_CHANGED)) {
		if (c->idle_ms != CONN_UNKNOWN_U32 && c->idle_ms > age)
			return c->idle_ms;
		if (age == 0)
			return STATS_AGE_UNKNOWN;
	}
	return (uint32_t)age;
}
