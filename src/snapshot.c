#include "snapshot.h"

#include "states.h"
#include "util/addr.h"
#include "util/hugepage.h"
#include "util/names.h"
#include "util/pidnames.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

uint32_t conn_kernel_state_age_ms(const struct conn *c, uint32_t fin_timeout_ms)
{
	if (c->proto != CONN_TCP)
		return CONN_UNKNOWN_U32;
	if (c->state == TCP_ST_CLOSE_WAIT)
		return c->idle_ms;
	/* timer 3 is the TIME_WAIT timer (/proc "tr" and inet_diag's idiag_timer alike) */
	uint32_t length = c->state == TCP_ST_TIME_WAIT   ? CONN_TIME_WAIT_MS
	                  : c->state == TCP_ST_FIN_WAIT2 ? fin_timeout_ms
	                                                 : 0;
	if (!length || c->timer != 3 || c->idle_ms > length)
		return CONN_UNKNOWN_U32;
	return length - c->idle_ms; /* idle_ms: the time left on the timer */
}

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
	if (snap->names) {
		names_free(snap->names);
		free(snap->names);
	}
	if (snap->owners) {
		pidnames_free(snap->owners);
		free(snap->owners);
	}
	snapshot_init(snap);
}

void snapshot_clear(struct snapshot *snap)
{
	snap->count = 0;
	snap->delivered = 0;
	snap->skipped = 0;
	free_notes(snap);
}

/* Rows are written once each, front to back. Letting the first write of every 4 KiB page fault
 * costs about 2.5 µs a page here (4,200 faults at 235,000 rows, 5% of a whole `list`); one
 * MADV_POPULATE_WRITE (Linux >= 5.14) per 256 KiB maps the same pages for a fraction of that.
 * Only the next window is mapped, so memory still follows the row count, not the capacity.
 * Where the kernel refuses, pages simply fault in as before. */
#define POPULATE_WINDOW (256u * 1024)

static void populate_ahead(struct snapshot *snap)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t end_bytes = snap->capacity * sizeof(struct conn);
	size_t want = snap->populated + POPULATE_WINDOW;
	if (want > end_bytes)
		want = end_bytes;
	uintptr_t base = (uintptr_t)snap->conns;
	uintptr_t from = (base + snap->populated) & ~(uintptr_t)(page - 1);
	uintptr_t to = (base + want) & ~(uintptr_t)(page - 1);
#ifdef MADV_POPULATE_WRITE
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
#else
	(void)from;
	(void)to;
#endif
	snap->populated = want;
}

void snapshot_set_sink(struct snapshot *snap, const struct snapshot_sink *sink)
{
	snapshot_flush(snap);
	snap->sink = sink;
}

void snapshot_flush(struct snapshot *snap)
{
	if (!snap->sink || !snap->count)
		return;
	snap->sink->rows(snap->sink->ctx, snap->conns, snap->count);
	snap->delivered += snap->count;
	snap->count = 0;
}

/* Only the rows known to come are advised onto huge pages (util/hugepage.h: first writes to fresh
 * 4 KiB pages are what a large kept table pays most for after the dump itself), so a huge page
 * never holds memory no row uses and the resident size still follows the row count. */
#define EXPECT_MIN_BYTES (4u * HUGEPAGE_BYTES)

static void advise_huge(struct snapshot *snap)
{
	size_t rows = snap->expected < snap->capacity ? snap->expected : snap->capacity;
	hugepage_advise(snap->conns, rows * sizeof(struct conn));
}

static bool grow(struct snapshot *snap, size_t cap)
{
	if (cap > SIZE_MAX / sizeof(struct conn))
		return false;
	struct conn *grown = realloc(snap->conns, cap * sizeof(struct conn));
	if (!grown)
		return false;
	if (grown != snap->conns)
		snap->populated = snap->count * sizeof(struct conn);
	snap->conns = grown;
	snap->capacity = cap;
	if (snap->expected)
		advise_huge(snap);
	return true;
}

void snapshot_expect(struct snapshot *snap, size_t rows)
{
	if (snap->sink || rows * sizeof(struct conn) < EXPECT_MIN_BYTES ||
	    rows > SIZE_MAX / sizeof(struct conn) / 2)
		return;
	snap->expected = rows;
	/* a little room for sockets opened since the estimate, so they do not cost a regrowth */
	size_t cap = rows + rows / 32;
	if (cap > snap->capacity)
		(void)grow(snap, cap);
	else
		advise_huge(snap);
}

struct conn *snapshot_append(struct snapshot *snap)
{
	if (snap->sink && snap->count == SNAPSHOT_BATCH)
		snapshot_flush(snap); /* the same batch memory is refilled: it stays mapped */
	if (snap->count == snap->capacity) {
		/* Grow by half, not double: at 235,000 sockets doubling can leave 2x slack. */
		size_t cap = snap->capacity < 1024 ? 1024 : snap->capacity + snap->capacity / 2;
		if (!grow(snap, cap))
			return NULL;
	}
	if ((snap->count + 1) * sizeof(struct conn) > snap->populated)
		populate_ahead(snap);
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

size_t conn_format_endpoint(char *buf, const struct conn *c, bool remote)
{
	return addr_format_endpoint(buf, conn_addr_family(c, remote),
	                            remote ? c->remote_addr : c->local_addr,
	                            remote ? c->remote_port : c->local_port);
}

size_t conn_format_address(char *buf, const struct conn *c, bool remote)
{
	return addr_format(buf, conn_addr_family(c, remote),
	                   remote ? c->remote_addr : c->local_addr);
}
