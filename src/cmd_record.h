/* The flight recorder's side of the live loop: `connwatch record FILE` and `live --record FILE`
 * hand every refresh (rows, counters, warnings) to a recording (recording_io.h). */
#ifndef CW_CMD_RECORD_H
#define CW_CMD_RECORD_H

#include "diagnose.h"
#include "kcounters.h"
#include "recording_io.h"
#include "snapshot.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct live_recorder {
	struct rec_writer w;
	struct rec_meta meta;
	uint32_t interval_ms;
	bool open;
	bool broken; /* an append failed (said on stderr): the recording ends there */
};

/* Opens (or continues) the recording; prints what went wrong or what was repaired. Returns an
 * exit code: CW_EXIT_OK, or CW_EXIT_RUNTIME after printing the error. */
int live_recorder_open(struct live_recorder *r, const char *path, uint64_t max_size,
                       double interval_s);

/* Appends one refresh; kc may be NULL (unknown). Prints the error, sets r->broken and returns
 * CW_EXIT_RUNTIME when the recording cannot be written, else CW_EXIT_OK. */
int live_recorder_add(struct live_recorder *r, const struct snapshot *snap,
                      const struct kcounters *kc, const struct diag_report *report,
                      int64_t wall_ms);

void live_recorder_close(struct live_recorder *r);

/* `connwatch record` stops cleanly, between refreshes, on SIGINT, SIGTERM (systemd's stop) or
 * SIGHUP: they are blocked and waited for instead of sleeping, so no handler and no global flag
 * is needed and a stop never tears a refresh. */
void record_block_stop_signals(sigset_t *set);

/* Sleeps until the CLOCK_MONOTONIC deadline (ms); true when a stop signal came instead. */
bool record_wait_until(const sigset_t *set, uint64_t deadline_ms);

/* Runs the live loop with no output, recording every refresh (cmd_live.c). */
struct cw_options;
int cmd_live_record(const struct cw_options *o);

#endif
