/* Parsing of saved `netstat` and `ss` text, exposed for unit tests and the fuzzer. The source
 * itself (source_text in source.h) reads a file or stdin line by line and feeds it here.
 *
 * Read: numeric output (-n) and names (netstat/ss without -n: "localhost:smtp", "[::]:ssh",
 * names cut to netstat's column), scope suffixes ("%lo"), the extra columns of netstat -e -p -o
 * and ss -e -p -i (pid, program, uid, inode where shown), ss with and without a Netid column. */
#ifndef CW_SOURCE_TEXT_H
#define CW_SOURCE_TEXT_H

#include "snapshot.h"
#include "source.h"
#include "util/pidnames.h"
#include "util/services.h"

#include <stddef.h>

/* Longest line accepted; a netstat or ss row is under 200 bytes even with -p and IPv6, a few
 * hundred with ss -e -p. Longer lines are reported and skipped without being held in memory. */
#define TEXT_LINE_MAX 4096

/* A program name as netstat -p or ss -p shows it (comm is at most 15 bytes; longer is cut). */
#define TEXT_PROGRAM_MAX PIDNAMES_NAME_MAX

/* Rows of an ss table without a Netid column held back until a row tells TCP from UDP. */
#define TEXT_HELD_ROWS_MAX 4096

enum text_line_kind {
	TEXT_ROW,        /* a connection; *row is filled */
	TEXT_IGNORED,    /* blank, or a header of netstat or ss */
	TEXT_OTHER_KIND, /* a socket that is not TCP/UDP (unix, raw, netlink...) or ss's noise */
	TEXT_TITLE,      /* watch's title "Every 2.0s: ..." or netstat's "(Not all processes
	                  * ...)"; what follows up to the table may be the rest of it, wrapped */
	TEXT_INCOMPLETE, /* a row cut short (a wrapped line): join it with the next line */
	TEXT_BAD,        /* not understood; *why names the field, *token points at it */
};

/* One parsed row: the socket and what the extra columns said about its owner (the reader
 * stores the pid and program in snapshot.owners, the row keeps its handle in conn.owner). */
struct text_row {
	struct conn c;
	int32_t pid;                    /* 0 = not shown */
	char program[TEXT_PROGRAM_MAX]; /* "" = not shown; untrusted bytes, escape before output */
	bool proto_ambiguous; /* ss without Netid, ESTAB: TCP or UDP is told by the other rows */
};

/* What was wrong with a TEXT_BAD line: an untranslated field name and the offending token
 * (inside the line; not NUL-terminated, and never shown without escaping). */
struct text_problem {
	const char *field;
	const char *token;
	size_t token_len;
	/* Set on a netstat row whose address column is 23 characters wide: netstat without -W cuts
	 * a long IPv6 address to that width, so the address may be a truncated one. */
	bool maybe_truncated;
	bool read_names; /* the row had a host or service name, not numbers */
};

/* The extra columns after State in netstat's header, in the order netstat prints them. */
enum text_netstat_column {
	TEXT_COL_USER = 1,  /* -e: user name or uid */
	TEXT_COL_INODE = 2, /* -e */
	TEXT_COL_PID = 4,   /* -p: "PID/Program name" */
	TEXT_COL_TIMER = 8, /* -o */
};

/* What a line needs besides itself. Owned by the reader; free with text_context_free(). */
struct text_context {
	struct snapshot *snap;     /* owns the interned names; NULL: a name is a malformed token */
	const char *services_path; /* default /etc/services, read at the first service name */
	struct services services;  /* read from services_path, owned */
	/* The table in use: &services once read, or one the caller loaded once for many inputs
	 * (the fuzzer; borrowed). NULL until a service name needs it. */
	const struct services *table;
	unsigned netstat_columns; /* enum text_netstat_column bits of the last netstat header */
};

void text_context_init(struct text_context *ctx, struct snapshot *snap);
void text_context_free(struct text_context *ctx);

/* Classifies and parses one line (without its newline). ctx may be NULL (numbers only). A
 * netstat header line updates ctx->netstat_columns. */
enum text_line_kind text_parse_line(struct text_context *ctx, const char *line, size_t len,
                                    struct text_row *row, struct text_problem *why);

/* Line-by-line state of one input: the wrapped-row buffer and the line number. */
struct text_reader {
	const char *name; /* file name for notes ("stdin" for -) */
	const struct source_request *req;
	struct text_context ctx;
	unsigned long lineno;
	char pending[TEXT_LINE_MAX + 1]; /* an incomplete row waiting for its continuation */
	size_t pending_len;
	unsigned long pending_lineno;
	bool in_title;          /* after watch's title, before the first row or header */
	bool after_row;         /* the last non-blank line was a row: indented details may follow */
	bool warned_truncation; /* said once that netstat may have cut IPv6 addresses */
	bool warned_names;      /* said once that names were read */
	unsigned long other_kinds; /* lines of other socket kinds skipped quietly */
	unsigned long connections; /* rows read (before the request's filter) */
	uint8_t table_proto;       /* ss without Netid: CONN_TCP/CONN_UDP once told, else 0xff */
	struct text_row *held;     /* ESTAB rows waiting for table_proto (owned; grows on demand) */
	size_t held_count;
	size_t held_cap;
};

/* Returns 0 (allocates nothing: held rows grow when a table needs them). Free with
 * text_reader_free(). */
int text_reader_init(struct text_reader *r, const char *name, const struct source_request *req,
                     struct snapshot *snap);
void text_reader_free(struct text_reader *r);

/* Feeds one line (without its newline; may hold any bytes). Rows go to snap, problems become
 * notes "NAME:LINE: ..." and count in snap->skipped. Returns 0 or -ENOMEM. */
int text_reader_line(struct text_reader *r, const char *line, size_t len, struct snapshot *snap);

/* Feeds a line longer than TEXT_LINE_MAX: only reported. */
void text_reader_overlong(struct text_reader *r, struct snapshot *snap);

/* Ends the input: held rows are released, a row still waiting for its continuation is reported,
 * the quiet skips are summed up in one note. Returns 0 or a negative errno. */
int text_reader_finish(struct text_reader *r, struct snapshot *snap);

/* Parses a whole buffer (the fuzzer's entry point). services: a table loaded once by the caller
 * (borrowed), or NULL to read /etc/services at the first service name, as import does.
 * Returns 0 or -ENOMEM. */
int text_parse_buffer(const char *name, const char *buf, size_t len,
                      const struct source_request *req, const struct services *services,
                      struct snapshot *snap);

#endif
