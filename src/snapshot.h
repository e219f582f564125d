/* The snapshot: plain data filled by a source, read by every later stage. */
#ifndef CW_SNAPSHOT_H
#define CW_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum conn_proto {
	CONN_TCP = 0,
	CONN_UDP = 1,
};

#define CONN_UNKNOWN_U32 UINT32_MAX

/* One socket. Kept small and flat, 64 bytes (a cache line): a million connections kept by `list`
 * cost 64 MB. proto and timer share a byte; the timer's remaining time, which no view showed, is
 * not kept. */
struct conn {
	uint8_t local_addr[16]; /* network order; IPv4 uses the first 4 bytes */
	uint8_t remote_addr[16];
	uint16_t local_port; /* host order */
	uint16_t remote_port;
	uint8_t proto : 4; /* enum conn_proto */
	uint8_t timer : 4; /* /proc/net/tcp "tr": 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT,
	                    * 4 probe */
	uint8_t family;    /* AF_INET or AF_INET6 */
	uint8_t state;     /* enum tcp_state; UDP: ESTABLISHED when connected, CLOSE when not */
	uint8_t retrans;
	uint32_t recv_q; /* netstat semantics: bytes not yet read; listeners: accept queue length */
	uint32_t send_q; /* bytes not yet acknowledged; 0 for listeners, as netstat shows */
	uint32_t backlog; /* listeners: the accept queue limit (netlink only); else 0 */
	uint32_t uid;
	uint32_t inode;   /* 0 for request and TIME_WAIT sockets */
	uint32_t idle_ms; /* time since data was last received (tcp_info), or CONN_UNKNOWN_U32;
	                   * CLOSE_WAIT: since the last ACK, i.e. the peer's FIN (time in state) */
};
_Static_assert(sizeof(struct conn) == 64, "struct conn is one cache line");

/* Kernel counters and sysctls read in the same pass (filled by sources that can). */
struct kernel_counters {
	bool valid;
};

/* A note about input that was skipped (malformed line, interrupted dump); printed by the caller. */
#define SNAPSHOT_MAX_NOTES 32

struct stats;

/* Where rows go when the consumer does not keep them (summary, check, serve, explain count; a
 * million sockets must not cost a million rows of memory). With a sink set, the snapshot holds
 * at most SNAPSHOT_BATCH rows: the sources append as usual (snapshot_append, snapshot_add_conn)
 * and every full batch is handed to `rows` and forgotten; snapshot_flush() hands over the rest.
 * Rows arrive in the source's order, each exactly once.
 *
 * `counts`, when not NULL, is where a source that counts by itself (a BPF iterator, no rows at
 * all) adds its counts instead (stats_add_counts() and friends in stats.h). The consumer sets
 * it only when it accepts counts that were not filtered row by row (no --port/--local/--remote;
 * the request's states and families still apply); a counting source that is given NULL must
 * produce rows. */
#define SNAPSHOT_BATCH 4096
struct snapshot_sink {
	void (*rows)(void *ctx, const struct conn *rows, size_t n);
	void *ctx;
	struct stats *counts;
};

struct snapshot {
	struct conn *conns; /* owned; freed by snapshot_free() */
	size_t count;
	size_t capacity;
	size_t populated; /* bytes of conns already mapped ahead of use (see snapshot.c) */
	char *notes[SNAPSHOT_MAX_NOTES]; /* owned strings */
	size_t note_count;
	size_t notes_dropped;    /* notes beyond SNAPSHOT_MAX_NOTES, counted only */
	size_t skipped;          /* input records that could not be read */
	const char *source_name; /* static string: "netlink", "proc", ... */
	struct kernel_counters counters;
	const struct snapshot_sink *sink; /* borrowed; NULL: every row is kept in conns */
	size_t delivered;                 /* rows already handed to the sink */
};

void snapshot_init(struct snapshot *snap);

/* Frees everything the snapshot owns and leaves it empty and reusable. */
void snapshot_free(struct snapshot *snap);

/* Empties the snapshot but keeps its array (and its sink) for the next fill (the live view
 * reuses it). */
void snapshot_clear(struct snapshot *snap);

/* Streams the rows into sink from now on instead of keeping them (NULL: keep them again).
 * Borrowed: the sink must outlive the snapshot's fills. */
void snapshot_set_sink(struct snapshot *snap, const struct snapshot_sink *sink);

/* Hands the rows still held to the sink (nothing without one). Call after every fill; the
 * collector and the import command do. */
void snapshot_flush(struct snapshot *snap);

/* Rows the sources produced since the last clear: delivered to a sink or kept. */
static inline size_t snapshot_rows_seen(const struct snapshot *snap)
{
	return snap->delivered + snap->count;
}

/* Appends a copy of c. Returns 0 or -ENOMEM. */
int snapshot_add_conn(struct snapshot *snap, const struct conn *c);

/* Appends one uninitialised row and returns it for the caller to fill in place (the netlink
 * source fills 235,000 of them per dump; a copy through the stack costs time), or NULL when out
 * of memory. The pointer is valid until the next append. */
struct conn *snapshot_append(struct snapshot *snap);

/* Records a note (printf-style); never fails: notes past the limit are counted only. */
void snapshot_add_note(struct snapshot *snap, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
