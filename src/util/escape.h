/* Making untrusted text (process names, command lines, imported lines) safe to show. */
#ifndef CW_UTIL_ESCAPE_H
#define CW_UTIL_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Copies in[0..len) to out (size outlen, always NUL-terminated) with every control character,
 * DEL and byte of invalid UTF-8 written as \xHH and a backslash as \\, so that nothing reaching
 * a terminal can move the cursor or change its state. Code points that are invisible or reorder
 * the text around them (bidi controls such as U+202E, zero-width spaces and joiners, U+FEFF,
 * line separators, tag characters) are written as \uXXXX (\UXXXXXXXX above U+FFFF): a name
 * cannot hide itself or make the rest of the line read backwards. Other valid UTF-8 passes
 * through. Output that does not fit is cut at a character boundary. Returns the length
 * written. */
size_t escape_terminal(const char *in, size_t len, char *out, size_t outlen);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes are not valid UTF-8. */
size_t utf8_sequence_length(const unsigned char *s, size_t avail);

/* True for the code points escape_terminal writes as \u escapes. */
bool escape_is_invisible(uint32_t cp);

/* How many bytes of s[0..len) fit in max_cols terminal columns, never splitting a UTF-8
 * sequence; *cols (may be NULL) gets the columns they take. Widths come from wcwidth() in the
 * current LC_CTYPE (wide CJK characters take 2, combining marks 0); a byte of invalid UTF-8 or a
 * character the locale cannot print counts as 1. */
size_t utf8_fit_columns(const char *s, size_t len, size_t max_cols, size_t *cols);

/* Display columns of s[0..len) (utf8_fit_columns without a limit). */
size_t utf8_columns(const char *s, size_t len);

#endif
