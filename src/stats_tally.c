#include "stats_tally.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct stats_key) == 24, "stats_key must have no padding: it is hashed");

#define FIRST_CAPACITY 64

void stats_tally_init(struct stats_tally *t, size_t limit)
{
	memset(t, 0, sizeof(*t));
	t->limit = limit;
}

void stats_tally_free(struct stats_tally *t)
{
	free(t->entries);
	free(t->index);
	free(t->heap);
	stats_tally_init(t, t->limit);
}

void stats_tally_clear(struct stats_tally *t)
{
	if (t->index)
		memset(t->index, 0, t->index_cap * sizeof(*t->index));
	t->used = 0;
	t->heap_built = false;
	t->evictions = 0;
	t->error_max = 0;
}

/* Three 64-bit words, multiplied and folded: a third of the cost of a byte-wise hash, and it
 * runs a few times per socket. */
static uint64_t key_hash(const struct stats_key *k)
{
	uint64_t w[3];
	memcpy(w, k, sizeof(w));
	uint64_t h = w[0] * 0x9e3779b97f4a7c15ull ^ w[1] * 0xc2b2ae3d27d4eb4full ^
	             w[2] * 0x165667b19e3779f9ull;
	h ^= h >> 32;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

/* The index slot holding key, or the empty slot where it belongs (index_cap > 0). */
static size_t index_slot(const struct stats_tally *t, const struct stats_key *k)
{
	size_t mask = t->index_cap - 1;
	size_t j = (size_t)key_hash(k) & mask;
	while (t->index[j] && memcmp(&t->entries[t->index[j] - 1].key, k, sizeof(*k)))
		j = (j + 1) & mask;
	return j;
}

/* Room for one more entry; the index stays at most half full. */
static bool reserve_one(struct stats_tally *t)
{
	if (t->used < t->entry_cap)
		return true;
	size_t cap = t->entry_cap ? t->entry_cap * 2 : FIRST_CAPACITY;
	if (t->limit && cap > t->limit)
		cap = t->limit;
	if (cap > UINT32_MAX / 4)
		return false;
	struct stats_entry *entries = realloc(t->entries, cap * sizeof(*entries));
	if (!entries)
		return false;
	t->entries = entries;
	uint32_t *index = calloc(cap * 2, sizeof(*index));
	if (!index)
		return false; /* the grown entry array is kept; the capacity stays the old one */
	free(t->index);
	t->index = index;
	t->index_cap = cap * 2;
	t->entry_cap = cap;
	for (size_t i = 0; i < t->used; i++)
		t->index[index_slot(t, &t->entries[i].key)] = (uint32_t)i + 1;
	return true;
}

/* ---- the eviction heap: a min-heap of entry numbers by count ---- */

static bool heap_less(const struct stats_tally *t, uint32_t a, uint32_t b)
{
	return t->entries[a].count < t->entries[b].count;
}

static void heap_set(struct stats_tally *t, size_t pos, uint32_t e)
{
	t->heap[pos] = e;
	t->entries[e].heap_pos = (uint32_t)pos;
}

static void heap_down(struct stats_tally *t, size_t pos)
{
	uint32_t e = t->heap[pos];
	for (;;) {
		size_t c = 2 * pos + 1;
		if (c >= t->used)
			break;
		if (c + 1 < t->used && heap_less(t, t->heap[c + 1], t->heap[c]))
			c++;
		if (!heap_less(t, t->heap[c], e))
			break;
		heap_set(t, pos, t->heap[c]);
		pos = c;
	}
	heap_set(t, pos, e);
}

static bool heap_build(struct stats_tally *t)
{
	if (!t->heap) {
		t->heap = malloc(t->entry_cap * sizeof(*t->heap));
		if (!t->heap)
			return false;
	}
	for (size_t i = 0; i < t->used; i++)
		heap_set(t, i, (uint32_t)i);
	for (size_t i = t->used / 2; i-- > 0;)
		heap_down(t, i);
	t->heap_built = true;
	return true;
}

/* Empties index slot i and moves later entries of its probe run back (linear probing has no
 * tombstones). */
static void index_remove(struct stats_tally *t, size_t i)
{
	size_t mask = t->index_cap - 1;
	for (size_t j = (i + 1) & mask; t->index[j]; j = (j + 1) & mask) {
		size_t home = (size_t)key_hash(&t->entries[t->index[j] - 1].key) & mask;
		/* The entry at j may move to i unless its home lies cyclically in (i, j]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		t->index[i] = t->index[j];
		i = j;
	}
	t->index[i] = 0;
}

/* Space-Saving: the held key with the smallest count gives its entry to k. */
static struct stats_entry *evict_for(struct stats_tally *t, const struct stats_key *k, uint64_t n)
{
	if (!t->heap_built && !heap_build(t))
		return NULL;
	uint32_t victim = t->heap[0];
	struct stats_entry *e = &t->entries[victim];
	index_remove(t, index_slot(t, &e->key));
	uint64_t min = e->count;
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->count = min + n;
	e->error = min;
	e->heap_pos = 0;
	t->index[index_slot(t, k)] = victim + 1;
	heap_down(t, 0);
	t->evictions++;
	if (min > t->error_max)
		t->error_max = min;
	return e;
}

struct stats_entry *stats_tally_add(struct stats_tally *t, const struct stats_key *k, uint64_t n,
                                    bool *is_new)
{
	*is_new = false;
	if (t->index_cap) {
		size_t j = index_slot(t, k);
		if (t->index[j]) {
			uint32_t i = t->index[j] - 1;
			struct stats_entry *e = &t->entries[i];
			e->count += n;
			if (t->heap_built)
				heap_down(t, e->heap_pos);
			return e;
		}
	}
	*is_new = true;
	if (t->limit && t->used == t->limit)
		return evict_for(t, k, n);
	if (!reserve_one(t))
		return NULL;
	uint32_t i = (uint32_t)t->used++;
	struct stats_entry *e = &t->entries[i];
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->count = n;
	t->index[index_slot(t, k)] = i + 1;
	return e;
}

const struct stats_entry *stats_tally_find(const struct stats_tally *t, const struct stats_key *k)
{
	if (!t->index_cap)
		return NULL;
	size_t j = index_slot(t, k);
	return t->index[j] ? &t->entries[t->index[j] - 1] : NULL;
}

static int key_cmp(const struct stats_key *a, const struct stats_key *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return 0;
}

/* True when a ranks before b: higher count, then lower key. */
static bool ranks_before(const struct stats_entry *a, const struct stats_entry *b)
{
	if (a->count != b->count)
		return a->count > b->count;
	return key_cmp(&a->key, &b->key) < 0;
}

size_t stats_tally_top(const struct stats_tally *t, int port_filter, struct stats_entry *out,
                       size_t max)
{
	size_t n = 0;
	if (!max)
		return 0;
	/* Insertion into a short sorted array: max is small (a screenful), the table may be big. */
	for (size_t i = 0; i < t->used; i++) {
		const struct stats_entry *e = &t->entries[i];
		if (port_filter >= 0 && e->key.port != port_filter)
			continue;
		if (n == max && !ranks_before(e, &out[n - 1]))
			continue;
		size_t j = n < max ? n++ : max - 1;
		while (j > 0 && ranks_before(e, &out[j - 1])) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = *e;
	}
	return n;
}
