/* `connwatch record FILE`: the live loop without a screen, every refresh appended to FILE. */
#include "cmd_record.h"

#include "cmd_common.h"
#include "commands.h"
#include "exitcode.h"
#include "i18n.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int live_recorder_open(struct live_recorder *r, const char *path, uint64_t max_size,
                       double interval_s)
{
	memset(r, 0, sizeof(*r));
	rec_meta_init(&r->meta);
	struct cw_error err = {0};
	char note[sizeof(err.msg) + 64];
	if (rec_writer_open(&r->w, path, max_size, note, sizeof(note), &err) < 0) {
		rec_writer_close(&r->w);
		cmd_print_error(err.msg);
		return CW_EXIT_RUNTIME;
	}
	if (note[0])
		cmd_print_error(note);
	r->interval_ms = (uint32_t)(interval_s * 1000.0 + 0.5);
	r->open = true;
	return CW_EXIT_OK;
}

int live_recorder_add(struct live_recorder *r, const struct snapshot *snap,
                      const struct kcounters *kc, const struct diag_report *report, int64_t wall_ms)
{
	struct cw_error err = {0};
	if (rec_meta_fill(&r->meta, wall_ms, r->interval_ms, snap, kc, report) < 0) {
		cmd_print_error(_("out of memory"));
		r->broken = true;
		return CW_EXIT_RUNTIME;
	}
	if (rec_writer_append(&r->w, snap, &r->meta, &err) < 0) {
		cmd_print_error(err.msg);
		r->broken = true;
		return CW_EXIT_RUNTIME;
	}
	return CW_EXIT_OK;
}

void live_recorder_close(struct live_recorder *r)
{
	if (r->open)
		rec_writer_close(&r->w);
	rec_meta_free(&r->meta);
	r->open = false;
}

void record_block_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigprocmask(SIG_BLOCK, set, NULL);
}

bool record_wait_until(const sigset_t *set, uint64_t deadline_ms)
{
	for (;;) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		uint64_t now_ms = (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
		uint64_t left = deadline_ms > now_ms ? deadline_ms - now_ms : 0;
		struct timespec ts = {.tv_sec = (time_t)(left / 1000),
		                      .tv_nsec = (long)(left % 1000) * 1000000L};
		int sig = sigtimedwait(set, NULL, &ts);
		if (sig > 0)
			return true;
		if (errno == EAGAIN)
			return false;
		/* EINTR: another signal (a stopped-and-continued job); wait on */
	}
}

int cmd_record(const struct cw_options *o)
{
	if (o->arg_count != 1) {
		cmd_print_error(_("record: which file? usage: connwatch record FILE"));
		return CW_EXIT_USAGE;
	}
	struct cw_options run = *o;
	run.record_path = o->args[0];
	return cmd_live_record(&run);
}
