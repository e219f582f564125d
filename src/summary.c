#include "summary.h"

#include <errno.h>
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

void summary_count(struct summary *sum, const struct snapshot *snap, const struct filter *f)
{
	sum->source_name = snap->source_name;
	sum->skipped += snap->skipped;
	/* The source counted these under the request's states and families; it counts only when
	 * the filter asks nothing else (source_request.rows_optional). */
	stats_add_counted(&sum->stats, &snap->counted);
	for (size_t i = 0; i < snap->count; i++) {
		const struct conn *c = &snap->conns[i];
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

int summary_diagnose(struct summary *sum)
{
	struct diag_input in = {
	    .stats = &sum->stats,
	    .counters = sum->have_counters ? &sum->counters : NULL,
	    .config = &sum->config,
	};
	return diagnose_run(&in, &sum->report) < 0 ? -ENOMEM : 0;
}
