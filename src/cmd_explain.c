/* `connwatch explain [STATE]`: the states table as text or JSON; with a STATE, also one snapshot
 * of that state's sockets to say how many there are right now. */
#include "cmd_common.h"
#include "collect.h"
#include "commands.h"
#include "exitcode.h"
#include "filter.h"
#include "i18n.h"
#include "render_explain.h"
#include "tally.h"

#include <stdio.h>

/* Counts the TCP sockets in `state` through the usual sources (so --source, --proc-root and
 * --replay work here too) and the counting stage, keeping no rows. */
static int count_state(const struct cw_options *o, enum tcp_state state,
                       struct explain_count *count)
{
	struct cw_options q = *o;
	filter_init(&q.filter);
	q.filter.tcp = true;
	struct cw_error err = {0};
	if (filter_add_states(&q.filter, tcp_state_name(state), &err) < 0) {
		cmd_print_error(err.msg);
		return CW_EXIT_RUNTIME;
	}
	filter_finish(&q.filter);

	struct diag_config cfg;
	diag_config_default(&cfg);
	struct tally t;
	tally_init(&t, &cfg, NULL);
	t.filter = &q.filter;
	t.note_hidden_listeners = false;
	struct collector col;
	struct snapshot snap;
	struct bpf_source *bpf = NULL;
	int status = cmd_open_bpf(o, false, &bpf);
	if (status != CW_EXIT_OK) {
		tally_free(&t);
		return status;
	}
	collector_init(&col, &q);
	col.bpf = bpf;
	snapshot_init(&snap);
	snapshot_set_sink(&snap, tally_sink(&t));
	int taken = collector_take(&col, &snap, &err);
	bpf_source_close(bpf);
	if (taken < 0) {
		cmd_report_notes(&col, &snap);
		cmd_print_error(err.msg);
		count->known = false;
		status = CW_EXIT_RUNTIME;
	} else {
		status = cmd_report_notes(&col, &snap);
		explain_count_fill(count, &t.stats, state);
	}
	snapshot_free(&snap);
	collector_free(&col);
	tally_free(&t);
	return status;
}

int cmd_explain(const struct cw_options *o)
{
	if (o->arg_count == 0) {
		if (o->json)
			render_explain_all_json(stdout);
		else
			render_explain_all(stdout);
		return cmd_output_status(stdout);
	}
	enum tcp_state state = tcp_state_parse(o->args[0]);
	const struct tcp_state_info *info = tcp_state_info(state);
	if (!info) {
		fprintf(stderr, _("connwatch: '%s' is not a TCP state; valid: %s\n"), o->args[0],
		        filter_valid_states_text());
		return CW_EXIT_USAGE;
	}
	struct explain_count count = {0};
	int status = count_state(o, info->state, &count);
	if (o->json)
		render_explain_state_json(stdout, info, &count);
	else
		render_explain_state(stdout, info, &count);
	int out = cmd_output_status(stdout);
	return out != CW_EXIT_OK ? out : status;
}
