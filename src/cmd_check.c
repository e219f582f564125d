/* `connwatch check`: a monitoring-plugins check (Nagios, Icinga, Naemon, Sensu). One status line
 * on stdout, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
#include "check.h"
#include "cmd_common.h"
#include "collect.h"
#include "commands.h"
#include "i18n.h"
#include "render_check.h"

#include <stdio.h>

int cmd_check_usage_error(const char *msg)
{
	render_check_unknown(stdout, msg);
	fflush(stdout);
	return CHECK_UNKNOWN;
}

static void count_states(const struct snapshot *snap, size_t counts[THRESHOLD_KEYS])
{
	for (size_t i = 0; i < snap->count; i++) {
		const struct conn *c = &snap->conns[i];
		if (c->proto != CONN_TCP)
			continue;
		unsigned int st = c->state == TCP_ST_NEW_SYN_RECV ? TCP_ST_SYN_RECV : c->state;
		if (st >= TCP_ST_MAX)
			continue;
		counts[st]++;
		counts[THRESHOLD_TOTAL]++;
	}
}

int cmd_check(const struct cw_options *o)
{
	struct cw_options opts = *o;
	/* The check counts every TCP socket, listeners too, unless -l or -u narrowed it. */
	if (opts.filter.listening == FILTER_CONNECTED)
		opts.filter.listening = FILTER_ALL;
	struct collector col;
	struct snapshot snap;
	struct cw_error err = {0};
	collector_init(&col, &opts);
	snapshot_init(&snap);
	if (collector_take(&col, &snap, &err) < 0) {
		char reason[sizeof(err.msg) + 64];
		snprintf(reason, sizeof(reason), _("cannot read the sockets: %s"), err.msg);
		snapshot_free(&snap);
		return cmd_check_usage_error(reason);
	}
	filter_apply(&opts.filter, &snap);

	size_t counts[THRESHOLD_KEYS] = {0};
	count_states(&snap, counts);
	struct check_result res;
	check_evaluate(counts, &opts.thresholds, NULL, 0, &res);
	render_check(stdout, &res, counts, &opts.thresholds);
	snapshot_free(&snap);
	if (fflush(stdout) != 0)
		return CHECK_UNKNOWN;
	return (int)res.status;
}
