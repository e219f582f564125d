/* The stream outputs of the live view: a watch-style text block per refresh (`--plain`, or
 * when stdout is not a terminal) and one JSON document per refresh (`--json`, NDJSON). The
 * ncurses screen is render_tui.c. */
#ifndef CW_RENDER_LIVE_H
#define CW_RENDER_LIVE_H

#include "diagnose.h"
#include "live_view.h"
#include "procmap.h"
#include "stats.h"
#include "snapshot.h"
#include "track.h"
#include "trend.h"

#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Everything one refresh shows; all borrowed. */
struct live_frame {
	const char *hostname;
	time_t wall; /* when the sample was taken */
	double interval_s;
	uint64_t refresh; /* 1 for the first */
	uint64_t now_ms;  /* the tracker's clock at the sample */
	const struct snapshot *snap;
	const struct track_mark *marks; /* parallel to snap->conns */
	const struct track_summary *changes;
	const struct live_view *view;     /* rows shown (view->order) */
	const struct stats *stats;        /* counts and top lists over the command line's filter */
	const struct diag_report *report; /* the warnings of this refresh */
	const struct procmap *owners;     /* -p: the owning processes; NULL without -p */
	uint64_t refresh_ms;              /* how long this refresh took to read and compute */
	uint64_t running_ms;              /* the screen: the refresh in flight so far; 0: none */
	const struct trend *trend;        /* the header's sparklines; NULL: none */
	bool utf8;                        /* the terminal takes Unicode blocks */
	uint64_t replay_index;            /* a recording played back: refresh i of total (from 1) */
	uint64_t replay_total;            /* 0: live */
	const char *stale; /* NULL, or why this refresh failed: the rest is the last good one */
};

/* One entry of the counts line: a state (or "udp") and how many rows are in it. */
struct live_count_item {
	const char *name;   /* netstat spelling, or "UDP" / "UDP-unconn" */
	unsigned int state; /* enum tcp_state; TCP_ST_UNKNOWN for UDP */
	size_t count;
};

#define LIVE_COUNT_ITEMS_MAX (TCP_ST_MAX + 2)

/* The nonzero counts, in the order of the open/close sequence, then UDP. Returns how many. */
size_t live_count_items(const struct stats *st, struct live_count_item *out);

#define LIVE_TOP_REMOTES 5

/* "203.0.113.7 (120), ..." : the busiest remote addresses, for the header. */
void live_top_remotes(char *buf, size_t len, const struct stats *st);

/* "Every 2.0s: connwatch (bpf)" and "host: date" as watch prints them; source is the snapshot's
 * source name (bpf, netlink, proc, ...), or NULL. */
void live_header_left(char *buf, size_t len, double interval_s, const char *source);
void live_header_right(char *buf, size_t len, const char *hostname, time_t wall);

/* "refresh takes 1.3s, longer than the interval" when the last refresh, or the one in flight
 * so far (running_ms), took longer than the interval (the screen then refreshes as often as it
 * can, answering keys all the while); else an empty string. */
void live_header_behind(char *buf, size_t len, const struct live_frame *f);

/* What the "In state" column shows: the time in the current state, with a "+" when the row was
 * already there at the first refresh (the real time is longer). Returns the length. */
size_t live_state_age(char *buf, size_t len, const struct track_mark *m, uint64_t now_ms);

/* A text block: header, table with an "In state" column and new/changed marks, counts, changes.
 * Returns 0 or -EIO. */
int render_live_plain(FILE *out, const struct live_frame *f);

/* One JSON document on one line (see docs/json.md, "connwatch live --json"). Returns 0 or -EIO. */
int render_live_json(FILE *out, const struct live_frame *f);

#endif
