/* Reads text files line by line with a bound on what one line may cost: a line longer than the
 * caller's buffer is read and dropped, and a "line" that never ends (/dev/zero, a binary file)
 * stops the read once it passes a hard limit, so a hostile file can take neither memory nor
 * unbounded time. */
#ifndef CW_UTIL_LINEREAD_H
#define CW_UTIL_LINEREAD_H

#include <stddef.h>
#include <stdio.h>

/* Bytes one line may have before the file is taken for something else than text lines. */
#define LINE_RUNAWAY_MAX (5u * 1024 * 1024)

enum line_read_result {
	LINE_READ_OK,      /* buf holds the line (without '\n'), *len its length */
	LINE_READ_EOF,     /* nothing more to read (or a read error: check ferror) */
	LINE_READ_LONG,    /* longer than cap: dropped, *len is cap */
	LINE_READ_RUNAWAY, /* no newline within LINE_RUNAWAY_MAX bytes: stop reading this file */
};

/* Reads the next line of in into buf (cap bytes, not NUL-terminated, NUL bytes kept). */
enum line_read_result line_read(FILE *in, char *buf, size_t cap, size_t *len);

#endif
