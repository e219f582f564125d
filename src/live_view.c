#include "live_view.h"

#include "i18n.h"
#include "netns.h"
#include "tally.h"
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
    [LIVE_SORT_UNIT] = "unit",       [LIVE_SORT_NETNS] = "netns",
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

/* The fields that hold computed rows (and their memory), as opposed to settings. */
struct view_rows {
	uint32_t *order, *order_tmp;
	uint64_t *keys, *keys_tmp;
	size_t order_count, order_capacity;
};

static struct view_rows rows_of(const struct live_view *v)
{
	return (struct view_rows){v->order,    v->order_tmp,   v->keys,
	                          v->keys_tmp, v->order_count, v->order_capacity};
}

static void set_rows(struct live_view *v, struct view_rows r)
{
	v->order = r.order;
	v->order_tmp = r.order_tmp;
	v->keys = r.keys;
	v->keys_tmp = r.keys_tmp;
	v->order_count = r.order_count;
	v->order_capacity = r.order_capacity;
}

void live_view_copy_settings(struct live_view *dst, const struct live_view *src)
{
	struct view_rows keep = rows_of(dst);
	*dst = *src;
	set_rows(dst, keep);
}

void live_view_swap_rows(struct live_view *a, struct live_view *b)
{
	struct view_rows ra = rows_of(a);
	set_rows(a, rows_of(b));
	set_rows(b, ra);
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
	char unit[sizeof(v->unit_filter)] = "", netns[sizeof(v->netns_filter)] = "";
	for (char *w = strtok_r(copy, " ,\t", &save); w; w = strtok_r(NULL, " ,\t", &save)) {
		char *into = !strncmp(w, "unit=", 5)    ? unit
		             : !strncmp(w, "netns=", 6) ? netns
		                                        : NULL;
		if (into) {
			const char *value = strchr(w, '=') + 1;
			if (!value[0] || strlen(value) >= sizeof(unit))
				return cw_error_set(err, -EINVAL,
				                    _("'%s': give 1 to %zu characters after '='"),
				                    w, sizeof(unit) - 1);
			strcpy(into, value);
			continue;
		}
		int r = add_word(&f, w, err);
		if (r < 0)
			return r;
	}
	v->filter = f;
	memcpy(v->unit_filter, unit, sizeof(unit));
	memcpy(v->netns_filter, netns, sizeof(netns));
	memcpy(v->filter_text, text, len + 1);
	apply_listeners(v);
	return 0;
}

/* Addresses order as IPv6, with IPv4 as IPv4-mapped, so that tcp and tcp6 rows of one peer sort
 * together. */
static void addr_as_v6(const struct conn *c, uint8_t out[16])
{
	if (c->family == AF_INET) {
		static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		memcpy(out, prefix, 12);
		memcpy(out + 12, c->remote_addr, 4);
	} else {
		memcpy(out, c->remote_addr, 16);
	}
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* An order is lexicographic over up to four 64-bit keys, level 0 the most significant. The
 * address orders (state, remote, local port) are (prefix, address high, address low, port);
 * the others need one key. When no remote address is IPv6 (IPv4-mapped ones count as IPv4),
 * the address orders fit one key too: prefix (16 bits), IPv4 address, port. One key is one pass
 * over the rows instead of four (a tenth of a 235,000-socket refresh). */
enum { SORT_LEVELS_MAX = 4 };

static bool is_address_order(enum live_sort sort)
{
	return sort == LIVE_SORT_STATE || sort == LIVE_SORT_REMOTE || sort == LIVE_SORT_LOCAL_PORT;
}

static unsigned int sort_levels(enum live_sort sort, bool any_ipv6)
{
	return is_address_order(sort) && any_ipv6 ? SORT_LEVELS_MAX : 1;
}

static bool remote_is_ipv6(const struct conn *c)
{
	return c->family == AF_INET6 && !addr_is_v4_mapped(c->family, c->remote_addr);
}

/* The IPv4 (or IPv4-mapped) remote address and port as 48 bits. */
static uint64_t remote_v4_key(const struct conn *c)
{
	const uint8_t *a = c->family == AF_INET ? c->remote_addr : c->remote_addr + 12;
	uint64_t ip = (uint64_t)a[0] << 24 | (uint64_t)a[1] << 16 | (uint64_t)a[2] << 8 | a[3];
	return ip << 16 | c->remote_port;
}

/* A 64-bit FNV-1a hash: rows of one unit get one key, so the sort groups them. */
static uint64_t text_key(const char *s)
{
	uint64_t h = 14695981039346656037ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The owner's label for unit= and the unit order: its container, else its unit, else "". */
static const char *row_unit(const struct tally_owner_hook *owners, const struct conn *c, char *buf,
                            size_t len)
{
	const struct cgroup_owner *cg =
	    owners && owners->conn_cgroup ? owners->conn_cgroup(owners->ctx, c) : NULL;
	buf[0] = '\0';
	if (cg)
		cgroup_owner_label(cg, buf, len);
	return buf;
}

static uint64_t level_key(enum live_sort sort, unsigned int level, unsigned int levels,
                          const struct conn *c, const struct track_mark *m)
{
	switch (sort) {
	case LIVE_SORT_QUEUES: /* largest first */
		return UINT64_MAX - ((uint64_t)c->recv_q + c->send_q);
	case LIVE_SORT_AGE: /* longest in its state first: the smallest "since" */
		return m->state_since_ms;
	case LIVE_SORT_NONE:
	case LIVE_SORT_UNIT: /* sort_rows orders these itself */
	case LIVE_SORT_NETNS:
	case LIVE_SORT_COUNT:
		return 0;
	default:
		break;
	}
	uint64_t prefix = 0;
	if (sort == LIVE_SORT_STATE)
		prefix = c->state == TCP_ST_NEW_SYN_RECV ? TCP_ST_SYN_RECV : c->state;
	else if (sort == LIVE_SORT_LOCAL_PORT)
		prefix = c->local_port;
	if (levels == 1)
		return prefix << 48 | remote_v4_key(c);
	uint8_t a[16];
	switch (level) {
	case 0:
		return prefix;
	case 1:
		addr_as_v6(c, a);
		return be64(a);
	case 2:
		addr_as_v6(c, a);
		return be64(a + 8);
	default:
		return c->remote_port;
	}
}

/* Stable LSD radix sort of (key, index) pairs, a byte per pass; bytes that do not vary among the
 * keys (varying: the bits that differ somewhere) cost no pass. 235,000 rows sort in a few
 * milliseconds, where qsort with a comparator took over 100 (bench/live.sh). */
static void radix_sort(uint64_t *keys, uint32_t *idx, uint64_t *ktmp, uint32_t *itmp, size_t n,
                       uint64_t varying)
{
	for (unsigned int shift = 0; shift < 64; shift += 8) {
		if (!((varying >> shift) & 0xff))
			continue; /* every key has the same byte here */
		size_t count[256] = {0};
		for (size_t i = 0; i < n; i++)
			count[(keys[i] >> shift) & 0xff]++;
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

/* Sorting by each key from the least significant up keeps the order exact, because every pass
 * is stable; equal rows keep the kernel's order (reversed orders too). */
static void sort_rows(struct live_view *v, const struct snapshot *snap,
                      const struct track_mark *marks, const struct tally_owner_hook *owners)
{
	size_t n = v->order_count;
	if (n < 2) /* nothing to order; with no row yet the arrays are still NULL */
		return;
	if (v->sort == LIVE_SORT_UNIT || v->sort == LIVE_SORT_NETNS) {
		/* Two stable passes: by state, then by the group, so each group is in state
		 * order. */
		enum live_sort group = v->sort;
		v->sort = LIVE_SORT_STATE;
		sort_rows(v, snap, marks, owners);
		v->sort = group;
		uint64_t all_or = 0, all_and = UINT64_MAX;
		for (size_t i = 0; i < n; i++) {
			const struct conn *c = &snap->conns[v->order[i]];
			char label[CGROUP_UNIT_MAX + 32];
			uint64_t k = group == LIVE_SORT_NETNS
			                 ? c->netns
			                 : text_key(row_unit(owners, c, label, sizeof(label)));
			if (v->reverse)
				k = ~k;
			v->keys[i] = k;
			all_or |= k;
			all_and &= k;
		}
		radix_sort(v->keys, v->order, v->keys_tmp, v->order_tmp, n, all_or ^ all_and);
		return;
	}
	bool any_ipv6 = false;
	for (size_t i = 0; i < n && !any_ipv6 && is_address_order(v->sort); i++)
		any_ipv6 = remote_is_ipv6(&snap->conns[v->order[i]]);
	unsigned int levels = sort_levels(v->sort, any_ipv6);
	for (unsigned int level = levels; level-- > 0;) {
		uint64_t all_or = 0, all_and = UINT64_MAX;
		for (size_t i = 0; i < n; i++) {
			uint32_t r = v->order[i];
			uint64_t k = level_key(v->sort, level, levels, &snap->conns[r], &marks[r]);
			if (v->reverse)
				k = ~k;
			v->keys[i] = k;
			all_or |= k;
			all_and &= k;
		}
		radix_sort(v->keys, v->order, v->keys_tmp, v->order_tmp, n, all_or ^ all_and);
	}
}

/* unit= and netns= of the typed filter. */
static bool group_match(const struct live_view *v, const struct snapshot *snap,
                        const struct conn *c, const struct tally_owner_hook *owners)
{
	if (v->netns_filter[0] && !strstr(netns_label(snap->netns, c->netns), v->netns_filter))
		return false;
	if (v->unit_filter[0]) {
		char label[CGROUP_UNIT_MAX + 32];
		const struct cgroup_owner *cg =
		    owners && owners->conn_cgroup ? owners->conn_cgroup(owners->ctx, c) : NULL;
		if (!cg || (!strstr(row_unit(owners, c, label, sizeof(label)), v->unit_filter) &&
		            !strstr(cg->unit, v->unit_filter)))
			return false;
	}
	return true;
}

int live_view_update(struct live_view *v, const struct snapshot *snap,
                     const struct track_mark *marks)
{
	if (reserve(v, snap->count) < 0)
		return -ENOMEM;
	apply_listeners(v);
	size_t n = 0;
	for (size_t i = 0; i < snap->count; i++)
		if (filter_match(&v->filter, &snap->conns[i]) &&
		    group_match(v, snap, &snap->conns[i], v->owners))
			v->order[n++] = (uint32_t)i;
	v->order_count = n;
	if (v->sort != LIVE_SORT_NONE)
		sort_rows(v, snap, marks, v->owners);
	return 0;
}
