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
#include "tally.h"

#include <stdio.h>

int cmd_load_config(const struct cw_options *o, struct diag_config *cfg)
{
	struct cw_error err = {0};
	struct config_skipped skipped;
	int r = config_load(cfg, o->config_path, o->thresholds, o->threshold_count, &skipped, &err);
	cmd_report_config_skipped(&skipped);
	if (r < 0) {
		cmd_print_error(err.msg);
		return CW_EXIT_USAGE;
	}
	return CW_EXIT_OK;
}

int cmd_render_summary(const struct cw_options *o, struct tally *t)
{
	if (tally_diagnose(t, NULL, 0) < 0) {
		cmd_print_error(_("out of memory"));
		return CW_EXIT_RUNTIME;
	}
	if (o->json)
		render_summary_json(stdout, t);
	else
		render_summary_text(stdout, t);
	return cmd_output_status(stdout);
}

int cmd_summary(const struct cw_options *o)
{
	struct diag_config cfg;
	int status = cmd_load_config(o, &cfg);
	if (status != CW_EXIT_OK)
		return status;
	if (o->from)
		return cmd_summary_span(o);

	struct cw_error err = {0};
	struct bpf_source *bpf = NULL;
	status = cmd_open_bpf(o, false, &bpf);
	if (status != CW_EXIT_OK)
		return status;
	/* Counters describe this machine: not with a capture (--proc-root reads its own, if it
	 * holds them) or a recording from elsewhere. */
	struct kcounters kc;
	kcounters_init(&kc);
	if (!o->replay_path && kcounters_read(&kc, o->proc_root, &err) < 0)
		cmd_print_error(err.msg); /* the summary still stands without them */
	struct tally t;
	tally_init(&t, &cfg, &kc);
	t.filter = &o->filter;
	t.split_netns = o->netns != NULL;

	struct collector col;
	struct snapshot snap;
	collector_init(&col, o);
	tally_request(&o->filter, &col.req);
	col.bpf = bpf;
	snapshot_init(&snap);
	/* Counting keeps no rows, except with -p: owners are resolved from the whole table's
	 * inodes before counting. */
	if (!o->processes)
		snapshot_set_sink(&snap, tally_sink(&t));
	struct procmap owners;
	procmap_init(&owners, NULL);
	int taken = collector_take(&col, &snap, &err);
	if (taken < 0) {
		cmd_report_notes(&col, &snap);
		cmd_print_error(err.msg);
		/* --at TIME that is not one, or before the recording */
		status = col.bad_usage ? CW_EXIT_USAGE : CW_EXIT_RUNTIME;
		goto out;
	}
	const struct rec_meta *recorded = collector_recorded(&col);
	if (recorded) { /* a recording: the counters recorded with the refresh */
		t.counters = recorded->counters;
		t.have_counters = recorded->counters.valid;
	}
	if (o->processes) {
		struct procmap_info info;
		bool said = false;
		struct owners_bpf *owners_bpf;
		cmd_open_bpf_owners(o, &owners, &owners_bpf);
		int r = enrich_owners(&owners, &snap, &info, &err);
		owners_bpf_close(owners_bpf); /* owners are resolved once here */
		if (r < 0) {
			cmd_print_error(err.msg);
			status = CW_EXIT_RUNTIME;
			goto out;
		}
		cmd_report_owners(&info, &said);
		enrich_tally_owners(&t.owners, &owners);
		tally_rows(&t, &snap, NULL, 0);
	} else {
		tally_note_source(&t, &snap);
	}
	if (cmd_add_close_wait_ages(&col, &t, &err) < 0) {
		cmd_report_notes(&col, &snap);
		cmd_print_error(err.msg);
		status = CW_EXIT_RUNTIME;
		goto out;
	}
	status = cmd_report_notes(&col, &snap);
	snapshot_free(&snap);
	int out = cmd_render_summary(o, &t);
	if (out != CW_EXIT_OK)
		status = out;
out:
	bpf_source_close(bpf);
	snapshot_free(&snap);
	tally_free(&t);
	collector_free(&col);
	procmap_free(&owners);
	return status;
}
