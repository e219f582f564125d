/* `connwatch list`: source -> filter -> owners (-p) -> table or JSON. */
#include "cmd_common.h"
#include "collect.h"
#include "commands.h"
#include "enrich.h"
#include "exitcode.h"
#include "owners_bpf.h"
#include "render_json.h"
#include "render_table.h"

#include <stdio.h>

/* Below this many sockets the iterator takes a few milliseconds, less than a thread is worth. */
#define LIST_OWNERS_AHEAD_ROWS 20000

int cmd_list(const struct cw_options *o)
{
	struct collector col;
	struct snapshot snap;
	struct procmap owners;
	struct cw_error err = {0};
	struct bpf_source *bpf = NULL;
	struct owners_bpf *owners_bpf = NULL;
	collector_init(&col, o);
	snapshot_init(&snap);
	procmap_init(&owners, NULL);
	cmd_open_bpf_owners(o, &owners, &owners_bpf);
	int status = cmd_open_bpf(o, false, &bpf);
	if (status != CW_EXIT_OK)
		goto out;
	col.bpf = bpf;
	status = CW_EXIT_RUNTIME;
	size_t expected = collector_expected_rows(&col);
	snapshot_expect(&snap, expected);
	/* Every row of a large table is kept: the owners are read on a second core meanwhile. */
	if (expected >= LIST_OWNERS_AHEAD_ROWS)
		(void)owners_bpf_start(owners_bpf);
	if (collector_take(&col, &snap, &err) < 0) {
		cmd_report_notes(&col, &snap);
		cmd_print_error(err.msg);
		if (col.bad_usage) /* --at TIME */
			status = CW_EXIT_USAGE;
		goto out;
	}
	filter_apply(&o->filter, &snap);
	if (o->processes) {
		struct procmap_info info;
		bool said = false;
		if (enrich_owners(&owners, &snap, &info, &err) < 0) {
			cmd_print_error(err.msg);
			goto out;
		}
		cmd_report_owners(&info, &said);
	}
	status = cmd_report_notes(&col, &snap);
	const struct procmap *pm = o->processes ? &owners : NULL;
	if (o->json)
		render_json_list_owners(stdout, &snap, pm);
	else
		render_table_owners(stdout, &snap, !o->no_header, pm);
	int out = cmd_output_status(stdout);
	if (out != CW_EXIT_OK)
		status = out;
out:
	bpf_source_close(bpf);
	procmap_free(&owners);
	owners_bpf_close(owners_bpf);
	snapshot_free(&snap);
	collector_free(&col);
	return status;
}
