/* `connwatch live` (the default command): source -> filter -> track -> view, every interval,
 * drawn by the ncurses screen on a terminal, else printed as text blocks or NDJSON. */
#include "cmd_common.h"
#include "cmd_record.h"
#include "collect.h"
#include "commands.h"
#include "enrich.h"
#include "exitcode.h"
#include "i18n.h"
#include "kcounters.h"
#include "live_schedule.h"
#include "live_view.h"
#include "live_worker.h"
#include "owners_bpf.h"
#include "render_live.h"
#include "render_tui.h"
#include "tally.h"
#include "track.h"
#include "trend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct live_run {
	struct collector col;
	struct bpf_source *bpf; /* the fast path, loaded once, or NULL */
	/* A refresh reads into next, then computes (commit) from snap with track, wview, tally
	 * and trend; publishing hands the result to what the frame shows (shown, shown_marks,
	 * shown_changes, view's rows, shown_tally, shown_trend) by exchanging buffers. */
	struct snapshot next;  /* the sample being read */
	struct snapshot snap;  /* the last sample computed */
	struct snapshot shown; /* the sample on view */
	struct track track;
	struct track_mark *marks, *shown_marks; /* copies of the tracker's marks for snap, shown */
	size_t marks_cap, shown_marks_cap;
	struct track_summary changes, shown_changes;
	struct live_view view;  /* on view; the screen's keys change its settings */
	struct live_view wview; /* the rows of snap, with view's settings at the refresh's start */
	uint64_t view_gen;      /* changes of view's settings so far */
	uint64_t wview_gen;     /* view_gen when wview's settings were copied */
	struct live_frame frame;
	struct tally tallies[2]; /* counts, counters, thresholds and warnings of snap and shown */
	struct tally *tally, *shown_tally;
	struct live_taken { /* what the frame says of snap, set when it is published */
		uint64_t now_ms, refresh_ms, replay_index, replay_total;
		time_t wall;
		double interval_s;
	} taken;
	struct diag_sample prev; /* the previous refresh, for the rules' rates and growth */
	/* -p: the owners of snap's and shown's sockets, exchanged at publishing as the tallies
	 * are (each tally's owner hook reads one of them). A refresh resolves into owners from
	 * what shown_owners knows, so only new sockets cost a walk, and never writes what is on
	 * view. */
	struct procmap owner_maps[2];
	struct procmap *owners, *shown_owners;
	struct owners_bpf *owners_bpf; /* -p: the BPF task-file iterator, or NULL */
	bool processes;
	bool owners_said;   /* the note about unreadable processes was printed */
	bool read_counters; /* false for a recording from elsewhere */
	const char *proc_root;
	char hostname[256];
	bool noted; /* skipped input was already reported once */
	char stale[sizeof(((struct cw_error *)0)->msg)]; /* why the last refresh failed */
	int status; /* CW_EXIT_PARTIAL once input was skipped */
	uint64_t interval_ms;
	/* The screen refreshes on a thread of its own (live_worker.h): while a refresh is in
	 * flight the worker owns col, next, snap, track, marks, changes, wview, tally, owners,
	 * owners_said, prev, trend and rec, and reads shown_owners; the screen's thread owns all
	 * the rest (and only reads shown_owners). */
	struct live_worker worker;
	uint64_t began_ms;               /* when the refresh being taken started */
	uint64_t test_delay_ms;          /* its test delay (CONNWATCH_TEST_SLOW_REFRESH_MS) */
	struct live_test_delays delays;  /* connwatch(1), ENVIRONMENT; none normally */
	char shown_behind[96];           /* the header's "refresh takes" as last drawn */
	struct trend trend, shown_trend; /* the header's sparklines */
	struct live_recorder rec;        /* --record, `connwatch record` */
	bool quiet;                      /* `connwatch record`: no output, only the recording */
	sigset_t stop_signals; /* `connwatch record`: blocked, waited for between refreshes */
};

static int64_t wall_ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_until_ms(uint64_t deadline_ms)
{
	struct timespec ts = {.tv_sec = (time_t)(deadline_ms / 1000),
	                      .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void run_init(struct live_run *r, const struct cw_options *o, enum live_sort sort,
                     const struct diag_config *cfg, struct bpf_source *bpf)
{
	memset(r, 0, sizeof(*r));
	collector_init(&r->col, o);
	live_worker_init(&r->worker);
	r->col.req.cancel = &r->worker.cancel; /* set only to abandon a refresh in flight */
	r->bpf = bpf;
	r->col.bpf = bpf;
	/* Listeners are read always (a few rows): the rules need them, and the screen toggles
	 * them without asking the kernel again. The view hides them unless asked. */
	tally_request(&o->filter, &r->col.req);
	r->col.req.close_wait_ages = true; /* the first refresh knows how old each CLOSE_WAIT is */
	struct kcounters kc;
	kcounters_init(&kc);
	struct cw_error err = {0};
	/* Counters describe this machine: not with a recording from elsewhere. */
	r->read_counters = !o->replay_path;
	r->proc_root = o->proc_root;
	if (r->read_counters && kcounters_read(&kc, o->proc_root, &err) < 0)
		cmd_print_error(err.msg); /* the view still stands without them */
	procmap_init(&r->owner_maps[0], NULL);
	procmap_init(&r->owner_maps[1], NULL);
	cmd_open_bpf_owners(o, &r->owner_maps[0], &r->owners_bpf);
	if (r->owners_bpf) {
		struct procmap_lister l = owners_bpf_lister(r->owners_bpf);
		procmap_set_lister(&r->owner_maps[1], &l);
	}
	r->processes = o->processes;
	for (int i = 0; i < 2; i++) {
		struct tally *t = &r->tallies[i];
		tally_init(t, cfg, &kc);
		t->filter = &r->view.base; /* what the command line shows, whatever is typed */
		t->split_netns = o->netns != NULL;
		if (r->processes)
			enrich_tally_owners(&t->owners, &r->owner_maps[i]);
	}
	r->tally = &r->tallies[0]; /* paired with owner_maps[0] */
	r->owners = &r->owner_maps[0];
	r->shown_tally = &r->tallies[1];
	r->shown_owners = &r->owner_maps[1];
	if (r->processes)
		r->frame.owners = r->shown_owners;
	snapshot_init(&r->snap);
	snapshot_init(&r->next);
	snapshot_init(&r->shown);
	track_init(&r->track);
	int64_t fin = kc.v[KC_SYSCTL_FIN_TIMEOUT];
	if (fin != KC_UNKNOWN && fin > 0 && fin <= UINT32_MAX / 1000)
		r->track.fin_timeout_ms = (uint32_t)fin * 1000u;
	live_view_init(&r->view, &o->filter, sort);
	r->view.owners = r->processes ? &r->shown_tally->owners : NULL;
	live_view_init(&r->wview, &o->filter, sort);
	if (gethostname(r->hostname, sizeof(r->hostname) - 1) < 0)
		strcpy(r->hostname, "?");
	r->frame.hostname = r->hostname;
	r->frame.interval_s = o->interval_s;
	r->frame.snap = &r->shown;
	r->frame.changes = &r->shown_changes;
	r->frame.view = &r->view;
	r->frame.stats = &r->shown_tally->stats;
	r->frame.report = &r->shown_tally->report;
	trend_init(&r->trend);
	r->shown_trend = r->trend;
	r->frame.trend = &r->shown_trend;
	r->frame.utf8 = trend_locale_utf8();
}

static void run_free(struct live_run *r)
{
	live_worker_abandon(&r->worker); /* nothing may still fill col or next */
	live_recorder_close(&r->rec);
	collector_free(&r->col);
	bpf_source_close(r->bpf);
	live_view_free(&r->view);
	live_view_free(&r->wview);
	tally_free(&r->tallies[0]);
	tally_free(&r->tallies[1]);
	free(r->marks);
	free(r->shown_marks);
	snapshot_free(&r->shown);
	procmap_free(&r->owner_maps[0]);
	procmap_free(&r->owner_maps[1]);
	owners_bpf_close(r->owners_bpf);
	track_free(&r->track);
	snapshot_free(&r->snap);
	collector_free(&r->col);
	snapshot_free(&r->next);
}

/* Sleeps until the deadline in slices, so that a cancel is seen within LIVE_POLL_MS. */
static int sleep_cancellable(uint64_t deadline_ms, const atomic_bool *cancel, struct cw_error *err)
{
	for (uint64_t now; (now = monotonic_ms()) < deadline_ms;) {
		int rc = source_check_cancel(cancel, err);
		if (rc < 0)
			return rc;
		sleep_until_ms(deadline_ms - now > LIVE_POLL_MS ? now + LIVE_POLL_MS : deadline_ms);
	}
	return 0;
}

/* A refresh is four steps: begin and publish on the screen's thread; read and commit between
 * them, on the worker's thread on the screen, inline for the streams. */
static void run_begin(struct live_run *r, bool test_delay)
{
	r->began_ms = monotonic_ms();
	r->test_delay_ms = test_delay ? live_test_delay(&r->delays, r->frame.refresh + 1) : 0;
	live_view_copy_settings(&r->wview, &r->view);
	r->wview.owners = r->processes ? &r->tally->owners : NULL; /* those of snap's sockets */
	r->wview_gen = r->view_gen;
}

/* Reads the source into r->next; touches r->col and r->next only. A cancelled read returns
 * -ECANCELED and next is thrown away at the next read (collector_take clears it). */
static int run_read(struct live_run *r, const atomic_bool *cancel, struct cw_error *err)
{
	int rc = collector_take(&r->col, &r->next, err);
	/* Stands for a table too large to read in time; with -p for a long walk of the
	 * processes instead, the step that costs most then. */
	if (rc == 0 && r->test_delay_ms && !r->processes)
		rc = sleep_cancellable(monotonic_ms() + r->test_delay_ms, cancel, err);
	return rc;
}

/* Keeps a copy of the tracker's marks for snap: the tracker rewrites its own at the next
 * refresh, while the copy goes on view. */
static int copy_marks(struct live_run *r)
{
	size_t n = r->snap.count;
	if (n > r->marks_cap) {
		struct track_mark *m = realloc(r->marks, n * sizeof(*m));
		if (!m)
			return -ENOMEM;
		r->marks = m;
		r->marks_cap = n;
	}
	if (n)
		memcpy(r->marks, track_marks(&r->track), n * sizeof(*r->marks));
	return 0;
}

/* Computes what run_read() read: track, the rows on view (wview), count, diagnose, record;
 * nothing on view is touched. Cancelled (cancel may be NULL) only before the recording: a
 * recording gets whole refreshes. Returns 0 or a negative errno with err set. A failed read
 * never reaches it: the last good sample stays (refresh_outcome marks it stale). */
static int run_commit(struct live_run *r, const atomic_bool *cancel, struct cw_error *err)
{
	int rc;
	struct snapshot taken = r->next;
	r->next = r->snap;
	r->snap = taken;
	/* Played back: the recorded time and counters, not this machine's. No second,
	 * CLOSE_WAIT-only dump for their ages, even when recording: the rules take the time in
	 * state from the tracker, and a replay from the recording's own times. */
	const struct rec_meta *recorded = collector_recorded(&r->col);
	if (r->snap.skipped)
		r->status = CW_EXIT_PARTIAL;
	if (!r->noted && (r->snap.note_count || r->col.fell_back)) {
		cmd_report_notes(&r->col, &r->snap); /* once, not at every refresh */
		r->noted = true;
	}
	if (r->processes) {
		struct procmap_info info;
		r->owners->cancel = cancel; /* q during a long walk */
		rc = enrich_owners_from(r->owners, r->shown_owners, &r->snap, &info, err);
		if (rc == 0 && r->test_delay_ms)
			rc = sleep_cancellable(monotonic_ms() + r->test_delay_ms, cancel, err);
		if (rc < 0)
			return rc;
		cmd_report_owners(&info, &r->owners_said);
	}
	struct live_taken *t = &r->taken;
	int64_t wall_ms = recorded ? recorded->wall_ms : wall_ms_now();
	t->now_ms = recorded ? (uint64_t)recorded->wall_ms : monotonic_ms();
	t->wall = (time_t)(wall_ms / 1000);
	t->interval_s = recorded && recorded->interval_ms ? recorded->interval_ms / 1000.0
	                                                  : r->frame.interval_s;
	t->replay_index = recorded ? r->col.next : 0; /* the refresh just taken, from 1 */
	t->replay_total = recorded ? history_count(r->col.history) : 0;
	if ((rc = source_check_cancel(cancel, err)) < 0)
		return rc;
	if (track_update(&r->track, &r->snap, t->now_ms, &r->changes) < 0 || copy_marks(r) < 0 ||
	    live_view_update(&r->wview, &r->snap, r->marks) < 0)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	if ((rc = source_check_cancel(cancel, err)) < 0)
		return rc;

	struct tally *tl = r->tally;
	tally_reset(tl);
	tally_rows(tl, &r->snap, r->marks, t->now_ms);
	struct cw_error kerr = {0};
	if (r->read_counters) /* unreadable counters leave them unknown: rules then skip them */
		tally_read_counters(tl, r->proc_root, &kerr);
	if (recorded) {
		tl->counters = recorded->counters;
		tl->have_counters = recorded->counters.valid;
	}
	double now_s = (double)t->now_ms / 1000.0;
	if (tally_diagnose(tl, r->prev.valid ? &r->prev : NULL, now_s) < 0)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	/* Played back: the warnings as the recorder gave them, which [ and ] jump between (the
	 * rows are diagnosed again by `summary --replay --at`, with evidence). */
	if (recorded && history_report(recorded, &tl->report) < 0)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	if ((rc = source_check_cancel(cancel, err)) < 0)
		return rc;
	const struct kcounters *counters = tl->have_counters ? &tl->counters : NULL;
	diag_sample_take(&r->prev, &tl->stats, counters, now_s);
	uint64_t tcp[TCP_ST_MAX];
	for (unsigned st = 0; st < TCP_ST_MAX; st++)
		tcp[st] = tl->stats.by_proto_state[STATS_TCP][st] +
		          tl->stats.by_proto_state[STATS_TCP6][st];
	trend_push(&r->trend, wall_ms, tcp);
	if (r->rec.open &&
	    live_recorder_add(&r->rec, &r->snap, counters, &tl->report, wall_ms) != CW_EXIT_OK)
		return cw_error_set(err, -EIO, "%s", _("the recording stopped")); /* rec.broken */
	t->refresh_ms = monotonic_ms() - r->began_ms;
	return 0;
}

/* The worker's whole refresh. */
static int refresh_job(void *ctx, const atomic_bool *cancel, struct cw_error *err)
{
	int rc = run_read(ctx, cancel, err);
	return rc < 0 ? rc : run_commit(ctx, cancel, err);
}

#define SWAP(type, a, b)                                                                           \
	do {                                                                                       \
		type swap_tmp_ = (a);                                                              \
		(a) = (b);                                                                         \
		(b) = swap_tmp_;                                                                   \
	} while (0)

/* Puts the last commit on view by exchanging buffers (the rows computed with the settings
 * the screen has now; computed again here if a key changed them meanwhile). On the screen's
 * thread, with no refresh in flight. Returns 0 or a negative errno with err set. */
static int run_publish(struct live_run *r, struct cw_error *err)
{
	SWAP(struct snapshot, r->shown, r->snap);
	SWAP(struct track_mark *, r->shown_marks, r->marks);
	SWAP(size_t, r->shown_marks_cap, r->marks_cap);
	SWAP(struct tally *, r->shown_tally, r->tally);
	SWAP(struct procmap *, r->shown_owners, r->owners);
	if (r->processes) {
		r->frame.owners = r->shown_owners;
		r->view.owners = &r->shown_tally->owners;
	}
	r->shown_changes = r->changes;
	r->shown_trend = r->trend;
	r->frame.stats = &r->shown_tally->stats;
	r->frame.report = &r->shown_tally->report;
	r->frame.marks = r->shown_marks;
	r->frame.now_ms = r->taken.now_ms;
	r->frame.wall = r->taken.wall;
	r->frame.interval_s = r->taken.interval_s;
	r->frame.replay_index = r->taken.replay_index;
	r->frame.replay_total = r->taken.replay_total;
	r->frame.refresh_ms = r->taken.refresh_ms;
	r->frame.refresh++;
	if (r->wview_gen == r->view_gen)
		live_view_swap_rows(&r->view, &r->wview);
	else if (live_view_update(&r->view, &r->shown, r->shown_marks) < 0)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	return 0;
}

/* One refresh, all on this thread (the streams, a replay's jumps). test_delay: the test hook
 * delays it (not a jump: the hook stands for reading a huge table, not for a key). */
static int run_sample(struct live_run *r, bool test_delay, struct cw_error *err)
{
	run_begin(r, test_delay);
	int rc = run_read(r, NULL, err);
	if (rc == 0)
		rc = run_commit(r, NULL, err);
	return rc < 0 ? rc : run_publish(r, err);
}

/* A refresh of a running view: a failed read (ENOBUFS, a dump the kernel broke off) does not
 * end the view. It is said on stderr, the last good sample stays, marked stale, and the next
 * interval tries again; the exit status then says some input was not read. `connwatch record`
 * (a service that runs for months) does the same: the failed refresh is left out of the
 * recording, the next is recorded. The first refresh has nothing to fall back on: its failure
 * ends the command. */
static int refresh_outcome(struct live_run *r, int rc, struct cw_error *err)
{
	if (rc == 0) {
		r->frame.stale = NULL;
		return 0;
	}
	/* A recording played back has no next interval to wait for, and a recording that cannot
	 * be written is no passing failure. */
	if (r->frame.refresh == 0 || rc == -ENOMEM || r->col.recording || r->rec.broken)
		return rc;
	if (r->quiet) /* `connwatch record`: nothing on view; the recording skips this refresh */
		fprintf(stderr,
		        _("connwatch: refresh %llu failed (%s); not recorded; trying again at the "
		          "next interval\n"),
		        (unsigned long long)r->frame.refresh + 1, err->msg);
	else
		fprintf(stderr,
		        _("connwatch: refresh %llu failed (%s); the last good one stays on view, "
		          "marked stale; trying again at the next interval\n"),
		        (unsigned long long)r->frame.refresh + 1, err->msg);
	snprintf(r->stale, sizeof(r->stale), "%s", err->msg);
	r->frame.stale = r->stale;
	r->frame.refresh++;
	r->status = CW_EXIT_PARTIAL;
	return 0;
}

static int run_refresh(struct live_run *r, struct cw_error *err)
{
	return refresh_outcome(r, run_sample(r, true, err), err);
}

static int run_stream(struct live_run *r, const struct cw_options *o)
{
	struct cw_error err = {0};
	for (;;) {
		uint64_t started = monotonic_ms();
		int rc = run_refresh(r, &err);
		if (rc == -ENODATA && r->col.recording) /* played to the end */
			return r->status;
		if (rc < 0) {
			if (!r->rec.broken) /* the recorder said why already */
				cmd_print_error(err.msg);
			return CW_EXIT_RUNTIME;
		}
		if (r->quiet)
			; /* `connwatch record`: the recording is the output */
		else if (o->json)
			render_live_json(stdout, &r->frame);
		else
			render_live_plain(stdout, &r->frame);
		int out = cmd_output_status(stdout); /* a closed pipe (`| head`) ends quietly */
		if (out != CW_EXIT_OK || ferror(stdout))
			return out;
		if (o->count && r->frame.refresh >= o->count)
			return r->status;
		if (r->quiet) {
			if (record_wait_until(&r->stop_signals, started + r->interval_ms))
				return r->status;
		} else if (!r->col.recording) { /* a recording plays as fast as it prints */
			sleep_until_ms(started + r->interval_ms);
		}
	}
}

/* A recording on the screen: the refresh a replay key asks for, or REC_NO_FRAME (with a
 * message) when there is none. */
static size_t replay_target(struct live_run *r, struct tui_state *ui, enum tui_event ev)
{
	struct history *h = r->col.history;
	size_t cur = r->col.next - 1, n = history_count(h), to = REC_NO_FRAME;
	struct cw_error err = {0};
	switch (ev) {
	case TUI_STEP_BACK:
		to = cur > 0 ? cur - 1 : REC_NO_FRAME;
		break;
	case TUI_STEP_FORWARD:
		to = cur + 1 < n ? cur + 1 : REC_NO_FRAME;
		break;
	case TUI_PREV_WARNING:
	case TUI_NEXT_WARNING:
		to = history_find_warning(h, cur, ev == TUI_PREV_WARNING ? -1 : 1, &err);
		if (to == REC_NO_FRAME)
			tui_message(err.msg[0] ? err.msg
			            : ev == TUI_PREV_WARNING
			                ? _("no refresh with a warning before this one")
			                : _("no refresh with a warning after this one"));
		break;
	case TUI_GOTO:
		if (history_find(h, ui->goto_text, "g", &to, &err) < 0) {
			tui_message(err.msg);
			to = REC_NO_FRAME;
		}
		break;
	default:
		break;
	}
	return to;
}

/* Shows refresh `to` of a recording as if played up to it: the sparklines hold the recorded
 * refreshes before it, and new/changed/closed and the rules' rates compare with the refresh
 * recorded just before (not with the one shown before the jump). One step forward is simply
 * the next refresh. */
static int replay_jump(struct live_run *r, size_t to, bool next, struct cw_error *err)
{
	if (!next) {
		struct history *h = r->col.history;
		size_t from = to >= TREND_CELLS ? to - TREND_CELLS + 1 : 0;
		trend_init(&r->trend);
		for (size_t i = from; i + 1 < to; i++) {
			if (history_load_meta(h, i, err) < 0)
				return err->code;
			trend_push(&r->trend, history_meta(h)->wall_ms, history_meta(h)->by_state);
		}
		track_free(&r->track);
		track_init(&r->track);
		r->prev.valid = false;
		if (to > 0) {
			collector_seek(&r->col, to - 1);
			int rc = run_sample(r, false, err);
			if (rc < 0)
				return rc;
		}
	}
	collector_seek(&r->col, to);
	return run_sample(r, false, err);
}

/* Draws the frame and remembers what the header said about slow refreshes. */
static void draw(struct tui_state *ui, struct live_run *r)
{
	live_header_behind(r->shown_behind, sizeof(r->shown_behind), &r->frame);
	tui_draw(ui, &r->frame);
}

/* While a refresh runs longer than the interval, the header counts its time: drawn again when
 * the text changes (every tenth of a second), not at every look at the worker. */
static bool behind_changed(struct live_run *r)
{
	char now[sizeof(r->shown_behind)];
	live_header_behind(now, sizeof(now), &r->frame);
	return strcmp(now, r->shown_behind) != 0;
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
	/* Every refresh runs on the worker's thread, the first included: keys, resizes and
	 * signals are answered while it is in flight, however long it takes (a million sockets),
	 * and q abandons it. Taking it in is an exchange of buffers (run_publish). The next
	 * refresh is due an interval after the last one ended. */
	struct live_schedule sched;
	live_schedule_init(&sched, r->interval_ms, monotonic_ms());
	draw(&ui, r);
	for (;;) {
		if (tui_stop_requested())
			break;
		uint64_t now = monotonic_ms();
		struct live_plan plan =
		    live_schedule_plan(&sched, now, live_worker_finished(&r->worker), ui.paused);
		if (plan.step == LIVE_STEP_FINISH) {
			int rc = live_worker_join(&r->worker, &err);
			if (rc == 0)
				rc = run_publish(r, &err);
			live_schedule_finished(&sched, monotonic_ms());
			r->frame.running_ms = 0;
			if (refresh_outcome(r, rc, &err) < 0)
				goto failed;
			ui.replay =
			    r->col.history != NULL; /* known once the first take opened it */
			draw(&ui, r);
			continue;
		}
		if (plan.step == LIVE_STEP_START) {
			if (ui.replay && r->col.next >= history_count(r->col.history)) {
				ui.paused = true; /* played to the end: stay on the last refresh */
				draw(&ui, r);
				continue;
			}
			if (o->count && r->frame.refresh >= o->count)
				break;
			run_begin(r, true);
			if (live_worker_start(&r->worker, refresh_job, r, &err) < 0)
				goto failed;
			live_schedule_started(&sched, now);
			continue;
		}
		r->frame.running_ms = live_schedule_running_ms(&sched, now);
		if (behind_changed(r))
			draw(&ui, r);
		enum tui_event ev = tui_wait(&ui, &r->view, &r->frame, plan.wait_ms);
		if (ev == TUI_QUIT)
			break;
		if (ev >= TUI_STEP_BACK) { /* a replay key: show that refresh, paused */
			bool abandoned = sched.in_flight;
			if (abandoned) { /* the refresh after the one shown: not wanted now */
				live_worker_abandon(&r->worker);
				live_schedule_finished(&sched, monotonic_ms());
				r->frame.running_ms = 0;
				collector_seek(&r->col, r->frame.replay_index);
			}
			size_t to = replay_target(r, &ui, ev);
			if (to != REC_NO_FRAME) {
				ui.paused = true;
				/* an abandoned commit may have tracked the refresh after: start
				 * over */
				bool step = ev == TUI_STEP_FORWARD && !abandoned;
				if (replay_jump(r, to, step, &err) < 0)
					goto failed;
			}
			draw(&ui, r);
			continue;
		}
		/* the counts stay those of the refresh: a typed filter only changes the rows (of
		 * the sample on view; the worker's is not touched) */
		if (ev == TUI_VIEW_CHANGED)
			r->view_gen++; /* a refresh in flight computes with the old settings */
		if (ev == TUI_VIEW_CHANGED &&
		    live_view_update(&r->view, &r->shown, r->frame.marks) < 0) {
			cw_error_set(&err, -ENOMEM, "%s", _("out of memory"));
			goto failed;
		}
		if (ev != TUI_TIMEOUT)
			draw(&ui, r);
	}
	live_worker_abandon(&r->worker);
	tui_close(&ui);
	return status != CW_EXIT_OK ? status : r->status;
failed:
	live_worker_abandon(&r->worker);
	tui_close(&ui);
	cmd_print_error(err.msg);
	return CW_EXIT_RUNTIME;
}

#define LIVE_MIN_INTERVAL_S 0.1

static int live_main(const struct cw_options *o, bool quiet)
{
	bool screen =
	    !quiet && !o->plain && !o->json && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	enum live_sort sort = screen ? LIVE_SORT_STATE : LIVE_SORT_NONE;
	if (o->sort) {
		sort = live_sort_parse(o->sort);
		if (sort == LIVE_SORT_COUNT) {
			cmd_print_error(
			    _("--sort: unknown key; valid: state, remote, port, queues, "
			      "age, none"));
			return CW_EXIT_USAGE;
		}
	}
	/* As watch(1): less than 0.1 s between refreshes is 0.1 s; it would only spin a core. A
	 * bounded run (--count) may go as fast as it can: that is how bench/live.sh times one. */
	double interval_s = o->interval_s;
	if (interval_s < LIVE_MIN_INTERVAL_S && !o->count) {
		char note[160];
		snprintf(
		    note, sizeof(note),
		    _("--interval %g is below the minimum of %.1f s (as in watch); using %.1f s"),
		    interval_s, LIVE_MIN_INTERVAL_S, LIVE_MIN_INTERVAL_S);
		cmd_print_error(note);
		interval_s = LIVE_MIN_INTERVAL_S;
	}
	struct diag_config cfg;
	int loaded = cmd_load_config(o, &cfg);
	if (loaded != CW_EXIT_OK)
		return loaded;
	/* Loaded before the screen opens, so that a note about it is seen. */
	struct bpf_source *bpf = NULL;
	loaded = cmd_open_bpf(o, true, &bpf);
	if (loaded != CW_EXIT_OK)
		return loaded;
	struct live_run *r = malloc(sizeof(*r));
	if (!r) {
		bpf_source_close(bpf);
		cmd_print_error(_("out of memory"));
		return CW_EXIT_RUNTIME;
	}
	run_init(r, o, sort, &cfg, bpf);
	r->interval_ms = (uint64_t)(interval_s * 1000.0 + 0.5);
	r->frame.interval_s = interval_s;
	/* CONNWATCH_TEST_SLOW_REFRESH_MS=MS[,MS...] makes refreshes longer, so the tests can show
	 * what a huge table does to the screen without holding a million sockets (connwatch(1),
	 * ENVIRONMENT). Not a value: no delay. */
	live_test_delays_parse(secure_getenv("CONNWATCH_TEST_SLOW_REFRESH_MS"), &r->delays);
	r->quiet = quiet;
	if (quiet)
		record_block_stop_signals(&r->stop_signals);
	int status = CW_EXIT_OK;
	if (o->record_path)
		status = live_recorder_open(&r->rec, o->record_path, o->max_size, interval_s);
	if (status == CW_EXIT_OK)
		status = screen ? run_screen(r, o) : run_stream(r, o);
	run_free(r);
	free(r);
	return status;
}

int cmd_live(const struct cw_options *o)
{
	return live_main(o, false);
}

int cmd_live_record(const struct cw_options *o)
{
	return live_main(o, true);
}
