#include "recording.h"

#include "i18n.h"
#include "util/grow.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* The fields of struct conn as stored, column by column. Identity first: a changed row stores
 * only the rest. Integers are little-endian whatever the machine. proto and timer share a byte
 * of bit fields: they go through get/set. */
struct rec_field {
	size_t offset;
	unsigned size;
	bool bytes; /* an address: copied as is */
	uint8_t (*get)(const struct conn *c);
	void (*set)(struct conn *c, uint8_t v);
};

static uint8_t get_proto(const struct conn *c)
{
	return c->proto;
}

static void set_proto(struct conn *c, uint8_t v)
{
	c->proto = v & 0xf;
}

static uint8_t get_timer(const struct conn *c)
{
	return c->timer;
}

static void set_timer(struct conn *c, uint8_t v)
{
	c->timer = v & 0xf;
}

#define FIELD(name, bytes)                                                                         \
	{                                                                                          \
		offsetof(struct conn, name), sizeof(((struct conn *)0)->name), bytes, NULL, NULL   \
	}
#define BITS(get, set)                                                                             \
	{                                                                                          \
		0, 1, false, get, set                                                              \
	}
static const struct rec_field identity_fields[] = {
    FIELD(local_addr, true),   FIELD(remote_addr, true),   FIELD(local_port, false),
    FIELD(remote_port, false), BITS(get_proto, set_proto), FIELD(family, false),
};
static const struct rec_field mutable_fields[] = {
    FIELD(state, false),  BITS(get_timer, set_timer), FIELD(recv_q, false),
    FIELD(send_q, false), FIELD(backlog, false),      FIELD(uid, false),
    FIELD(inode, false),  FIELD(idle_ms, false),      FIELD(retrans, false),
};
#undef FIELD
#undef BITS
#define N_IDENTITY (sizeof(identity_fields) / sizeof(identity_fields[0]))
#define N_MUTABLE  (sizeof(mutable_fields) / sizeof(mutable_fields[0]))
/* Bytes of one full row and of the changing part (bounds allocations before reading). */
#define ROW_BYTES     65u
#define MUTABLE_BYTES 27u

/* Upper bound of rows in one frame: a million sockets is far past any server we saw. */
#define REC_MAX_ROWS     (1u << 24)
#define REC_MAX_WARNINGS 1024u

void rec_meta_init(struct rec_meta *m)
{
	memset(m, 0, sizeof(*m));
	kcounters_init(&m->counters);
}

void rec_meta_free(struct rec_meta *m)
{
	free(m->warnings);
	rec_meta_init(m);
}

static struct rec_warning *meta_add_warning(struct rec_meta *m)
{
	size_t cap = grow_capacity(m->warning_cap, m->warning_count + 1, 8);
	if (cap != m->warning_cap) {
		if (grow_array(&m->warnings, cap, sizeof(*m->warnings)) < 0)
			return NULL;
		m->warning_cap = cap;
	}
	struct rec_warning *w = &m->warnings[m->warning_count++];
	memset(w, 0, sizeof(*w));
	return w;
}

int rec_meta_fill(struct rec_meta *m, int64_t wall_ms, uint32_t interval_ms,
                  const struct snapshot *snap, const struct kcounters *kc,
                  const struct diag_report *report)
{
	m->wall_ms = wall_ms;
	m->interval_ms = interval_ms;
	memset(m->by_state, 0, sizeof(m->by_state));
	for (size_t i = 0; i < snap->count; i++) {
		const struct conn *c = &snap->conns[i];
		/* request sockets are SYN_RECV to the user, as in stats.c */
		unsigned s = c->state == TCP_ST_NEW_SYN_RECV ? TCP_ST_SYN_RECV : c->state;
		if (c->proto == CONN_TCP && s < TCP_ST_MAX)
			m->by_state[s]++;
	}
	if (kc)
		m->counters = *kc;
	else
		kcounters_init(&m->counters);
	m->warning_count = 0;
	for (size_t i = 0; report && i < report->count; i++) {
		const struct warning *src = &report->items[i];
		struct rec_warning *w = meta_add_warning(m);
		if (!w)
			return -ENOMEM;
		snprintf(w->id, sizeof(w->id), "%s", src->id);
		w->severity = (uint8_t)src->severity;
		w->port = src->port;
		snprintf(w->message, sizeof(w->message), "%s", src->message);
	}
	return 0;
}

void rec_rows_free(struct rec_rows *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

/* Always leaves an array, even for no rows: memcpy takes no NULL. */
static int rows_reserve(struct rec_rows *r, size_t n)
{
	if (n <= r->cap && r->rows)
		return 0;
	size_t cap = grow_capacity(r->cap, n ? n : 1, 256);
	if (grow_array(&r->rows, cap, sizeof(*r->rows)) < 0)
		return -ENOMEM;
	r->cap = cap;
	return 0;
}

static int identity_cmp(const struct conn *a, const struct conn *b)
{
	int d = memcmp(a->local_addr, b->local_addr, sizeof(a->local_addr));
	if (!d)
		d = memcmp(a->remote_addr, b->remote_addr, sizeof(a->remote_addr));
	if (!d)
		d = (int)a->local_port - (int)b->local_port;
	if (!d)
		d = (int)a->remote_port - (int)b->remote_port;
	if (!d)
		d = (int)a->proto - (int)b->proto;
	if (!d)
		d = (int)a->family - (int)b->family;
	return d;
}

int recording_row_cmp(const void *pa, const void *pb)
{
	const struct conn *a = &((const struct rec_row *)pa)->c;
	const struct conn *b = &((const struct rec_row *)pb)->c;
	int d = identity_cmp(a, b);
	if (d)
		return d;
	if (a->inode != b->inode)
		return a->inode < b->inode ? -1 : 1;
	/* struct conn has no padding (64 bytes, all fields): its bytes are a total order. */
	return memcmp(a, b, sizeof(*a));
}

/* ---- columns ---- */

static void put_columns(struct bytebuf *out, const struct rec_row *rows, const size_t *pick,
                        size_t n, const struct rec_field *fields, size_t nfields)
{
	for (size_t f = 0; f < nfields; f++) {
		const struct rec_field *fd = &fields[f];
		if (!bytebuf_reserve(out, n * fd->size))
			return;
		for (size_t i = 0; i < n; i++) {
			const struct conn *row = &rows[pick ? pick[i] : i].c;
			uint8_t *dst = out->data + out->len;
			if (fd->get) {
				*dst = fd->get(row);
				out->len += 1;
				continue;
			}
			const uint8_t *src = (const uint8_t *)row + fd->offset;
			if (fd->bytes) {
				memcpy(dst, src, fd->size);
			} else {
				uint64_t v = 0;
				switch (fd->size) {
				case 1:
					v = *src;
					break;
				case 2: {
					uint16_t x;
					memcpy(&x, src, 2);
					v = x;
					break;
				}
				default: {
					uint32_t x;
					memcpy(&x, src, 4);
					v = x;
					break;
				}
				}
				bytes_store_le(dst, v, fd->size);
			}
			out->len += fd->size;
		}
	}
}

/* Reads n rows' worth of the given columns into rows[0..n). */
static bool get_columns(struct bytecur *cur, struct rec_row *rows, size_t n,
                        const struct rec_field *fields, size_t nfields)
{
	for (size_t f = 0; f < nfields; f++) {
		const struct rec_field *fd = &fields[f];
		if (bytecur_left(cur) / fd->size < n)
			return false;
		for (size_t i = 0; i < n; i++) {
			if (fd->set) {
				fd->set(&rows[i].c, *cur->p);
				cur->p += 1;
				continue;
			}
			uint8_t *dst = (uint8_t *)&rows[i].c + fd->offset;
			if (fd->bytes) {
				memcpy(dst, cur->p, fd->size);
			} else {
				uint64_t v = bytes_load_le(cur->p, fd->size);
				switch (fd->size) {
				case 1:
					*dst = (uint8_t)v;
					break;
				case 2: {
					uint16_t x = (uint16_t)v;
					memcpy(dst, &x, 2);
					break;
				}
				default: {
					uint32_t x = (uint32_t)v;
					memcpy(dst, &x, 4);
					break;
				}
				}
			}
			cur->p += fd->size;
		}
	}
	return true;
}

/* ---- meta ---- */

static void put_meta(struct bytebuf *out, const struct rec_meta *m)
{
	bytebuf_put_varint(out, m->interval_ms);
	bytebuf_put_varint(out, TCP_ST_MAX);
	for (unsigned s = 0; s < TCP_ST_MAX; s++)
		bytebuf_put_varint(out, m->by_state[s]);
	/* Counters by position: kcounters.h appends new ids only, so an older reader takes the
	 * ones it knows and a newer one leaves the missing ones unknown. */
	bytebuf_put_varint(out, KC_COUNT);
	for (unsigned k = 0; k < KC_COUNT; k++)
		bytebuf_put_svarint(out, m->counters.v[k]);
	bytebuf_put_u8(out, m->counters.valid);
	bytebuf_put_varint(out, m->warning_count);
	for (size_t i = 0; i < m->warning_count; i++) {
		const struct rec_warning *w = &m->warnings[i];
		size_t idlen = strnlen(w->id, sizeof(w->id) - 1);
		size_t mlen = strnlen(w->message, sizeof(w->message) - 1);
		bytebuf_put_varint(out, idlen);
		bytebuf_put(out, w->id, idlen);
		bytebuf_put_u8(out, w->severity);
		bytebuf_put_svarint(out, w->port);
		bytebuf_put_varint(out, mlen);
		bytebuf_put(out, w->message, mlen);
	}
}

static bool get_text(struct bytecur *cur, char *out, size_t size)
{
	uint64_t len;
	if (!bytecur_get_varint(cur, &len) || len >= size || !bytecur_get(cur, out, (size_t)len))
		return false;
	out[len] = '\0';
	/* a NUL inside would cut the text silently: damage */
	return strlen(out) == len;
}

static int get_meta(struct bytecur *cur, struct rec_meta *m)
{
	uint64_t v, n;
	if (!bytecur_get_varint(cur, &v) || v > UINT32_MAX)
		return -EBADMSG;
	m->interval_ms = (uint32_t)v;
	if (!bytecur_get_varint(cur, &n) || n > 64)
		return -EBADMSG;
	memset(m->by_state, 0, sizeof(m->by_state));
	for (uint64_t s = 0; s < n; s++) {
		if (!bytecur_get_varint(cur, &v))
			return -EBADMSG;
		if (s < TCP_ST_MAX)
			m->by_state[s] = v;
	}
	if (!bytecur_get_varint(cur, &n) || n > 1024)
		return -EBADMSG;
	kcounters_init(&m->counters);
	for (uint64_t k = 0; k < n; k++) {
		int64_t x;
		if (!bytecur_get_svarint(cur, &x))
			return -EBADMSG;
		if (k < KC_COUNT)
			m->counters.v[k] = x;
	}
	uint8_t valid;
	if (!bytecur_get_u8(cur, &valid) || valid > 1)
		return -EBADMSG;
	m->counters.valid = valid;
	if (!bytecur_get_varint(cur, &n) || n > REC_MAX_WARNINGS)
		return -EBADMSG;
	m->warning_count = 0;
	for (uint64_t i = 0; i < n; i++) {
		struct rec_warning *w = meta_add_warning(m);
		if (!w)
			return -ENOMEM;
		int64_t port;
		if (!get_text(cur, w->id, sizeof(w->id)) || !bytecur_get_u8(cur, &w->severity) ||
		    w->severity > DIAG_CRITICAL || !bytecur_get_svarint(cur, &port) || port < -1 ||
		    port > 65535 || !get_text(cur, w->message, sizeof(w->message)))
			return -EBADMSG;
		w->port = (int32_t)port;
	}
	return 0;
}

/* ---- encoder ---- */

void rec_encoder_init(struct rec_encoder *e)
{
	memset(e, 0, sizeof(*e));
}

void rec_encoder_free(struct rec_encoder *e)
{
	rec_rows_free(&e->state);
	rec_rows_free(&e->next);
	rec_rows_free(&e->cur);
}

/* Whether a matched row changed in a way worth a record. Timers and idle times move every
 * refresh and are not: the reader ages them. The backlog shares its four bytes with idle_ms
 * (struct conn): only a listener's is compared (conn_backlog). */
static bool row_changed(const struct conn *old, const struct conn *cur)
{
	if (old->state != cur->state || old->inode != cur->inode || old->uid != cur->uid ||
	    conn_backlog(old) != conn_backlog(cur) ||
	    (old->idle_ms == CONN_UNKNOWN_U32) != (cur->idle_ms == CONN_UNKNOWN_U32))
		return true;
	if (cur->state == TCP_ST_LISTEN && cur->proto == CONN_TCP)
		return old->recv_q != cur->recv_q;
	uint32_t dr =
	    old->recv_q > cur->recv_q ? old->recv_q - cur->recv_q : cur->recv_q - old->recv_q;
	uint32_t ds =
	    old->send_q > cur->send_q ? old->send_q - cur->send_q : cur->send_q - old->send_q;
	return dr >= REC_QUEUE_STEP || ds >= REC_QUEUE_STEP;
}

/* Rows are matched by identity through a hash of it: no sort, so a refresh of 26,000 rows costs
 * a copy and a pass, not two sorts (issue 15's budget is half a percent of a core). */
/* The identity: both addresses and ports (one run of bytes at the start of struct conn), the
 * protocol and the family; not the timer that shares the protocol's byte. */
static bool identity_equal(const struct conn *a, const struct conn *b)
{
	return !memcmp(a, b, offsetof(struct conn, remote_port) + sizeof(a->remote_port)) &&
	       a->proto == b->proto && a->family == b->family;
}

static uint32_t identity_hash(const struct conn *c)
{
	uint64_t w[4];
	memcpy(w, c, sizeof(w)); /* both addresses */
	uint64_t x = w[0] * 0x9e3779b97f4a7c15ull ^ w[1] * 0xc2b2ae3d27d4eb4full ^
	             w[2] * 0x165667b19e3779f9ull ^ w[3] * 0x27d4eb2f165667c5ull ^
	             ((uint64_t)c->local_port | (uint64_t)c->remote_port << 16 |
	              (uint64_t)c->proto << 32 | (uint64_t)c->family << 40) *
	                 0xff51afd7ed558ccdull;
	x ^= x >> 31;
	x *= 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(x ^ x >> 32);
}

static void put_indexes(struct bytebuf *out, const size_t *idx, size_t n)
{
	bytebuf_put_varint(out, n);
	for (size_t i = 0; i < n; i++)
		bytebuf_put_varint(out, i ? idx[i] - idx[i - 1] - 1 : idx[i]);
}

#define NO_MATCH UINT32_MAX

/* For each row of the old state, the row of cur with the same identity (NO_MATCH: closed);
 * rows of one identity (listeners of a reused port) pair up in order. fresh gets the rows of cur
 * that matched none. Returns 0 or -ENOMEM. */
static int match_rows(struct rec_encoder *e, uint32_t *match, size_t *fresh, size_t *nfresh)
{
	size_t old_n = e->state.count, new_n = e->cur.count;
	size_t cap = 64;
	while (cap < 2 * old_n)
		cap *= 2;
	uint32_t *slot = calloc(cap, sizeof(uint32_t)); /* old index + 1; 0 = empty */
	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < old_n; i++) {
		size_t h = identity_hash(&e->state.rows[i].c) & (cap - 1);
		while (slot[h])
			h = (h + 1) & (cap - 1);
		slot[h] = (uint32_t)i + 1;
		match[i] = NO_MATCH;
	}
	*nfresh = 0;
	for (size_t j = 0; j < new_n; j++) {
		const struct conn *c = &e->cur.rows[j].c;
		size_t h = identity_hash(c) & (cap - 1);
		bool found = false;
		for (; slot[h]; h = (h + 1) & (cap - 1)) {
			size_t i = slot[h] - 1;
			if (match[i] == NO_MATCH && identity_equal(&e->state.rows[i].c, c)) {
				match[i] = (uint32_t)j;
				found = true;
				break;
			}
		}
		if (!found)
			fresh[(*nfresh)++] = j;
	}
	free(slot);
	return 0;
}

int rec_encode(struct rec_encoder *e, const struct snapshot *snap, const struct rec_meta *meta,
               bool full, struct bytebuf *out, enum rec_frame_kind *kind)
{
	bytebuf_reset(out);
	if (snap->count >= NO_MATCH || rows_reserve(&e->cur, snap->count) < 0 ||
	    rows_reserve(&e->next, snap->count + e->state.count) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < snap->count; i++) {
		struct rec_row *r = &e->cur.rows[i];
		r->c = snap->conns[i];
		r->at_ms = meta->wall_ms;
	}
	e->cur.count = snap->count;
	put_meta(out, meta);

	if (full || !e->have_state) {
		*kind = REC_FRAME_FULL;
		memcpy(e->next.rows, e->cur.rows, e->cur.count * sizeof(struct rec_row));
		e->next.count = e->cur.count;
		bytebuf_put_varint(out, e->next.count);
		put_columns(out, e->next.rows, NULL, e->next.count, identity_fields, N_IDENTITY);
		put_columns(out, e->next.rows, NULL, e->next.count, mutable_fields, N_MUTABLE);
		return out->failed ? -ENOMEM : 0;
	}

	/* The next state, in the order the reader rebuilds it: the old rows that stay, in their
	 * order (changed ones updated in place), then the new rows. */
	*kind = REC_FRAME_DELTA;
	size_t old_n = e->state.count, new_n = e->cur.count;
	uint32_t *match = malloc((old_n + 1) * sizeof(uint32_t));
	size_t *closed = malloc((old_n + 1) * sizeof(size_t));
	size_t *changed = malloc((old_n + 1) * sizeof(size_t));
	size_t *changed_src = malloc((old_n + 1) * sizeof(size_t));
	size_t *fresh = malloc((new_n + 1) * sizeof(size_t));
	size_t nc = 0, nch = 0, nf = 0, nn = 0;
	int rc = -ENOMEM;
	if (!match || !closed || !changed || !changed_src || !fresh ||
	    match_rows(e, match, fresh, &nf) < 0)
		goto out;
	for (size_t i = 0; i < old_n; i++) {
		if (match[i] == NO_MATCH) {
			closed[nc++] = i;
		} else if (row_changed(&e->state.rows[i].c, &e->cur.rows[match[i]].c)) {
			changed[nch] = i;
			changed_src[nch++] = match[i];
			e->next.rows[nn++] = e->cur.rows[match[i]];
		} else {
			e->next.rows[nn++] = e->state.rows[i];
		}
	}
	for (size_t k = 0; k < nf; k++)
		e->next.rows[nn++] = e->cur.rows[fresh[k]];
	e->next.count = nn;
	put_indexes(out, closed, nc);
	put_indexes(out, changed, nch);
	put_columns(out, e->cur.rows, changed_src, nch, mutable_fields, N_MUTABLE);
	bytebuf_put_varint(out, nf);
	put_columns(out, e->cur.rows, fresh, nf, identity_fields, N_IDENTITY);
	put_columns(out, e->cur.rows, fresh, nf, mutable_fields, N_MUTABLE);
	rc = out->failed ? -ENOMEM : 0;
out:
	free(match);
	free(closed);
	free(changed);
	free(changed_src);
	free(fresh);
	return rc;
}

void rec_encoder_commit(struct rec_encoder *e)
{
	struct rec_rows t = e->state;
	e->state = e->next;
	e->next = t;
	e->have_state = true;
}

/* ---- decoder ---- */

void rec_decoder_init(struct rec_decoder *d)
{
	memset(d, 0, sizeof(*d));
	rec_meta_init(&d->meta);
}

void rec_decoder_free(struct rec_decoder *d)
{
	rec_rows_free(&d->state);
	rec_rows_free(&d->scratch);
	rec_meta_free(&d->meta);
}

void rec_decoder_reset(struct rec_decoder *d)
{
	d->state.count = 0;
	d->have_state = false;
}

static bool row_valid(const struct conn *c)
{
	return (c->family == AF_INET || c->family == AF_INET6) &&
	       (c->proto == CONN_TCP || c->proto == CONN_UDP) && c->state < TCP_ST_MAX &&
	       c->timer <= 4;
}

static int bad(struct cw_error *err, const char *what)
{
	return cw_error_set(err, -EBADMSG, "%s", what);
}

/* Reads n indexes, ascending, each below limit. */
static bool get_indexes(struct bytecur *cur, size_t *idx, size_t n, size_t limit)
{
	uint64_t next = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t gap;
		if (!bytecur_get_varint(cur, &gap) || gap >= limit - next)
			return false;
		idx[i] = (size_t)(next + gap);
		next = idx[i] + 1;
	}
	return true;
}

int rec_decode(struct rec_decoder *d, enum rec_frame_kind kind, int64_t wall_ms, const uint8_t *raw,
               size_t len, struct cw_error *err)
{
	struct bytecur cur = {raw, raw + len};
	struct rec_meta meta;
	rec_meta_init(&meta);
	/* decode into fresh meta so a damaged frame leaves the last good one in place */
	int r = get_meta(&cur, &meta);
	if (r < 0) {
		rec_meta_free(&meta);
		return r == -ENOMEM ? cw_error_set(err, r, "%s", _("out of memory"))
		                    : bad(err, _("the refresh's counts or warnings are damaged"));
	}
	meta.wall_ms = wall_ms;
	struct rec_rows *out = &d->scratch;
	size_t *idx = NULL;
	uint64_t n;
	if (kind == REC_FRAME_FULL) {
		if (!bytecur_get_varint(&cur, &n) || n > REC_MAX_ROWS ||
		    n > bytecur_left(&cur) / ROW_BYTES) {
			r = bad(err, _("the row count is damaged"));
			goto out;
		}
		if (rows_reserve(out, (size_t)n) < 0)
			goto oom;
		memset(out->rows, 0, (size_t)n * sizeof(struct rec_row));
		if (!get_columns(&cur, out->rows, (size_t)n, identity_fields, N_IDENTITY) ||
		    !get_columns(&cur, out->rows, (size_t)n, mutable_fields, N_MUTABLE)) {
			r = bad(err, _("the rows are cut short"));
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			out->rows[i].at_ms = out->rows[i].state_ms = wall_ms;
			out->rows[i].baseline = true;
		}
		out->count = (size_t)n;
	} else if (kind == REC_FRAME_DELTA) {
		if (!d->have_state) {
			r = bad(err, _("a change list without the full refresh before it"));
			goto out;
		}
		size_t old_n = d->state.count;
		uint64_t nclosed, nchanged, nfresh;
		if (!bytecur_get_varint(&cur, &nclosed) || nclosed > old_n) {
			r = bad(err, _("the list of closed rows is damaged"));
			goto out;
		}
		/* one flag per old row: kept (0), closed (1) */
		idx = malloc((old_n + 1) * sizeof(size_t));
		uint8_t *gone = calloc(old_n + 1, 1);
		if (!idx || !gone) {
			free(gone);
			goto oom;
		}
		bool ok = get_indexes(&cur, idx, (size_t)nclosed, old_n);
		for (size_t i = 0; ok && i < nclosed; i++)
			gone[idx[i]] = 1;
		ok = ok && bytecur_get_varint(&cur, &nchanged) && nchanged <= old_n - nclosed &&
		     nchanged <= bytecur_left(&cur) / MUTABLE_BYTES &&
		     get_indexes(&cur, idx, (size_t)nchanged, old_n);
		for (size_t i = 0; ok && i < nchanged; i++)
			ok = !gone[idx[i]];
		if (!ok || rows_reserve(out, old_n) < 0) {
			free(gone);
			if (ok)
				goto oom;
			r = bad(err, _("the list of changed rows is damaged"));
			goto out;
		}
		/* The rows that stay, in their order; a changed one keeps its identity and takes
		 * the new other fields, read into a scratch run (get_columns fills consecutive
		 * rows). */
		struct rec_row *changed = malloc(((size_t)nchanged + 1) * sizeof(*changed));
		if (!changed) {
			free(gone);
			goto oom;
		}
		size_t k = 0;
		for (size_t i = 0, c = 0; i < old_n; i++) {
			if (gone[i])
				continue;
			if (c < nchanged && idx[c] == i) {
				changed[c] = d->state.rows[i];
				changed[c].at_ms = wall_ms;
				idx[c++] = k; /* now: where it goes */
			}
			out->rows[k++] = d->state.rows[i];
		}
		free(gone);
		if (!get_columns(&cur, changed, (size_t)nchanged, mutable_fields, N_MUTABLE)) {
			free(changed);
			r = bad(err, _("the changed rows are cut short"));
			goto out;
		}
		for (size_t c = 0; c < nchanged; c++) {
			struct rec_row *row = &out->rows[idx[c]];
			if (row->c.state !=
			    changed[c].c.state) { /* the state is new: so is its age */
				changed[c].state_ms = wall_ms;
				changed[c].baseline = false;
			}
			*row = changed[c];
		}
		free(changed);
		if (!bytecur_get_varint(&cur, &nfresh) || nfresh > REC_MAX_ROWS ||
		    nfresh > bytecur_left(&cur) / ROW_BYTES) {
			r = bad(err, _("the count of new rows is damaged"));
			goto out;
		}
		if (rows_reserve(out, k + (size_t)nfresh) < 0)
			goto oom;
		struct rec_row *fresh = out->rows + k;
		memset(fresh, 0, (size_t)nfresh * sizeof(*fresh));
		if (!get_columns(&cur, fresh, (size_t)nfresh, identity_fields, N_IDENTITY) ||
		    !get_columns(&cur, fresh, (size_t)nfresh, mutable_fields, N_MUTABLE)) {
			r = bad(err, _("the new rows are cut short"));
			goto out;
		}
		for (size_t i = 0; i < nfresh; i++)
			fresh[i].at_ms = fresh[i].state_ms = wall_ms; /* not baseline (memset) */
		out->count = k + (size_t)nfresh;
	} else {
		r = bad(err, _("unknown kind of refresh"));
		goto out;
	}
	if (bytecur_left(&cur)) {
		r = bad(err, _("data after the rows"));
		goto out;
	}
	for (size_t i = 0; i < out->count; i++) {
		if (!row_valid(&out->rows[i].c)) {
			r = bad(err, _("a row with an impossible protocol, family or state"));
			goto out;
		}
	}
	struct rec_rows t = d->state;
	d->state = d->scratch;
	d->scratch = t;
	d->have_state = true;
	rec_meta_free(&d->meta);
	d->meta = meta;
	free(idx);
	return 0;
oom:
	r = cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
out:
	free(idx);
	rec_meta_free(&meta);
	return r;
}

int rec_decoder_snapshot(const struct rec_decoder *d, struct snapshot *snap)
{
	snapshot_clear(snap);
	snap->source_name = "recording";
	for (size_t i = 0; i < d->state.count; i++) {
		struct conn *c = snapshot_append(snap);
		if (!c)
			return -ENOMEM;
		const struct rec_row *r = &d->state.rows[i];
		*c = r->c;
		int64_t aged = d->meta.wall_ms - r->at_ms;
		uint64_t since = aged > 0 ? (uint64_t)aged : 0;
		/* A CLOSE_WAIT row the recording saw arrive (new, or changed into it) has been in
		 * CLOSE_WAIT since it was written: the age the rules need, without tcp_info, as the
		 * live view's tracker gives it. One that came with a full frame: unknown. */
		int64_t in_state = d->meta.wall_ms - r->state_ms;
		if (c->state == TCP_ST_CLOSE_WAIT && c->idle_ms == CONN_UNKNOWN_U32 && !r->baseline)
			c->idle_ms = (uint32_t)(in_state <= 0 ? 0
			                        : in_state >= (int64_t)CONN_UNKNOWN_U32
			                            ? CONN_UNKNOWN_U32 - 1
			                            : in_state);
		else if (c->idle_ms != CONN_UNKNOWN_U32)
			c->idle_ms =
			    (uint32_t)(c->idle_ms + since >= CONN_UNKNOWN_U32 ? CONN_UNKNOWN_U32 - 1
			                                                      : c->idle_ms + since);
	}
	return 0;
}
