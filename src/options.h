/* The one option table: parsing, --help and the man page's OPTIONS come from it (a test checks
 * that the man page and the bash completion name every option). */
#ifndef CW_OPTIONS_H
#define CW_OPTIONS_H

#include "error.h"
#include "filter.h"
#include "threshold.h"

#include <stdbool.h>
#include <stdio.h>

/* Subcommands, as bits, so an option can say where it applies. */
enum cw_command_bit {
	CMD_LIST = 1u << 0,
	CMD_SUMMARY = 1u << 1,
	CMD_EXPLAIN = 1u << 2,
	CMD_IMPORT = 1u << 3,
	CMD_LIVE = 1u << 4,
	CMD_SERVE = 1u << 5,
	CMD_CHECK = 1u << 6,
	CMD_RECORD = 1u << 7,
	CMD_ANY = 0xffffu,
};

/* Commands that diagnose and take thresholds. */
#define CMD_DIAGNOSE (CMD_SUMMARY | CMD_IMPORT | CMD_LIVE | CMD_SERVE | CMD_CHECK | CMD_RECORD)

/* Commands that read live sockets and take the socket filters. */
#define CMD_SNAPSHOT (CMD_LIST | CMD_SUMMARY | CMD_LIVE | CMD_SERVE | CMD_CHECK)

enum cw_option_id {
	OPT_ALL = 'a',
	/* Short letters are per command: two options of different commands may share one (check's
	 * -c/--critical, as monitoring plugins spell it, and a -c of another command). A shared
	 * letter is written 'c' | OPT_SHARED_SHORT; the command on the line picks the option. */
	OPT_CRITICAL = 'c' | 0x10000,
	OPT_HELP = 'h',
	OPT_LISTENING = 'l',
	OPT_NUMERIC = 'n',
	OPT_PROCESSES = 'p',
	OPT_TCP = 't',
	OPT_UDP = 'u',
	OPT_VERSION = 'V',
	OPT_WARNING = 'w' | 0x10000,
	OPT_IPV4 = '4',
	OPT_IPV6 = '6',
	OPT_COUNT = 'c',
	OPT_INTERVAL = 'i',
	/* check: the monitoring-plugins standard -t/--timeout and -v/--verbose; -t is --tcp for
	 * every other command */
	OPT_TIMEOUT = 't' | 0x10000,
	OPT_VERBOSE = 'v',
	OPT_LONG_ONLY = 256,
	OPT_JSON,
	OPT_LANG,
	OPT_LOCAL,
	OPT_NO_HEADER,
	OPT_PLAIN,
	OPT_PORT,
	OPT_PROC_ROOT,
	OPT_RECORD,
	OPT_REMOTE,
	OPT_REPLAY,
	OPT_SORT,
	OPT_SOURCE,
	OPT_STATE,
	OPT_LISTEN,
	OPT_TEXTFILE,
	OPT_TOP,
	OPT_THRESHOLD,
	OPT_CONFIG,
	OPT_MAX_SIZE,
	OPT_AT,
	OPT_FROM,
	OPT_TO,
	OPT_NETNS,
};

#define OPT_SHARED_SHORT 0x10000

struct cw_option_def {
	const char *name;      /* long name without dashes */
	int id;                /* enum cw_option_id; a printable id is also the short option */
	const char *arg;       /* argument name for help, NULL when the option takes none */
	const char *help;      /* N_() marked */
	unsigned int commands; /* enum cw_command_bit mask */
};

extern const struct cw_option_def cw_option_defs[];
extern const unsigned int cw_option_def_count;

#define CW_MAX_ARGS       8
#define CW_MAX_LISTEN     4
#define CW_MAX_THRESHOLDS 32

/* Everything the command line said. Strings point into argv (borrowed). */
struct cw_options {
	unsigned int command; /* enum cw_command_bit */
	const char *command_name;
	bool command_named;            /* the command was on the command line (not the default) */
	const char *args[CW_MAX_ARGS]; /* positional arguments after the command */
	unsigned int arg_count;
	bool help, version;
	bool json;
	bool no_header;
	bool processes; /* -p: find the process owning each socket */
	const char *lang;
	const char *source; /* "netlink", "proc", or NULL = netlink with fallback */
	const char *proc_root;
	const char *record_path;
	const char *replay_path;
	double interval_s;   /* live: seconds between refreshes (default 2) */
	unsigned long count; /* live: stop after this many refreshes; 0 = run until stopped */
	bool plain;          /* live: text blocks even on a terminal */
	const char *sort;    /* live: initial sort key, checked by cmd_live */
	struct filter filter;
	/* serve */
	const char *listen[CW_MAX_LISTEN]; /* "ADDR:PORT" as given; none = the default */
	unsigned int listen_count;
	const char *textfile; /* write the metrics to this file instead of serving them */
	unsigned int top;     /* per-address and per-port series: only the top N */
	bool top_set;
	/* check */
	struct threshold_set check_thresholds;     /* -w/-c STATE=RANGE */
	const char *thresholds[CW_MAX_THRESHOLDS]; /* --threshold NAME=VALUE, in order */
	unsigned int threshold_count;
	const char *config_path; /* --config FILE: read it instead of the default files */
	/* history (recordings) */
	unsigned long long max_size; /* record, live --record: bytes for FILE and FILE.1 */
	bool max_size_set;
	const char *at;         /* list, summary, live --replay: TIME (history.h) */
	const char *from, *to;  /* summary --replay: what fired between */
	const char *netns;      /* --netns NAME|PATH|PID|all, checked by netns.c; NULL = ours */
	unsigned int timeout_s; /* check: give up with UNKNOWN after this long (default 10) */
	bool verbose;           /* check: evidence and remedies after the status line */
};

/* Parses argv. Returns 0, or -EINVAL with err naming the problem (unknown option, option that
 * does not apply to the command, bad value). `commands` resolves the command name. */
struct cw_command;
int options_parse(int argc, char **argv, struct cw_options *o, struct cw_error *err);

/* The short letter of an option, or 0 when it has none. */
int options_short_letter(const struct cw_option_def *d);

/* The short letter of an option for the commands in mask (0 when it has none there). */
int options_short_letter_for(const struct cw_option_def *d, unsigned int mask);

/* Prints the options that apply to the commands in mask. */
void options_print_help(FILE *out, unsigned int mask);

/* The value of --lang in argv, found before the full parse so errors are already translated. */
const char *options_find_lang(int argc, char **argv);

#endif
