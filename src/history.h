/* Playing a recording back (recording_io.h): which refresh a TIME means, and each refresh as a
 * snapshot plus what was recorded with it (time, counters, warnings). The collector uses it for
 * --replay of a recording; `summary --from/--to` walks it. */
#ifndef CW_HISTORY_H
#define CW_HISTORY_H

#include "error.h"
#include "recording_io.h"
#include "snapshot.h"

#include <stdbool.h>
#include <stdint.h>

struct history {
	struct rec_reader rd;
	size_t loaded; /* the refresh in rd.dec, or REC_NO_FRAME */
};

/* Opens and indexes path. A recording without a single whole refresh is an error; damage after
 * good refreshes is not (history_damage() names it). Close with history_close() either way. */
int history_open(struct history *h, const char *path, struct cw_error *err);
void history_close(struct history *h);

/* Refreshes that can be read (all of them before any damage). */
size_t history_count(const struct history *h);
int64_t history_time_ms(const struct history *h, size_t i);

/* "FILE: damaged at byte N: ..." when part of the file could not be read, else NULL. */
const char *history_damage(const struct history *h);

/* Parses TIME: "2026-11-30 03:12[:05]" (local time; a T may stand for the blank), "03:12[:05]"
 * (that time on the day of the last refresh), "-10m" (before the last refresh), "+30s" (after
 * the first), or Unix epoch seconds. Units s, m, h, d, combinable ("1h30m"). what names the
 * option in the error ("--at"). Returns 0 or -EINVAL. */
int history_parse_time(const char *text, int64_t first_ms, int64_t last_ms, const char *what,
                       int64_t *out_ms, struct cw_error *err);

/* The refresh TIME means: the last one recorded at or before it. -ERANGE when TIME is before
 * the first refresh. */
int history_find(const struct history *h, const char *text, const char *what, size_t *out,
                 struct cw_error *err);

/* Decodes refresh i and fills snap with its rows (snap cleared first). A refresh that turns
 * out damaged ends the readable part there: -EBADMSG, and history_count() drops to i. */
int history_load(struct history *h, size_t i, struct snapshot *snap, struct cw_error *err);

/* As history_load, without the rows (the counts, counters and warnings only). */
int history_load_meta(struct history *h, size_t i, struct cw_error *err);

/* The nearest refresh before (dir < 0) or after (dir > 0) refresh `from` that recorded a
 * warning, or REC_NO_FRAME (also when a refresh on the way is damaged). */
size_t history_find_warning(struct history *h, size_t from, int dir, struct cw_error *err);

/* The warnings recorded with a refresh, as a report: id, severity, port and message as the
 * recorder said them, the rule's remedy; no evidence (a recording does not keep it). Returns 0
 * or -ENOMEM. */
int history_report(const struct rec_meta *m, struct diag_report *out);

/* What was recorded with the refresh last loaded. */
const struct rec_meta *history_meta(const struct history *h);

/* "2026-11-30 03:12:05" in local time. */
void history_format_time(char *buf, size_t len, int64_t ms);

#endif
