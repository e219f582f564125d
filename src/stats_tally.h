/* The counted-keys table behind every tally of stats.h: a hash of keys with counts that is exact
 * while it holds at most `limit` keys, and past that keeps the busiest `limit` keys in bounded
 * memory with the Space-Saving algorithm (Metwally, Agrawal, El Abbadi, 2005): a key that is
 * not held replaces the held key with the smallest count c and starts at c + n. Then
 *   - every key whose true count exceeds N / limit is held (N: all counts added),
 *   - a held key's count is never too low and at most `error` too high (error <= N / limit),
 *   - the counts still add up to N.
 * Tallies keyed by what an attacker controls (remote addresses, spoofed sources) are bounded;
 * tallies keyed by local ports or pids need no bound (0). Pure; no I/O. */
#ifndef CW_STATS_TALLY_H
#define CW_STATS_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A tally key. Unused fields are zero. IPv4-mapped IPv6 addresses are stored as IPv4 so a peer
 * counts once whether it reached a tcp or a tcp6 socket. */
struct stats_key {
	uint8_t addr[16];
	uint8_t family; /* AF_INET, AF_INET6, or 0 when the tally has no address */
	uint8_t prefix; /* prefix length for network tallies; 0 otherwise */
	uint16_t port;  /* local port (per-port tallies) or remote port (endpoint tallies) */
	uint32_t id;    /* owner pid for owner tallies */
};

struct stats_entry {
	struct stats_key key;
	uint64_t count;
	uint64_t aux;        /* meaning per tally, see enum stats_tally_id */
	uint64_t error;      /* count - error <= true count <= count (0 while exact) */
	uint32_t max_age_ms; /* CLOSE_WAIT tallies: oldest age seen */
	uint32_t age_known;  /* CLOSE_WAIT tallies: sockets whose age was known */
	uint32_t heap_pos;   /* private: place in the eviction heap */
	uint32_t reserved;
};

/* Internal layout; read `used`, `evictions` and `error_max`, use the functions for the rest. */
struct stats_tally {
	struct stats_entry *entries; /* dense: the first `used` are held keys; owned */
	uint32_t *index;             /* open addressing: entry number + 1, 0 = empty; owned */
	uint32_t *heap;              /* min-heap of entry numbers by count (built at the first
	                              * eviction); owned */
	size_t used, entry_cap, index_cap;
	size_t limit; /* most keys held; 0 = no bound */
	bool heap_built;
	uint64_t evictions; /* keys replaced since the last clear (0: every count is exact) */
	uint64_t error_max; /* no held count is more than this too high */
};

/* limit 0: exact and unbounded. */
void stats_tally_init(struct stats_tally *t, size_t limit);
void stats_tally_free(struct stats_tally *t);
/* Forgets every key, keeps the memory and the limit. */
void stats_tally_clear(struct stats_tally *t);

/* Adds n to key's count (inserting or, when full, replacing the smallest). *is_new: the key was
 * not held before. Returns the entry (valid until the next add), or NULL when memory ran out
 * (then nothing was counted). */
struct stats_entry *stats_tally_add(struct stats_tally *t, const struct stats_key *k, uint64_t n,
                                    bool *is_new);

/* The held entry for key, or NULL. */
const struct stats_entry *stats_tally_find(const struct stats_tally *t, const struct stats_key *k);

/* Copies the up to `max` held entries with the highest count, highest first (ties: lower key
 * first). With port_filter >= 0 only entries whose key.port equals it. Returns how many. */
size_t stats_tally_top(const struct stats_tally *t, int port_filter, struct stats_entry *out,
                       size_t max);

#endif
