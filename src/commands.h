/* The subcommand table: adding a subcommand is one entry in commands.c. */
#ifndef CW_COMMANDS_H
#define CW_COMMANDS_H

#include "options.h"

struct cw_command {
	const char *name;
	unsigned int bit;    /* enum cw_command_bit */
	const char *summary; /* N_() marked, for --help */
	const char *usage;   /* argument synopsis after the name, e.g. "[STATE]" */
	unsigned int max_args;
	int usage_exit; /* exit code for usage errors (check uses 3, UNKNOWN) */
	/* Reports a usage error (already translated) the command's own way and returns the exit
	 * code; NULL: main prints it to stderr with a hint and returns usage_exit. `check` answers
	 * with an UNKNOWN status line on stdout, as monitoring plugins must. */
	int (*usage_error)(const char *msg);
	/* Runs the command; returns the process exit code. May print; never exits. */
	int (*run)(const struct cw_options *o);
};

extern const struct cw_command cw_commands[];
extern const unsigned int cw_command_count;

/* The command run when none is named. */
const struct cw_command *commands_default(void);
const struct cw_command *commands_find(const char *name);
const struct cw_command *commands_by_bit(unsigned int bit);

/* Subcommand entry points (cmd_*.c). */
int cmd_list(const struct cw_options *o);
int cmd_serve(const struct cw_options *o);
int cmd_check(const struct cw_options *o);
int cmd_check_usage_error(const char *msg);
int cmd_live(const struct cw_options *o);
int cmd_explain(const struct cw_options *o);
int cmd_summary(const struct cw_options *o);
int cmd_import(const struct cw_options *o);
int cmd_record(const struct cw_options *o);
int cmd_summary_span(const struct cw_options *o);

#endif
