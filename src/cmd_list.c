/* `connwatch list`: source -> filter -> table or JSON. */
#include "cmd_common.h"
#include "collect.h"
#include "commands.h"
#include "exitcode.h"
#include "render_json.h"
#include "render_table.h"

#include <stdio.h>

int cmd_list(const struct cw_options *o)
{
	struct collector col;
	struct snapshot snap;
	struct cw_error err = {0};
	collector_init(&col, o);
	snapshot_init(&snap);
	if (collector_take(&col, &snap, &err) < 0) {
		cmd_report_notes(&col, &snap);
		cmd_print_error(err.msg);
		snapshot_free(&snap);
		return CW_EXIT_RUNTIME;
	}
	filter_apply(&o->filter, &snap);
	int status = cmd_report_notes(&col, &snap);
	if (o->json)
		render_json_list(stdout, &snap);
	else
		render_table(stdout, &snap, !o->no_header);
	int out = cmd_output_status(stdout);
	snapshot_free(&snap);
	return out != CW_EXIT_OK ? out : status;
}
