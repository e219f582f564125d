/* Making untrusted text (process names, command lines, imported lines) safe to show. */
#ifndef CW_UTIL_ESCAPE_H
#define CW_UTIL_ESCAPE_H

#include <stddef.h>

/* Copies in[0..len) to out (size outlen, always NUL-terminated) with every control character,
 * DEL and byte of invalid UTF-8 written as \xHH and a backslash as \\, so that nothing reaching
 * a terminal can move the cursor or change its state. Valid UTF-8 passes through. Output that
 * does not fit is cut at a character boundary. Returns the length written. */
size_t escape_terminal(const char *in, size_t len, char *out, size_t outlen);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes are not valid UTF-8. */
size_t utf8_sequence_length(const unsigned char *s, size_t avail);

#endif
