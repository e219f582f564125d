#include "parse.h"

#include <string.h>

bool parse_blanks(const char **p, const char *end)
{
	const char *s = *p;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	bool skipped = s != *p;
	*p = s;
	return skipped;
}

bool parse_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

int parse_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool parse_hex(const char **p, const char *end, unsigned min_digits, unsigned max_digits,
               uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	unsigned n = 0;
	if (max_digits > 16)
		max_digits = 16;
	while (s < end && n < max_digits) {
		int d = parse_hex_digit(*s);
		if (d < 0)
			break;
		v = (v << 4) | (uint64_t)d;
		s++;
		n++;
	}
	if (n < min_digits || n == 0)
		return false;
	/* A run longer than max_digits is a malformed field, not two fields. */
	if (s < end && parse_hex_digit(*s) >= 0)
		return false;
	*p = s;
	*out = v;
	return true;
}

bool parse_dec(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	unsigned n = 0;
	while (s < end && *s >= '0' && *s <= '9') {
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		s++;
		n++;
	}
	if (n == 0)
		return false;
	*p = s;
	*out = v;
	return true;
}

bool parse_dec_str(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!s)
		return false;
	const char *p = s, *end = s + strlen(s);
	uint64_t v;
	if (!parse_dec(&p, end, &v) || p != end || v < min || v > max)
		return false;
	*out = v;
	return true;
}
