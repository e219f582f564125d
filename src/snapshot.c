#include "snapshot.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void snapshot_init(struct snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
}

static void free_notes(struct snapshot *snap)
{
	for (size_t i = 0; i < snap->note_count; i++)
		free(snap->notes[i]);
	snap->note_count = 0;
	snap->notes_dropped = 0;
}

void snapshot_free(struct snapshot *snap)
{
	free(snap->conns);
	free_notes(snap);
	snapshot_init(snap);
}

void snapshot_clear(struct snapshot *snap)
{
	snap->count = 0;
	snap->skipped = 0;
	free_notes(snap);
	memset(&snap->counters, 0, sizeof(snap->counters));
}

struct conn *snapshot_append(struct snapshot *snap)
{
	if (snap->count == snap->capacity) {
		/* Grow by half, not double: at 235,000 sockets doubling can leave 2x slack. */
		size_t cap = snap->capacity < 1024 ? 1024 : snap->capacity + snap->capacity / 2;
		if (cap > SIZE_MAX / sizeof(struct conn))
			return NULL;
		struct conn *grown = realloc(snap->conns, cap * sizeof(struct conn));
		if (!grown)
			return NULL;
		snap->conns = grown;
		snap->capacity = cap;
	}
	return &snap->conns[snap->count++];
}

int snapshot_add_conn(struct snapshot *snap, const struct conn *c)
{
	struct conn *slot = snapshot_append(snap);
	if (!slot)
		return -ENOMEM;
	*slot = *c;
	return 0;
}

void snapshot_add_note(struct snapshot *snap, const char *fmt, ...)
{
	if (snap->note_count >= SNAPSHOT_MAX_NOTES) {
		snap->notes_dropped++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		snap->notes_dropped++;
		return;
	}
	snap->notes[snap->note_count++] = s;
}
