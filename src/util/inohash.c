#include "util/inohash.h"

#include "util/hugepage.h"

#include <errno.h>
#include <stdlib.h>

#define INOHASH_MIN_CAPACITY 16

/* Socket inodes come from one counter, so neighbours are common: Fibonacci hashing spreads
 * them over the table where a plain mask would put them side by side in long runs. */
static size_t slot_of(uint32_t key, size_t capacity)
{
	return (size_t)((key * 2654435769u) ^ (key >> 16)) & (capacity - 1);
}

static size_t capacity_for(size_t expected)
{
	size_t cap = INOHASH_MIN_CAPACITY;
	while (cap / 2 < expected) {
		if (cap > SIZE_MAX / 4)
			return 0;
		cap *= 2;
	}
	return cap;
}

int inohash_init(struct inohash *h, size_t expected)
{
	h->count = 0;
	h->capacity = capacity_for(expected);
	/* -p at 224,000 sockets makes a 4 MiB table: on small pages its first writes cost more
	 * than the lookups (util/hugepage.h). */
	h->slots = h->capacity ? hugepage_calloc(h->capacity, sizeof(*h->slots)) : NULL;
	if (!h->slots) {
		h->capacity = 0;
		return -ENOMEM;
	}
	return 0;
}

void inohash_free(struct inohash *h)
{
	free(h->slots);
	h->slots = NULL;
	h->capacity = 0;
	h->count = 0;
}

static struct inohash_slot *probe(const struct inohash *h, uint32_t key)
{
	size_t mask = h->capacity - 1;
	for (size_t i = slot_of(key, h->capacity);; i = (i + 1) & mask) {
		struct inohash_slot *s = &h->slots[i];
		if (s->key == key || s->key == 0)
			return s;
	}
}

int32_t *inohash_find(const struct inohash *h, uint32_t key)
{
	if (key == 0 || h->capacity == 0)
		return NULL;
	struct inohash_slot *s = probe(h, key);
	return s->key == key ? &s->value : NULL;
}

void inohash_prefetch(const struct inohash *h, uint32_t key)
{
	if (h->capacity)
		__builtin_prefetch(&h->slots[slot_of(key, h->capacity)]);
}

static int grow(struct inohash *h)
{
	struct inohash bigger;
	if (inohash_init(&bigger, h->count + 1 > h->capacity ? h->count + 1 : h->capacity) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < h->capacity; i++)
		if (h->slots[i].key)
			*probe(&bigger, h->slots[i].key) = h->slots[i];
	bigger.count = h->count;
	free(h->slots);
	*h = bigger;
	return 0;
}

int inohash_put(struct inohash *h, uint32_t key, int32_t value)
{
	if (key == 0)
		return -EINVAL;
	/* Keep at most half the slots in use: probes stay short and one always ends empty. */
	if ((h->count + 1) * 2 > h->capacity && grow(h) < 0)
		return -ENOMEM;
	struct inohash_slot *s = probe(h, key);
	if (s->key == 0) {
		s->key = key;
		h->count++;
	}
	s->value = value;
	return 0;
}

struct inohash_slot *inohash_next(const struct inohash *h, size_t *pos)
{
	while (*pos < h->capacity) {
		struct inohash_slot *s = &h->slots[(*pos)++];
		if (s->key)
			return s;
	}
	return NULL;
}
