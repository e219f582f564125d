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

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* -t/--timeout: the status line the alarm writes, formatted before the alarm is armed (a signal
 * handler may only write(2) and _exit(2)). The one piece of global state of check: a handler
 * cannot be given its context. */
static char timeout_line[256];
static size_t timeout_line_len;

static void on_timeout(int sig)
{
	(void)sig;
	ssize_t ignored = write(STDOUT_FILENO, timeout_line, timeout_line_len);
	(void)ignored;
	_exit(CHECK_UNKNOWN);
}

/* As monitoring plugins do: past the deadline the check answers UNKNOWN, whatever it was
 * waiting for (a hung /proc, a netlink dump that never ends). */
static void arm_timeout(unsigned int seconds)
{
	char reason[200];
	snprintf(reason, sizeof(reason),
	         P_("timed out after %u second", "timed out after %u seconds", seconds), seconds);
	int n = snprintf(timeout_line, sizeof(timeout_line), "CONNWATCH UNKNOWN - %s\n", reason);
	timeout_line_len = n > 0 && (size_t)n < sizeof(timeout_line) ? (size_t)n : 0;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_timeout;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

int cmd_check_usage_error(const char *msg)
{
	render_check_unknown(stdout, msg);
	fflush(stdout);
	return CHECK_UNKNOWN;
}

int cmd_check(const struct cw_options *o)
{
	/* With stdout closed (`check >&-`) the status line has nowhere to go, and the next file
	 * or socket opened would take descriptor 1 and receive it: say why, on stderr. */
	if (fcntl(STDOUT_FILENO, F_GETFL) < 0) {
		fprintf(stderr, "%s\n",
		        _("connwatch: standard output is closed; the check cannot print its "
		          "status line (UNKNOWN)"));
		return CHECK_UNKNOWN;
	}
	arm_timeout(o->timeout_s);
	struct cw_options opts = *o;
	/* Listeners are read whatever the selection: LISTEN has its own performance data and
	 * thresholds, and the rules look at accept queues. The total follows the selection. */
	if (opts.filter.listening == FILTER_CONNECTED)
		opts.filter.listening = FILTER_ALL;
	struct cw_error err = {0};
	struct diag_config cfg;
	struct config_skipped skipped;
	int loaded =
	    config_load(&cfg, o->config_path, o->thresholds, o->threshold_count, &skipped, &err);
	cmd_report_config_skipped(&skipped); /* stderr: the status line stays one line */
	if (loaded < 0)
		return cmd_check_usage_error(err.msg);
	struct tally t;
	tally_init(&t, &cfg, NULL);
	if (!opts.replay_path) /* unreadable counters leave them unknown */
		tally_read_counters(&t, opts.proc_root, &err);
	t.filter = &opts.filter;
	t.note_hidden_listeners = false;
	t.split_netns = opts.netns != NULL;
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
	bpf_source_close(bpf);
	if (r < 0) {
		char reason[sizeof(err.msg) + 64];
		snprintf(reason, sizeof(reason), _("cannot read the sockets: %s"), err.msg);
		tally_free(&t);
		collector_free(&col);
		return cmd_check_usage_error(reason);
	}
	if (tally_diagnose(&t, NULL, 0) < 0) {
		tally_free(&t);
		collector_free(&col);
		return cmd_check_usage_error(_("out of memory while counting sockets"));
	}

	size_t counts[THRESHOLD_KEYS];
	check_count_states(&t.stats, o->filter.listening, counts);
	struct check_rule_hit hits[CHECK_MAX_PROBLEMS];
	size_t nhits = check_rule_hits(&t.report, hits, CHECK_MAX_PROBLEMS);
	struct check_result res;
	check_evaluate(counts, &opts.check_thresholds, hits, nhits, &res);
	alarm(0); /* the answer is known: nothing may interleave with it */
	render_check(stdout, &res, counts, &opts.check_thresholds, o->filter.listening);
	if (opts.verbose)
		render_check_long(stdout, &t.report);
	tally_free(&t);
	collector_free(&col);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, _("connwatch: cannot write the status line: %s (UNKNOWN)\n"),
		        strerror(errno));
		return CHECK_UNKNOWN;
	}
	return (int)res.status;
}
