/* Counting over a snapshot: states x protocols, busiest remote addresses and networks, local
 * ports, and the per-port/per-endpoint tallies the diagnosis rules read (SYN_RECV per listening
 * port with distinct sources, TIME_WAIT per remote endpoint, CLOSE_WAIT per local port with ages).
 *
 * Feed rows one at a time with stats_add(): nothing is kept per row, only per distinct key (an
 * address, a port, an endpoint), so a counting path can stream 100,000 sockets without storing
 * them. Pure: no I/O, no clock. The live view feeds the same struct every sample (stats_reset()
 * keeps the hash tables' memory). */
#ifndef CW_STATS_H
#define CW_STATS_H

#include "snapshot.h"
#include "states.h"
#include "stats_tally.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum stats_proto {
	STATS_TCP = 0,
	STATS_TCP6 = 1,
	STATS_UDP = 2,
	STATS_UDP6 = 3,
	STATS_PROTO_COUNT = 4,
};

/* "tcp", "tcp6", "udp", "udp6". */
const char *stats_proto_name(enum stats_proto p);
enum stats_proto stats_proto_of(const struct conn *c);

/* State index used by the counts: the kernel number, with NEW_SYN_RECV folded into SYN_RECV.
 * UDP: ESTABLISHED when connected, TCP_ST_CLOSE when not (netstat shows an empty state). */
unsigned int stats_state_of(const struct conn *c);

/* The tallies kept per distinct key. Which key fields are set is said per tally. */
enum stats_tally_id {
	STATS_REMOTE_IP,        /* addr: remote address of every connected socket */
	STATS_REMOTE_NET,       /* addr+prefix: its /24 (IPv4) or /64 (IPv6); aux = distinct
	                         * addresses in it */
	STATS_LOCAL_PORT,       /* port: local port of every connected socket (not listeners) */
	STATS_SYN_RECV_PORT,    /* port: SYN_RECV per local port; aux = distinct sources */
	STATS_SYN_RECV_SOURCE,  /* port+addr: SYN_RECV per (local port, remote address) */
	STATS_SYN_RECV_PREFIX,  /* port+addr+prefix: SYN_RECV per (local port, source prefix) at
	                         * every length /8../32 (IPv4) and /32, /36 ../128 (IPv6): the
	                         * hierarchical count stats_syn_recv_cover() reads */
	STATS_TIME_WAIT_REMOTE, /* addr+port: TIME_WAIT per remote endpoint; aux = of them with an
	                         * ephemeral local port and a non-ephemeral remote port (client) */
	STATS_TIME_WAIT_LOCAL,  /* port: TIME_WAIT per local port */
	STATS_CLOSE_WAIT_PORT,  /* port: CLOSE_WAIT per local port; aux = of them at least
	                         * close_wait_age_ms old; max_age_ms, age_known */
	STATS_CLOSE_WAIT_OWNER, /* id (pid): CLOSE_WAIT per owning process, when known */
	STATS_SYN_SENT_REMOTE,  /* addr+port: SYN_SENT per remote endpoint */
	STATS_FIN_WAIT2_REMOTE, /* addr: FIN_WAIT2 per remote address */
	STATS_OWNER,            /* id (pid): connected sockets per owning process, when known */
	STATS_OWNER_STATE,      /* id (pid) + port (stats_owner_state_of): every socket, listeners
	                         * too, per owning process and state, when known */
	STATS_TALLY_COUNT,
};

/* The most keys a tally keyed by remote addresses holds (Space-Saving beyond, stats_tally.h):
 * a SYN flood from spoofed sources brings a new address per socket, and memory must not follow.
 * The prefix tally holds 25 lengths per source, so it gets more. */
#define STATS_REMOTE_KEYS_MAX 16384
#define STATS_PREFIX_KEYS_MAX 65536

/* One listening socket, for listen_overflow. */
struct stats_listener {
	uint8_t addr[16];
	uint8_t family;
	uint16_t port;
	uint32_t queue;   /* accept queue length now */
	uint32_t backlog; /* its limit (0 when the source does not say: /proc, imported text) */
};

/* One connection with data piling up, for recv_q/send_q. */
struct stats_queued {
	uint8_t local_addr[16], remote_addr[16];
	uint8_t family;
	uint16_t local_port, remote_port;
	uint32_t bytes;
};

#define STATS_KEEP_WORST 8 /* fullest listeners and most queued connections kept */

/* What stats_add needs to classify rows; filled from config and kernel sysctls
 * (diagnose_stats_options() does it). */
struct stats_options {
	uint16_t ephemeral_low, ephemeral_high; /* net.ipv4.ip_local_port_range */
	uint32_t close_wait_age_ms;             /* CLOSE_WAIT older than this counts as hanging */
	uint32_t recv_q_bytes;                  /* unread data at or above this is "piling up" */
	uint32_t send_q_bytes; /* unacknowledged data at or above this is "piling up" */
};

/* Sets the defaults: ports 32768-60999 (Linux), 60 s, 1 MiB unread, 4 MiB unacknowledged. */
void stats_options_default(struct stats_options *opt);

struct stats {
	struct stats_options opt;
	uint64_t total;
	uint64_t by_proto_state[STATS_PROTO_COUNT][TCP_ST_MAX];
	uint64_t by_state[TCP_ST_MAX]; /* all protocols together */
	uint64_t by_proto[STATS_PROTO_COUNT];
	uint64_t tcp_listeners;
	struct stats_listener fullest[STATS_KEEP_WORST]; /* by queue/backlog, fullest first */
	size_t fullest_count;
	uint64_t recv_q_piling, send_q_piling; /* ESTABLISHED sockets at or above the limits */
	struct stats_queued worst_recv_q[STATS_KEEP_WORST], worst_send_q[STATS_KEEP_WORST];
	size_t worst_recv_q_count, worst_send_q_count;
	uint64_t close_wait_hanging;   /* CLOSE_WAIT at least close_wait_age_ms old */
	uint64_t close_wait_age_known; /* CLOSE_WAIT whose age was known */
	uint32_t close_wait_max_age_ms;
	uint8_t listen_ports[65536 / 8]; /* bit set of TCP listening ports */
	struct stats_tally tally[STATS_TALLY_COUNT];
	bool out_of_memory; /* a tally could not grow: its counts are incomplete */
};

/* Per-row facts that do not live in struct conn; pass NULL when none are known. */
#define STATS_AGE_UNKNOWN UINT32_MAX
struct stats_row_extra {
	uint32_t state_age_ms; /* time in the current state (live tracker), or STATS_AGE_UNKNOWN:
	                        * then CLOSE_WAIT uses conn.idle_ms (tcp_info estimate) */
	uint32_t owner_pid;    /* owning process (procmap), or 0 when unknown */
};

/* Initialises s for counting with opt (NULL = defaults). Free with stats_free(). */
void stats_init(struct stats *s, const struct stats_options *opt);
/* Forgets all counts, keeps the tables' memory (for the next live sample). */
void stats_reset(struct stats *s);
void stats_free(struct stats *s);

/* Counts one row. Never fails: when memory runs out, s->out_of_memory is set and the tallies
 * miss keys (the plain counts stay exact). */
void stats_add(struct stats *s, const struct conn *c, const struct stats_row_extra *extra);

/* Records a TCP listener for listen_overflow and the listening-port set without counting it in
 * the totals: for views that hide listeners, as netstat -ntu does. Ignores other rows. */
void stats_note_listener(struct stats *s, const struct conn *c);

/* Counts every row of a snapshot (no extras). */
void stats_add_snapshot(struct stats *s, const struct snapshot *snap);

/* ---- counts from a source that counts by itself (no rows) ----
 * A source that aggregates in the kernel (a BPF iterator) feeds the same struct through these
 * three calls instead of stats_add(); the diagnosis and every renderer then read it unchanged.
 * They add to what is there (several sources or passes may contribute). */

/* Sockets per protocol and state index (stats_state_of() numbering: request sockets already
 * folded into TCP_ST_SYN_RECV; UDP: ESTABLISHED connected, TCP_ST_CLOSE not). Updates total,
 * by_proto, by_state and by_proto_state. Listeners counted here are counted only: give each one
 * to stats_add_listener() too (with counted = false) for the listener rules. */
struct stats_counts {
	uint64_t by_proto_state[STATS_PROTO_COUNT][TCP_ST_MAX];
};
void stats_add_counts(struct stats *s, const struct stats_counts *c);

/* Adds count (and aux, meaning per tally: see enum stats_tally_id) to the entry of key in a
 * tally: e.g. STATS_TIME_WAIT_LOCAL {.port = 443} count 900. Keys follow
 * the tally's documented fields; addresses as stats_add() stores them (IPv4-mapped IPv6 as
 * IPv4). For the CLOSE_WAIT tallies the ages go through stats_add_close_wait_age(), for the
 * SYN_RECV sources through stats_add_syn_recv_source(). */
void stats_add_keyed(struct stats *s, enum stats_tally_id id, const struct stats_key *key,
                     uint64_t count, uint64_t aux);

/* count connected sockets with this remote address (IPv4 in the first 4 bytes; IPv4-mapped IPv6
 * is counted as IPv4): the remote-address and remote-network tallies as stats_add() keeps them,
 * the network's number of distinct addresses included. 0.0.0.0 and :: are not peers (ignored). */
void stats_add_remote(struct stats *s, int family, const uint8_t *addr, uint64_t count);

/* count SYN_RECV sockets on local_port from one source address (network order, IPv4 in the
 * first 4 bytes): fills the per-source and per-prefix tallies the syn_flood evidence reads and
 * the port's distinct-source count. Add the port's own count first with
 * stats_add_keyed(STATS_SYN_RECV_PORT, {.port}, count, 0). */
void stats_add_syn_recv_source(struct stats *s, uint16_t local_port, int family,
                               const uint8_t addr[16], uint64_t count);

/* One CLOSE_WAIT socket's age on a local port when the source knows it (ms), for a socket
 * already counted without it (stats_add() of a row with an unknown age, or stats_add_keyed()):
 * updates the hanging count, the oldest age, and the port's entry as stats_add() would have.
 * owner_pid (0 = unknown) also marks its process's entry hanging. */
void stats_add_close_wait_age(struct stats *s, uint16_t local_port, uint32_t age_ms,
                              uint32_t owner_pid);

/* One TCP listener for listen_overflow and the listening-port set. counted: also count it in
 * the totals (as stats_add() of a LISTEN row would); false when stats_add_counts() counted it. */
void stats_add_listener(struct stats *s, const struct stats_listener *l, bool counted);

/* True when port is a TCP listening port of the snapshot counted. */
bool stats_is_listen_port(const struct stats *s, uint16_t port);

/* A service port: one that does not change with every connection, so it may name a series or a
 * "busiest port" line. A local port is one when something listens on it (TCP) or it lies
 * outside net.ipv4.ip_local_port_range; a remote port (endpoint tallies) when it lies outside
 * that range (the peer's listeners are not known). */
bool stats_is_service_port(const struct stats *s, enum stats_tally_id id, uint16_t port);

/* port_filter values of stats_top() besides a port number. */
#define STATS_TOP_ANY_PORT      (-1)
#define STATS_TOP_SERVICE_PORTS (-2) /* only entries whose port is a service port */

/* Copies the up to `max` entries of a tally with the highest count, highest first (ties: lower
 * key first, so output is stable). With port_filter >= 0 only entries whose key.port equals it
 * (SYN_RECV sources of one port); with STATS_TOP_SERVICE_PORTS only service ports. Returns how
 * many were written. */
size_t stats_top(const struct stats *s, enum stats_tally_id id, int port_filter,
                 struct stats_entry *out, size_t max);

/* The entry for key, or NULL. */
const struct stats_entry *stats_find(const struct stats *s, enum stats_tally_id id,
                                     const struct stats_key *key);

/* The state slot of the STATS_OWNER_STATE tally: stats_state_of(), except that unconnected UDP
 * is STATS_OWNER_UNCONN so it is not counted as a closed TCP socket. */
#define STATS_OWNER_UNCONN TCP_ST_MAX
unsigned int stats_owner_state_of(const struct conn *c);

/* Keeps the first len bits of the key's address (zeroing the rest) and sets prefix = len. */
void stats_prefix_mask(struct stats_key *k, unsigned int len);

/* The networks the SYN_RECV sockets of a local port come from: the smallest prefixes that
 * cover most of their sources (stats_cover.c says how), busiest first. Writes up to max items;
 * *covered is the SYN_RECV count of all the prefixes found (also those past max). */
struct stats_cover_item {
	struct stats_key key; /* family, addr, prefix (and port) */
	uint64_t count;
};
size_t stats_syn_recv_cover(const struct stats *s, uint16_t port, struct stats_cover_item *out,
                            size_t max, uint64_t *covered);

/* Number of keys held by a tally: the distinct keys while tally[id].evictions is 0. */
size_t stats_distinct(const struct stats *s, enum stats_tally_id id);

/* Writes an entry's address as text: "a.b.c.d", "a.b.c.0/24", "2001:db8::/64"; with the port
 * for endpoint tallies when with_port ("a.b.c.d:443", "[2001:db8::1]:443"). buf must hold
 * STATS_KEY_TEXT_MAX. Returns the length. */
#define STATS_KEY_TEXT_MAX 64
size_t stats_key_format(char *buf, const struct stats_key *k, bool with_port);

#endif
