#include "escape.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

/* Decodes the sequence at s; 0 when it is not valid UTF-8 (then *cp is unset). */
static size_t utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
	if (avail == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	uint32_t v;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF are not valid UTF-8. */
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	/* C1 control characters (U+0080..U+009F) act on some terminals like ESC sequences. */
	if (v >= 0x80 && v <= 0x9f)
		return 0;
	*cp = v;
	return n;
}

size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
	uint32_t cp;
	return utf8_decode(s, avail, &cp);
}

/* Unicode's format characters (general category Cf: bidi embeddings, overrides and isolates,
 * zero-width space and joiners, the BOM, invisible operators, tags), the line and paragraph
 * separators, and the invisible fillers that pass for letters (Hangul fillers, the combining
 * grapheme joiner). None of them has a glyph: shown as is they hide text or reorder it (the
 * "Trojan Source" trick, CVE-2021-42574). */
static const struct {
	uint32_t first, last;
} invisible[] = {
    {0x00ad, 0x00ad},   {0x034f, 0x034f},   {0x0600, 0x0605},   {0x061c, 0x061c},
    {0x06dd, 0x06dd},   {0x070f, 0x070f},   {0x0890, 0x0891},   {0x08e2, 0x08e2},
    {0x115f, 0x1160},   {0x17b4, 0x17b5},   {0x180b, 0x180f},   {0x200b, 0x200f},
    {0x2028, 0x202e},   {0x2060, 0x206f},   {0x3164, 0x3164},   {0xfe00, 0xfe0f},
    {0xfeff, 0xfeff},   {0xffa0, 0xffa0},   {0xfff9, 0xfffb},   {0x110bd, 0x110bd},
    {0x110cd, 0x110cd}, {0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},
    {0xe0000, 0xe0fff},
};

bool escape_is_invisible(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(invisible) / sizeof(invisible[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < invisible[mid].first)
			hi = mid;
		else if (cp > invisible[mid].last)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

size_t escape_terminal(const char *in, size_t len, char *out, size_t outlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;
	if (outlen == 0)
		return 0;
	for (size_t i = 0; i < len;) {
		char piece[16];
		size_t plen;
		uint32_t cp = 0;
		size_t n = utf8_decode(s + i, len - i, &cp);
		if (n == 1 && s[i] >= 0x20 && s[i] != 0x7f && s[i] != '\\') {
			piece[0] = (char)s[i];
			plen = 1;
		} else if (n == 1 && s[i] == '\\') {
			memcpy(piece, "\\\\", 2);
			plen = 2;
		} else if (n > 1 && escape_is_invisible(cp)) {
			plen =
			    (size_t)snprintf(piece, sizeof(piece),
			                     cp > 0xffff ? "\\U%08x" : "\\u%04x", (unsigned int)cp);
		} else if (n > 1) {
			memcpy(piece, s + i, n);
			plen = n;
		} else {
			plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", s[i]);
			n = 1;
		}
		if (o + plen + 1 > outlen)
			break;
		memcpy(out + o, piece, plen);
		o += plen;
		i += n;
	}
	out[o] = '\0';
	return o;
}

size_t utf8_fit_columns(const char *s, size_t len, size_t max_cols, size_t *cols)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, used = 0;
	while (i < len) {
		uint32_t cp = 0;
		size_t n = utf8_decode(u + i, len - i, &cp);
		int w = 1;
		if (n == 0)
			n = 1; /* a stray byte: the caller escaped it or the terminal shows one cell
			        */
		else if (cp >= 0x80 && (w = wcwidth((wchar_t)cp)) < 0)
			w = 1;
		if (used + (size_t)w > max_cols)
			break;
		used += (size_t)w;
		i += n;
	}
	if (cols)
		*cols = used;
	return i;
}

size_t utf8_columns(const char *s, size_t len)
{
	size_t cols;
	utf8_fit_columns(s, len, SIZE_MAX, &cols);
	return cols;
}
