#include "options.h"

#include "commands.h"
#include "i18n.h"
#include "recording_io.h"
#include "netns.h"
#include "util/endpoint.h"
#include "util/parse.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

const struct cw_option_def cw_option_defs[] = {
    {"help", OPT_HELP, NULL, N_("show this help and exit"), CMD_ANY},
    {"version", OPT_VERSION, NULL, N_("show the version and exit"), CMD_ANY},
    {"lang", OPT_LANG, "LANG", N_("language of messages: en or id (default: from the locale)"),
     CMD_ANY},
    {"tcp", OPT_TCP, NULL, N_("TCP sockets (default: TCP and UDP)"), CMD_SNAPSHOT},
    {"udp", OPT_UDP, NULL, N_("UDP sockets"), CMD_SNAPSHOT},
    {"ipv4", OPT_IPV4, NULL, N_("IPv4 sockets only"), CMD_SNAPSHOT},
    {"ipv6", OPT_IPV6, NULL, N_("IPv6 sockets only"), CMD_SNAPSHOT},
    {"listening", OPT_LISTENING, NULL, N_("only listening sockets (and unconnected UDP)"),
     CMD_SNAPSHOT},
    {"all", OPT_ALL, NULL, N_("listening and connected sockets"), CMD_SNAPSHOT},
    {"numeric", OPT_NUMERIC, NULL, N_("accepted for netstat habits; output is always numeric"),
     CMD_SNAPSHOT},
    {"state", OPT_STATE, "STATE[,STATE]",
     N_("only these states, in netstat or ss spelling (TIME_WAIT, time-wait, estab)"),
     CMD_SNAPSHOT},
    {"port", OPT_PORT, "PORT", N_("only connections with this local or remote port"), CMD_SNAPSHOT},
    {"local", OPT_LOCAL, "ADDR[/PREFIX]", N_("only connections from this local address or network"),
     CMD_SNAPSHOT},
    {"remote", OPT_REMOTE, "ADDR[/PREFIX]",
     N_("only connections to this remote address or network"), CMD_SNAPSHOT},
    {"processes", OPT_PROCESSES, NULL,
     N_("show the process owning each socket (PID/Program name), as netstat -p; without root "
        "only your own processes"),
     CMD_LIST | CMD_SUMMARY | CMD_LIVE},
    {"json", OPT_JSON, NULL, N_("print JSON (see docs/json.md); live: one document per refresh"),
     CMD_LIST | CMD_SUMMARY | CMD_IMPORT | CMD_EXPLAIN | CMD_LIVE},
    {"threshold", OPT_THRESHOLD, "NAME=VALUE",
     N_("set a diagnosis threshold (repeatable; see THRESHOLDS in connwatch(1))"), CMD_DIAGNOSE},
    {"config", OPT_CONFIG, "FILE",
     N_("read thresholds from FILE instead of /etc/connwatch.conf and ~/.config/connwatch.conf"),
     CMD_DIAGNOSE},
    {"interval", OPT_INTERVAL, "SECONDS",
     N_("seconds between refreshes, fractions allowed (default: 2)"), CMD_LIVE | CMD_RECORD},
    {"count", OPT_COUNT, "N", N_("stop after N refreshes"), CMD_LIVE | CMD_RECORD},
    {"plain", OPT_PLAIN, NULL, N_("print a text block per refresh even on a terminal"), CMD_LIVE},
    {"sort", OPT_SORT, "KEY",
     N_("order rows by state, remote, port, queues, age, unit (grouped by container or "
        "unit, with -p), netns (grouped by namespace) or none (default: state on a "
        "terminal, none otherwise)"),
     CMD_LIVE},
    {"no-header", OPT_NO_HEADER, NULL, N_("leave out the column header line"), CMD_LIST},
    {"source", OPT_SOURCE, "bpf|netlink|proc",
     N_("where to read sockets (default: netlink, /proc when netlink is refused; live, "
        "record and serve use bpf when it loads)"),
     CMD_SNAPSHOT | CMD_EXPLAIN | CMD_RECORD},
    {"proc-root", OPT_PROC_ROOT, "DIR",
     N_("read DIR/net/tcp, tcp6, udp, udp6 (a capture from another machine)"),
     CMD_SNAPSHOT | CMD_EXPLAIN},
    {"record", OPT_RECORD, "FILE",
     N_("list: also save the raw netlink replies to FILE (a new file); live: append every "
        "refresh to the recording FILE, as `connwatch record` does"),
     CMD_LIST | CMD_LIVE},
    {"max-size", OPT_MAX_SIZE, "SIZE",
     N_("keep the recording and its predecessor FILE.1 within SIZE bytes together (suffix K, "
        "M or G; default 1G, at least 1M)"),
     CMD_LIVE | CMD_RECORD},
    {"at", OPT_AT, "TIME",
     N_("with --replay of a recording: the refresh at TIME ('2026-11-30 03:12', '03:12', "
        "'-10m' before the end, '+30s' after the start, epoch seconds)"),
     CMD_LIST | CMD_SUMMARY | CMD_LIVE},
    {"from", OPT_FROM, "TIME",
     N_("with --replay of a recording: list the warnings that fired from TIME on, with "
        "when each was first and last seen"),
     CMD_SUMMARY},
    {"to", OPT_TO, "TIME", N_("with --from: up to TIME (default: the end)"), CMD_SUMMARY},
    {"netns", OPT_NETNS, "NAME|PATH|PID|all",
     N_("read the sockets of another network namespace (a name under /run/netns, a path, a "
        "pid), or of all of them; needs CAP_SYS_ADMIN"),
     CMD_LIST | CMD_SUMMARY | CMD_LIVE | CMD_SERVE | CMD_CHECK},
    {"record", OPT_RECORD, "FILE", N_("also save the raw netlink replies to FILE (new file)"),
     CMD_LIST},
    {"listen", OPT_LISTEN, "ADDR:PORT",
     N_("serve on this address (default 127.0.0.1:9877; IPv6 as [::1]:9877; :9877 for every "
        "address; repeatable)"),
     CMD_SERVE},
    {"textfile", OPT_TEXTFILE, "FILE",
     N_("write the metrics once to FILE (atomically) for node_exporter's textfile collector, "
        "instead of serving them"),
     CMD_SERVE},
    {"top", OPT_TOP, "N",
     N_("per-address and per-port series only for the busiest N (default 10, at most 100)"),
     CMD_SERVE},
    {"warning", OPT_WARNING, "STATE=RANGE",
     N_("WARNING when the count of STATE (or 'total') is outside RANGE (monitoring-plugins "
        "syntax: 500, 10:, ~:10, @10:20); repeatable"),
     CMD_CHECK},
    {"critical", OPT_CRITICAL, "STATE=RANGE", N_("CRITICAL threshold, as --warning"), CMD_CHECK},
    {"timeout", OPT_TIMEOUT, "SECONDS",
     N_("give up with UNKNOWN after SECONDS (default 10), as monitoring plugins do"), CMD_CHECK},
    {"verbose", OPT_VERBOSE, NULL,
     N_("after the status line, each warning's evidence and what to do (long output)"), CMD_CHECK},
    {"replay", OPT_REPLAY, "FILE", N_("read sockets from a recording made with --record"),
     CMD_SNAPSHOT | CMD_EXPLAIN},
};
const unsigned int cw_option_def_count = sizeof(cw_option_defs) / sizeof(cw_option_defs[0]);

const char *options_find_lang(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--lang") && i + 1 < argc)
			return argv[i + 1];
		if (!strncmp(argv[i], "--lang=", 7))
			return argv[i] + 7;
	}
	return NULL;
}

int options_short_letter(const struct cw_option_def *d)
{
	if (d->id < OPT_LONG_ONLY)
		return d->id;
	return d->id & OPT_SHARED_SHORT ? d->id & 0xff : 0;
}

/* Commands where an option is long only, its letter being another option's there: check's -t
 * is --timeout (the monitoring-plugins convention), so --tcp has no -t in check. */
static unsigned int long_only_for(const struct cw_option_def *d)
{
	return d->id == OPT_TCP ? CMD_CHECK : 0;
}

int options_short_letter_for(const struct cw_option_def *d, unsigned int mask)
{
	return (d->commands & mask & ~long_only_for(d)) ? options_short_letter(d) : 0;
}

/* An option with this short letter, preferring one that applies to the command (a letter may be
 * shared by options of different commands). NULL when no option has the letter. */
static const struct cw_option_def *def_by_letter(int letter, unsigned int command)
{
	const struct cw_option_def *any = NULL;
	for (unsigned int i = 0; i < cw_option_def_count; i++) {
		const struct cw_option_def *d = &cw_option_defs[i];
		if (options_short_letter(d) != letter)
			continue;
		if (options_short_letter_for(d, command))
			return d;
		if (!any)
			any = d;
	}
	return any;
}

static const struct cw_option_def *def_by_name(const char *name, size_t len)
{
	for (unsigned int i = 0; i < cw_option_def_count; i++)
		if (!strncmp(cw_option_defs[i].name, name, len) && !cw_option_defs[i].name[len])
			return &cw_option_defs[i];
	return NULL;
}

/* The command named on the line, found before the real parse so that a short letter shared by
 * several commands' options can be given its meaning: the first argument that is neither an
 * option nor an option's value. The default command when there is none or it is unknown (the
 * parse then reports the unknown name). */
static const struct cw_command *command_on_line(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return i + 1 < argc && commands_find(argv[i + 1])
			           ? commands_find(argv[i + 1])
			           : commands_default();
		if (a[0] != '-' || !a[1]) {
			const struct cw_command *cmd = commands_find(a);
			return cmd ? cmd : commands_default();
		}
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');
			const struct cw_option_def *d =
			    def_by_name(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
			if (d && d->arg && !eq)
				i++;
			continue;
		}
		for (const char *c = a + 1; *c; c++) {
			const struct cw_option_def *d = def_by_letter(*c, 0);
			if (d && d->arg) {
				if (!c[1])
					i++; /* the value is the next argument */
				break;
			}
		}
	}
	return commands_default();
}

static void describe_options(char *buf, size_t len, unsigned int mask)
{
	size_t used = 0;
	buf[0] = '\0';
	for (unsigned int i = 0; i < cw_option_def_count && used + 1 < len; i++) {
		if (!(cw_option_defs[i].commands & mask))
			continue;
		int n = snprintf(buf + used, len - used, "%s--%s", used ? " " : "",
		                 cw_option_defs[i].name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}

/* Seconds as a decimal fraction; 0 means "as fast as possible" (benchmarks). A day at most: a
 * larger value is a typo, and the TUI must still wake for keys. */
static int parse_interval(const char *arg, double *out, struct cw_error *err)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || !(v >= 0 && v <= 86400))
		return cw_error_set(
		    err, -EINVAL, _("--interval: '%s' is not a number of seconds from 0 to 86400"),
		    arg);
	*out = v;
	return 0;
}

static int parse_count(const char *arg, unsigned long *out, struct cw_error *err)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v == 0)
		return cw_error_set(err, -EINVAL, _("--count: '%s' is not a positive whole number"),
		                    arg);
	*out = v;
	return 0;
}

/* "500M", "1G", "1048576": bytes, with binary suffixes; from 1 MiB (a full refresh of a busy
 * server must fit) to 1 TiB. */
static int parse_size(const char *arg, unsigned long long *out, struct cw_error *err)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	unsigned shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (errno || end == arg || *end || arg[0] == '-' || v > (1ull << 40) >> shift ||
	    (v << shift) < (1ull << 20) || (v << shift) > (1ull << 40))
		return cw_error_set(err, -EINVAL,
		                    _("--max-size: '%s' is not a size from 1M to 1024G (for "
		                      "example 500M or 1G)"),
		                    arg);
	*out = v << shift;
	return 0;
}

/* Applies one option; the command is not known yet, so applicability is checked later. */
static int apply(struct cw_options *o, int id, const char *arg, struct cw_error *err)
{
	switch (id) {
	case OPT_HELP:
		o->help = true;
		return 0;
	case OPT_VERSION:
		o->version = true;
		return 0;
	case OPT_LANG:
		if (strcmp(arg, "en") && strcmp(arg, "id"))
			return cw_error_set(err, -EINVAL,
			                    _("--lang: '%s' is not a language "
			                      "connwatch has (en, id)"),
			                    arg);
		o->lang = arg;
		return 0;
	case OPT_TCP:
		o->filter.tcp = true;
		return 0;
	case OPT_UDP:
		o->filter.udp = true;
		return 0;
	case OPT_IPV4:
		o->filter.ipv4 = true;
		return 0;
	case OPT_IPV6:
		o->filter.ipv6 = true;
		return 0;
	case OPT_LISTENING:
		o->filter.listening = FILTER_LISTENING;
		return 0;
	case OPT_ALL:
		o->filter.listening = FILTER_ALL;
		return 0;
	case OPT_NUMERIC:
		return 0;
	case OPT_STATE:
		return filter_add_states(&o->filter, arg, err);
	case OPT_PORT:
		return filter_add_port(&o->filter, arg, err);
	case OPT_LOCAL:
		return filter_add_local(&o->filter, arg, err);
	case OPT_REMOTE:
		return filter_add_remote(&o->filter, arg, err);
	case OPT_PROCESSES:
		o->processes = true;
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_NO_HEADER:
		o->no_header = true;
		return 0;
	case OPT_INTERVAL:
		return parse_interval(arg, &o->interval_s, err);
	case OPT_COUNT:
		return parse_count(arg, &o->count, err);
	case OPT_PLAIN:
		o->plain = true;
		return 0;
	case OPT_SORT:
		o->sort = arg;
		return 0;
	case OPT_SOURCE:
		if (strcmp(arg, "bpf") && strcmp(arg, "netlink") && strcmp(arg, "proc"))
			return cw_error_set(
			    err, -EINVAL,
			    _("--source: '%s' is not a source; valid: bpf, netlink, proc"), arg);
		o->source = arg;
		return 0;
	case OPT_PROC_ROOT:
		o->proc_root = arg;
		return 0;
	case OPT_RECORD:
		o->record_path = arg;
		return 0;
	case OPT_NETNS:
		if (netns_spec_kind(arg) < 0)
			return cw_error_set(
			    err, -EINVAL,
			    _("invalid --netns '%s': give a name under /run/netns, a "
			      "path, a pid or all"),
			    arg);
		o->netns = arg;
		return 0;
	case OPT_REPLAY:
		o->replay_path = arg;
		return 0;
	case OPT_LISTEN: {
		struct sockaddr_storage sa;
		socklen_t salen;
		if (!endpoint_parse(arg, &sa, &salen))
			return cw_error_set(
			    err, -EINVAL,
			    _("--listen: '%s' is not ADDR:PORT (for example "
			      "127.0.0.1:9877, [::1]:9877 or :9877 for every address; names are "
			      "not resolved)"),
			    arg);
		if (o->listen_count >= CW_MAX_LISTEN)
			return cw_error_set(err, -EINVAL, _("--listen: at most %d addresses"),
			                    CW_MAX_LISTEN);
		o->listen[o->listen_count++] = arg;
		return 0;
	}
	case OPT_TEXTFILE:
		o->textfile = arg;
		return 0;
	case OPT_TOP: {
		uint64_t v;
		if (!parse_dec_str(arg, 1, 100, &v))
			return cw_error_set(err, -EINVAL,
			                    _("--top: '%s' is not a number from 1 to 100"), arg);
		o->top = (unsigned int)v;
		o->top_set = true;
		return 0;
	}
	case OPT_WARNING:
		return threshold_set_add(&o->check_thresholds, arg, false, err);
	case OPT_CRITICAL:
		return threshold_set_add(&o->check_thresholds, arg, true, err);
	case OPT_THRESHOLD:
		if (o->threshold_count == CW_MAX_THRESHOLDS)
			return cw_error_set(err, -EINVAL, _("--threshold: at most %d may be given"),
			                    CW_MAX_THRESHOLDS);
		o->thresholds[o->threshold_count++] = arg;
		return 0;
	case OPT_CONFIG:
		o->config_path = arg;
		return 0;
	case OPT_MAX_SIZE:
		return parse_size(arg, &o->max_size, err) < 0 ? -EINVAL
		                                              : (o->max_size_set = true, 0);
	case OPT_AT:
		o->at = arg;
		return 0;
	case OPT_FROM:
		o->from = arg;
		return 0;
	case OPT_TO:
		o->to = arg;
		return 0;
	case OPT_TIMEOUT: {
		uint64_t v;
		if (!parse_dec_str(arg, 1, 3600, &v))
			return cw_error_set(
			    err, -EINVAL,
			    _("--timeout: '%s' is not a number of seconds from 1 to "
			      "3600"),
			    arg);
		o->timeout_s = (unsigned int)v;
		return 0;
	}
	case OPT_VERBOSE:
		o->verbose = true;
		return 0;
	default:
		return cw_error_set(err, -EINVAL, _("unhandled option"));
	}
}

int options_parse(int argc, char **argv, struct cw_options *o, struct cw_error *err)
{
	memset(o, 0, sizeof(*o));
	filter_init(&o->filter);
	o->interval_s = 2.0;
	o->timeout_s = 10; /* monitoring-plugins' DEFAULT_SOCKET_TIMEOUT */

	/* getopt returns LONG_BASE + index for a long option, the letter for a short one. */
	enum { LONG_BASE = 1000 };
	const struct cw_command *line_cmd = command_on_line(argc, argv);
	struct option longopts[96];
	char shortopts[160];
	size_t s = 0;
	unsigned int n = 0;
	shortopts[s++] = ':'; /* report a missing argument as ':' */
	for (unsigned int i = 0;
	     i < cw_option_def_count && n + 1 < sizeof(longopts) / sizeof(longopts[0]); i++) {
		const struct cw_option_def *d = &cw_option_defs[i];
		longopts[n++] = (struct option){d->name, d->arg ? required_argument : no_argument,
		                                NULL, LONG_BASE + (int)i};
		int letter = options_short_letter(d);
		/* each letter once, with the meaning it has for the command on the line */
		if (letter && def_by_letter(letter, line_cmd->bit) == d &&
		    options_short_letter_for(d, line_cmd->bit) && s + 3 < sizeof(shortopts)) {
			shortopts[s++] = (char)letter;
			if (d->arg)
				shortopts[s++] = ':';
		}
	}
	longopts[n] = (struct option){0};
	shortopts[s] = '\0';

	/* An option error is kept, not returned at once: the command named later on the line still
	 * decides how the error is reported (`check` answers UNKNOWN on stdout, exit 3). */
	const struct cw_option_def *seen[64];
	unsigned int nseen = 0;
	int first_rc = 0;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		int r = 0;
		const struct cw_option_def *d = NULL;
		if (c >= LONG_BASE)
			d = &cw_option_defs[c - LONG_BASE];
		else if (c != '?' && c != ':')
			d = def_by_letter(c, line_cmd->bit);
		if (c == '?') {
			/* A letter of another command's option (`list -c`) is unknown here: the
			 * message names only the options of the command on the line. */
			const char *bad = argv[optind - 1];
			char valid[1024];
			describe_options(valid, sizeof(valid), line_cmd->bit);
			if (optopt && optopt < LONG_BASE)
				r = cw_error_set(first_rc ? NULL : err, -EINVAL,
				                 _("unknown option '-%c'; options of '%s': %s"),
				                 optopt, line_cmd->name, valid);
			else
				r = cw_error_set(first_rc ? NULL : err, -EINVAL,
				                 _("unknown option '%s'; options of '%s': %s"), bad,
				                 line_cmd->name, valid);
		} else if (c == ':') {
			const struct cw_option_def *m = optopt >= LONG_BASE
			                                    ? &cw_option_defs[optopt - LONG_BASE]
			                                    : def_by_letter(optopt, line_cmd->bit);
			r = cw_error_set(first_rc ? NULL : err, -EINVAL,
			                 _("option --%s needs an argument (%s)"), m ? m->name : "?",
			                 m && m->arg ? m->arg : "");
		} else if (d && !(d->commands & line_cmd->bit)) {
			if (nseen < 64) /* reported below as not applying to the command */
				seen[nseen++] = d;
		} else if (d) {
			r = apply(o, d->id, optarg, first_rc ? NULL : err);
			if (r == 0 && nseen < 64)
				seen[nseen++] = d;
		}
		if (r < 0 && !first_rc)
			first_rc = r;
	}

	const struct cw_command *cmd = NULL;
	int i = optind;
	if (i < argc) {
		cmd = commands_find(argv[i]);
		if (!cmd) {
			char names[256] = "";
			size_t used = 0;
			for (unsigned int k = 0; k < cw_command_count; k++)
				used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
				                         k ? ", " : "", cw_commands[k].name);
			return cw_error_set(err, -EINVAL, _("unknown command '%s'; commands: %s"),
			                    argv[i], names);
		}
		o->command_named = true;
		i++;
	} else {
		cmd = commands_default();
	}
	o->command = cmd->bit;
	o->command_name = cmd->name;
	if (first_rc)
		return first_rc;
	for (; i < argc; i++) {
		if (o->arg_count >= cmd->max_args || o->arg_count >= CW_MAX_ARGS)
			return cw_error_set(err, -EINVAL, _("'%s' takes no argument '%s'"),
			                    cmd->name, argv[i]);
		o->args[o->arg_count++] = argv[i];
	}
	for (unsigned int k = 0; k < nseen; k++) {
		const struct cw_option_def *d = seen[k];
		if (!(d->commands & cmd->bit)) {
			char valid[1024];
			describe_options(valid, sizeof(valid), cmd->bit);
			return cw_error_set(
			    err, -EINVAL, _("option --%s does not apply to '%s'; its options: %s"),
			    d->name, cmd->name, valid);
		}
	}
	if (o->proc_root && o->source && strcmp(o->source, "proc"))
		return cw_error_set(
		    err, -EINVAL, _("--proc-root reads /proc files: it cannot go with --source %s"),
		    o->source);
	if (o->replay_path && (o->source || o->proc_root || o->record_path))
		return cw_error_set(err, -EINVAL, "%s",
		                    _("--replay cannot go with --source, --proc-root or --record"));
	if ((o->at || o->from || o->to) && !o->replay_path)
		return cw_error_set(err, -EINVAL, "%s",
		                    _("--at, --from and --to pick refreshes of a recording: they "
		                      "need --replay FILE"));
	if (o->at && (o->from || o->to))
		return cw_error_set(err, -EINVAL, "%s",
		                    _("--at shows one refresh; --from and --to a span: not both"));
	if (o->to && !o->from)
		return cw_error_set(err, -EINVAL, "%s", _("--to needs --from"));
	if (o->max_size_set && o->command == CMD_LIVE && !o->record_path)
		return cw_error_set(err, -EINVAL, "%s", _("--max-size goes with --record"));
	if (!o->max_size_set)
		o->max_size = REC_DEFAULT_MAX_SIZE;
	if (o->command == CMD_LIST && o->record_path &&
	    (o->proc_root || (o->source && strcmp(o->source, "netlink"))))
		return cw_error_set(
		    err, -EINVAL, "%s",
		    _("--record saves netlink replies: it needs the netlink source"));
	if (o->netns && (o->proc_root || o->replay_path || o->record_path ||
	                 (o->source && strcmp(o->source, "netlink"))))
		return cw_error_set(
		    err, -EINVAL, "%s",
		    _("--netns reads other namespaces through netlink: it cannot go "
		      "with --source proc, --proc-root, --replay or --record"));
	if (o->textfile && o->listen_count)
		return cw_error_set(err, -EINVAL, "%s",
		                    _("--textfile writes a file instead of serving: it cannot go "
		                      "with --listen"));
	if (o->processes && (o->proc_root || o->replay_path))
		return cw_error_set(err, -EINVAL, "%s",
		                    _("--processes looks up the sockets of this machine now: it "
		                      "cannot go with --proc-root or --replay"));
	filter_finish(&o->filter);
	return 0;
}

void options_print_help(FILE *out, unsigned int mask)
{
	for (unsigned int i = 0; i < cw_option_def_count; i++) {
		const struct cw_option_def *d = &cw_option_defs[i];
		if (!(d->commands & mask))
			continue;
		char left[64];
		if (options_short_letter_for(d, mask))
			snprintf(left, sizeof(left), "-%c, --%s%s%s", options_short_letter(d),
			         d->name, d->arg ? " " : "", d->arg ? d->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", d->name, d->arg ? " " : "",
			         d->arg ? d->arg : "");
		fprintf(out, "  %-30s %s\n", left, _(d->help));
	}
}
