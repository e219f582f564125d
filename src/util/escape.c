#include "escape.h"

#include <stdio.h>
#include <string.h>

size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
	if (avail == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned int cp;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF are not valid UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	/* C1 control characters (U+0080..U+009F) act on some terminals like ESC sequences. */
	if (cp >= 0x80 && cp <= 0x9f)
		return 0;
	return n;
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
		size_t n = utf8_sequence_length(s + i, len - i);
		if (n == 1 && s[i] >= 0x20 && s[i] != 0x7f && s[i] != '\\') {
			piece[0] = (char)s[i];
			plen = 1;
		} else if (n == 1 && s[i] == '\\') {
			memcpy(piece, "\\\\", 2);
			plen = 2;
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
