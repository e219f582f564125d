#include "commands.h"

#include "exitcode.h"
#include "i18n.h"

#include <string.h>

const struct cw_command cw_commands[] = {
    {
        .name = "list",
        .bit = CMD_LIST,
        .summary = N_("print the connections once, as netstat -ntu does"),
        .usage = "",
        .run = cmd_list,
        .usage_exit = CW_EXIT_USAGE,
    },
    {
        .name = "live",
        .bit = CMD_LIVE,
        .summary = N_("watch the connections live (the default): a screen on a terminal, "
                      "text blocks or JSON otherwise"),
        .usage = "",
        .run = cmd_live,
        .usage_exit = CW_EXIT_USAGE,
    },
    {
        .name = "summary",
        .bit = CMD_SUMMARY,
        .summary = N_("count the connections per state, show the busiest peers and ports, "
                      "and diagnose"),
        .usage = "",
        .run = cmd_summary,
        .usage_exit = CW_EXIT_USAGE,
    },
    {
        .name = "explain",
        .bit = CMD_EXPLAIN,
        .summary = N_("explain the TCP states, their sequences and what many of one mean"),
        .usage = "[STATE]",
        .max_args = 1,
        .run = cmd_explain,
        .usage_exit = CW_EXIT_USAGE,
    },
    {
        .name = "import",
        .bit = CMD_IMPORT,
        .summary = N_("summarize and diagnose saved netstat or ss output (FILE, or - for "
                      "standard input)"),
        .usage = "[FILE|-]",
        .max_args = 1,
        .run = cmd_import,
        .usage_exit = CW_EXIT_USAGE,
    },
    {
        .name = "serve",
        .bit = CMD_SERVE,
        .summary = N_("serve Prometheus metrics over HTTP (or write them with --textfile)"),
        .usage = "",
        .run = cmd_serve,
        .usage_exit = CW_EXIT_USAGE,
    },
    {
        .name = "record",
        .bit = CMD_RECORD,
        .summary = N_("append every refresh to the recording FILE, for replay with --replay "
                      "(a flight recorder, as atop's logger)"),
        .usage = "FILE",
        .max_args = 1,
        .run = cmd_record,
        .usage_exit = CW_EXIT_USAGE,
    },
    {
        .name = "check",
        .bit = CMD_CHECK,
        .summary = N_("monitoring-plugins check (Nagios, Icinga): one status line, exit 0-3"),
        .usage = "",
        .run = cmd_check,
        .usage_exit = 3,
        .usage_error = cmd_check_usage_error,
    },
};
const unsigned int cw_command_count = sizeof(cw_commands) / sizeof(cw_commands[0]);

const struct cw_command *commands_find(const char *name)
{
	for (unsigned int i = 0; i < cw_command_count; i++)
		if (!strcmp(cw_commands[i].name, name))
			return &cw_commands[i];
	return NULL;
}

const struct cw_command *commands_by_bit(unsigned int bit)
{
	for (unsigned int i = 0; i < cw_command_count; i++)
		if (cw_commands[i].bit == bit)
			return &cw_commands[i];
	return NULL;
}

const struct cw_command *commands_default(void)
{
	/* The live view, once it exists; `list` until then. */
	const struct cw_command *live = commands_by_bit(CMD_LIVE);
	return live ? live : commands_by_bit(CMD_LIST);
}
