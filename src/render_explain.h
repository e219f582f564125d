/* `connwatch explain`: the TCP states, their place in the open/close sequences and what many of
 * one state means, from the table in states.c, as text (wrapped for a terminal) or JSON. */
#ifndef CW_RENDER_EXPLAIN_H
#define CW_RENDER_EXPLAIN_H

#include "stats.h"
#include "states.h"

#include <stdbool.h>
#include <stdio.h>

/* How many sockets are in one state right now, by netstat's protocol names. */
struct explain_count {
	bool known; /* false when no snapshot could be taken */
	unsigned long total;
	unsigned long tcp, tcp6;
};

/* Takes the count of TCP sockets in the state from the counting stage's stats (request
 * sockets count as SYN_RECV there). */
void explain_count_fill(struct explain_count *count, const struct stats *st, enum tcp_state state);

/* Every documented state, the sequences, then the warning signs and other patterns.
 * Returns 0 or -EIO. */
int render_explain_all(FILE *out);

/* One state: meaning, place in the sequences, what many mean, and the count. */
int render_explain_state(FILE *out, const struct tcp_state_info *info,
                         const struct explain_count *count);

/* The same as JSON documents (see docs/json.md). */
int render_explain_all_json(FILE *out);
int render_explain_state_json(FILE *out, const struct tcp_state_info *info,
                              const struct explain_count *count);

#endif
