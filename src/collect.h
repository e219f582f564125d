/* Picks the source from the options and takes snapshots with it; falls back from netlink to
 * /proc when netlink is refused (some containers), and remembers that it did. */
#ifndef CW_COLLECT_H
#define CW_COLLECT_H

#include "error.h"
#include "history.h"
#include "options.h"
#include "snapshot.h"
#include "source.h"
#include "source_bpf.h"

#include <stdbool.h>

struct collector {
	const struct source_ops *ops;
	struct source_request req;
	bool may_fall_back; /* netlink chosen by default, not by --source */
	bool fell_back;     /* set once when netlink was refused and /proc used instead */
	char fallback_reason[sizeof(((struct cw_error *)0)->msg)];
	struct bpf_source *bpf;     /* borrowed: the fast path for TCP, or NULL */
	struct snapshot close_wait; /* with bpf: the last take's CLOSE_WAIT rows with their ages */
	/* --replay of a recording (history.h) instead of a source: list and summary read the
	 * refresh at --at (default: the last), live plays from there (default: the first). */
	const char *recording;
	const char *at;
	bool play;
	struct history *history; /* opened at the first take; collector_free() closes it */
	size_t next;             /* the refresh the next take reads */
	bool bad_usage;          /* the take failed on --at's TIME: a usage error (exit 2) */
	const char *netns_spec;  /* --netns, or NULL: read our own namespace */
	struct netns_set netns;  /* the namespaces read; snapshot.netns points here */
	bool netns_open;
};

void collector_init(struct collector *col, const struct cw_options *o);

/* Frees what the collector keeps between takes: the namespaces it opened, a recording opened for
 * --replay, and with bpf the last take's CLOSE_WAIT rows (the collector stays usable). */
void collector_free(struct collector *col);

/* Loads the BPF fast path when --source bpf asks for it, or by default for a resident view
 * (live, record, serve: loaded once, run at every refresh) when nothing else was chosen. Returns 0
 * with *out set or NULL (not wanted, not built, or it cannot load: then note->msg says why, for the
 * caller to say once before using sock_diag), or a negative errno with err set when --source
 * bpf cannot load. Free *out with bpf_source_close(). */
int collector_open_bpf(const struct cw_options *o, bool resident, struct bpf_source **out,
                       struct cw_error *note, struct cw_error *err);

/* Clears snap and fills it from the source; col->req.close_wait_ages reaches only a source that
 * gives them (SOURCE_GIVES_CLOSE_WAIT_AGES). With a sink on snap (snapshot_set_sink) every row
 * has reached the sink when it returns. Returns 0 or a negative errno with err set. After
 * a fallback, col->fell_back is true and col->fallback_reason says why (the caller says it once).
 */
int collector_take(struct collector *col, struct snapshot *snap, struct cw_error *err);

/* About how many rows the next take gives when it reads our own namespace's live sockets and
 * the request keeps the states that make a table large (ESTABLISHED, TIME_WAIT, CLOSE_WAIT)
 * with no ports or addresses, else 0: what
 * snapshot_expect() wants before a take whose rows are all kept (list). */
size_t collector_expected_rows(const struct collector *col);

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

/* With a recording: what was recorded with the refresh last taken (its time, kernel counters,
 * warnings), else NULL. */
const struct rec_meta *collector_recorded(const struct collector *col);

/* With a recording: the refresh the next take reads (clamped to the recording). */
void collector_seek(struct collector *col, size_t refresh);

#endif
