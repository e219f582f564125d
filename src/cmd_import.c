/* `connwatch import [FILE|-]`: saved netstat/ss text -> the same counts and diagnosis as
 * `summary`. Lines that cannot be read are named on stderr (FILE:LINE) and skipped. */
#include "cmd_common.h"
#include "commands.h"
#include "cw_config.h"
#include "enrich.h"
#include "exitcode.h"
#include "i18n.h"
#include "source.h"
#include "tally.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_import(const struct cw_options *o)
{
	struct diag_config cfg;
	int status = cmd_load_config(o, &cfg);
	if (status != CW_EXIT_OK)
		return status;

	struct source_request req = {
	    .tcp_states = TCP_STATES_ALL,
	    .udp = true,
	    .ipv4 = true,
	    .ipv6 = true,
	    .input_path = o->arg_count ? o->args[0] : "-",
	};
	if (!strcmp(req.input_path, "-") && isatty(STDIN_FILENO))
		fprintf(stderr, "%s\n",
		        _("connwatch: reading netstat or ss output from standard input (end with "
		          "Ctrl-D)"));
	/* Imported text carries no kernel counters: the rules that need them stay silent. The
	 * rows stream into the counts: a capture of any size costs the same memory. */
	struct tally t;
	tally_init(&t, &cfg, NULL);
	struct snapshot snap;
	struct cw_error err = {0};
	snapshot_init(&snap);
	/* netstat -p and ss -p name each socket's process: the busiest processes are shown as
	 * summary -p shows them. The hook is set before the sink, which then counts row by row. */
	enrich_tally_text_owners(&t.owners, &snap);
	snapshot_set_sink(&snap, tally_sink(&t));
	int r = source_text.fill(&req, &snap, &err);
	snapshot_flush(&snap);
	if (r < 0) {
		cmd_report_notes(NULL, &snap);
		cmd_print_error(err.msg);
		snapshot_free(&snap);
		tally_free(&t);
		return CW_EXIT_RUNTIME;
	}
	status = cmd_report_notes(NULL, &snap);
	tally_note_source(&t, &snap);
	/* The snapshot outlives the rendering: it owns the host names the counts are keyed by. */
	int out = cmd_render_summary(o, &t);
	snapshot_free(&snap);
	tally_free(&t);
	return out != CW_EXIT_OK ? out : status;
}
