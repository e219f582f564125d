/* `connwatch check`: a monitoring-plugins check (Nagios, Icinga, Naemon, Sensu). One status line
 * on stdout, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
#include "check.h"
#include "cmd_common.h"
#include "collect.h"
#include "commands.h"
#include "cw_config.h"
#include "i18n.h"
#include "render_check.h"
#include "tally.h"

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
	struct tally t;
	tally_init(&t, &cfg, NULL);
	if (!opts.replay_path) /* unreadable counters leave them unknown */
		tally_read_counters(&t, opts.proc_root, &err);
	t.filter = &opts.filter;
	t.note_hidden_listeners = false;
	struct collector col;
	struct snapshot snap;
	struct bpf_source *bpf = NULL;
	struct cw_error note = {0};
	if (collector_open_bpf(&opts, false, &bpf, &note, &err) < 0) {
		tally_free(&t);
		return cmd_check_usage_error(err.msg);
	}
	collector_init(&col, &opts);
	col.bpf = bpf;
	snapshot_init(&snap);
	snapshot_set_sink(&snap, tally_sink(&t)); /* counts only: no row is kept */
	int r = collector_take(&col, &snap, &err);
	tally_note_source(&t, &snap);
	snapshot_free(&snap);
	if (r == 0)
		r = cmd_add_close_wait_ages(&col, &t, &err);
	collector_free(&col);
	bpf_source_close(bpf);
	if (r < 0) {
		char reason[sizeof(err.msg) + 64];
		snprintf(reason, sizeof(reason), _("cannot read the sockets: %s"), err.msg);
		tally_free(&t);
		return cmd_check_usage_error(reason);
	}
	if (tally_diagnose(&t, NULL, 0) < 0) {
		tally_free(&t);
		return cmd_check_usage_error(_("out of memory while counting sockets"));
	}

	size_t counts[THRESHOLD_KEYS];
	check_count_states(&t.stats, counts);
	struct check_rule_hit hits[CHECK_MAX_PROBLEMS];
	size_t nhits = check_rule_hits(&t.report, hits, CHECK_MAX_PROBLEMS);
	struct check_result res;
	check_evaluate(counts, &opts.check_thresholds, hits, nhits, &res);
	render_check(stdout, &res, counts, &opts.check_thresholds);
	tally_free(&t);
	if (fflush(stdout) != 0)
		return CHECK_UNKNOWN;
	return (int)res.status;
}
