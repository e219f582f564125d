#include "render_tui.h"

#include "i18n.h"
#include "procmap.h"
#include "render_table.h"
#include "states.h"
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
static int saved_stderr = -1; /* the real stderr while it is held */
static FILE *held_stderr;     /* what was written to stderr meanwhile */
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

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Restores the terminal, then lets the signal do what it would have done (the sanitizers'
 * report, a core dump). */
static void on_crash(int sig)
{
	if (screen_active) {
		screen_active = 0;
		endwin();
	}
	if (saved_stderr >= 0)
		dup2(saved_stderr, STDERR_FILENO);
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
	saved_stderr = dup(STDERR_FILENO);
	if (saved_stderr < 0 || dup2(fileno(held_stderr), STDERR_FILENO) < 0) {
		if (saved_stderr >= 0)
			close(saved_stderr);
		saved_stderr = -1;
		fclose(held_stderr);
		held_stderr = NULL;
	}
}

static void replay_stderr(void)
{
	if (saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	rewind(held_stderr);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), held_stderr)) > 0)
		if (fwrite(buf, 1, n, stderr) != n)
			break;
	fclose(held_stderr);
	held_stderr = NULL;
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

/* Writes text at the cursor without passing the right edge; returns the columns left. */
static int put(int room, const char *text)
{
	if (room <= 0)
		return 0;
	int len = (int)strlen(text);
	addnstr(text, len < room ? len : room);
	return len < room ? room - len : 0;
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

static void draw_header(struct tui_state *s, const struct live_frame *f, int *y)
{
	char left[128], right[320];
	live_header_left(left, sizeof(left), f->interval_s, f->snap->source_name);
	live_header_right(right, sizeof(right), f->hostname, f->wall);
	move(*y, 0);
	put(COLS, left);
	if (s->paused) {
		attron(A_REVERSE | A_BOLD);
		printw("  %s ", _("PAUSED"));
		attroff(A_REVERSE | A_BOLD);
	}
	int rlen = (int)strlen(right);
	if (rlen < COLS - (int)strlen(left) - 12) {
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

static void draw_table(struct tui_state *s, const struct live_frame *f, int y, int last)
{
	const struct live_view *v = f->view;
	size_t width = render_table_width(f->snap);
	char line[RENDER_TABLE_LINE_MAX + OWNER_TEXT_MAX + 64];
	int n = snprintf(line, sizeof(line), "  %-5s %6s %6s %-*s %-*s %-11s %-9s %s", _("Proto"),
	                 _("Recv-Q"), _("Send-Q"), (int)width, _("Local Address"), (int)width,
	                 _("Foreign Address"), _("State"), _("In state"),
	                 f->owners ? _("PID/Program name") : "");
	move(y, 0);
	attron(colour(s, PAIR_TITLE, A_REVERSE));
	put(COLS, line);
	for (int x = n; x < COLS; x++)
		addch(' ');
	attroff(colour(s, PAIR_TITLE, A_REVERSE));
	y++;

	int page = last - y + 1;
	s->rows_per_page = page > 1 ? page : 1;
	if (s->selected >= v->order_count)
		s->selected = v->order_count ? v->order_count - 1 : 0;
	if (s->selected < s->top)
		s->top = s->selected;
	if (s->selected >= s->top + (size_t)s->rows_per_page)
		s->top = s->selected - (size_t)s->rows_per_page + 1;
	if (s->top + (size_t)s->rows_per_page > v->order_count)
		s->top = v->order_count > (size_t)s->rows_per_page
		             ? v->order_count - (size_t)s->rows_per_page
		             : 0;

	/* Only the rows on the screen are formatted: 100,000 rows cost no more than 50. */
	for (size_t k = s->top; k < v->order_count && y <= last; k++, y++) {
		uint32_t i = v->order[k];
		const struct conn *c = &f->snap->conns[i];
		const struct track_mark *m = &f->marks[i];
		char row[RENDER_TABLE_LINE_MAX], age[32];
		size_t rl = render_table_row(row, c, width);
		(void)rl;
		live_state_age(age, sizeof(age), m, f->now_ms);
		const char *mark = m->flags & TRACK_NEW       ? "+"
		                   : m->flags & TRACK_CHANGED ? "*"
		                                              : " ";
		/* the state column is padded so the ages line up; unconnected UDP has no state */
		size_t state_len = strlen(conn_state_text(c));
		size_t prefix = rl - state_len;
		char owner[OWNER_TEXT_MAX] = "";
		if (f->owners) /* escaped: a process names itself */
			owner_text(procmap_owner_of(f->owners, c->inode), owner, sizeof(owner));
		snprintf(line, sizeof(line), "%s %.*s%-11s %-9s %s", mark, (int)prefix, row,
		         conn_state_text(c), age, owner);
		if (!state_len)
			snprintf(line, sizeof(line), "%s %-*.*s %-11s %-9s %s", mark,
			         (int)(5 + 1 + 6 + 1 + 6 + 1 + 2 * width), (int)rl, row, "", age,
			         owner);
		attr_t a = A_NORMAL;
		if (m->flags & TRACK_NEW)
			a = colour(s, PAIR_NEW, A_BOLD) | A_BOLD;
		else if (m->flags & TRACK_CHANGED)
			a = colour(s, PAIR_CHANGED, A_BOLD) | A_BOLD;
		if (k == s->selected)
			a |= A_REVERSE;
		move(y, 0);
		attron(a);
		int left = put(COLS, line);
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
		int len = (int)strlen(p);
		int take = len;
		if (take > w) {
			take = w;
			while (take > 0 && p[take] != ' ')
				take--;
			if (take == 0)
				take = w;
		}
		mvaddnstr(*y, x, p, take);
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
		mvaddnstr(y++, left + 2, "UDP", w - 4);
		wrap(_("UDP has no connection states. A connected UDP socket (shown as "
		       "ESTABLISHED, as "
		       "netstat does) has a fixed peer; an unconnected one receives from anyone."),
		     &y, left + 2, w - 4, ymax);
	} else {
		const struct tcp_state_info *info = tcp_state_info(c->state);
		attron(A_BOLD);
		mvaddnstr(y++, left + 2, tcp_state_name(c->state), w - 4);
		attroff(A_BOLD);
		if (info) {
			wrap(_(info->meaning), &y, left + 2, w - 4, ymax);
			y++;
			wrap(_(info->sequence), &y, left + 2, w - 4, ymax);
			y++;
			wrap(_(info->many_means), &y, left + 2, w - 4, ymax);
		}
	}
	mvaddnstr(top + h - 1, left + 2, _(" any key: close "), w - 4);
}

static void draw_help(void)
{
	static const char *const lines[] = {
	    N_("Up/Down, PgUp/PgDn, Home/End   move the selection"),
	    N_("s / S        next / previous sort: state, remote, port, queues, age, none"),
	    N_("r            reverse the order"),
	    N_("f or /       filter: states, ports, addresses (local=ADDR); empty clears"),
	    N_("c            clear the filter"),
	    N_("l            show or hide listening sockets"),
	    N_("e or Enter   explain the selected connection's state"),
	    N_("Space or p   pause / resume refreshing"),
	    N_("+ in the first column: new since the last refresh; * changed state"),
	    N_("In state: time in the current state; '+' means at least (seen at start)"),
	    N_("q            quit"),
	};
	int n = (int)(sizeof(lines) / sizeof(lines[0]));
	int top, left, w, h;
	draw_box(&top, &left, &w, &h, n + 4);
	attron(A_BOLD);
	mvaddnstr(top + 1, left + 2, _("connwatch live: keys"), w - 4);
	attroff(A_BOLD);
	for (int i = 0; i < n && top + 2 + i < top + h - 1; i++)
		mvaddnstr(top + 2 + i, left + 2, _(lines[i]), w - 4);
	mvaddnstr(top + h - 1, left + 2, _(" any key: close "), w - 4);
}

void tui_draw(struct tui_state *s, const struct live_frame *f)
{
	erase(); /* erase + refresh repaints only what changed: no flicker */
	int y = 0;
	draw_header(s, f, &y);
	draw_status(s, f, y++);
	y++;
	move(LINES - 1, 0);
	attron(A_DIM);
	put(COLS, _("q quit  ? help  s sort  f filter  l listeners  e explain  space pause"));
	attroff(A_DIM);
	if (y < LINES - 2)
		draw_table(s, f, y, LINES - 2);
	/* the boxes need some room; on a tiny terminal the keys still close them */
	bool room = COLS >= TUI_BOX_MIN_COLS && LINES >= TUI_BOX_MIN_LINES;
	if (s->explain && room)
		draw_explain(f, s);
	if (s->help && room)
		draw_help();
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
		put(COLS - (int)strlen(label), shown);
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

enum tui_event tui_wait(struct tui_state *s, struct live_view *v, const struct live_frame *f,
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
	if (s->help || s->explain) {
		s->help = s->explain = false; /* any key closes the box */
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
	case KEY_HOME:
	case 'g':
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
