/* `connwatch import [FILE|-]`: saved netstat/ss text -> the same counts and diagnosis as
 * `summary`. Lines that cannot be read are named on stderr (FILE:LINE) and skipped. */
#include "cmd_common.h"
#include "commands.h"
#include "cw_config.h"
#include "exitcode.h"
#include "i18n.h"
#include "source.h"
#include "summary.h"

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
	struct snapshot snap;
	struct cw_error err = {0};
	snapshot_init(&snap);
	if (source_text.fill(&req, &snap, &err) < 0) {
		cmd_report_notes(NULL, &snap);
		cmd_print_error(err.msg);
		snapshot_free(&snap);
		return CW_EXIT_RUNTIME;
	}
	status = cmd_report_notes(NULL, &snap);

	/* Imported text carries no kernel counters: the rules that need them stay silent. */
	struct summary sum;
	summary_init(&sum, &cfg, NULL);
	summary_count(&sum, &snap, NULL);
	snapshot_free(&snap);
	int out = cmd_render_summary(o, &sum);
	summary_free(&sum);
	return out != CW_EXIT_OK ? out : status;
}
