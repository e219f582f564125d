#include "analysis.h"

#include "i18n.h"

#include <errno.h>
#include <string.h>

int analysis_run(struct analysis *a, const struct snapshot *snap,
                 const struct analysis_counters *from, const struct diag_config *cfg,
                 const struct diag_sample *prev, double now_s, struct cw_error *err)
{
	struct kcounters kc;
	kcounters_init(&kc);
	struct cw_error ignored;
	if (from->read && kcounters_read(&kc, from->proc_root, &ignored) < 0)
		kcounters_init(&kc);
	summary_init(&a->sum, cfg, &kc);
	a->time_wait_rate = -1;
	summary_count(&a->sum, snap, NULL);
	if (a->sum.stats.out_of_memory)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory while counting sockets"));
	struct diag_input in = {
	    .stats = &a->sum.stats,
	    .counters = a->sum.have_counters ? &a->sum.counters : NULL,
	    .prev = prev,
	    .now_s = now_s,
	    .config = &a->sum.config,
	    .owner_names = summary_owner_names,
	    .owner_ctx = &a->sum,
	};
	a->time_wait_rate = diagnose_time_wait_rate(&in);
	if (diagnose_run(&in, &a->sum.report) < 0)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory while diagnosing"));
	return 0;
}

void analysis_free(struct analysis *a)
{
	summary_free(&a->sum);
}
