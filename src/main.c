/* Entry point: language, options, dispatch, exit codes. The only place besides cmd_*.c that
 * prints errors. */
#include "commands.h"
#include "config.h"
#include "source_bpf.h"
#include "exitcode.h"
#include "i18n.h"
#include "options.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static void print_help(FILE *out, const struct cw_options *o)
{
	/* `connwatch live --help` shows live's options; `connwatch --help` the overview, although
	 * live is also the default command. */
	if (o->command_named) {
		const struct cw_command *cmd = commands_by_bit(o->command);
		fprintf(out, _("Usage: connwatch %s [OPTIONS] %s\n"), cmd->name, cmd->usage);
		fprintf(out, "%s\n\n", _(cmd->summary));
		fprintf(out, "%s\n", _("Options:"));
		options_print_help(out, cmd->bit);
		return;
	}
	fprintf(out, "%s\n", _("Usage: connwatch [COMMAND] [OPTIONS]"));
	fprintf(out, "%s\n\n",
	        _("Watch the server's network connections, explain each TCP state and "
	          "warn when a pattern of states says something is wrong."));
	fprintf(out, "%s\n", _("Commands:"));
	for (unsigned int i = 0; i < cw_command_count; i++)
		fprintf(out, "  %-10s %s\n", cw_commands[i].name, _(cw_commands[i].summary));
	fprintf(out, _("Without a command: %s.\n\n"), commands_default()->name);
	fprintf(out, "%s\n", _("Options (connwatch COMMAND --help shows those of one command):"));
	options_print_help(out, CMD_ANY);
	fprintf(out, "\n%s\n",
	        _("Exit status: 0 success, 1 runtime error, 2 usage error, 3 some "
	          "input was unreadable and skipped (the rest was shown)."));
	fprintf(out, "%s\n", _("See connwatch(1) for details."));
}

int main(int argc, char **argv)
{
	/* A closed pipe (`connwatch list | head`) is an EPIPE write error, handled quietly. */
	signal(SIGPIPE, SIG_IGN);
	if (i18n_init(options_find_lang(argc, argv)) < 0)
		i18n_init(NULL); /* the parse below reports the bad --lang */

	struct cw_options o;
	struct cw_error err = {0};
	int status;
	int r = options_parse(argc, argv, &o, &err);
	if (r < 0) {
		const struct cw_command *cmd = o.command ? commands_by_bit(o.command) : NULL;
		if (cmd && cmd->usage_error) {
			status = cmd->usage_error(err.msg);
			i18n_cleanup();
			return status;
		}
		fprintf(stderr, "connwatch: %s\n", err.msg);
		if (o.command_named) /* the help of the command that was used */
			fprintf(stderr, _("Try 'connwatch %s --help' for more information.\n"),
			        cmd->name);
		else
			fprintf(stderr, "%s\n", _("Try 'connwatch --help' for more information."));
		i18n_cleanup();
		return cmd ? cmd->usage_exit : CW_EXIT_USAGE;
	}
	if (o.help) {
		print_help(stdout, &o);
		status = CW_EXIT_OK;
	} else if (o.version) {
		printf("connwatch %s\n", PACKAGE_VERSION);
		printf("%s\n", bpf_source_built()
		                   ? _("BPF fast path: built in (--source bpf)")
		                   : _("BPF fast path: absent (built without libbpf)"));
		status = CW_EXIT_OK;
	} else {
		status = commands_by_bit(o.command)->run(&o);
	}
	i18n_cleanup();
	return status;
}
