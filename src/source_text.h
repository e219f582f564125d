/* Parsing of saved `netstat -ntu[a]` and `ss -tan[u]` text, exposed for unit tests and the fuzzer.
 * The source itself (source_text in source.h) reads a file or stdin line by line and feeds it
 * here. */
#ifndef CW_SOURCE_TEXT_H
#define CW_SOURCE_TEXT_H

#include "snapshot.h"
#include "source.h"

#include <stddef.h>

/* Longest line accepted; a netstat or ss row is under 200 bytes even with -p and IPv6. Longer
 * lines are reported and skipped without being held in memory. */
#define TEXT_LINE_MAX 4096

enum text_line_kind {
	TEXT_ROW,        /* a connection; *c is filled */
	TEXT_IGNORED,    /* blank, a header of netstat or ss, or a socket that is not TCP/UDP */
	TEXT_TITLE,      /* watch's title "Every 2.0s: ..."; what follows up to the table may be
	                  * the rest of it, wrapped */
	TEXT_INCOMPLETE, /* a row cut short (a wrapped line): join it with the next line */
	TEXT_BAD,        /* not understood; *why names the field, *token points at it */
};

/* What was wrong with a TEXT_BAD line: an untranslated field name and the offending token
 * (inside the line; not NUL-terminated, and never shown without escaping). */
struct text_problem {
	const char *field;
	const char *token;
	size_t token_len;
};

/* Classifies and parses one line (without its newline). */
enum text_line_kind text_parse_line(const char *line, size_t len, struct conn *c,
                                    struct text_problem *why);

/* Line-by-line state of one input: the wrapped-row buffer and the line number. */
struct text_reader {
	const char *name; /* file name for notes ("stdin" for -) */
	const struct source_request *req;
	unsigned long lineno;
	char pending[TEXT_LINE_MAX + 1]; /* an incomplete row waiting for its continuation */
	size_t pending_len;
	unsigned long pending_lineno;
	bool in_title; /* after watch's title, before the first row or header */
};

void text_reader_init(struct text_reader *r, const char *name, const struct source_request *req);

/* Feeds one line (without its newline; may hold any bytes). Rows go to snap, problems become
 * notes "NAME:LINE: ..." and count in snap->skipped. Returns 0 or -ENOMEM. */
int text_reader_line(struct text_reader *r, const char *line, size_t len, struct snapshot *snap);

/* Feeds a line longer than TEXT_LINE_MAX: only reported. */
void text_reader_overlong(struct text_reader *r, struct snapshot *snap);

/* Ends the input: a row still waiting for its continuation is reported. */
void text_reader_finish(struct text_reader *r, struct snapshot *snap);

/* Parses a whole buffer (the fuzzer's entry point). Returns 0 or -ENOMEM. */
int text_parse_buffer(const char *name, const char *buf, size_t len,
                      const struct source_request *req, struct snapshot *snap);

#endif
