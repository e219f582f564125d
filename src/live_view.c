#include "live_view.h"

#include "i18n.h"
#include "util/addr.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static const char *const sort_names[LIVE_SORT_COUNT] = {
	[LIVE_SORT_NONE] = "none",         [LIVE_SORT_STATE] = "state",
	[LIVE_SORT_REMOTE] = "remote",     [LIVE_SORT_LOCAL_PORT] = "port",
	[LIVE_SORT_QUEUES] = "queues",     [LIVE_SORT_AGE] = "age",
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
	v->order = NULL;
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

static void count_row(struct live_counts *k, const struct conn *c)
{
	k->total++;
	if (c->proto == CONN_UDP) {
		if (addr_is_any(c->family, c->remote_addr))
			k->udp_unconnected++;
		else
			k->udp_connected++;
		return;
	}
	unsigned int s = c->state == TCP_ST_NEW_SYN_RECV ? TCP_ST_SYN_RECV : c->state;
	if (s < TCP_ST_MAX)
		k->tcp[s]++;
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

int live_view_update(struct live_view *v, const struct snapshot *snap,
		     const struct track_mark *marks)
{
	memset(&v->counts, 0, sizeof(v->counts));
	if (snap->count > v->order_capacity) {
		size_t cap = v->order_capacity ? v->order_capacity : 256;
		while (cap < snap->count)
			cap *= 2;
		uint32_t *o = realloc(v->order, cap * sizeof(*o));
		if (!o)
			return -ENOMEM;
		v->order = o;
		v->order_capacity = cap;
	}
	apply_listeners(v);
	size_t n = 0;
	for (size_t i = 0; i < snap->count; i++) {
		count_row(&v->counts, &snap->conns[i]);
		if (filter_match(&v->filter, &snap->conns[i]))
			v->order[n++] = (uint32_t)i;
	}
	v->order_count = n;
	if (v->sort != LIVE_SORT_NONE || v->reverse) {
		struct sort_ctx ctx = {snap->conns, marks, v->sort, v->reverse};
		qsort_r(v->order, n, sizeof(*v->order), compare_rows, &ctx);
	}
	return 0;
}
