#include "names.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (64u << 10)

struct names_chunk {
	struct names_chunk *next;
	size_t used;
	char data[CHUNK_SIZE];
};

void names_init(struct names *n)
{
	memset(n, 0, sizeof(*n));
}

static size_t hash_text(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static int rehash(struct names *n)
{
	size_t count = n->slot_count ? n->slot_count * 2 : 1024;
	const char **slots = calloc(count, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < n->slot_count; i++) {
		const char *s = n->slots[i];
		if (!s)
			continue;
		size_t j = hash_text(s, strlen(s)) & (count - 1);
		while (slots[j])
			j = (j + 1) & (count - 1);
		slots[j] = s;
	}
	free(n->slots);
	n->slots = slots;
	n->slot_count = count;
	return 0;
}

static char *store(struct names *n, const char *text, size_t len)
{
	struct names_chunk *c = n->chunks;
	if (!c || CHUNK_SIZE - c->used < len + 1) {
		c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		c->next = n->chunks;
		c->used = 0;
		n->chunks = c;
	}
	char *s = c->data + c->used;
	memcpy(s, text, len);
	s[len] = '\0';
	c->used += len + 1;
	n->bytes += len + 1;
	return s;
}

const char *names_intern(struct names *n, const char *text, size_t len)
{
	if (len >= CHUNK_SIZE)
		return NULL;
	if (n->slot_count) {
		size_t j = hash_text(text, len) & (n->slot_count - 1);
		for (const char *s; (s = n->slots[j]); j = (j + 1) & (n->slot_count - 1))
			if (!strncmp(s, text, len) && s[len] == '\0')
				return s;
	}
	if (n->count >= NAMES_MAX_COUNT || n->bytes + len + 1 > NAMES_MAX_BYTES)
		return NULL;
	/* Keep the table at most half full so probes stay short. */
	if ((n->count + 1) * 2 > n->slot_count && rehash(n) < 0)
		return NULL;
	char *s = store(n, text, len);
	if (!s)
		return NULL;
	size_t j = hash_text(text, len) & (n->slot_count - 1);
	while (n->slots[j])
		j = (j + 1) & (n->slot_count - 1);
	n->slots[j] = s;
	n->count++;
	return s;
}

void names_free(struct names *n)
{
	while (n->chunks) {
		struct names_chunk *next = n->chunks->next;
		free(n->chunks);
		n->chunks = next;
	}
	free(n->slots);
	names_init(n);
}
