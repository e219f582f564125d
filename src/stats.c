#include "stats.h"

#include "util/addr.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const proto_names[STATS_PROTO_COUNT] = {"tcp", "tcp6", "udp", "udp6"};

const char *stats_proto_name(enum stats_proto p)
{
	return (unsigned)p < STATS_PROTO_COUNT ? proto_names[p] : "?";
}

enum stats_proto stats_proto_of(const struct conn *c)
{
	bool v6 = c->family == AF_INET6;
	if (c->proto == CONN_TCP)
		return v6 ? STATS_TCP6 : STATS_TCP;
	return v6 ? STATS_UDP6 : STATS_UDP;
}

unsigned int stats_state_of(const struct conn *c)
{
	if (c->proto == CONN_UDP)
		return c->state == TCP_ST_ESTABLISHED ? TCP_ST_ESTABLISHED : TCP_ST_CLOSE;
	if (c->state == TCP_ST_NEW_SYN_RECV)
		return TCP_ST_SYN_RECV;
	return c->state < TCP_ST_MAX ? c->state : TCP_ST_UNKNOWN;
}

void stats_options_default(struct stats_options *opt)
{
	/* Linux defaults: net.ipv4.ip_local_port_range "32768 60999". */
	opt->ephemeral_low = 32768;
	opt->ephemeral_high = 60999;
	opt->close_wait_age_ms = 60 * 1000;
	opt->recv_q_bytes = 1024 * 1024;
	/* A fast transfer keeps a few MiB in flight; 4 MiB unacknowledged is beyond that. */
	opt->send_q_bytes = 4 * 1024 * 1024;
}

/* Tallies keyed by remote addresses are bounded: an attacker chooses those keys. */
static size_t tally_limit(enum stats_tally_id id)
{
	switch (id) {
	case STATS_REMOTE_IP:
	case STATS_REMOTE_NET:
	case STATS_SYN_RECV_SOURCE:
	case STATS_TIME_WAIT_REMOTE:
	case STATS_SYN_SENT_REMOTE:
	case STATS_FIN_WAIT2_REMOTE:
		return STATS_REMOTE_KEYS_MAX;
	case STATS_SYN_RECV_PREFIX:
		return STATS_PREFIX_KEYS_MAX;
	default:
		return 0; /* local ports and pids: bounded by what the host has */
	}
}

void stats_init(struct stats *s, const struct stats_options *opt)
{
	memset(s, 0, sizeof(*s));
	if (opt)
		s->opt = *opt;
	else
		stats_options_default(&s->opt);
	for (int i = 0; i < STATS_TALLY_COUNT; i++)
		stats_tally_init(&s->tally[i], tally_limit((enum stats_tally_id)i));
}

void stats_reset(struct stats *s)
{
	struct stats_tally keep[STATS_TALLY_COUNT];
	struct stats_options opt = s->opt;
	memcpy(keep, s->tally, sizeof(keep));
	memset(s, 0, sizeof(*s));
	s->opt = opt;
	for (int i = 0; i < STATS_TALLY_COUNT; i++) {
		s->tally[i] = keep[i];
		stats_tally_clear(&s->tally[i]);
	}
}

void stats_free(struct stats *s)
{
	for (int i = 0; i < STATS_TALLY_COUNT; i++)
		stats_tally_free(&s->tally[i]);
	memset(s, 0, sizeof(*s));
}

/* Adds n to key's entry; *is_new as stats_tally_add(). NULL when the table cannot grow. */
static struct stats_entry *tally_add(struct stats *s, enum stats_tally_id id,
                                     const struct stats_key *k, uint64_t n, bool *is_new)
{
	struct stats_entry *e = stats_tally_add(&s->tally[id], k, n, is_new);
	if (!e)
		s->out_of_memory = true;
	return e;
}

static struct stats_entry *tally_count(struct stats *s, enum stats_tally_id id,
                                       const struct stats_key *k)
{
	bool is_new;
	return tally_add(s, id, k, 1, &is_new);
}

const struct stats_entry *stats_find(const struct stats *s, enum stats_tally_id id,
                                     const struct stats_key *k)
{
	return stats_tally_find(&s->tally[id], k);
}

size_t stats_distinct(const struct stats *s, enum stats_tally_id id)
{
	return s->tally[id].used;
}

size_t stats_top(const struct stats *s, enum stats_tally_id id, int port_filter,
                 struct stats_entry *out, size_t max)
{
	if (port_filter != STATS_TOP_SERVICE_PORTS)
		return stats_tally_top(&s->tally[id], port_filter, out, max);
	/* Service ports only: from the busiest 256 keys, which hold them unless hundreds of
	 * ephemeral ports are each busier than every service port. */
	struct stats_entry busiest[256];
	size_t got = stats_tally_top(&s->tally[id], STATS_TOP_ANY_PORT, busiest, 256), n = 0;
	for (size_t i = 0; i < got && n < max; i++)
		if (stats_is_service_port(s, id, busiest[i].key.port))
			out[n++] = busiest[i];
	return n;
}

/* ---- classification of one row ---- */

/* Fills addr/family with the address, unmapping IPv4-mapped IPv6. A name (imported text) keys
 * as itself: interned, one pointer per distinct name. */
static void key_set_addr(struct stats_key *k, int family, const uint8_t addr[16])
{
	if (family == AF_INET6 && addr_is_v4_mapped(family, addr)) {
		k->family = AF_INET;
		memcpy(k->addr, addr + 12, 4);
	} else {
		k->family = (uint8_t)family;
		memcpy(k->addr, addr, family == AF_INET ? 4 : 16);
	}
}

static void key_set_remote(struct stats_key *k, const struct conn *c)
{
	key_set_addr(k, conn_addr_family(c, true), c->remote_addr);
}

void stats_prefix_mask(struct stats_key *k, unsigned int len)
{
	unsigned int bits = k->family == AF_INET ? 32 : 128;
	if (len > bits)
		len = bits;
	for (unsigned int i = len / 8; i < bits / 8; i++)
		k->addr[i] = i == len / 8 ? (uint8_t)(k->addr[i] & (0xff00u >> (len % 8))) : 0;
	k->prefix = (uint8_t)len;
}

/* Turns an address key into its /24 or /64 network. */
static void key_to_net(struct stats_key *k)
{
	stats_prefix_mask(k, k->family == AF_INET ? 24 : 64);
}

static bool is_ephemeral(const struct stats *s, uint16_t port)
{
	return port >= s->opt.ephemeral_low && port <= s->opt.ephemeral_high;
}

bool stats_is_listen_port(const struct stats *s, uint16_t port)
{
	return s->listen_ports[port / 8] & (1u << (port % 8));
}

bool stats_is_service_port(const struct stats *s, enum stats_tally_id id, uint16_t port)
{
	bool remote = id == STATS_TIME_WAIT_REMOTE || id == STATS_SYN_SENT_REMOTE;
	return !is_ephemeral(s, port) || (!remote && stats_is_listen_port(s, port));
}

static double fill_ratio(const struct stats_listener *l)
{
	return l->backlog ? (double)l->queue / l->backlog : 0.0;
}

static void add_listener(struct stats *s, const struct stats_listener *l)
{
	s->tcp_listeners++;
	s->listen_ports[l->port / 8] |= (uint8_t)(1u << (l->port % 8));
	if (!l->queue)
		return;
	size_t n = s->fullest_count;
	if (n == STATS_KEEP_WORST) {
		const struct stats_listener *last = &s->fullest[n - 1];
		if (fill_ratio(l) <= fill_ratio(last) && l->queue <= last->queue)
			return;
		n--;
	} else {
		s->fullest_count++;
	}
	while (n > 0 && (fill_ratio(l) > fill_ratio(&s->fullest[n - 1]) ||
	                 (fill_ratio(l) == fill_ratio(&s->fullest[n - 1]) &&
	                  l->queue > s->fullest[n - 1].queue))) {
		s->fullest[n] = s->fullest[n - 1];
		n--;
	}
	s->fullest[n] = *l;
}

static void add_listener_row(struct stats *s, const struct conn *c)
{
	struct stats_listener l = {.family = (uint8_t)conn_addr_family(c, false),
	                           .port = c->local_port,
	                           .queue = c->recv_q,
	                           .backlog = conn_backlog(c)};
	memcpy(l.addr, c->local_addr, sizeof(l.addr));
	add_listener(s, &l);
}

static void keep_worst_queue(struct stats_queued *arr, size_t *count, const struct conn *c,
                             uint32_t bytes)
{
	size_t n = *count;
	if (n == STATS_KEEP_WORST) {
		if (bytes <= arr[n - 1].bytes)
			return;
		n--;
	} else {
		(*count)++;
	}
	while (n > 0 && bytes > arr[n - 1].bytes) {
		arr[n] = arr[n - 1];
		n--;
	}
	/* The family of the remote side, the one the evidence shows (a name when imported so). */
	struct stats_queued q = {.family = (uint8_t)conn_addr_family(c, true),
	                         .local_port = c->local_port,
	                         .remote_port = c->remote_port,
	                         .bytes = bytes};
	memcpy(q.local_addr, c->local_addr, sizeof(q.local_addr));
	memcpy(q.remote_addr, c->remote_addr, sizeof(q.remote_addr));
	arr[n] = q;
}

/* The age part of one CLOSE_WAIT socket; e is its port's entry (NULL when out of memory).
 * Returns whether it hangs. */
static bool add_close_wait_age(struct stats *s, struct stats_entry *e, uint32_t age_ms)
{
	bool hanging = age_ms != STATS_AGE_UNKNOWN && age_ms >= s->opt.close_wait_age_ms;
	if (age_ms != STATS_AGE_UNKNOWN) {
		s->close_wait_age_known++;
		if (age_ms > s->close_wait_max_age_ms)
			s->close_wait_max_age_ms = age_ms;
	}
	if (hanging)
		s->close_wait_hanging++;
	if (e && age_ms != STATS_AGE_UNKNOWN) {
		e->age_known++;
		if (age_ms > e->max_age_ms)
			e->max_age_ms = age_ms;
		if (hanging)
			e->aux++;
	}
	return hanging;
}

static void add_close_wait(struct stats *s, const struct conn *c, uint32_t age_ms, uint32_t owner)
{
	struct stats_key k = {.port = c->local_port};
	struct stats_entry *e = tally_count(s, STATS_CLOSE_WAIT_PORT, &k);
	bool hanging = add_close_wait_age(s, e, age_ms);
	if (owner) {
		struct stats_key ok = {.id = owner};
		struct stats_entry *oe = tally_count(s, STATS_CLOSE_WAIT_OWNER, &ok);
		if (oe && hanging)
			oe->aux++;
	}
}

/* Every prefix of the source, /8 to /32 by bit for IPv4 and /32 to /128 by nibble for IPv6 (25
 * lengths each), counted per local port: stats_syn_recv_cover() finds the networks in them. */
static void add_syn_recv_prefixes(struct stats *s, struct stats_key k, uint64_t n)
{
	bool v4 = k.family == AF_INET;
	unsigned int max = v4 ? 32 : 128, step = v4 ? 1 : 4;
	bool is_new;
	for (unsigned int len = max; len >= (v4 ? 8u : 32u); len -= step) {
		stats_prefix_mask(&k, len);
		tally_add(s, STATS_SYN_RECV_PREFIX, &k, n, &is_new);
	}
}

/* The source side of n SYN_RECV sockets on a port whose entry is port_entry (may be NULL). */
static void add_syn_recv_source(struct stats *s, struct stats_entry *port_entry,
                                const struct stats_key *k, uint64_t n)
{
	bool is_new;
	struct stats_entry *src = tally_add(s, STATS_SYN_RECV_SOURCE, k, n, &is_new);
	/* A new (port, source) pair is one more distinct source for the port (an upper bound once
	 * the source tally has replaced keys: a source may come back). */
	if (src && is_new && port_entry)
		port_entry->aux++;
	if (k->family != ADDR_FAMILY_NAME) /* a name has no prefixes */
		add_syn_recv_prefixes(s, *k, n);
}

static void add_syn_recv(struct stats *s, const struct conn *c)
{
	struct stats_key k = {.port = c->local_port};
	struct stats_entry *port = tally_count(s, STATS_SYN_RECV_PORT, &k);
	key_set_remote(&k, c);
	add_syn_recv_source(s, port, &k, 1);
}

void stats_add_syn_recv_source(struct stats *s, uint16_t local_port, int family,
                               const uint8_t addr[16], uint64_t count)
{
	if (!count || (family != AF_INET && family != AF_INET6))
		return;
	struct stats_key k = {.port = local_port};
	struct stats_entry *port = (struct stats_entry *)stats_find(s, STATS_SYN_RECV_PORT, &k);
	key_set_addr(&k, family, addr);
	add_syn_recv_source(s, port, &k, count);
}

static void add_time_wait(struct stats *s, const struct conn *c)
{
	struct stats_key k = {.port = c->remote_port};
	key_set_remote(&k, c);
	struct stats_entry *e = tally_count(s, STATS_TIME_WAIT_REMOTE, &k);
	/* This host was the client when it used an ephemeral port toward a fixed service port. */
	if (e && is_ephemeral(s, c->local_port) && !is_ephemeral(s, c->remote_port))
		e->aux++;
	struct stats_key lk = {.port = c->local_port};
	tally_count(s, STATS_TIME_WAIT_LOCAL, &lk);
}

unsigned int stats_owner_state_of(const struct conn *c)
{
	unsigned int state = stats_state_of(c);
	return c->proto == CONN_UDP && state != TCP_ST_ESTABLISHED ? STATS_OWNER_UNCONN : state;
}

void stats_add(struct stats *s, const struct conn *c, const struct stats_row_extra *extra)
{
	unsigned int state = stats_state_of(c);
	enum stats_proto proto = stats_proto_of(c);
	uint32_t owner = extra ? extra->owner_pid : 0;
	s->total++;
	s->by_proto[proto]++;
	s->by_proto_state[proto][state]++;
	s->by_state[state]++;
	if (owner) {
		struct stats_key ok = {.id = owner, .port = (uint16_t)stats_owner_state_of(c)};
		tally_count(s, STATS_OWNER_STATE, &ok);
	}

	if (c->proto == CONN_TCP && state == TCP_ST_LISTEN) {
		add_listener_row(s, c);
		return;
	}
	if (c->proto == CONN_UDP && state != TCP_ST_ESTABLISHED)
		return; /* unconnected UDP has no peer */

	struct stats_key k = {0};
	key_set_remote(&k, c);
	if (!addr_is_any(k.family, k.addr)) {
		bool is_new;
		struct stats_entry *ip = tally_add(s, STATS_REMOTE_IP, &k, 1, &is_new);
		if (k.family != ADDR_FAMILY_NAME) { /* a name has no network */
			key_to_net(&k);
			struct stats_entry *net = tally_count(s, STATS_REMOTE_NET, &k);
			if (net && ip && is_new)
				net->aux++;
		}
	}
	struct stats_key pk = {.port = c->local_port};
	tally_count(s, STATS_LOCAL_PORT, &pk);
	if (owner) {
		struct stats_key ok = {.id = owner};
		tally_count(s, STATS_OWNER, &ok);
	}
	if (c->proto != CONN_TCP)
		return;

	switch (state) {
	case TCP_ST_SYN_RECV:
		add_syn_recv(s, c);
		break;
	case TCP_ST_TIME_WAIT:
		add_time_wait(s, c);
		break;
	case TCP_ST_CLOSE_WAIT: {
		uint32_t age = extra ? extra->state_age_ms : STATS_AGE_UNKNOWN;
		if (age == STATS_AGE_UNKNOWN && c->idle_ms != CONN_UNKNOWN_U32)
			age = c->idle_ms;
		add_close_wait(s, c, age, owner);
		break;
	}
	case TCP_ST_SYN_SENT: {
		struct stats_key rk = {.port = c->remote_port};
		key_set_remote(&rk, c);
		tally_count(s, STATS_SYN_SENT_REMOTE, &rk);
		break;
	}
	case TCP_ST_FIN_WAIT2: {
		struct stats_key rk = {0};
		key_set_remote(&rk, c);
		tally_count(s, STATS_FIN_WAIT2_REMOTE, &rk);
		break;
	}
	case TCP_ST_ESTABLISHED:
		if (c->recv_q >= s->opt.recv_q_bytes) {
			s->recv_q_piling++;
			keep_worst_queue(s->worst_recv_q, &s->worst_recv_q_count, c, c->recv_q);
		}
		if (c->send_q >= s->opt.send_q_bytes) {
			s->send_q_piling++;
			keep_worst_queue(s->worst_send_q, &s->worst_send_q_count, c, c->send_q);
		}
		break;
	default:
		break;
	}
}

void stats_note_listener(struct stats *s, const struct conn *c)
{
	if (c->proto == CONN_TCP && c->state == TCP_ST_LISTEN)
		add_listener_row(s, c);
}

void stats_add_snapshot(struct stats *s, const struct snapshot *snap)
{
	for (size_t i = 0; i < snap->count; i++)
		stats_add(s, &snap->conns[i], NULL);
}

void stats_add_remote(struct stats *s, int family, const uint8_t *addr, uint64_t count)
{
	uint8_t full[16] = {0};
	memcpy(full, addr, family == AF_INET6 ? 16 : 4);
	struct stats_key k = {0};
	key_set_addr(&k, family, full);
	if (!count || addr_is_any(k.family, k.addr))
		return;
	bool is_new, net_new;
	struct stats_entry *ip = tally_add(s, STATS_REMOTE_IP, &k, count, &is_new);
	key_to_net(&k);
	struct stats_entry *net = tally_add(s, STATS_REMOTE_NET, &k, count, &net_new);
	if (net && ip && is_new)
		net->aux++;
}

void stats_add_counts(struct stats *s, const struct stats_counts *c)
{
	for (int p = 0; p < STATS_PROTO_COUNT; p++)
		for (unsigned int st = 0; st < TCP_ST_MAX; st++) {
			uint64_t n = c->by_proto_state[p][st];
			s->total += n;
			s->by_proto[p] += n;
			s->by_proto_state[p][st] += n;
			s->by_state[st] += n;
		}
}

void stats_add_keyed(struct stats *s, enum stats_tally_id id, const struct stats_key *key,
                     uint64_t count, uint64_t aux)
{
	if ((unsigned)id >= STATS_TALLY_COUNT || !count)
		return;
	bool is_new;
	struct stats_entry *e = tally_add(s, id, key, count, &is_new);
	if (e)
		e->aux += aux;
}

void stats_add_close_wait_age(struct stats *s, uint16_t local_port, uint32_t age_ms,
                              uint32_t owner_pid)
{
	struct stats_key k = {.port = local_port};
	/* The port tally is unbounded, so its entries stay where they are. */
	struct stats_entry *e = (struct stats_entry *)stats_find(s, STATS_CLOSE_WAIT_PORT, &k);
	bool hanging = add_close_wait_age(s, e, age_ms);
	if (owner_pid && hanging) {
		struct stats_key ok = {.id = owner_pid};
		struct stats_entry *oe =
		    (struct stats_entry *)stats_find(s, STATS_CLOSE_WAIT_OWNER, &ok);
		if (oe)
			oe->aux++;
	}
}

void stats_add_listener(struct stats *s, const struct stats_listener *l, bool counted)
{
	if (counted) {
		enum stats_proto p = l->family == AF_INET6 ? STATS_TCP6 : STATS_TCP;
		s->total++;
		s->by_proto[p]++;
		s->by_proto_state[p][TCP_ST_LISTEN]++;
		s->by_state[TCP_ST_LISTEN]++;
	}
	add_listener(s, l);
}

size_t stats_key_format(char *buf, const struct stats_key *k, bool with_port)
{
	char addr[ADDR_TEXT_MAX];
	if (!k->family) {
		return (size_t)snprintf(buf, STATS_KEY_TEXT_MAX, "%u", k->port);
	}
	addr_format(addr, k->family, k->addr);
	int n;
	if (k->prefix)
		n = snprintf(buf, STATS_KEY_TEXT_MAX, "%s/%u", addr, k->prefix);
	else if (with_port && k->family == AF_INET6)
		n = snprintf(buf, STATS_KEY_TEXT_MAX, "[%s]:%u", addr, k->port);
	else if (with_port)
		n = snprintf(buf, STATS_KEY_TEXT_MAX, "%s:%u", addr, k->port);
	else
		n = snprintf(buf, STATS_KEY_TEXT_MAX, "%s", addr);
	return n < 0 ? 0 : (size_t)n;
}
