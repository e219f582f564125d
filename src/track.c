#include "track.h"

#include "states.h"
#include "util/grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The identity of a connection without its inode (the inode is compared separately, because 0
 * matches any inode; see track.h). */
struct track_key {
	uint8_t local_addr[16];
	uint8_t remote_addr[16];
	uint16_t local_port;
	uint16_t remote_port;
	uint8_t proto;
	uint8_t family;
	uint8_t zero[2]; /* always 0: the key is hashed as five 64-bit words */
};

/* One cache line: lookups at 100,000 rows are bound by memory latency, not by instructions. */
struct track_entry {
	struct track_key key;
	uint32_t inode;
	uint8_t state;
	uint8_t matched; /* previous table only: a row of the new sample took it */
	uint8_t baseline;
	uint8_t kernel_aged; /* state_since_ms came from the kernel's age of the socket */
	uint64_t first_seen_ms;
	uint64_t state_since_ms;
};
_Static_assert(sizeof(struct track_entry) == 64, "a track entry is one cache line");

void track_init(struct track *t)
{
	memset(t, 0, sizeof(*t));
	t->fin_timeout_ms = 60000;
}

static void table_free(struct track_table *tab)
{
	free(tab->entries);
	free(tab->slots);
	memset(tab, 0, sizeof(*tab));
}

void track_free(struct track *t)
{
	table_free(&t->tables[0]);
	table_free(&t->tables[1]);
	free(t->marks);
	free(t->hashes);
	uint32_t fin_timeout_ms = t->fin_timeout_ms;
	track_init(t);
	t->fin_timeout_ms = fin_timeout_ms;
}

static void key_of(const struct conn *c, struct track_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->local_addr, c->local_addr, sizeof(k->local_addr));
	memcpy(k->remote_addr, c->remote_addr, sizeof(k->remote_addr));
	k->local_port = c->local_port;
	k->remote_port = c->remote_port;
	k->proto = c->proto;
	k->family = c->family;
}

/* Five 64-bit words, each multiplied in, then a final mix so that the low bits (the slot)
 * depend on every byte: loopback tables differ mostly in one port. */
static uint32_t key_hash(const struct track_key *k)
{
	_Static_assert(sizeof(*k) == 40, "the key is five words");
	uint64_t w[5];
	memcpy(w, k, sizeof(w));
	uint64_t h = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 5; i++) {
		h ^= w[i];
		h *= 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static bool inode_compatible(uint32_t a, uint32_t b)
{
	return a == 0 || b == 0 || a == b;
}

/* Makes room for n entries; the arrays only grow, so a steady table size allocates nothing. */
static int table_reserve(struct track_table *tab, size_t n)
{
	if (n > tab->capacity) {
		size_t cap = grow_capacity(tab->capacity, n, 64);
		/* the table is refilled after this, so nothing is copied; aligned to lines */
		void *e = NULL;
		if (posix_memalign(&e, 64, cap * sizeof(struct track_entry)) != 0)
			return -ENOMEM;
		free(tab->entries);
		tab->entries = e;
		tab->capacity = cap;
	}
	size_t want_slots = 128;
	while (want_slots < 2 * n)
		want_slots *= 2;
	if (want_slots > tab->slot_count) {
		uint64_t *s = malloc(want_slots * sizeof(*s));
		if (!s)
			return -ENOMEM;
		free(tab->slots);
		tab->slots = s;
		tab->slot_count = want_slots;
	}
	return 0;
}

static void table_reset(struct track_table *tab)
{
	tab->count = 0;
	if (tab->slots)
		memset(tab->slots, 0, tab->slot_count * sizeof(*tab->slots));
}

/* The entry of tab that is the same connection as (k, inode), or NULL. Among several candidates
 * (an inode-less row next to one with an inode) an exact inode match wins. The slot holds the
 * hash, so only true candidates cost a visit to their entry. */
static struct track_entry *table_find(struct track_table *tab, const struct track_key *k,
                                      uint32_t hash, uint32_t inode)
{
	if (!tab->count)
		return NULL;
	size_t mask = tab->slot_count - 1;
	struct track_entry *loose = NULL;
	for (size_t i = hash & mask;; i = (i + 1) & mask) {
		uint64_t s = tab->slots[i];
		if (!s)
			return loose;
		if ((uint32_t)(s >> 32) != hash)
			continue;
		struct track_entry *e = &tab->entries[(uint32_t)s - 1];
		if (e->matched || memcmp(&e->key, k, sizeof(*k)) != 0)
			continue;
		if (e->inode == inode)
			return e;
		if (!loose && inode_compatible(e->inode, inode))
			loose = e;
	}
}

static struct track_entry *table_add(struct track_table *tab, uint32_t hash)
{
	struct track_entry *e = &tab->entries[tab->count++];
	size_t mask = tab->slot_count - 1;
	size_t i = hash & mask;
	while (tab->slots[i])
		i = (i + 1) & mask;
	tab->slots[i] = (uint64_t)hash << 32 | (uint32_t)tab->count;
	return e;
}

static int reserve_marks(struct track *t, size_t n)
{
	size_t cap = grow_capacity(t->marks_capacity, n, 64);
	if (cap == t->marks_capacity)
		return 0;
	if (grow_array(&t->marks, cap, sizeof(*t->marks)) < 0 ||
	    grow_array(&t->hashes, cap, sizeof(*t->hashes)) < 0)
		return -ENOMEM;
	t->marks_capacity = cap;
	return 0;
}

/* A TIME_WAIT or CLOSED socket whose ports are now used by a live socket: a new connection. */
static bool is_reuse(uint8_t old_state, uint8_t new_state)
{
	bool old_dead = old_state == TCP_ST_TIME_WAIT || old_state == TCP_ST_CLOSE;
	bool new_dead = new_state == TCP_ST_TIME_WAIT || new_state == TCP_ST_CLOSE;
	return old_dead && !new_dead;
}

/* Request sockets (NEW_SYN_RECV) are SYN_RECV to the user; the change is not a change. */
static uint8_t visible_state(uint8_t s)
{
	return s == TCP_ST_NEW_SYN_RECV ? TCP_ST_SYN_RECV : s;
}

/* A row that entered its state since the last sample (or is seen for the first time): when the
 * kernel knows how long it has been in it, it entered it then, but not before `floor` (the
 * previous sample, where it was not in this state; 0 on the first sample). */
static void seed_state_age(const struct track *t, const struct conn *c, uint64_t now_ms,
                           uint64_t floor, struct track_entry *e)
{
	uint32_t age = conn_kernel_state_age_ms(c, t->fin_timeout_ms);
	if (age == CONN_UNKNOWN_U32)
		return;
	uint64_t since = age < now_ms ? now_ms - age : 0;
	e->state_since_ms = since > floor ? since : floor;
	e->kernel_aged = 1;
}

int track_update(struct track *t, const struct snapshot *snap, uint64_t now_ms,
                 struct track_summary *sum)
{
	struct track_table *prev = &t->tables[t->current];
	struct track_table *cur = &t->tables[t->current ^ 1u];
	memset(sum, 0, sizeof(*sum));
	if (snap->count >= UINT32_MAX / 2 || table_reserve(cur, snap->count) < 0 ||
	    reserve_marks(t, snap->count) < 0) {
		track_free(t);
		return -ENOMEM;
	}
	table_reset(cur);
	bool first = t->samples == 0;
	/* Hashes first, so the slots a few rows ahead can be fetched while this row is matched:
	 * at 100,000 rows the lookups are bound by memory latency. */
	for (size_t i = 0; i < snap->count; i++) {
		struct track_key k;
		key_of(&snap->conns[i], &k);
		t->hashes[i] = key_hash(&k);
	}
	enum { AHEAD = 12 };
	for (size_t i = 0; i < snap->count; i++) {
		if (i + AHEAD < snap->count) {
			uint32_t ha = t->hashes[i + AHEAD];
			if (prev->slots)
				__builtin_prefetch(&prev->slots[ha & (prev->slot_count - 1)]);
			__builtin_prefetch(&cur->slots[ha & (cur->slot_count - 1)], 1);
		}
		const struct conn *c = &snap->conns[i];
		struct track_key k;
		key_of(c, &k);
		uint32_t h = t->hashes[i];
		uint8_t state = visible_state(c->state);
		struct track_entry *old = table_find(prev, &k, h, c->inode);
		struct track_mark *m = &t->marks[i];
		memset(m, 0, sizeof(*m));
		struct track_entry *e = table_add(cur, h);
		e->key = k;
		e->inode = c->inode;
		e->state = state;
		e->matched = 0;
		e->baseline = 0;
		e->kernel_aged = 0;
		if (old && !(c->proto == CONN_TCP && is_reuse(old->state, state))) {
			old->matched = 1;
			e->first_seen_ms = old->first_seen_ms;
			e->baseline = old->baseline;
			if (old->state == state) {
				e->state_since_ms = old->state_since_ms;
				e->kernel_aged = old->kernel_aged;
			} else {
				e->state_since_ms = now_ms;
				seed_state_age(t, c, now_ms, t->last_ms, e);
				m->flags |= TRACK_CHANGED;
				m->prev_state = old->state;
				sum->changed_count++;
			}
		} else {
			if (old)
				old->matched =
				    1; /* the TIME_WAIT socket is gone: its ports were reused */
			e->first_seen_ms = now_ms;
			e->state_since_ms = now_ms;
			seed_state_age(t, c, now_ms, first ? 0 : t->last_ms, e);
			if (first) {
				e->baseline = 1;
			} else {
				m->flags |= TRACK_NEW;
				sum->new_count++;
			}
		}
		if (e->baseline)
			m->flags |= TRACK_BASELINE;
		if (e->kernel_aged)
			m->flags |= TRACK_KERNEL_AGE;
		m->first_seen_ms = e->first_seen_ms;
		m->state_since_ms = e->state_since_ms;
	}
	size_t matched = 0;
	for (size_t i = 0; i < prev->count; i++)
		matched += prev->entries[i].matched;
	sum->closed_count = prev->count - matched;
	sum->rows = snap->count;
	t->current ^= 1u;
	t->samples++;
	t->last_ms = now_ms;
	return 0;
}

const struct track_mark *track_marks(const struct track *t)
{
	return t->marks;
}
