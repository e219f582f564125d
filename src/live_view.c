#include "live_view.h"

#include "i18n.h"
#include "summary.h"
#include "util/addr.h"
#include "util/grow.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static const char *const sort_names[LIVE_SORT_COUNT] = {
    [LIVE_SORT_NONE] = "none",       [LIVE_SORT_STATE] = "state",   [LIVE_SORT_REMOTE] = "remote",
    [LIVE_SORT_LOCAL_PORT] = "port", [LIVE_SORT_QUEUES] = "queues", [LIVE_SORT_AGE] = "age",
};

const char *live_sort_name(enum live_sort s)
{
	return s < LIVE_SORT_COUNT ? sort_names[s] : "?";
}

enum live_sort live_sort_parse(const char *name)
{
	for (int i = 0; i < LIVE_SORT_COUNT; i++)
		if (!strcasecmp(name, sort_names[i]))
			return (enum live_sort)i;
	return LIVE_SORT_COUNT;
}

static void apply_listeners(struct live_view *v)
{
	if (!v->show_listeners)
		v->filter.listening = FILTER_CONNECTED;
	else
		v->filter.listening =
		    v->base.listening == FILTER_LISTENING ? FILTER_LISTENING : FILTER_ALL;
}

void live_view_init(struct live_view *v, const struct filter *base, enum live_sort sort)
{
	memset(v, 0, sizeof(*v));
	v->base = *base;
	v->filter = *base;
	v->show_listeners = base->listening != FILTER_CONNECTED;
	v->sort = sort < LIVE_SORT_COUNT ? sort : LIVE_SORT_NONE;
}

void live_view_free(struct live_view *v)
{
	free(v->order);
	free(v->order_tmp);
	free(v->keys);
	free(v->keys_tmp);
	v->order = v->order_tmp = NULL;
	v->keys = v->keys_tmp = NULL;
	v->order_count = v->order_capacity = 0;
}

void live_view_set_listeners(struct live_view *v, bool show)
{
	v->show_listeners = show;
	apply_listeners(v);
}

static int add_word(struct filter *f, const char *word, struct cw_error *err)
{
	if (!strncmp(word, "local=", 6))
		return filter_add_local(f, word + 6, err);
	if (!strncmp(word, "remote=", 7))
		return filter_add_remote(f, word + 7, err);
	if (isdigit((unsigned char)word[0]) && strspn(word, "0123456789") == strlen(word))
		return filter_add_port(f, word, err);
	if (tcp_state_parse(word) != TCP_ST_UNKNOWN)
		return filter_add_states(f, word, err);
	struct addr_prefix p;
	if (addr_prefix_parse(word, &p))
		return filter_add_remote(f, word, err);
	return cw_error_set(err, -EINVAL,
	                    _("'%s' is neither a state, a port nor an address (states: %s)"), word,
	                    filter_valid_states_text());
}

int live_view_set_filter(struct live_view *v, const char *text, struct cw_error *err)
{
	struct filter f = v->base;
	char copy[sizeof(v->filter_text)];
	size_t len = strlen(text);
	if (len >= sizeof(copy))
		return cw_error_set(err, -EINVAL, _("filter too long (at most %zu characters)"),
		                    sizeof(copy) - 1);
	memcpy(copy, text, len + 1);
	char *save = NULL;
	for (char *w = strtok_r(copy, " ,\t", &save); w; w = strtok_r(NULL, " ,\t", &save)) {
		int r = add_word(&f, w, err);
		if (r < 0)
			return r;
	}
	v->filter = f;
	memcpy(v->filter_text, text, len + 1);
	apply_listeners(v);
	return 0;
}

/* Time in state for the rules: exact for rows that changed state while watched; a lower bound
 * for rows already there at the first refresh, where the kernel's idle time (when asked for)
 * may know better. */
static uint32_t state_age_for_stats(const struct conn *c, const struct track_mark *m,
                                    uint64_t now_ms)
{
	uint64_t age = now_ms > m->state_since_ms ? now_ms - m->state_since_ms : 0;
	if (age > UINT32_MAX - 1)
		age = UINT32_MAX - 1;
	if ((m->flags & TRACK_BASELINE) && !(m->flags & TRACK_CHANGED)) {
		if (c->idle_ms != CONN_UNKNOWN_U32 && c->idle_ms > age)
			return c->idle_ms;
		if (age == 0)
			return STATS_AGE_UNKNOWN;
	}
	return (uint32_t)age;
}

/* Addresses compare as IPv6, with IPv4 as IPv4-mapped, so that tcp and tcp6 rows of one peer sort
 * together. */
static void addr_as_v6(const struct conn *c, const uint8_t *a, uint8_t out[16])
{
	if (c->family == AF_INET) {
		static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		memcpy(out, prefix, 12);
		memcpy(out + 12, a, 4);
	} else {
		memcpy(out, a, 16);
	}
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_remote(const struct conn *a, const struct conn *b)
{
	uint8_t x[16], y[16];
	addr_as_v6(a, a->remote_addr, x);
	addr_as_v6(b, b->remote_addr, y);
	int r = memcmp(x, y, 16);
	return r ? r : cmp_u64(a->remote_port, b->remote_port);
}

struct sort_ctx {
	const struct conn *rows;
	const struct track_mark *marks;
	enum live_sort sort;
	bool reverse;
};

static int compare_rows(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *ctx = arg;
	uint32_t ia = *(const uint32_t *)pa, ib = *(const uint32_t *)pb;
	const struct conn *a = &ctx->rows[ia], *b = &ctx->rows[ib];
	int r = 0;
	switch (ctx->sort) {
	case LIVE_SORT_STATE:
		r = cmp_u64(a->state == TCP_ST_NEW_SYN_RECV ? TCP_ST_SYN_RECV : a->state,
		            b->state == TCP_ST_NEW_SYN_RECV ? TCP_ST_SYN_RECV : b->state);
		if (!r)
			r = cmp_remote(a, b);
		break;
	case LIVE_SORT_REMOTE:
		r = cmp_remote(a, b);
		break;
	case LIVE_SORT_LOCAL_PORT:
		r = cmp_u64(a->local_port, b->local_port);
		if (!r)
			r = cmp_remote(a, b);
		break;
	case LIVE_SORT_QUEUES:
		r = -cmp_u64((uint64_t)a->recv_q + a->send_q, (uint64_t)b->recv_q + b->send_q);
		break;
	case LIVE_SORT_AGE:
		/* longest in its state first: the smallest "since" */
		r = cmp_u64(ctx->marks[ia].state_since_ms, ctx->marks[ib].state_since_ms);
		break;
	default:
		break;
	}
	if (ctx->reverse)
		r = -r;
	return r ? r : cmp_u64(ia, ib); /* stable: ties keep the kernel's order */
}

static bool is_v6_proper(const struct conn *c)
{
	return c->family == AF_INET6 && !addr_is_v4_mapped(c->family, c->remote_addr);
}

/* The remote side as 49 bits that order like cmp_remote: IPv4 (and IPv4-mapped) exactly, as
 * address and port; IPv6 by the top 48 bits of the address, after every IPv4 peer. Rows whose
 * keys tie are put in exact order afterwards. */
static uint64_t remote_key(const struct conn *c)
{
	if (!is_v6_proper(c)) {
		const uint8_t *a = c->family == AF_INET ? c->remote_addr : c->remote_addr + 12;
		uint64_t ip =
		    (uint64_t)a[0] << 24 | (uint64_t)a[1] << 16 | (uint64_t)a[2] << 8 | a[3];
		return ip << 16 | c->remote_port;
	}
	uint64_t top = 0;
	for (int i = 0; i < 6; i++)
		top = top << 8 | c->remote_addr[i];
	return 1ull << 48 | top;
}

static uint64_t sort_key(enum live_sort sort, const struct conn *c, const struct track_mark *m)
{
	switch (sort) {
	case LIVE_SORT_STATE: {
		uint64_t s = c->state == TCP_ST_NEW_SYN_RECV ? TCP_ST_SYN_RECV : c->state;
		return s << 52 | remote_key(c);
	}
	case LIVE_SORT_REMOTE:
		return remote_key(c);
	case LIVE_SORT_LOCAL_PORT:
		/* 16 + 49 bits do not fit: the last bit of the remote side is left to the exact
		 * pass over ties */
		return (uint64_t)c->local_port << 48 | remote_key(c) >> 1;
	case LIVE_SORT_QUEUES:
		return UINT64_MAX - ((uint64_t)c->recv_q + c->send_q);
	case LIVE_SORT_AGE:
		return m->state_since_ms;
	default:
		return 0;
	}
}

/* Stable LSD radix sort of (key, index) pairs, a byte per pass; passes where every key has the
 * same byte are skipped. 235,000 rows sort in a few milliseconds, where qsort with a comparator
 * took over 100 (bench/live.sh). */
static void radix_sort(uint64_t *keys, uint32_t *idx, uint64_t *ktmp, uint32_t *itmp, size_t n)
{
	for (unsigned int shift = 0; shift < 64; shift += 8) {
		size_t count[256] = {0};
		for (size_t i = 0; i < n; i++)
			count[(keys[i] >> shift) & 0xff]++;
		if (n == 0 || count[(keys[0] >> shift) & 0xff] == n)
			continue;
		size_t pos = 0;
		for (int b = 0; b < 256; b++) {
			size_t c = count[b];
			count[b] = pos;
			pos += c;
		}
		for (size_t i = 0; i < n; i++) {
			size_t d = count[(keys[i] >> shift) & 0xff]++;
			ktmp[d] = keys[i];
			itmp[d] = idx[i];
		}
		memcpy(keys, ktmp, n * sizeof(*keys));
		memcpy(idx, itmp, n * sizeof(*idx));
	}
}

static int reserve(struct live_view *v, size_t n)
{
	size_t cap = grow_capacity(v->order_capacity, n, 256);
	if (cap == v->order_capacity)
		return 0;
	if (grow_array(&v->order, cap, sizeof(*v->order)) < 0 ||
	    grow_array(&v->order_tmp, cap, sizeof(*v->order_tmp)) < 0 ||
	    grow_array(&v->keys, cap, sizeof(*v->keys)) < 0 ||
	    grow_array(&v->keys_tmp, cap, sizeof(*v->keys_tmp)) < 0)
		return -ENOMEM; /* the arrays that grew stay valid; the capacity is the old one */
	v->order_capacity = cap;
	return 0;
}

static void sort_rows(struct live_view *v, const struct snapshot *snap,
                      const struct track_mark *marks)
{
	size_t n = v->order_count;
	struct sort_ctx ctx = {snap->conns, marks, v->sort, v->reverse};
	for (size_t i = 0; i < n; i++) {
		uint64_t k = sort_key(v->sort, &snap->conns[v->order[i]], &marks[v->order[i]]);
		v->keys[i] = v->reverse ? ~k : k;
	}
	radix_sort(v->keys, v->order, v->keys_tmp, v->order_tmp, n);
	if (v->sort != LIVE_SORT_STATE && v->sort != LIVE_SORT_REMOTE &&
	    v->sort != LIVE_SORT_LOCAL_PORT)
		return; /* the key is the whole order */
	/* Equal keys among IPv6 peers (only the top of the address was compared) or, by local
	 * port, rows whose remote side differed in its last bit: put them in exact order. */
	bool all_runs = v->sort == LIVE_SORT_LOCAL_PORT;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && v->keys[j] == v->keys[i])
			j++;
		if (j - i > 1 && (all_runs || is_v6_proper(&snap->conns[v->order[i]])))
			qsort_r(v->order + i, j - i, sizeof(*v->order), compare_rows, &ctx);
		i = j;
	}
}

int live_view_update(struct live_view *v, const struct snapshot *snap,
                     const struct track_mark *marks, uint64_t now_ms, struct stats *st,
                     const struct summary_owner_hook *owners)
{
	if (reserve(v, snap->count) < 0)
		return -ENOMEM;
	apply_listeners(v);
	if (st)
		stats_reset(st);
	size_t n = 0;
	for (size_t i = 0; i < snap->count; i++) {
		const struct conn *c = &snap->conns[i];
		if (st) {
			if (filter_match(&v->base, c)) {
				struct stats_row_extra x = {
				    .state_age_ms = state_age_for_stats(c, &marks[i], now_ms)};
				if (owners && owners->pid_of)
					x.owner_pid = owners->pid_of(owners->ctx, c);
				stats_add(st, c, &x);
			} else {
				stats_note_listener(st, c);
			}
		}
		if (filter_match(&v->filter, c))
			v->order[n++] = (uint32_t)i;
	}
	v->order_count = n;
	if (v->sort != LIVE_SORT_NONE || v->reverse)
		sort_rows(v, snap, marks);
	return 0;
}
