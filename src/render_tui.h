/* The ncurses screen of the live view. It owns the terminal while open: SIGINT and SIGTERM only
 * set a flag the loop reads, a crash restores the terminal before the signal goes on to its
 * previous handler (so sanitizers and core dumps still work), and what is written to stderr
 * while the screen is up is held and replayed after it closes. */
#ifndef CW_RENDER_TUI_H
#define CW_RENDER_TUI_H

#include "error.h"
#include "live_view.h"
#include "render_live.h"

#include <stdbool.h>

enum tui_event {
	TUI_TIMEOUT,      /* nothing happened before the timeout */
	TUI_VIEW_CHANGED, /* sort or filter changed: recompute the view, then draw */
	TUI_REDRAW,       /* scroll, resize, help or pause: draw again */
	TUI_QUIT,         /* q, SIGINT or SIGTERM */
	/* playing a recording back (tui_state.replay): */
	TUI_STEP_BACK,    /* Left: the refresh before */
	TUI_STEP_FORWARD, /* Right: the refresh after */
	TUI_PREV_WARNING, /* [: the last refresh before this one with a warning */
	TUI_NEXT_WARNING, /* ]: the next refresh with a warning */
	TUI_GOTO,         /* g: the refresh at the time typed (tui_state.goto_text) */
};

struct tui_state {
	size_t top;      /* first row shown (index into view->order) */
	size_t selected; /* selected row (index into view->order) */
	bool paused;
	bool help;
	bool explain;
	bool warnings;  /* the box with the warnings' evidence and remedies */
	size_t warning; /* which warning it shows */
	bool color;
	int rows_per_page;  /* table rows that fit, from the last draw */
	int hscroll;        /* columns the table is scrolled sideways; 0: fitted to the screen */
	int hscroll_max;    /* how far it can scroll, from the last draw */
	bool replay;        /* a recording: the keys step through time */
	char goto_text[64]; /* TUI_GOTO: what was typed */
};

/* Takes over the terminal. color: use colours when the terminal has them (false for NO_COLOR).
 * Returns 0, or a negative errno with err set (the terminal is then left as it was). */
int tui_open(struct tui_state *s, bool color, struct cw_error *err);

/* Gives the terminal back and replays held stderr. Safe to call twice. */
void tui_close(struct tui_state *s);

/* Draws a frame (only the visible rows). */
void tui_draw(struct tui_state *s, const struct live_frame *f);

/* Waits up to timeout_ms for a key and acts on it (keys may change v). */
enum tui_event tui_wait(struct tui_state *s, struct live_view *v, const struct live_frame *f,
                        int timeout_ms);

/* Shows a one-line message at the bottom until a key or 3 s pass (a replay's "no warning"). */
void tui_message(const char *msg);

/* The help box's lines for a box `width` columns wide inside: a key column, then the
 * translated description wrapped under itself; a replay's keys step through time. Returns how
 * many (at most max). Pure. */
struct tui_help_line {
	char key[64];
	char text[256];
};
size_t tui_help_layout(bool replay, int width, struct tui_help_line *out, size_t max);

/* True once SIGINT or SIGTERM arrived. */
bool tui_stop_requested(void);

#endif
