/* What the live view shows of a tracked snapshot: the rows that pass the view's filter, in the
 * chosen order. Pure: renderers read it, cmd_live.c drives it, the
 * keys of the TUI change it. */
#ifndef CW_LIVE_VIEW_H
#define CW_LIVE_VIEW_H

#include "error.h"
#include "filter.h"
#include "snapshot.h"
#include "track.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum live_sort {
	LIVE_SORT_NONE,       /* the order the kernel gave (what netstat shows) */
	LIVE_SORT_STATE,      /* state, then remote address */
	LIVE_SORT_REMOTE,     /* remote address and port */
	LIVE_SORT_LOCAL_PORT, /* local port, then remote address */
	LIVE_SORT_QUEUES,     /* Recv-Q + Send-Q, largest first */
	LIVE_SORT_AGE,        /* time in the current state, longest first */
	LIVE_SORT_UNIT,       /* grouped by the owner's container or unit (-p), then state */
	LIVE_SORT_NETNS,      /* grouped by network namespace (--netns), then state */
	LIVE_SORT_COUNT,
};

struct tally_owner_hook;

struct live_view {
	struct filter base;    /* from the command line; borrowed text is not kept */
	struct filter filter;  /* base + what the user typed; what rows must pass */
	char filter_text[128]; /* the user's filter as typed, shown in the header */
	char unit_filter[64];  /* unit=TEXT: rows whose owner's unit or container label holds it */
	char netns_filter[64]; /* netns=TEXT: rows whose namespace label holds it */
	const struct tally_owner_hook *owners; /* -p: the owners, for unit= and the unit order;
	                                        * borrowed, NULL without -p */
	bool show_listeners;                   /* toggled by a key: listeners and unconnected UDP */
	enum live_sort sort;
	bool reverse;
	uint32_t *order; /* indices of the shown rows into snap->conns; owned */
	size_t order_count, order_capacity;
	uint64_t *keys, *keys_tmp; /* sort scratch, owned, as large as order */
	uint32_t *order_tmp;
};

/* Starts a view over the command line's filter. */
void live_view_init(struct live_view *v, const struct filter *base, enum live_sort sort);
void live_view_free(struct live_view *v);

/* Gives dst the settings of src (filters, order, listeners), keeping dst's rows: the live
 * screen's worker computes the rows of the next refresh with the settings of the screen. */
void live_view_copy_settings(struct live_view *dst, const struct live_view *src);

/* Exchanges the computed rows of a and b (and their memory), not their settings. */
void live_view_swap_rows(struct live_view *a, struct live_view *b);

/* Recomputes the shown rows and their order for snap (marks: track_marks() for snap). The counts
 * are not made here: the tally stage (tally.h) counts the rows that pass the command line's
 * filter (view.base). Returns 0 or -ENOMEM. */
int live_view_update(struct live_view *v, const struct snapshot *snap,
                     const struct track_mark *marks);

/* Replaces the typed filter: words separated by blanks or commas, each a state (TIME_WAIT,
 * syn-recv), a port number, an address or ADDR/PREFIX (matched on the remote side),
 * local=ADDR[/PREFIX], unit=TEXT (the owner's unit or container label contains TEXT; needs -p)
 * or netns=TEXT (the row's network namespace label contains TEXT; needs --netns). Empty text clears
 * it. Returns 0, or -EINVAL with err set and the previous filter kept. */
int live_view_set_filter(struct live_view *v, const char *text, struct cw_error *err);

/* Shows or hides listeners (and unconnected UDP) unless the command line chose with -l/-a. */
void live_view_set_listeners(struct live_view *v, bool show);

/* "state", "remote", "port", "queues", "age", "none"; parse returns LIVE_SORT_COUNT when unknown.
 */
const char *live_sort_name(enum live_sort s);
enum live_sort live_sort_parse(const char *name);

#endif
