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
};

void collector_init(struct collector *col, const struct cw_options *o);

/* Clears snap and fills it from the source. Returns 0 or a negative errno with err set. After
 * a fallback, col->fell_back is true and col->fallback_reason says why (the caller says it once).
 */
int collector_take(struct collector *col, struct snapshot *snap, struct cw_error *err);

/* Whether the source in use can say how long each CLOSE_WAIT socket has been in CLOSE_WAIT
 * (when col->req.close_wait_ages asks for it). */
bool collector_gives_close_wait_ages(const struct collector *col);

#endif
