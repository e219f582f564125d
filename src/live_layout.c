#include "live_layout.h"

#include <string.h>

int live_layout_columns(const char *text)
{
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		n += (*p & 0xc0) != 0x80; /* count lead bytes, not continuation bytes */
	return n;
}

static size_t prefix_bytes(const char *text, int cols);

size_t live_layout_wrap(const char *text, int width)
{
	if (width < 1)
		width = 1;
	size_t all = strlen(text);
	if (live_layout_columns(text) <= width)
		return all;
	size_t fit = prefix_bytes(text, width); /* text[fit] starts the first code point past */
	if (text[fit] == ' ')
		return fit;
	for (size_t i = fit; i > 0; i--)
		if (text[i - 1] == ' ')
			return i - 1 > 0 ? i - 1 : fit;
	return fit;
}

/* Bytes of the first `cols` code points of text (never splits a UTF-8 sequence). */
static size_t prefix_bytes(const char *text, int cols)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0;
	for (int seen = 0; p[i]; i++) {
		if ((p[i] & 0xc0) != 0x80 && seen++ == cols)
			break;
	}
	return i;
}

/* Bytes from the start of the last `cols` code points of text. */
static size_t suffix_start(const char *text, int cols)
{
	size_t i = strlen(text);
	for (int seen = 0; i > 0 && seen < cols;) {
		i--;
		if ((((const unsigned char *)text)[i] & 0xc0) != 0x80)
			seen++;
	}
	return i;
}

size_t live_layout_cell(char *out, const char *text, int width, bool right, bool elide_middle)
{
	char *p = out;
	if (width <= 0) {
		*out = '\0';
		return 0;
	}
	int cols = live_layout_columns(text);
	if (cols <= width) {
		int pad = width - cols;
		if (right)
			for (; pad > 0; pad--)
				*p++ = ' ';
		size_t len = strlen(text);
		memcpy(p, text, len);
		p += len;
		for (; pad > 0; pad--)
			*p++ = ' ';
	} else if (elide_middle && width >= 3) {
		/* keep more of the end: an endpoint's port and the end of its address */
		int tail = width / 2, head = width - 1 - tail;
		size_t hb = prefix_bytes(text, head);
		memcpy(p, text, hb);
		p += hb;
		*p++ = '~';
		const char *t = text + suffix_start(text, tail);
		size_t tb = strlen(t);
		memcpy(p, t, tb);
		p += tb;
	} else {
		size_t b = prefix_bytes(text, width);
		memcpy(p, text, b);
		p += b;
	}
	*p = '\0';
	return (size_t)(p - out);
}

/* Columns of a row without the owner cell. */
static int line_without_owner(const struct live_layout *l)
{
	int n = LIVE_LAYOUT_MARK;
	bool first = true;
	for (int c = 0; c < LIVE_COL_OWNER; c++) {
		if (!l->shown[c])
			continue;
		n += (first ? 0 : 1) + l->width[c];
		first = false;
	}
	return n;
}

static int min_int(int a, int b)
{
	return a < b ? a : b;
}

/* Whether the row fits cols with the owner (when shown) at its minimum room. */
static bool fits(const struct live_layout *l, const int want[LIVE_COL_COUNT], int cols)
{
	int need = line_without_owner(l);
	if (l->shown[LIVE_COL_OWNER])
		need += 1 + min_int(want[LIVE_COL_OWNER], LIVE_LAYOUT_OWNER_MIN);
	return need <= cols;
}

static void finish(struct live_layout *l, const int want[LIVE_COL_COUNT], int cols, bool full)
{
	int rest = line_without_owner(l);
	if (l->shown[LIVE_COL_OWNER]) {
		int room = cols - rest - 1;
		l->width[LIVE_COL_OWNER] =
		    full ? want[LIVE_COL_OWNER] : min_int(want[LIVE_COL_OWNER], room);
		rest += 1 + l->width[LIVE_COL_OWNER];
	}
	l->line = rest;
}

/* Elides the wider address column first, a column at a time, down to min. */
static void shrink_addresses(struct live_layout *l, const int want[LIVE_COL_COUNT], int cols,
                             int min)
{
	for (;;) {
		int *lw = &l->width[LIVE_COL_LOCAL], *rw = &l->width[LIVE_COL_REMOTE];
		int *wider = *lw > *rw ? lw : rw;
		if (*wider <= min || fits(l, want, cols))
			return;
		(*wider)--;
	}
}

void live_layout_fit(struct live_layout *l, const int want[LIVE_COL_COUNT], bool owners, int cols,
                     bool full)
{
	for (int c = 0; c < LIVE_COL_COUNT; c++) {
		l->shown[c] = true;
		l->width[c] = want[c] > 0 ? want[c] : 1;
	}
	l->shown[LIVE_COL_OWNER] = owners;
	if (full || fits(l, want, cols)) {
		finish(l, want, cols, full);
		return;
	}
	static const enum live_col least_useful[] = {LIVE_COL_PROTO, LIVE_COL_SEND_Q,
	                                             LIVE_COL_RECV_Q};
	for (size_t i = 0; i < sizeof(least_useful) / sizeof(least_useful[0]); i++) {
		l->shown[least_useful[i]] = false;
		if (fits(l, want, cols)) {
			finish(l, want, cols, false);
			return;
		}
	}
	shrink_addresses(l, want, cols, LIVE_LAYOUT_ADDR_MIN);
	if (!fits(l, want, cols))
		l->shown[LIVE_COL_OWNER] = false;
	if (!fits(l, want, cols))
		l->shown[LIVE_COL_AGE] = false;
	shrink_addresses(l, want, cols, 3); /* a tiny terminal: a few characters each */
	if (!fits(l, want, cols)) {
		/* a very narrow terminal: the State column takes what is left (at least 1) */
		int rest = line_without_owner(l) - l->width[LIVE_COL_STATE];
		l->width[LIVE_COL_STATE] = cols - rest > 1 ? cols - rest : 1;
	}
	finish(l, want, cols, false);
}
