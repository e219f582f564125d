/* The snapshot: plain data filled by a source, read by every later stage. */
#ifndef CW_SNAPSHOT_H
#define CW_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "states.h"
#include "util/addr.h"

enum conn_proto {
	CONN_TCP = 0,
	CONN_UDP = 1,
};

#define CONN_UNKNOWN_U32 UINT32_MAX

struct names;
struct pidnames;

/* One socket. Kept small and flat, 64 bytes (a cache line): a million connections kept by `list`
 * cost 64 MB. proto, the named-side flags and timer share a byte; the timer's remaining time, which
 * no view showed, is not kept. */
struct conn {
	uint8_t local_addr[16]; /* network order; IPv4 uses the first 4 bytes */
	uint8_t remote_addr[16];
	uint16_t local_port; /* host order */
	uint16_t remote_port;
	uint8_t proto : 1; /* enum conn_proto */
	uint8_t flags : 2; /* CONN_*_NAMED (imported text only) */
	uint8_t timer : 3; /* /proc/net/tcp "tr": 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT,
	                    * 4 probe */
	uint8_t family;    /* AF_INET or AF_INET6 */
	uint8_t state;     /* enum tcp_state; UDP: ESTABLISHED when connected, CLOSE when not */
	uint8_t retrans;
	uint32_t recv_q; /* netstat semantics: bytes not yet read; listeners: accept queue length */
	uint32_t send_q; /* bytes not yet acknowledged; 0 for listeners, as netstat shows */
	uint32_t uid;
	uint32_t inode; /* 0 for request and TIME_WAIT sockets */
	/* A TCP listener has no time in state to keep, and only a listener has a backlog: the two
	 * share four bytes, which leaves room for the namespace index in 64 bytes. */
	union {
		/* not a TCP listener: time since data was last received (tcp_info), or
		 * CONN_UNKNOWN_U32; CLOSE_WAIT: since the last ACK, i.e. the peer's FIN (time in
		 * state); timer 3 (TIME_WAIT, orphaned FIN_WAIT2: no tcp_info): the time left */
		uint32_t idle_ms;
		/* a TCP listener: its accept queue limit (netlink, ss text), or 0 or
		 * CONN_UNKNOWN_U32 when the source does not say; read it with conn_backlog() */
		uint32_t backlog;
	};
	uint16_t netns; /* index into snapshot.netns (0: the first namespace read) */
	/* Imported text: the handle in snapshot.owners of the process the row names (netstat -p,
	 * ss -p), 0 when none. The live sources leave 0: procmap finds owners by inode. */
	uint16_t owner;
};
_Static_assert(sizeof(struct conn) == 64, "struct conn is one cache line");

/* A TCP listener's accept queue limit; 0 when unknown (/proc and netstat do not show it). */
static inline uint32_t conn_backlog(const struct conn *c)
{
	bool listener = c->proto == CONN_TCP && c->state == TCP_ST_LISTEN;
	return listener && c->backlog != CONN_UNKNOWN_U32 ? c->backlog : 0;
}

/* Imported text (netstat or ss without -n) may show a host name where an address would be: the
 * address bytes then hold a pointer to the interned name (snapshot.names; util/addr.h
 * ADDR_FAMILY_NAME), and the flag says which side is named. */
#define CONN_LOCAL_NAMED  0x01u
#define CONN_REMOTE_NAMED 0x02u

/* The family to format or key one side's address with: c->family, or ADDR_FAMILY_NAME. */
static inline int conn_addr_family(const struct conn *c, bool remote)
{
	return (c->flags & (remote ? CONN_REMOTE_NAMED : CONN_LOCAL_NAMED)) ? ADDR_FAMILY_NAME
	                                                                    : c->family;
}

/* "addr:port" as netstat shows it (names too). Returns the length; buf must hold
 * ADDR_ENDPOINT_MAX. */
size_t conn_format_endpoint(char *buf, const struct conn *c, bool remote);

/* The address alone (or the name). buf must hold ADDR_TEXT_MAX. */
size_t conn_format_address(char *buf, const struct conn *c, bool remote);

/* A note about input that was skipped (malformed line, interrupted dump); printed by the caller. */
#define SNAPSHOT_MAX_NOTES 32

struct stats;
struct netns_set;

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
	size_t expected;  /* rows the source announced (snapshot_expect), 0 when unknown */
	char *notes[SNAPSHOT_MAX_NOTES]; /* owned strings */
	size_t note_count;
	size_t notes_dropped;    /* notes beyond SNAPSHOT_MAX_NOTES, counted only */
	size_t skipped;          /* input records that could not be read */
	const char *source_name; /* static string: "netlink", "proc", ... */
	struct names *names;     /* owned, NULL until a source stores a name (imported text) */
	struct pidnames *owners; /* owned, NULL until imported text names a process (conn.owner) */
	const struct netns_set *netns;    /* borrowed: the namespaces conn.netns indexes (--netns),
	                                   * NULL when only our own was read */
	uint16_t fill_netns;              /* conn.netns of the rows a source adds now */
	const struct snapshot_sink *sink; /* borrowed; NULL: every row is kept in conns */
	size_t delivered;                 /* rows already handed to the sink */
};

/* The kernel's TIME_WAIT length (TCP_TIMEWAIT_LEN, include/net/tcp.h): fixed at 60 s. */
#define CONN_TIME_WAIT_MS 60000u

/* How long c has been in its state, as far as the kernel's fields tell, or CONN_UNKNOWN_U32:
 * CLOSE_WAIT from tcp_info (idle_ms, the time since the peer's FIN); TIME_WAIT and an orphaned
 * FIN_WAIT2 from their timer (timer 3 runs for 60 s, or fin_timeout_ms for FIN_WAIT2, so the
 * age is that length minus the time left). */
uint32_t conn_kernel_state_age_ms(const struct conn *c, uint32_t fin_timeout_ms);

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

/* Announces that about `rows` rows are coming (an estimate from /proc/net/sockstat): a kept
 * table gets that capacity at once, and the part of it that will surely be written is backed by
 * huge pages where the kernel allows (see snapshot.c). Does nothing with a sink set, or for
 * small tables. Never fails: without memory the array grows row by row as usual. */
void snapshot_expect(struct snapshot *snap, size_t rows);

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
