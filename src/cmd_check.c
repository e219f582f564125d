/* `connwatch check`: a monitoring-plugins check (Nagios, Icinga, Naemon, Sensu). One status line
 * on stdout, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
#include "analysis.h"
#include "check.h"
#include "cmd_common.h"
#include "collect.h"
#include "commands.h"
#include "cw_config.h"
#include "i18n.h"
#include "render_check.h"

#include <stdio.h>

int cmd_check_usage_error(const char *msg)
{
	render_check_unknown(stdout, msg);
	fflush(stdout);
	return CHECK_UNKNOWN;
}

int cmd_check(const struct cw_options *o)
{
	struct cw_options opts = *o;
	/* The check counts every TCP socket, listeners too, unless -l narrowed it. */
	if (opts.filter.listening == FILTER_CONNECTED)
		opts.filter.listening = FILTER_ALL;
	struct cw_error err = {0};
	struct diag_config cfg;
	if (config_load(&cfg, o->config_path, o->thresholds, o->threshold_count, &err) < 0)
		return cmd_check_usage_error(err.msg);
	struct collector col;
	struct snapshot snap;
	struct bpf_source *bpf = NULL;
	struct cw_error note = {0};
	if (collector_open_bpf(&opts, false, &bpf, &note, &err) < 0)
		return cmd_check_usage_error(err.msg);
	collector_init(&col, &opts);
	col.bpf = bpf;
	struct stats_options sopt;
	diagnose_stats_options(&cfg, NULL, &sopt);
	collector_allow_counts(&col, &opts.filter, &sopt);
	snapshot_init(&snap);
	int taken = collector_take_close_wait_ages(&col, &snap, &err);
	bpf_source_close(bpf);
	if (taken < 0) {
		char reason[sizeof(err.msg) + 64];
		snprintf(reason, sizeof(reason), _("cannot read the sockets: %s"), err.msg);
		snapshot_free(&snap);
		return cmd_check_usage_error(reason);
	}
	filter_apply(&opts.filter, &snap);
	struct analysis a;
	struct analysis_counters from = {!opts.replay_path, opts.proc_root};
	if (analysis_run(&a, &snap, &from, &cfg, NULL, 0, &err) < 0) {
		analysis_free(&a);
		snapshot_free(&snap);
		return cmd_check_usage_error(err.msg);
	}

	size_t counts[THRESHOLD_KEYS];
	check_count_states(&a.sum.stats, counts);
	struct check_rule_hit hits[CHECK_MAX_PROBLEMS];
	size_t nhits = check_rule_hits(&a.sum.report, hits, CHECK_MAX_PROBLEMS);
	struct check_result res;
	check_evaluate(counts, &opts.check_thresholds, hits, nhits, &res);
	render_check(stdout, &res, counts, &opts.check_thresholds);
	analysis_free(&a);
	snapshot_free(&snap);
	if (fflush(stdout) != 0)
		return CHECK_UNKNOWN;
	return (int)res.status;
}
