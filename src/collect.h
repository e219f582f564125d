/* Picks the source from the options and takes snapshots with it; falls back from netlink to
 * /proc when netlink is refused (some containers), and remembers that it did. */
#ifndef CW_COLLECT_H
#define CW_COLLECT_H

#include "error.h"
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
	const char *netns_spec; /* --netns, or NULL: read our own namespace */
	struct netns_set netns; /* the namespaces read; snapshot.netns points here */
	bool netns_open;
};

/* Closes the namespaces the collector opened. */
void collector_free(struct collector *col);

void collector_init(struct collector *col, const struct cw_options *o);

/* Clears snap and fills it from the source; col->req.close_wait_ages reaches only a source that
 * gives them (SOURCE_GIVES_CLOSE_WAIT_AGES). With a sink on snap (snapshot_set_sink) every row
 * has reached the sink when it returns. Returns 0 or a negative errno with err set. After
 * a fallback, col->fell_back is true and col->fallback_reason says why (the caller says it once).
 */
int collector_take(struct collector *col, struct snapshot *snap, struct cw_error *err);

/* The ages of the CLOSE_WAIT sockets, after collector_take(): a second, CLOSE_WAIT-only dump that
 * asks for tcp_info, so conn.idle_ms estimates how long each has been in CLOSE_WAIT (time since
 * the peer's FIN). Its rows go to ages (a sink that only annotates what the first dump counted,
 * tally_age_sink()), never counted twice. The kernel serves a state-masked dump for a tenth of a
 * full one, where tcp_info on every socket would cost a fifth more, and the caller asks only
 * when an age can change a verdict (tally_needs_close_wait_ages()). Without a source that gives
 * ages (SOURCE_GIVES_CLOSE_WAIT_AGES), with
 * --record or without CLOSE_WAIT in the request, it does nothing (ages stay unknown). Returns 0
 * or a negative errno with err set. */
int collector_take_close_wait_ages(struct collector *col, const struct snapshot_sink *ages,
                                   struct cw_error *err);

#endif
