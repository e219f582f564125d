/* Tracking connections across samples: which are new, which changed state, which closed, and how
 * long each has been seen and been in its state. Pure: the caller passes the snapshot and the
 * clock; nothing here reads the kernel or prints.
 *
 * Identity is (protocol, family, local address and port, remote address and port, inode). The
 * kernel gives TIME_WAIT and request (SYN_RECV) sockets no inode, so an inode of 0 on either
 * side matches any inode: an ESTABLISHED socket that becomes TIME_WAIT, or a request socket that
 * becomes ESTABLISHED, stays the same connection with a new state. A row whose 4-tuple reappears
 * after TIME_WAIT in another state is a new connection that reuses the ports.
 *
 * Memory: two tables (previous and current sample) whose arrays grow to the largest sample seen
 * and are then reused, so a long run with a steady table size allocates nothing per refresh. */
#ifndef CW_TRACK_H
#define CW_TRACK_H

#include "snapshot.h"

#include <stddef.h>
#include <stdint.h>

enum track_flag {
	TRACK_NEW = 1u << 0,        /* not in the previous sample */
	TRACK_CHANGED = 1u << 1,    /* in the previous sample with another state */
	TRACK_BASELINE = 1u << 2,   /* present in the first sample: its age is a lower bound */
	TRACK_KERNEL_AGE = 1u << 3, /* its time in state came from the kernel (tcp_info, timers):
	                             * not a lower bound, even for a baseline row */
};

/* What tracking knows about one row of the latest snapshot (same index as snap->conns). */
struct track_mark {
	uint64_t first_seen_ms;  /* caller's clock when the connection was first seen */
	uint64_t state_since_ms; /* caller's clock when it was first seen in its current state */
	uint8_t flags;           /* enum track_flag */
	uint8_t prev_state;      /* with TRACK_CHANGED: the state before */
};

struct track_summary {
	size_t rows;
	size_t new_count;
	size_t changed_count;
	size_t closed_count; /* rows of the previous sample that are gone */
};

struct track_entry; /* private to track.c */

struct track_table {
	struct track_entry *entries; /* dense, one per row of the sample */
	size_t count, capacity;
	uint64_t *slots;   /* open addressing: hash << 32 | (entry index + 1); 0 = empty */
	size_t slot_count; /* a power of two, at least twice the entry count */
};

struct track {
	struct track_table tables[2];
	unsigned int current;     /* index of the table of the latest sample */
	uint64_t samples;         /* samples taken so far */
	struct track_mark *marks; /* one per row of the latest sample; owned */
	uint32_t *hashes;         /* scratch: the key hash of each row; owned */
	size_t marks_capacity;    /* rows marks and hashes can hold */
	uint64_t last_ms;         /* the clock of the previous sample */
	uint32_t fin_timeout_ms;  /* net.ipv4.tcp_fin_timeout, for FIN_WAIT2 ages (default 60 s) */
};

void track_init(struct track *t);

/* Frees everything the tracker owns. */
void track_free(struct track *t);

/* Matches the rows of snap against the previous sample and remembers snap as the new previous
 * sample. now_ms is any monotonic clock in milliseconds. On the first call every row is marked
 * TRACK_BASELINE (not new). A row seen in a state for the first time takes the time it entered
 * it from the kernel where the kernel says (conn_kernel_state_age_ms: CLOSE_WAIT with tcp_info,
 * TIME_WAIT, orphaned FIN_WAIT2), so that a leak older than the watch shows its real age at
 * once; a row that was not in that state at the previous sample is not older than it. Returns 0 or
 * -ENOMEM (the tracker is then reset, as if new). */
int track_update(struct track *t, const struct snapshot *snap, uint64_t now_ms,
                 struct track_summary *sum);

/* Marks for the rows of the snapshot passed to the last successful track_update(). Borrowed:
 * valid until the next track_update() or track_free(). */
const struct track_mark *track_marks(const struct track *t);

#endif
