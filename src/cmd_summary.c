/* `connwatch summary`: one snapshot -> counts, top lists, diagnosis -> text or JSON. */
#include "cmd_common.h"
#include "collect.h"
#include "commands.h"
#include "cw_config.h"
#include "enrich.h"
#include "exitcode.h"
#include "i18n.h"
#include "kcounters.h"
#include "owners_bpf.h"
#include "render_summary.h"
#include "summary.h"

#include <stdio.h>

int cmd_load_config(const struct cw_options *o, struct diag_config *cfg)
{
	struct cw_error err = {0};
	if (config_load(cfg, o->config_path, o->thresholds, o->threshold_count, &err) < 0) {
		cmd_print_error(err.msg);
		return CW_EXIT_USAGE;
	}
	return CW_EXIT_OK;
}

int cmd_render_summary(const struct cw_options *o, struct summary *sum)
{
	if (summary_diagnose(sum) < 0) {
		cmd_print_error(_("out of memory"));
		return CW_EXIT_RUNTIME;
	}
	if (o->json)
		render_summary_json(stdout, sum);
	else
		render_summary_text(stdout, sum);
	return cmd_output_status(stdout);
}

int cmd_summary(const struct cw_options *o)
{
	struct diag_config cfg;
	int status = cmd_load_config(o, &cfg);
	if (status != CW_EXIT_OK)
		return status;

	struct collector col;
	struct snapshot snap;
	struct cw_error err = {0};
	struct bpf_source *bpf = NULL;
	status = cmd_open_bpf(o, false, &bpf);
	if (status != CW_EXIT_OK)
		return status;
	collector_init(&col, o);
	summary_request(&o->filter, &col.req);
	col.bpf = bpf;
	if (!o->processes) {
		struct stats_options opt;
		diagnose_stats_options(&cfg, NULL, &opt);
		collector_allow_counts(&col, &o->filter, &opt);
	}
	snapshot_init(&snap);
	int taken = collector_take_close_wait_ages(&col, &snap, &err);
	bpf_source_close(bpf);
	if (taken < 0) {
		cmd_report_notes(&col, &snap);
		cmd_print_error(err.msg);
		snapshot_free(&snap);
		return CW_EXIT_RUNTIME;
	}
	/* Counters describe this machine: not with a capture (--proc-root reads its own, if it
	 * holds them) or a recording from elsewhere. */
	struct kcounters kc;
	kcounters_init(&kc);
	if (!o->replay_path && kcounters_read(&kc, o->proc_root, &err) < 0)
		cmd_print_error(err.msg); /* the summary still stands without them */
	struct procmap owners;
	procmap_init(&owners, NULL);
	if (o->processes) {
		struct procmap_info info;
		bool said = false;
		struct owners_bpf *owners_bpf;
		cmd_open_bpf_owners(o, &owners, &owners_bpf);
		int r = enrich_owners(&owners, &snap, &info, &err);
		owners_bpf_close(owners_bpf); /* owners are resolved once here */
		if (r < 0) {
			cmd_print_error(err.msg);
			procmap_free(&owners);
			snapshot_free(&snap);
			return CW_EXIT_RUNTIME;
		}
		cmd_report_owners(&info, &said);
	}
	status = cmd_report_notes(&col, &snap);

	struct summary sum;
	summary_init(&sum, &cfg, &kc);
	if (o->processes)
		enrich_summary_owners(&sum.owners, &owners);
	summary_count(&sum, &snap, &o->filter);
	snapshot_free(&snap);
	int out = cmd_render_summary(o, &sum);
	summary_free(&sum);
	procmap_free(&owners);
	return out != CW_EXIT_OK ? out : status;
}
