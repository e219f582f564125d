#include "render_tui.h"

#include "render_trend.h"

#include "netns.h"

#include "i18n.h"
#include "live_layout.h"
#include "procmap.h"
#include "render_summary.h"
#include "render_table.h"
#include "states.h"
#include "util/addr.h"
#include "util/escape.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The TUI's screen state that signal handlers must reach: the only globals of the program. */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t screen_active;
static volatile sig_atomic_t saved_stderr = -1; /* the real stderr while it is held */
static FILE *held_stderr;                       /* what was written to stderr meanwhile */
static int held_fd = -1; /* its descriptor, for the paths that may not use stdio */
/* Signals after which the program dies (as it would have), terminal restored first. */
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT};
#define CRASH_SIGNALS (sizeof(crash_signals) / sizeof(crash_signals[0]))
static struct sigaction previous_crash[CRASH_SIGNALS];
/* Signals that ask to stop: they only set a flag, the loop then quits cleanly. SIGHUP: the
 * terminal went away (ssh closed). */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define STOP_SIGNALS (sizeof(stop_signals) / sizeof(stop_signals[0]))
static struct sigaction previous_stop[STOP_SIGNALS];

enum colour_pair {
	PAIR_OK = 1, /* normal states */
	PAIR_WATCH,  /* states worth a look in numbers: TIME_WAIT, closing states */
	PAIR_ALERT,  /* states the user's document warns about: SYN_RECV, CLOSE_WAIT */
	PAIR_INFO,   /* listeners, UDP */
	PAIR_NEW,
	PAIR_CHANGED,
	PAIR_TITLE,
};

/* Set by the sanitizer runtime (ASan, UBSan, LSan) of a sanitizer build: it calls the callback
 * after printing a report, just before the process dies. Weak, so that a build without
 * sanitizers links and simply has no such function. */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/* Leaves curses, puts the real stderr back and writes to it what was held meanwhile (a
 * sanitizer's report among it). Reached from tui_close, a crash signal, the sanitizers' death
 * callback and exit(): apart from endwin() only plain system calls, so it also serves inside a
 * signal handler. Does nothing the second time. */
static void give_back_terminal(void)
{
	if (screen_active) {
		screen_active = 0;
		endwin();
	}
	int real = saved_stderr;
	if (real < 0)
		return;
	saved_stderr = -1;
	dup2(real, STDERR_FILENO);
	close(real);
	char buf[4096];
	ssize_t n;
	off_t off = 0;
	while (held_fd >= 0 && (n = pread(held_fd, buf, sizeof(buf), off)) > 0) {
		off += n;
		for (ssize_t done = 0, w; done < n; done += w)
			if ((w = write(STDERR_FILENO, buf + done, (size_t)(n - done))) <= 0)
				return;
	}
}

static void on_sanitizer_death(void)
{
	give_back_terminal();
}

static void on_exit_with_screen(void)
{
	give_back_terminal();
}

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Restores the terminal, then lets the signal do what it would have done (the sanitizers'
 * report, a core dump). */
static void on_crash(int sig)
{
	give_back_terminal();
	for (unsigned int i = 0; i < CRASH_SIGNALS; i++)
		if (crash_signals[i] == sig)
			sigaction(sig, &previous_crash[i], NULL);
	raise(sig);
}

bool tui_stop_requested(void)
{
	return stop_requested != 0;
}

static void hold_stderr(void)
{
	fflush(stderr);
	held_stderr = tmpfile();
	if (!held_stderr)
		return; /* nothing to hold it in: messages then go to the screen, as before */
	int real = dup(STDERR_FILENO);
	held_fd = fileno(held_stderr);
	if (real < 0 || dup2(held_fd, STDERR_FILENO) < 0) {
		if (real >= 0)
			close(real);
		fclose(held_stderr);
		held_stderr = NULL;
		held_fd = -1;
		return;
	}
	saved_stderr = real;
}

static void replay_stderr(void)
{
	fflush(stderr);
	give_back_terminal();
	if (held_stderr)
		fclose(held_stderr);
	held_stderr = NULL;
	held_fd = -1;
}

int tui_open(struct tui_state *s, bool color, struct cw_error *err)
{
	memset(s, 0, sizeof(*s));
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: the wait for a key returns at once */
	for (unsigned int i = 0; i < STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &sa, &previous_stop[i]);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (unsigned int i = 0; i < CRASH_SIGNALS; i++)
		sigaction(crash_signals[i], &sa, &previous_crash[i]);

	setlocale(LC_CTYPE, ""); /* UTF-8 text (Indonesian messages, escaped names) drawn as is */
	const char *term = getenv("TERM");
	SCREEN *scr = newterm(term && *term ? term : NULL, stdout, stdin);
	if (!scr) {
		tui_close(s);
		return cw_error_set(err, -ENOTTY,
		                    _("cannot use the terminal (TERM=%s); try --plain"),
		                    term ? term : "");
	}
	set_term(scr);
	screen_active = 1;
	hold_stderr();
	/* However the program ends while the screen is up, the terminal comes back with the
	 * held messages: a sanitizer's death, exit() from anywhere, a crash signal (above). */
	static bool exit_hooked;
	if (!exit_hooked)
		exit_hooked = atexit(on_exit_with_screen) == 0;
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(on_sanitizer_death);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (color && has_colors()) {
		start_color();
		use_default_colors();
		init_pair(PAIR_OK, COLOR_GREEN, -1);
		init_pair(PAIR_WATCH, COLOR_YELLOW, -1);
		init_pair(PAIR_ALERT, COLOR_RED, -1);
		init_pair(PAIR_INFO, COLOR_CYAN, -1);
		init_pair(PAIR_NEW, COLOR_GREEN, -1);
		init_pair(PAIR_CHANGED, COLOR_YELLOW, -1);
		init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
		s->color = true;
	}
	return 0;
}

void tui_close(struct tui_state *s)
{
	(void)s;
	if (screen_active) {
		screen_active = 0;
		endwin();
		fflush(stdout);
	}
	replay_stderr();
	for (unsigned int i = 0; i < STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &previous_stop[i], NULL);
	for (unsigned int i = 0; i < CRASH_SIGNALS; i++)
		sigaction(crash_signals[i], &previous_crash[i], NULL);
}

/* --- drawing ----------------------------------------------------------------------------- */

static attr_t colour(const struct tui_state *s, enum colour_pair p, attr_t mono)
{
	return s->color ? COLOR_PAIR(p) : mono;
}

/* How much a state should catch the eye (the user's document names SYN_RECV, TIME_WAIT and
 * CLOSE_WAIT as states to watch). */
static enum colour_pair state_concern(unsigned int state)
{
	switch (state) {
	case TCP_ST_SYN_RECV:
	case TCP_ST_CLOSE_WAIT:
		return PAIR_ALERT;
	case TCP_ST_TIME_WAIT:
	case TCP_ST_SYN_SENT:
	case TCP_ST_FIN_WAIT1:
	case TCP_ST_FIN_WAIT2:
	case TCP_ST_CLOSING:
	case TCP_ST_LAST_ACK:
		return PAIR_WATCH;
	case TCP_ST_ESTABLISHED:
		return PAIR_OK;
	default:
		return PAIR_INFO;
	}
}

/* Writes text at the cursor without passing the right edge; returns the columns left. Counted
 * in display columns, and cut between characters: a UTF-8 sequence is never split. */
static int put(int room, const char *text)
{
	if (room <= 0)
		return 0;
	size_t cols;
	size_t n = utf8_fit_columns(text, strlen(text), (size_t)room, &cols);
	addnstr(text, (int)n);
	return room - (int)cols;
}

/* put() at (y, x) with room columns. */
static void put_at(int y, int x, const char *text, int room)
{
	move(y, x);
	put(room, text);
}

#define TUI_MAX_WARNING_LINES 4

/* One line per warning, worst first as diagnose orders them; the text is escaped because it
 * quotes addresses and, with owners, process names. */
static void draw_warnings(struct tui_state *s, const struct live_frame *f, int *y)
{
	const struct diag_report *r = f->report;
	if (!r->count) {
		move(*y, 0);
		attron(colour(s, PAIR_OK, A_NORMAL));
		put(COLS, _("No warnings."));
		attroff(colour(s, PAIR_OK, A_NORMAL));
		(*y)++;
		return;
	}
	for (size_t i = 0; i < r->count && i < TUI_MAX_WARNING_LINES; i++) {
		const struct warning *w = &r->items[i];
		bool last = i + 1 == TUI_MAX_WARNING_LINES && r->count > TUI_MAX_WARNING_LINES;
		char msg[sizeof(w->message) * 4], line[sizeof(msg) + 96];
		if (last) {
			snprintf(line, sizeof(line),
			         _("... and %zu more warnings (connwatch summary "
			           "shows them with evidence)"),
			         r->count - i);
		} else {
			escape_terminal(w->message, strlen(w->message), msg, sizeof(msg));
			snprintf(line, sizeof(line), "%s %s: %s",
			         w->severity == DIAG_CRITICAL ? _("CRITICAL") : _("WARNING"), w->id,
			         msg);
		}
		attr_t a =
		    colour(s, w->severity == DIAG_CRITICAL ? PAIR_ALERT : PAIR_WATCH, A_BOLD) |
		    A_BOLD;
		move(*y, 0);
		attron(a);
		put(COLS, line);
		attroff(a);
		(*y)++;
	}
}

/* The sparklines, two series a line. */
static void draw_trend(const struct live_frame *f, int *y)
{
	if (!f->trend || COLS < 40)
		return;
	size_t cells = (size_t)(COLS / 2 - 34 > 4 ? COLS / 2 - 34 : 4);
	for (unsigned s = 0; s < TREND_COUNT; s += 2) {
		char a[TREND_CELLS * 3 + 96], b[TREND_CELLS * 3 + 96];
		render_trend_line(a, sizeof(a), f->trend, (enum trend_series)s, cells, f->utf8);
		render_trend_line(b, sizeof(b), f->trend, (enum trend_series)(s + 1), cells,
		                  f->utf8);
		move(*y, 0);
		int room = put(COLS, a);
		move(*y, COLS / 2);
		put(room > COLS / 2 ? COLS / 2 : room, b);
		(*y)++;
	}
}

static void draw_header(struct tui_state *s, const struct live_frame *f, int *y)
{
	char left[128], right[320];
	live_header_left(left, sizeof(left), f->interval_s, f->snap->source_name);
	live_header_right(right, sizeof(right), f->hostname, f->wall);
	move(*y, 0);
	put(COLS, left);
	if (f->replay_total) { /* the header's time is the recorded one */
		attron(A_REVERSE | A_BOLD);
		printw(_("  REPLAY %llu/%llu "), (unsigned long long)f->replay_index,
		       (unsigned long long)f->replay_total);
		attroff(A_REVERSE | A_BOLD);
	}
	if (s->paused) {
		attron(A_REVERSE | A_BOLD);
		printw("  %s ", _("PAUSED"));
		attroff(A_REVERSE | A_BOLD);
	}
	if (f->stale) { /* the refresh failed: the rows are the last good ones */
		attron(A_REVERSE | A_BOLD);
		printw("  %s ", _("STALE"));
		attroff(A_REVERSE | A_BOLD);
	}
	char behind[96];
	live_header_behind(behind, sizeof(behind), f);
	if (behind[0]) { /* the user should know the screen is older than the interval says */
		int x = getcurx(stdscr);
		attron(A_BOLD);
		put_at(*y, x + 2, behind, COLS - x - 2);
		attroff(A_BOLD);
	}
	/* the host and clock only where they cover none of the marks and the note before them */
	int rlen = (int)utf8_columns(right, strlen(right));
	if (rlen < COLS - (int)utf8_columns(left, strlen(left)) - 12 &&
	    rlen <= COLS - getcurx(stdscr) - 2) {
		move(*y, COLS - rlen);
		put(rlen, right);
	}
	(*y)++;

	/* counts per state, coloured by concern */
	struct live_count_item items[LIVE_COUNT_ITEMS_MAX];
	size_t n = live_count_items(f->stats, items);
	move(*y, 0);
	int room = COLS;
	if (!n)
		room = put(room, _("no connections"));
	for (size_t i = 0; i < n && room > 0; i++) {
		char num[32];
		snprintf(num, sizeof(num), " %zu  ", items[i].count);
		attr_t a = colour(s, state_concern(items[i].state),
		                  state_concern(items[i].state) == PAIR_ALERT ? A_BOLD : A_NORMAL);
		attron(a | A_BOLD);
		room = put(room, items[i].name);
		attroff(a | A_BOLD);
		room = put(room, num);
	}
	(*y)++;
	draw_trend(f, y);
	move(*y, 0);
	char changes[160];
	snprintf(changes, sizeof(changes),
	         _("Since the last refresh: %zu new, %zu changed state, %zu closed"),
	         f->changes->new_count, f->changes->changed_count, f->changes->closed_count);
	put(COLS, changes);
	(*y)++;

	char top[512];
	live_top_remotes(top, sizeof(top), f->stats);
	move(*y, 0);
	attron(A_BOLD);
	int room_left = put(COLS, _("Top remote: "));
	attroff(A_BOLD);
	put(room_left, top[0] ? top : _("none"));
	(*y)++;
	draw_warnings(s, f, y);
}

static void draw_status(struct tui_state *s, const struct live_frame *f, int y)
{
	const struct live_view *v = f->view;
	char buf[400], filter[sizeof(v->filter_text) * 4 + 8];
	escape_terminal(v->filter_text, strlen(v->filter_text), filter, sizeof(filter));
	snprintf(buf, sizeof(buf), _("Sort: %s%s  Filter: %s  Listeners: %s  Shown: %zu of %zu"),
	         live_sort_name(v->sort), v->reverse ? _(" (reversed)") : "",
	         filter[0] ? filter : _("none"), v->show_listeners ? _("shown") : _("hidden"),
	         v->order_count, f->snap->count);
	move(y, 0);
	attron(colour(s, PAIR_INFO, A_NORMAL));
	put(COLS, buf);
	attroff(colour(s, PAIR_INFO, A_NORMAL));
}

/* The cells of one table row as text (owner escaped by owner_text). */
struct row_cells {
	char proto[8], recv_q[12], send_q[12];
	char local[ADDR_ENDPOINT_MAX], remote[ADDR_ENDPOINT_MAX];
	char age[32], owner[OWNER_TEXT_MAX + UNIT_TEXT_MAX + 4 * 128 + 8];
	const char *cell[LIVE_COL_COUNT];
};

static void row_cells_fill(struct row_cells *r, const struct live_frame *f, const struct conn *c,
                           const struct track_mark *m)
{
	snprintf(r->proto, sizeof(r->proto), "%s", conn_proto_name(c));
	snprintf(r->recv_q, sizeof(r->recv_q), "%u", c->recv_q);
	snprintf(r->send_q, sizeof(r->send_q), "%u", c->send_q);
	addr_format_endpoint(r->local, c->family, c->local_addr, c->local_port);
	addr_format_endpoint(r->remote, c->family, c->remote_addr, c->remote_port);
	live_state_age(r->age, sizeof(r->age), m, f->now_ms);
	/* the owner column: pid/program, unit or container (-p), and the namespace (--netns) */
	size_t on = 0;
	if (f->owners) { /* escaped: a process names itself */
		const struct procmap_owner *o = procmap_owner_of(f->owners, c->inode);
		on = owner_text(o, r->owner, OWNER_TEXT_MAX);
		size_t un = unit_text(o, r->owner + on + 1, UNIT_TEXT_MAX);
		if (un)
			r->owner[on] = ' ';
		on += un ? un + 1 : 0;
	}
	if (f->snap->netns) {
		const char *ns = netns_label(f->snap->netns, c->netns);
		if (on)
			r->owner[on++] = ' ';
		on += escape_terminal(ns, strlen(ns), r->owner + on, 4 * 128);
	}
	r->owner[on] = '\0';
	r->cell[LIVE_COL_PROTO] = r->proto;
	r->cell[LIVE_COL_RECV_Q] = r->recv_q;
	r->cell[LIVE_COL_SEND_Q] = r->send_q;
	r->cell[LIVE_COL_LOCAL] = r->local;
	r->cell[LIVE_COL_REMOTE] = r->remote;
	r->cell[LIVE_COL_STATE] = conn_state_text(c);
	r->cell[LIVE_COL_AGE] = r->age;
	r->cell[LIVE_COL_OWNER] = r->owner;
}

static const char *const *header_cells(const struct live_frame *f)
{
	static const char *h[LIVE_COL_COUNT];
	h[LIVE_COL_PROTO] = _("Proto");
	h[LIVE_COL_RECV_Q] = _("Recv-Q");
	h[LIVE_COL_SEND_Q] = _("Send-Q");
	h[LIVE_COL_LOCAL] = _("Local Address");
	h[LIVE_COL_REMOTE] = _("Foreign Address");
	h[LIVE_COL_STATE] = _("State");
	h[LIVE_COL_AGE] = _("In state");
	h[LIVE_COL_OWNER] = f->owners && f->snap->netns
	                        ? _("PID/Program name, Unit/Container, Netns")
	                    : f->owners      ? _("PID/Program name, Unit/Container")
	                    : f->snap->netns ? _("Netns")
	                                     : "";
	return h;
}

static void want_cells(int want[LIVE_COL_COUNT], const char *const *cells)
{
	for (int c = 0; c < LIVE_COL_COUNT; c++) {
		int w = live_layout_columns(cells[c]);
		if (w > want[c])
			want[c] = w;
	}
}

/* One row laid out: the mark, then the shown cells, then from column `skip` on (scrolled
 * sideways) as much as fits in `room` columns. */
static void format_row(char *line, size_t len, const struct live_layout *l, char mark,
                       const char *const *cells, int skip)
{
	char full[LIVE_LAYOUT_LINE_MAX];
	size_t n = 0;
	full[n++] = mark;
	full[n++] = ' ';
	bool first = true;
	for (int c = 0; c < LIVE_COL_COUNT; c++) {
		if (!l->shown[c])
			continue;
		if (!first)
			full[n++] = ' ';
		first = false;
		bool number = c == LIVE_COL_RECV_Q || c == LIVE_COL_SEND_Q;
		bool address = c == LIVE_COL_LOCAL || c == LIVE_COL_REMOTE;
		if (n + 4 * (size_t)l->width[c] + 2 >= sizeof(full))
			break;
		n += live_layout_cell(full + n, cells[c], l->width[c], number, address);
	}
	full[n] = '\0';
	while (n > 0 && full[n - 1] == ' ')
		full[--n] = '\0'; /* no trailing blanks */
	const char *p = full;
	for (int col = 0; *p && col < skip; col++) /* a code point at a time */
		for (p++; (*(const unsigned char *)p & 0xc0) == 0x80; p++)
			;
	snprintf(line, len, "%s", p);
}

static void draw_table(struct tui_state *s, const struct live_frame *f, int y, int last)
{
	const struct live_view *v = f->view;
	int page = last - y; /* the header takes the first line */
	s->rows_per_page = page > 1 ? page : 1;
	if (s->selected < s->top)
		s->top = s->selected;
	if (s->selected >= s->top + (size_t)s->rows_per_page)
		s->top = s->selected - (size_t)s->rows_per_page + 1;
	if (s->top + (size_t)s->rows_per_page > v->order_count)
		s->top = v->order_count > (size_t)s->rows_per_page
		             ? v->order_count - (size_t)s->rows_per_page
		             : 0;

	/* Only the rows on the screen are formatted: 100,000 rows cost no more than 50. Their
	 * widths decide the layout. */
	const char *const *head = header_cells(f);
	int want[LIVE_COL_COUNT] = {0};
	want_cells(want, head);
	size_t end = s->top + (size_t)s->rows_per_page;
	if (end > v->order_count)
		end = v->order_count;
	for (size_t k = s->top; k < end; k++) {
		struct row_cells r;
		uint32_t i = v->order[k];
		row_cells_fill(&r, f, &f->snap->conns[i], &f->marks[i]);
		want_cells(want, r.cell);
	}
	struct live_layout fit, full;
	live_layout_fit(&fit, want, f->owners || f->snap->netns, COLS, false);
	live_layout_fit(&full, want, f->owners || f->snap->netns, COLS, true);
	/* Sideways: at 0 the fitted row; scrolled, the full row from that column. */
	s->hscroll_max = full.line > COLS ? full.line - COLS : 0;
	if (s->hscroll > s->hscroll_max)
		s->hscroll = s->hscroll_max;
	const struct live_layout *l = s->hscroll ? &full : &fit;

	char line[LIVE_LAYOUT_LINE_MAX];
	format_row(line, sizeof(line), l, ' ', head, s->hscroll);
	move(y, 0);
	attron(colour(s, PAIR_TITLE, A_REVERSE));
	int left = put(COLS, line);
	for (; left > 0; left--)
		addch(' ');
	attroff(colour(s, PAIR_TITLE, A_REVERSE));
	y++;

	for (size_t k = s->top; k < end && y <= last; k++, y++) {
		uint32_t i = v->order[k];
		const struct track_mark *m = &f->marks[i];
		struct row_cells r;
		row_cells_fill(&r, f, &f->snap->conns[i], m);
		char mark = m->flags & TRACK_NEW ? '+' : m->flags & TRACK_CHANGED ? '*' : ' ';
		format_row(line, sizeof(line), l, mark, r.cell, s->hscroll);
		attr_t a = A_NORMAL;
		if (m->flags & TRACK_NEW)
			a = colour(s, PAIR_NEW, A_BOLD) | A_BOLD;
		else if (m->flags & TRACK_CHANGED)
			a = colour(s, PAIR_CHANGED, A_BOLD) | A_BOLD;
		if (k == s->selected)
			a |= A_REVERSE;
		move(y, 0);
		attron(a);
		left = put(COLS, line);
		if (k == s->selected)
			for (; left > 0; left--)
				addch(' ');
		attroff(a);
	}
}

/* Word-wraps text into the box from row *y, columns x..x+w. */
static void wrap(const char *text, int *y, int x, int w, int ymax)
{
	if (w <= 0)
		return; /* no room: nothing to wrap into (and no endless loop) */
	const char *p = text;
	while (*p && *y < ymax) {
		size_t len = strlen(p);
		size_t take = utf8_fit_columns(p, len, (size_t)w, NULL);
		if (take < len) {
			size_t t = take;
			while (t > 0 && p[t] != ' ')
				t--;
			if (t > 0)
				take = t;
		}
		if (take == 0) { /* a character wider than the box: skip it rather than loop */
			size_t n = utf8_sequence_length((const unsigned char *)p, len);
			take = n ? n : 1;
		}
		mvaddnstr(*y, x, p, (int)take);
		(*y)++;
		p += take;
		while (*p == ' ')
			p++;
	}
}

#define TUI_BOX_MIN_COLS  24
#define TUI_BOX_MIN_LINES 8

static void draw_box(int *top, int *left, int *w, int *h, int want_h)
{
	*w = COLS > 84 ? 80 : COLS - 4;
	*h = want_h < LINES - 2 ? want_h : LINES - 2;
	*top = (LINES - *h) / 2;
	*left = (COLS - *w) / 2;
	for (int y = *top; y < *top + *h; y++) {
		move(y, *left);
		for (int x = 0; x < *w; x++)
			addch(' ');
	}
	if (*w > 2 && *h > 2) {
		WINDOW *b = derwin(stdscr, *h, *w, *top, *left);
		if (b) {
			box(b, 0, 0);
			delwin(b);
		}
	}
}

static void draw_explain(const struct live_frame *f, const struct tui_state *s)
{
	const struct live_view *v = f->view;
	if (!v->order_count)
		return;
	const struct conn *c = &f->snap->conns[v->order[s->selected]];
	int top, left, w, h;
	draw_box(&top, &left, &w, &h, 16);
	int y = top + 1, ymax = top + h - 1;
	if (c->proto == CONN_UDP) {
		put_at(y++, left + 2, "UDP", w - 4);
		wrap(_("UDP has no connection states. A connected UDP socket (shown as "
		       "ESTABLISHED, as "
		       "netstat does) has a fixed peer; an unconnected one receives from anyone."),
		     &y, left + 2, w - 4, ymax);
	} else {
		const struct tcp_state_info *info = tcp_state_info(c->state);
		attron(A_BOLD);
		put_at(y++, left + 2, tcp_state_name(c->state), w - 4);
		attroff(A_BOLD);
		if (info) {
			wrap(_(info->meaning), &y, left + 2, w - 4, ymax);
			y++;
			wrap(_(info->sequence), &y, left + 2, w - 4, ymax);
			y++;
			wrap(_(info->many_means), &y, left + 2, w - 4, ymax);
		}
	}
	put_at(top + h - 1, left + 2, _(" any key: close "), w - 4);
}

/* The keys: a key column and a description that wraps under itself, so the box fits 80
 * columns in every language (the descriptions are the translated part). */
enum help_when { HELP_ALWAYS, HELP_LIVE, HELP_REPLAY };
static const struct {
	const char *key, *what;
	enum help_when when;
} help_entries[] = {
    {N_("Up/Down"), N_("move the selection (PgUp/PgDn: a page, Home/End: to the ends)"),
     HELP_ALWAYS},
    {N_("Left/Right"), N_("scroll the table sideways: every column whole"), HELP_LIVE},
    {N_("Left/Right"), N_("step one refresh back or forward"), HELP_REPLAY},
    {"[ ]", N_("the previous or next refresh with a warning"), HELP_REPLAY},
    {"g", N_("go to a time (2026-11-30 03:12, -10m, +30s)"), HELP_REPLAY},
    {"s / S", N_("next / previous sort: state, remote, port, queues, age, none"), HELP_ALWAYS},
    {"r", N_("reverse the order"), HELP_ALWAYS},
    {N_("f or /"), N_("filter: states, ports, addresses (local=ADDR); empty clears"), HELP_ALWAYS},
    {"c", N_("clear the filter"), HELP_ALWAYS},
    {"l", N_("show or hide listening sockets"), HELP_ALWAYS},
    {N_("e or Enter"), N_("explain the state of the selected connection"), HELP_ALWAYS},
    {"w", N_("the warnings with their evidence and what to do"), HELP_ALWAYS},
    {N_("Space or p"), N_("pause or resume refreshing"), HELP_ALWAYS},
    {"q", N_("quit"), HELP_ALWAYS},
    {"+ *", N_("first column: new since the last refresh; changed state"), HELP_ALWAYS},
    {N_("In state"),
     N_("time in the current state; a trailing + means at least that long "
        "(there at start, age unknown to the kernel)"),
     HELP_ALWAYS},
};

#define HELP_KEY_COLUMNS 14

size_t tui_help_layout(bool replay, int width, struct tui_help_line *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof(help_entries) / sizeof(help_entries[0]); i++) {
		if (help_entries[i].when == (replay ? HELP_LIVE : HELP_REPLAY))
			continue;
		const char *key = _(help_entries[i].key);
		const char *text = _(help_entries[i].what);
		bool first = true;
		while (*text || first) {
			if (n == max)
				return n;
			struct tui_help_line *l = &out[n++];
			snprintf(l->key, sizeof(l->key), "%s", first ? key : "");
			size_t take = live_layout_wrap(text, width - HELP_KEY_COLUMNS);
			snprintf(l->text, sizeof(l->text), "%.*s", (int)take, text);
			text += take;
			while (*text == ' ')
				text++;
			first = false;
		}
	}
	return n;
}

static void draw_help(const struct tui_state *s)
{
	int top, left, w, h;
	struct tui_help_line lines[40];
	size_t n = tui_help_layout(s->replay, COLS > 84 ? 80 - 4 : COLS - 8, lines, 40);
	draw_box(&top, &left, &w, &h, (int)n + 3);
	attron(A_BOLD);
	put_at(top + 1, left + 2, _("connwatch live: keys"), w - 4);
	attroff(A_BOLD);
	for (size_t i = 0; i < n && top + 2 + (int)i < top + h - 1; i++) {
		move(top + 2 + (int)i, left + 2);
		put(HELP_KEY_COLUMNS, lines[i].key);
		move(top + 2 + (int)i, left + 2 + HELP_KEY_COLUMNS);
		put(w - 4 - HELP_KEY_COLUMNS, lines[i].text);
	}
	put_at(top + h - 1, left + 2, _(" any key: close "), w - 4);
}

/* The selection indexes view->order, whose length changes with every key that moves it and
 * every refresh: clamped before anything reads order[selected] (draw_explain on a terminal too
 * short for the table read past the array after PgDn). */
static void clamp_selection(struct tui_state *s, const struct live_view *v)
{
	if (s->selected >= v->order_count)
		s->selected = v->order_count ? v->order_count - 1 : 0;
	if (s->top > s->selected)
		s->top = s->selected;
}

/* The selected warning in full: message, evidence, what to do (render_warning_text, as
 * `summary` prints it), wrapped into a box; Up/Down go to the next warning. */
static void draw_warning(const struct live_frame *f, const struct tui_state *s)
{
	const struct diag_report *r = f->report;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		return;
	if (r->count) {
		size_t i = s->warning < r->count ? s->warning : r->count - 1;
		fprintf(mem, _("Warning %zu of %zu\n"), i + 1, r->count);
		render_warning_text(mem, &r->items[i]);
	} else {
		fprintf(mem, "%s\n", _("No warnings."));
	}
	if (fclose(mem) != 0 || !text) {
		free(text);
		return;
	}
	int top, left, w, h;
	draw_box(&top, &left, &w, &h, LINES - 2);
	int y = top + 1, ymax = top + h - 1;
	for (char *line = text, *next; line && *line && y < ymax; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char shown[1024];
		escape_terminal(line, strlen(line), shown, sizeof(shown));
		const char *p = shown;
		int indent = (int)strspn(p, " ");
		do { /* wrapped lines keep the indent of their line */
			size_t take = live_layout_wrap(p, w - 4 - indent);
			mvaddnstr(y++, left + 2 + (p == shown ? 0 : indent), p, (int)take);
			p += take;
			while (*p == ' ')
				p++;
		} while (*p && y < ymax);
	}
	free(text);
	mvaddnstr(top + h - 1, left + 2, _(" Up/Down: other warnings, any key: close "), w - 4);
}

/* Before the first refresh is taken in (a million sockets take seconds to read): no counts or
 * rows yet, only what is going on and the keys (q quits at once). The header's usual "Every"
 * line comes with the first refresh. */
static void draw_first(struct tui_state *s, const struct live_frame *f)
{
	erase();
	move(0, 0);
	attron(A_BOLD);
	put(COLS, _("connwatch: reading the sockets for the first refresh"));
	attroff(A_BOLD);
	char behind[96];
	live_header_behind(behind, sizeof(behind), f);
	move(2, 0);
	put(COLS, behind);
	move(LINES - 1, 0);
	attron(A_DIM);
	put(COLS, _("q quit  ? help"));
	attroff(A_DIM);
	if (s->help && COLS >= TUI_BOX_MIN_COLS && LINES >= TUI_BOX_MIN_LINES)
		draw_help(s);
	refresh();
}

void tui_draw(struct tui_state *s, const struct live_frame *f)
{
	if (f->refresh == 0) {
		draw_first(s, f);
		return;
	}
	clamp_selection(s, f->view);
	erase(); /* erase + refresh repaints only what changed: no flicker */
	int y = 0;
	draw_header(s, f, &y);
	draw_status(s, f, y++);
	y++;
	move(LINES - 1, 0);
	attron(A_DIM);
	put(COLS, s->replay
	              ? _("q quit  ? help  space pause  Left/Right step  [ ] warnings  g go to "
	                  "a time  f filter")
	              : _("q quit  ? help  s sort  f filter  l listeners  e explain  space pause"));
	attroff(A_DIM);
	if (y < LINES - 2)
		draw_table(s, f, y, LINES - 2);
	/* the boxes need some room; on a tiny terminal the keys still close them */
	bool room = COLS >= TUI_BOX_MIN_COLS && LINES >= TUI_BOX_MIN_LINES;
	if (s->explain && room)
		draw_explain(f, s);
	if (s->help && room)
		draw_help(s);
	if (s->warnings && room)
		draw_warning(f, s);
	refresh();
}

/* --- keys -------------------------------------------------------------------------------- */

/* Reads a line at the bottom of the screen; returns false when cancelled (Esc, a signal). */
static bool prompt(const char *label, char *buf, size_t len)
{
	size_t n = strlen(buf);
	curs_set(1);
	timeout(200);
	bool ok = false;
	for (;;) {
		move(LINES - 1, 0);
		clrtoeol();
		attron(A_BOLD);
		put(COLS, label);
		attroff(A_BOLD);
		char shown[sizeof(((struct live_view *)0)->filter_text) * 4 + 8];
		escape_terminal(buf, n, shown, sizeof(shown));
		put(COLS - (int)utf8_columns(label, strlen(label)), shown);
		refresh();
		int ch = getch();
		if (stop_requested)
			break;
		if (ch == ERR)
			continue;
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			ok = true;
			break;
		}
		if (ch == 27)
			break;
		if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0)
			buf[--n] = '\0';
		else if (ch >= 32 && ch < 127 && n + 1 < len) {
			buf[n++] = (char)ch;
			buf[n] = '\0';
		}
	}
	curs_set(0);
	return ok;
}

static void show_message(const char *msg)
{
	move(LINES - 1, 0);
	clrtoeol();
	attron(A_BOLD);
	put(COLS, msg);
	attroff(A_BOLD);
	refresh();
	timeout(3000);
	getch();
}

void tui_message(const char *msg)
{
	show_message(msg);
}

#define TUI_HSCROLL_STEP 8

static enum tui_event wait_key(struct tui_state *s, struct live_view *v, const struct live_frame *f,
                               int timeout_ms)
{
	if (stop_requested)
		return TUI_QUIT;
	timeout(timeout_ms);
	int ch = getch();
	if (stop_requested)
		return TUI_QUIT;
	if (ch == ERR)
		return TUI_TIMEOUT;
	if (s->warnings && (ch == KEY_DOWN || ch == KEY_UP || ch == 'w')) {
		size_t n = f->report->count;
		if (n)
			s->warning = ch == KEY_UP ? (s->warning + n - 1) % n : (s->warning + 1) % n;
		return TUI_REDRAW;
	}
	if (s->help || s->explain || s->warnings) {
		s->help = s->explain = s->warnings = false; /* any key closes the box */
		return ch == 'q' ? TUI_QUIT : TUI_REDRAW;
	}
	size_t page = (size_t)(s->rows_per_page > 0 ? s->rows_per_page : 1);
	switch (ch) {
	case 'q':
	case 'Q':
		return TUI_QUIT;
	case KEY_RESIZE:
		return TUI_REDRAW;
	case KEY_UP:
	case 'k':
		if (s->selected > 0)
			s->selected--;
		return TUI_REDRAW;
	case KEY_DOWN:
	case 'j':
		if (s->selected + 1 < v->order_count)
			s->selected++;
		return TUI_REDRAW;
	case KEY_PPAGE:
		s->selected = s->selected > page ? s->selected - page : 0;
		return TUI_REDRAW;
	case KEY_NPAGE:
		s->selected += page;
		return TUI_REDRAW;
	case KEY_LEFT: /* a replay steps through time; live scrolls sideways */
		if (s->replay)
			return TUI_STEP_BACK;
		s->hscroll = s->hscroll > TUI_HSCROLL_STEP ? s->hscroll - TUI_HSCROLL_STEP : 0;
		return TUI_REDRAW;
	case KEY_RIGHT: /* sideways: the full row, every column whole */
		if (s->replay)
			return TUI_STEP_FORWARD;
		s->hscroll = s->hscroll + TUI_HSCROLL_STEP < s->hscroll_max
		                 ? s->hscroll + TUI_HSCROLL_STEP
		                 : s->hscroll_max;
		return TUI_REDRAW;
	case '[':
		return s->replay ? TUI_PREV_WARNING : TUI_TIMEOUT;
	case ']':
		return s->replay ? TUI_NEXT_WARNING : TUI_TIMEOUT;
	case 'g':
		if (s->replay) {
			s->goto_text[0] = '\0';
			if (!prompt(_("Go to (2026-11-30 03:12, 03:12, -10m, +30s): "),
			            s->goto_text, sizeof(s->goto_text)))
				return stop_requested ? TUI_QUIT : TUI_REDRAW;
			return TUI_GOTO;
		}
		s->selected = 0;
		return TUI_REDRAW;
	case KEY_HOME:
		s->selected = 0;
		return TUI_REDRAW;
	case KEY_END:
	case 'G':
		s->selected = v->order_count ? v->order_count - 1 : 0;
		return TUI_REDRAW;
	case 's':
		v->sort = (enum live_sort)((v->sort + 1) % LIVE_SORT_COUNT);
		return TUI_VIEW_CHANGED;
	case 'S':
		v->sort = (enum live_sort)((v->sort + LIVE_SORT_COUNT - 1) % LIVE_SORT_COUNT);
		return TUI_VIEW_CHANGED;
	case 'r':
		v->reverse = !v->reverse;
		return TUI_VIEW_CHANGED;
	case 'l':
		live_view_set_listeners(v, !v->show_listeners);
		return TUI_VIEW_CHANGED;
	case 'c':
		live_view_set_filter(v, "", NULL);
		return TUI_VIEW_CHANGED;
	case 'f':
	case '/': {
		char text[sizeof(v->filter_text)];
		memcpy(text, v->filter_text, sizeof(text));
		if (!prompt(_("Filter (states, ports, addresses; empty clears): "), text,
		            sizeof(text)))
			return stop_requested ? TUI_QUIT : TUI_REDRAW;
		struct cw_error err = {0};
		if (live_view_set_filter(v, text, &err) < 0)
			show_message(err.msg);
		s->selected = s->top = 0;
		return TUI_VIEW_CHANGED;
	}
	case 'e':
	case '\n':
	case '\r':
	case KEY_ENTER:
		s->explain = v->order_count > 0;
		return TUI_REDRAW;
	case 'w':
		s->warnings = true;
		s->warning = 0;
		return TUI_REDRAW;
	case '?':
	case 'h':
	case KEY_F(1):
		s->help = true;
		return TUI_REDRAW;
	case ' ':
	case 'p':
		s->paused = !s->paused;
		return TUI_REDRAW;
	default:
		(void)f;
		return TUI_TIMEOUT;
	}
}

enum tui_event tui_wait(struct tui_state *s, struct live_view *v, const struct live_frame *f,
                        int timeout_ms)
{
	enum tui_event ev = wait_key(s, v, f, timeout_ms);
	clamp_selection(s, v); /* whatever the key did, the selection stays on a row */
	return ev;
}
