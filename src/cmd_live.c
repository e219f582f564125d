/* `connwatch live` (the default command): source -> filter -> track -> view, every interval,
 * drawn by the ncurses screen on a terminal, else printed as text blocks or NDJSON. */
#include "cmd_common.h"
#include "collect.h"
#include "commands.h"
#include "exitcode.h"
#include "i18n.h"
#include "live_view.h"
#include "render_live.h"
#include "render_tui.h"
#include "track.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct live_run {
	struct collector col;
	struct snapshot snap;
	struct track track;
	struct track_summary changes;
	struct live_view view;
	struct live_frame frame;
	char hostname[256];
	bool noted; /* skipped input was already reported once */
	int status; /* CW_EXIT_PARTIAL once input was skipped */
};

static uint64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void run_init(struct live_run *r, const struct cw_options *o, enum live_sort sort,
		     bool want_listeners)
{
	memset(r, 0, sizeof(*r));
	collector_init(&r->col, o);
	if (want_listeners && o->filter.listening == FILTER_CONNECTED) {
		/* The screen toggles listeners without asking the kernel again: read them always
		 * and let the view hide them (a few rows at most). */
		struct filter f = o->filter;
		f.listening = FILTER_ALL;
		filter_to_request(&f, &r->col.req);
	}
	snapshot_init(&r->snap);
	track_init(&r->track);
	live_view_init(&r->view, &o->filter, sort);
	if (gethostname(r->hostname, sizeof(r->hostname) - 1) < 0)
		strcpy(r->hostname, "?");
	r->frame.hostname = r->hostname;
	r->frame.interval_s = o->interval_s;
	r->frame.snap = &r->snap;
	r->frame.changes = &r->changes;
	r->frame.view = &r->view;
}

static void run_free(struct live_run *r)
{
	live_view_free(&r->view);
	track_free(&r->track);
	snapshot_free(&r->snap);
}

/* One refresh: read, track, recompute the view. Returns 0 or a negative errno with err set. */
static int run_sample(struct live_run *r, struct cw_error *err)
{
	int rc = collector_take(&r->col, &r->snap, err);
	if (rc < 0)
		return rc;
	if (r->snap.skipped)
		r->status = CW_EXIT_PARTIAL;
	if (!r->noted && (r->snap.note_count || r->col.fell_back)) {
		cmd_report_notes(&r->col, &r->snap); /* once, not at every refresh */
		r->noted = true;
	}
	r->frame.now_ms = monotonic_ms();
	r->frame.wall = time(NULL);
	r->frame.refresh++;
	if (track_update(&r->track, &r->snap, r->frame.now_ms, &r->changes) < 0 ||
	    live_view_update(&r->view, &r->snap, track_marks(&r->track)) < 0)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	r->frame.marks = track_marks(&r->track);
	return 0;
}

static void sleep_until_ms(uint64_t deadline_ms)
{
	struct timespec ts = {.tv_sec = (time_t)(deadline_ms / 1000),
			      .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static uint64_t interval_ms(const struct cw_options *o)
{
	return (uint64_t)(o->interval_s * 1000.0 + 0.5);
}

static int run_stream(struct live_run *r, const struct cw_options *o)
{
	struct cw_error err = {0};
	for (;;) {
		uint64_t started = monotonic_ms();
		if (run_sample(r, &err) < 0) {
			cmd_print_error(err.msg);
			return CW_EXIT_RUNTIME;
		}
		if (o->json)
			render_live_json(stdout, &r->frame);
		else
			render_live_plain(stdout, &r->frame);
		int out = cmd_output_status(stdout); /* a closed pipe (`| head`) ends quietly */
		if (out != CW_EXIT_OK || ferror(stdout))
			return out;
		if (o->count && r->frame.refresh >= o->count)
			return r->status;
		sleep_until_ms(started + interval_ms(o));
	}
}

static int run_screen(struct live_run *r, const struct cw_options *o)
{
	struct tui_state ui;
	struct cw_error err = {0};
	bool color = !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	if (tui_open(&ui, color, &err) < 0) {
		cmd_print_error(err.msg);
		return CW_EXIT_RUNTIME;
	}
	int status = CW_EXIT_OK;
	uint64_t started = monotonic_ms();
	if (run_sample(r, &err) < 0)
		goto failed;
	tui_draw(&ui, &r->frame);
	for (;;) {
		if (tui_stop_requested())
			break;
		uint64_t now = monotonic_ms();
		uint64_t due = started + interval_ms(o);
		if (!ui.paused && now >= due) {
			if (o->count && r->frame.refresh >= o->count)
				break;
			started = now;
			if (run_sample(r, &err) < 0)
				goto failed;
			tui_draw(&ui, &r->frame);
			continue;
		}
		/* wake at least every 250 ms so a signal is never missed for long */
		uint64_t wait = ui.paused || due - now > 250 ? 250 : due - now;
		enum tui_event ev = tui_wait(&ui, &r->view, &r->frame, (int)wait);
		if (ev == TUI_QUIT)
			break;
		if (ev == TUI_VIEW_CHANGED &&
		    live_view_update(&r->view, &r->snap, r->frame.marks) < 0) {
			cw_error_set(&err, -ENOMEM, "%s", _("out of memory"));
			goto failed;
		}
		if (ev != TUI_TIMEOUT)
			tui_draw(&ui, &r->frame);
	}
	tui_close(&ui);
	return status != CW_EXIT_OK ? status : r->status;
failed:
	tui_close(&ui);
	cmd_print_error(err.msg);
	return CW_EXIT_RUNTIME;
}

int cmd_live(const struct cw_options *o)
{
	bool screen = !o->plain && !o->json && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	enum live_sort sort = screen ? LIVE_SORT_STATE : LIVE_SORT_NONE;
	if (o->sort) {
		sort = live_sort_parse(o->sort);
		if (sort == LIVE_SORT_COUNT) {
			cmd_print_error(_("--sort: unknown key; valid: state, remote, port, queues, "
					  "age, none"));
			return CW_EXIT_USAGE;
		}
	}
	struct live_run *r = malloc(sizeof(*r));
	if (!r) {
		cmd_print_error(_("out of memory"));
		return CW_EXIT_RUNTIME;
	}
	run_init(r, o, sort, screen);
	int status = screen ? run_screen(r, o) : run_stream(r, o);
	run_free(r);
	free(r);
	return status;
}
