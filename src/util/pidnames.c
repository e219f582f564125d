#include "util/pidnames.h"

#include "util/grow.h"

#include <stdlib.h>
#include <string.h>

void pidnames_init(struct pidnames *t)
{
	memset(t, 0, sizeof(*t));
}

uint16_t pidnames_add(struct pidnames *t, int32_t pid, const char *name, size_t len)
{
	if (pid <= 0)
		return 0;
	const int32_t *known = inohash_find(&t->by_pid, (uint32_t)pid);
	if (known)
		return (uint16_t)*known;
	if (t->count == PIDNAMES_MAX)
		return 0;
	if (t->count == t->capacity) {
		size_t cap = grow_capacity(t->capacity, t->count + 1, 16);
		if (cap > PIDNAMES_MAX)
			cap = PIDNAMES_MAX;
		if (grow_array(&t->items, cap, sizeof(*t->items)) < 0)
			return 0;
		t->capacity = cap;
	}
	uint16_t handle = (uint16_t)(t->count + 1);
	if (inohash_put(&t->by_pid, (uint32_t)pid, handle) < 0)
		return 0;
	struct pidnames_entry *e = &t->items[t->count++];
	e->pid = pid;
	if (len >= sizeof(e->name))
		len = sizeof(e->name) - 1;
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	return handle;
}

const struct pidnames_entry *pidnames_get(const struct pidnames *t, uint16_t handle)
{
	return handle && handle <= t->count ? &t->items[handle - 1] : NULL;
}

const char *pidnames_name(const struct pidnames *t, int32_t pid)
{
	const int32_t *h = pid > 0 ? inohash_find(&t->by_pid, (uint32_t)pid) : NULL;
	return h ? t->items[*h - 1].name : NULL;
}

void pidnames_free(struct pidnames *t)
{
	free(t->items);
	inohash_free(&t->by_pid);
	pidnames_init(t);
}
