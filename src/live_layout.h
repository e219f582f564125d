/* The columns of the live view's table on a terminal of a given width. Pure: the screen
 * (render_tui.c) measures what the visible rows need, asks for a layout, and draws the cells.
 *
 * At 80 columns (an SSH console) the full row (netstat's columns, "In state", with -p the
 * owner) does not fit. The layout then, in this order, narrows the address columns to what the
 * rows on screen need, drops the least useful columns (Proto, then Send-Q, then Recv-Q: the
 * queues also have their own rules), elides long addresses in the middle (the port stays), and
 * only then gives up the owner and the age. The State column is never cut while anything else
 * can give way. Scrolling sideways shows the full row instead. */
#ifndef CW_LIVE_LAYOUT_H
#define CW_LIVE_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

enum live_col {
	LIVE_COL_PROTO,
	LIVE_COL_RECV_Q,
	LIVE_COL_SEND_Q,
	LIVE_COL_LOCAL,
	LIVE_COL_REMOTE,
	LIVE_COL_STATE,
	LIVE_COL_AGE,
	LIVE_COL_OWNER, /* last: it takes what is left */
	LIVE_COL_COUNT,
};

/* Bytes of a formatted row: every cell at its widest, in UTF-8. */
#define LIVE_LAYOUT_LINE_MAX 2048

/* Columns before the first cell: the new/changed mark and a blank. */
#define LIVE_LAYOUT_MARK 2

/* An address column is never elided below this (an IPv4 endpoint with its port stays whole
 * down to 21). */
#define LIVE_LAYOUT_ADDR_MIN 15

/* The owner column is shown only with at least this much room ("12345/python3"). */
#define LIVE_LAYOUT_OWNER_MIN 14

struct live_layout {
	bool shown[LIVE_COL_COUNT];
	int width[LIVE_COL_COUNT]; /* display columns of each shown cell */
	int line;                  /* columns of a whole row: mark, cells, one blank between */
};

/* want[c]: the width column c needs to show every visible cell and its header whole (the owner:
 * its longest cell); owners: whether there is an owner column (-p). full: no fitting at all,
 * every column at its wanted width (for scrolling sideways); else the columns fit `cols`. */
void live_layout_fit(struct live_layout *l, const int want[LIVE_COL_COUNT], bool owners, int cols,
                     bool full);

/* Writes text into out as exactly width display columns (blank-padded; right-aligned when
 * right): whole when it fits, else with its middle replaced by "~" (elide_middle) or its end
 * cut. text is ASCII or UTF-8; columns are counted as code points. Returns bytes written (out
 * holds at least 4 * width + 1). */
size_t live_layout_cell(char *out, const char *text, int width, bool right, bool elide_middle);

/* How many bytes of text go on a line of width columns: up to the last blank that fits (a word
 * longer than the line is cut, never inside a UTF-8 sequence); all of it when it fits. */
size_t live_layout_wrap(const char *text, int width);

/* Display columns of UTF-8 text (code points; control bytes never reach here: cells are
 * escaped before). */
int live_layout_columns(const char *text);

#endif
