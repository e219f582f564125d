/* Bounded number parsers over a cursor: each advances *p past what it read and never reads at or
 * past end. They replace sscanf on hot paths (100,000 lines) and are fuzzed with the parsers that
 * use them. All return true on success; on failure *p is left where the problem is. */
#ifndef CW_UTIL_PARSE_H
#define CW_UTIL_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* Skips blanks (space, tab). Returns true when at least one was skipped. */
bool parse_blanks(const char **p, const char *end);

/* Consumes the character c. */
bool parse_char(const char **p, const char *end, char c);

/* The value of one hex digit (either case), or -1. */
int parse_hex_digit(char c);

/* Reads min_digits..max_digits hex digits (upper or lower case) into *out. */
bool parse_hex(const char **p, const char *end, unsigned min_digits, unsigned max_digits,
               uint64_t *out);

/* Reads a decimal number of at most 20 digits that fits in uint64_t. */
bool parse_dec(const char **p, const char *end, uint64_t *out);

/* Parses a whole string as a decimal number in [min, max]; no sign, no blanks, no junk. */
bool parse_dec_str(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif
