#include "tally.h"

#include "netns.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
	for (size_t i = 0; i < t->per_netns_count; i++)
		tally_free(&t->per_netns[i]);
	free(t->per_netns);
	t->per_netns = NULL;
	t->per_netns_count = 0;
	stats_free(&t->stats);
	diag_report_free(&t->report);
}

void tally_reset(struct tally *t)
{
	for (size_t i = 0; i < t->per_netns_count; i++)
		tally_reset(&t->per_netns[i]);
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
	if (f->tcp) {
		/* Every listener is noted, matching or not: they bypass the kernel's filter. */
		req->tcp_states |= TCP_STATE_BIT(TCP_ST_LISTEN);
		req->bytecode_exempt = TCP_STATE_BIT(TCP_ST_LISTEN);
	}
}

/* The tally of namespace index ns, made on first use with t's thresholds, filter and owners
 * (no kernel counters yet: tally_diagnose gives ours to our own namespace). NULL when out of
 * memory (the namespace's counts are then missing: stats.out_of_memory says so). */
static struct tally *netns_tally(struct tally *t, uint16_t ns)
{
	if (ns >= t->per_netns_count) {
		struct tally *more = realloc(t->per_netns, ((size_t)ns + 1) * sizeof(*more));
		if (!more) {
			t->stats.out_of_memory = true;
			return NULL;
		}
		for (size_t i = t->per_netns_count; i <= ns; i++) {
			tally_init(&more[i], &t->config, NULL);
			more[i].stats.opt = t->stats.opt;
			more[i].filter = t->filter;
			more[i].note_hidden_listeners = t->note_hidden_listeners;
			more[i].owners = t->owners;
		}
		t->per_netns = more;
		t->per_netns_count = (size_t)ns + 1;
	}
	return &t->per_netns[ns];
}

void tally_row(struct tally *t, const struct conn *c, uint32_t state_age_ms)
{
	if (t->split_netns) {
		struct tally *one = netns_tally(t, c->netns);
		if (one) {
			one->owners = t->owners; /* the hook may be set after the split */
			tally_row(one, c, state_age_ms);
		}
	}
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
	t->netns = snap->netns;
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
	    /* Pre-counted sockets cannot pass a per-row filter, an owner lookup or a split by
	     * namespace; a filter that only decides what the source's request already decides
	     * (states, families, protocols) lets them through. */
	    .counts = (t->filter && !filter_is_request_only(t->filter)) || t->owners.pid_of ||
	                      t->split_netns
	                  ? NULL
	                  : &t->stats,
	};
	return &t->sink;
}

void tally_owner_names(void *ctx, uint32_t pid, char *unit, char *container)
{
	const struct tally *t = ctx;
	const struct cgroup_owner *cg =
	    t->owners.cgroup_of ? t->owners.cgroup_of(t->owners.ctx, pid) : NULL;
	unit[0] = container[0] = '\0';
	if (!cg)
		return;
	if (cg->id[0])
		cgroup_owner_label(cg, container, DIAG_TEXT_MAX);
	/* A container's own scope ("docker-ID.scope") says nothing the container does not. */
	if (!cg->id[0] || !strstr(cg->unit, cg->id)) {
		size_t n = strnlen(cg->unit, DIAG_TEXT_MAX - 1);
		memcpy(unit, cg->unit, n);
		unit[n] = '\0';
	}
}

/* The warnings of each namespace over its own rows, each naming its namespace. Kernel counters
 * are our namespace's: only its run gets them (and the previous sample's rates). */
static int diagnose_per_netns(struct tally *t, const struct diag_sample *prev, double now_s)
{
	diag_report_clear(&t->report);
	for (size_t i = 0; i < t->per_netns_count; i++) {
		struct tally *one = &t->per_netns[i];
		bool ours = t->netns && i < t->netns->count && t->netns->items[i].fd < 0;
		one->counters = t->counters;
		one->have_counters = ours && t->have_counters;
		int r = tally_diagnose(one, ours ? prev : NULL, now_s);
		for (size_t k = 0; r == 0 && k < one->report.count; k++) {
			struct warning *w = diag_report_add(&t->report);
			if (!w)
				return -ENOMEM;
			*w = one->report.items[k];
			snprintf(w->netns, sizeof(w->netns), "%s",
			         netns_label(t->netns, (unsigned)i));
		}
		if (r < 0)
			return r;
	}
	return 0;
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
		if (t->split_netns) { /* each namespace's rules see their own ages */
			struct tally *one = netns_tally(t, c->netns);
			if (one)
				add_ages(one, c, 1);
		}
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
	    .owner_names = tally_owner_names,
	    .owner_ctx = t,
	};
	t->time_wait_rate = diagnose_time_wait_rate(&in);
	if (t->split_netns)
		return diagnose_per_netns(t, prev, now_s);
	return diagnose_run(&in, &t->report) < 0 ? -ENOMEM : 0;
}

int tally_owner_groups(const struct tally *t, enum owner_group_kind kind, size_t top,
                       struct owner_groups *out)
{
	memset(out, 0, sizeof(*out));
	size_t n = stats_distinct(&t->stats, STATS_OWNER);
	if (!n || !t->owners.cgroup_of)
		return 0;
	struct stats_entry *pids = malloc(n * sizeof(*pids));
	if (!pids)
		return -ENOMEM;
	n = stats_top(&t->stats, STATS_OWNER, -1, pids, n);
	int r = owner_groups_build(out, kind, pids, n, t->owners.cgroup_of, t->owners.ctx, top);
	free(pids);
	return r;
}

uint32_t tally_state_age(const struct conn *c, const struct track_mark *m, uint64_t now_ms)
{
	/* The tracker seeded the time in state from the kernel where it knew (track.c); a row
	 * there from the first refresh that the kernel could not date has no age yet. The row
	 * itself is not read again: its kernel age was taken when it entered the state. */
	(void)c;
	uint64_t age = now_ms > m->state_since_ms ? now_ms - m->state_since_ms : 0;
	if (age > UINT32_MAX - 1)
		age = UINT32_MAX - 1;
	if ((m->flags & TRACK_BASELINE) && !(m->flags & (TRACK_CHANGED | TRACK_KERNEL_AGE)) &&
	    age == 0)
		return STATS_AGE_UNKNOWN;
	return (uint32_t)age;
}
