#include "analysis.h"

#include "i18n.h"

#include <errno.h>
#include <string.h>

int analysis_run(struct analysis *a, const struct snapshot *snap, const char *proc_root,
		 const struct diag_config *cfg, const struct diag_sample *prev, double now_s,
		 struct cw_error *err)
{
	memset(a, 0, sizeof(*a));
	kcounters_init(&a->counters);
	diag_report_init(&a->report);
	int r = kcounters_read(&a->counters, proc_root, err);
	struct stats_options opt;
	diagnose_stats_options(cfg, &a->counters, &opt);
	stats_init(&a->stats, &opt);
	if (r < 0)
		return r;
	stats_add_snapshot(&a->stats, snap);
	if (a->stats.out_of_memory)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory while counting sockets"));
	struct diag_input in = {
		.stats = &a->stats,
		.counters = a->counters.valid ? &a->counters : NULL,
		.prev = prev,
		.now_s = now_s,
		.config = cfg,
	};
	a->time_wait_rate = diagnose_time_wait_rate(&in);
	r = diagnose_run(&in, &a->report);
	if (r < 0)
		return cw_error_set(err, r, "%s", _("out of memory while diagnosing"));
	return 0;
}

void analysis_free(struct analysis *a)
{
	stats_free(&a->stats);
	diag_report_free(&a->report);
}
