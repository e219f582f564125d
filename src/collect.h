/* Picks the source from the options and takes snapshots with it; falls back from netlink to
 * /proc when netlink is refused (some containers), and remembers that it did. */
#ifndef CW_COLLECT_H
#define CW_COLLECT_H

#include "error.h"
#include "history.h"
#include "options.h"
#include "snapshot.h"
#include "source.h"

#include <stdbool.h>

struct collector {
	const struct source_ops *ops;
	struct source_request req;
	bool may_fall_back; /* netlink chosen by default, not by --source */
	bool fell_back;     /* set once when netlink was refused and /proc used instead */
	char fallback_reason[sizeof(((struct cw_error *)0)->msg)];
	/* --replay of a recording (history.h) instead of a source: list and summary read the
	 * refresh at --at (default: the last), live plays from there (default: the first). */
	const char *recording;
	const char *at;
	bool play;
	struct history *history; /* opened at the first take; collector_free() closes it */
	size_t next;             /* the refresh the next take reads */
};

void collector_init(struct collector *col, const struct cw_options *o);
void collector_free(struct collector *col);

/* Clears snap and fills it from the source; with a sink on snap (snapshot_set_sink) every row
 * has reached the sink when it returns. Returns 0 or a negative errno with err set. After
 * a fallback, col->fell_back is true and col->fallback_reason says why (the caller says it once).
 */
int collector_take(struct collector *col, struct snapshot *snap, struct cw_error *err);

/* As collector_take, but CLOSE_WAIT sockets come from a second, CLOSE_WAIT-only dump that asks
 * for tcp_info, so conn.idle_ms estimates how long each has been in CLOSE_WAIT. The kernel
 * serves a state-masked dump cheaply (a tenth of a full one), while tcp_info on every socket
 * costs a fifth more. Without netlink (or with --record) it is collector_take. */
int collector_take_close_wait_ages(struct collector *col, struct snapshot *snap,
                                   struct cw_error *err);

/* With a recording: what was recorded with the refresh last taken (its time, kernel counters,
 * warnings), else NULL. */
const struct rec_meta *collector_recorded(const struct collector *col);

/* With a recording: the refresh the next take reads (clamped to the recording). */
void collector_seek(struct collector *col, size_t refresh);

#endif
