#include "summary.h"

#include "netns.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void summary_init(struct summary *sum, const struct diag_config *cfg, const struct kcounters *kc)
{
	memset(sum, 0, sizeof(*sum));
	sum->config = *cfg;
	if (kc && kc->valid) {
		sum->counters = *kc;
		sum->have_counters = true;
	} else {
		kcounters_init(&sum->counters);
	}
	struct stats_options opt;
	diagnose_stats_options(cfg, sum->have_counters ? &sum->counters : NULL, &opt);
	stats_init(&sum->stats, &opt);
	diag_report_init(&sum->report);
}

void summary_free(struct summary *sum)
{
	stats_free(&sum->stats);
	diag_report_free(&sum->report);
}

void summary_request(const struct filter *f, struct source_request *req)
{
	filter_to_request(f, req);
	if (f->tcp)
		req->tcp_states |= TCP_STATE_BIT(TCP_ST_LISTEN);
}

/* Counts the rows of snap that pass f and, when ns >= 0, belong to namespace ns. */
static void count_rows(struct summary *sum, const struct snapshot *snap, const struct filter *f,
                       int ns)
{
	for (size_t i = 0; i < snap->count; i++) {
		const struct conn *c = &snap->conns[i];
		if (ns >= 0 && c->netns != ns)
			continue;
		if (f && !filter_match(f, c)) {
			stats_note_listener(&sum->stats, c);
			continue;
		}
		struct stats_row_extra x = {.state_age_ms = STATS_AGE_UNKNOWN};
		if (sum->owners.pid_of)
			x.owner_pid = sum->owners.pid_of(sum->owners.ctx, c);
		stats_add(&sum->stats, c, &x);
	}
}

void summary_count(struct summary *sum, const struct snapshot *snap, const struct filter *f)
{
	sum->source_name = snap->source_name;
	sum->skipped += snap->skipped;
	count_rows(sum, snap, f, -1);
}

int summary_diagnose_netns(struct summary *sum, const struct snapshot *snap, const struct filter *f)
{
	if (!snap->netns)
		return 0;
	sum->diagnosed = true;
	diag_report_clear(&sum->report);
	for (size_t i = 0; i < snap->netns->count; i++) {
		const struct netns_entry *e = &snap->netns->items[i];
		struct summary one;
		bool ours = e->fd < 0;
		summary_init(&one, &sum->config,
		             ours && sum->have_counters ? &sum->counters : NULL);
		one.owners = sum->owners;
		count_rows(&one, snap, f, (int)i);
		int r = summary_diagnose(&one);
		for (size_t k = 0; r == 0 && k < one.report.count; k++) {
			struct warning *w = diag_report_add(&sum->report);
			if (!w) {
				r = -ENOMEM;
				break;
			}
			*w = one.report.items[k];
			snprintf(w->netns, sizeof(w->netns), "%s", e->label);
		}
		summary_free(&one);
		if (r < 0)
			return r;
	}
	return 0;
}

void summary_owner_names(void *ctx, uint32_t pid, char *unit, char *container)
{
	const struct summary *sum = ctx;
	const struct cgroup_owner *cg =
	    sum->owners.cgroup_of ? sum->owners.cgroup_of(sum->owners.ctx, pid) : NULL;
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

int summary_diagnose(struct summary *sum)
{
	if (sum->diagnosed)
		return 0;
	struct diag_input in = {
	    .stats = &sum->stats,
	    .counters = sum->have_counters ? &sum->counters : NULL,
	    .config = &sum->config,
	    .owner_names = summary_owner_names,
	    .owner_ctx = sum,
	};
	return diagnose_run(&in, &sum->report) < 0 ? -ENOMEM : 0;
}
