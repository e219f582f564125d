/* Loader and reader of the BPF socket iterator (src/bpf/tcp_iter.bpf.c). */
#include "source_bpf.h"
#include "bpf_load.h"

#include "i18n.h"
#include "stats.h"

#include <linux/types.h>

#include "tcp_iter.h"
#include "tcp_iter.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct cw_bpf_rec) == 64, "the iterator writes 64-byte records");

struct bpf_source {
	struct cw_tcp_iter *skel;
	struct bpf_link *link;
	pthread_mutex_t lock; /* one run at a time: the counting tables are shared */
};

bool bpf_source_built(void)
{
	return true;
}

int bpf_source_open(struct bpf_source **out, struct cw_error *err)
{
	*out = NULL;
	bpf_load_quiet();
	struct bpf_source *b = calloc(1, sizeof(*b));
	if (!b)
		return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	errno = 0;
	b->skel = cw_tcp_iter__open_and_load();
	if (!b->skel) {
		int e = errno;
		free(b);
		return bpf_load_error(err, e);
	}
	b->link = bpf_program__attach_iter(b->skel->progs.cw_tcp, NULL);
	if (!b->link) {
		int e = errno ? errno : EINVAL;
		cw_tcp_iter__destroy(b->skel);
		free(b);
		return cw_error_set(err, -e, _("cannot attach the BPF socket iterator: %s"),
		                    strerror(e));
	}
	pthread_mutex_init(&b->lock, NULL);
	*out = b;
	return 0;
}

void bpf_source_close(struct bpf_source *b)
{
	if (!b)
		return;
	bpf_link__destroy(b->link);
	cw_tcp_iter__destroy(b->skel);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static void conn_from_rec(struct conn *c, const struct cw_bpf_rec *r)
{
	memset(c, 0, sizeof(*c));
	c->proto = CONN_TCP;
	c->family = r->family;
	c->state = r->state;
	c->timer = r->timer;
	c->retrans = r->retrans;
	c->local_port = r->local_port;
	c->remote_port = r->remote_port;
	memcpy(c->local_addr, r->local_addr, sizeof(c->local_addr));
	memcpy(c->remote_addr, r->remote_addr, sizeof(c->remote_addr));
	c->recv_q = r->recv_q;
	c->uid = r->uid;
	c->inode = r->inode;
	if (r->state == TCP_ST_LISTEN) {
		/* as sock_diag: the limit in wqueue, netstat shows Send-Q 0; the backlog shares
		 * idle_ms's four bytes */
		c->backlog = r->send_q;
		c->send_q = 0;
		return;
	}
	c->send_q = r->send_q;
	c->idle_ms = r->idle_ms == CW_BPF_NO_IDLE ? CONN_UNKNOWN_U32 : r->idle_ms;
	if (r->timer == 3) /* TIME_WAIT timer, no tcp_info: idle_ms holds the time left, as the
	                    * netlink source keeps sock_diag's idiag_expires */
		c->idle_ms = r->timer_ms;
}

struct rows_out {
	struct snapshot *snap, *close_wait;
	bool idle_for_all;
	const atomic_bool *cancel; /* the live view abandons a refresh in flight */
	struct cw_error *err;
};

/* Records become rows. CLOSE_WAIT rows also go to close_wait with their age; in snap their age
 * is left unknown unless the request wants ages on the rows. */
static int take_records(void *arg, const void *recs, size_t n)
{
	struct rows_out *o = arg;
	const struct cw_bpf_rec *r = recs;
	int ret = source_check_cancel(o->cancel, o->err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		struct conn *c = snapshot_append(o->snap);
		if (!c)
			return cw_error_set(o->err, -ENOMEM, "%s", _("out of memory"));
		conn_from_rec(c, &r[i]);
		if (c->state != TCP_ST_CLOSE_WAIT || o->idle_for_all)
			continue;
		if (o->close_wait && snapshot_add_conn(o->close_wait, c) < 0)
			return cw_error_set(o->err, -ENOMEM, "%s", _("out of memory"));
		c->idle_ms = CONN_UNKNOWN_U32;
	}
	return 0;
}

/* Runs the iterator once. */
static int read_records(struct bpf_source *b, struct snapshot *snap, struct snapshot *close_wait,
                        bool idle_for_all, const atomic_bool *cancel, struct cw_error *err)
{
	struct rows_out o = {snap, close_wait, idle_for_all, cancel, err};
	size_t truncated;
	int ret = bpf_iter_read(bpf_link__fd(b->link), sizeof(struct cw_bpf_rec), take_records, &o,
	                        &truncated, err);
	if (ret == 0 && truncated) {
		snap->skipped++;
		snapshot_add_note(snap, "%s", _("BPF iterator: skipped a truncated socket record"));
	}
	return ret;
}

static void ep_key(struct stats_key *k, const struct cw_bpf_ep_slot *e)
{
	memset(k, 0, sizeof(*k));
	k->family = e->family;
	k->port = e->port;
	memcpy(k->addr, e->addr, e->family == AF_INET ? 4 : 16);
}

/* The endpoint slots in use, then emptied: TIME_WAIT per remote endpoint, request sockets per
 * local port (all of a port first, as stats_add_syn_recv_source() wants) and source. */
static void collect_endpoints(struct cw_tcp_iter__bss *bss, struct stats *st)
{
	uint32_t used = bss->ep_count < CW_BPF_EP_SLOTS ? bss->ep_count : CW_BPF_EP_SLOTS;
	struct stats_key k;
	for (uint32_t i = 0; i < used; i++) {
		const struct cw_bpf_ep_slot *e = &bss->ep_slots[bss->ep_used[i] % CW_BPF_EP_SLOTS];
		if (e->kind == CW_BPF_EP_TIME_WAIT) {
			ep_key(&k, e);
			stats_add_keyed(st, STATS_TIME_WAIT_REMOTE, &k, e->count, e->aux);
		} else if (e->kind == CW_BPF_EP_SYN_RECV) {
			k = (struct stats_key){.port = e->port};
			stats_add_keyed(st, STATS_SYN_RECV_PORT, &k, e->count, 0);
		}
	}
	for (uint32_t i = 0; i < used; i++) {
		struct cw_bpf_ep_slot *e = &bss->ep_slots[bss->ep_used[i] % CW_BPF_EP_SLOTS];
		if (e->kind == CW_BPF_EP_SYN_RECV)
			stats_add_syn_recv_source(st, e->port, e->family, (const uint8_t *)e->addr,
			                          e->count);
		memset(e, 0, sizeof(*e));
	}
	bss->ep_count = 0;
}

/* Adds what the program counted to st and empties its tables for the next run. */
static void collect_counts(struct cw_tcp_iter__bss *bss, struct stats *st)
{
	struct stats_counts c = {0};
	for (int fam = 0; fam < CW_BPF_FAMILIES; fam++)
		for (int state = 0; state < CW_BPF_STATES && state < TCP_ST_MAX; state++) {
			/* Request sockets are counted as SYN_RECV already, as stats_state_of()
			 * folds them. */
			c.by_proto_state[fam ? STATS_TCP6 : STATS_TCP][state] =
			    bss->counts[fam][state];
			bss->counts[fam][state] = 0;
		}
	stats_add_counts(st, &c);
	for (uint32_t port = 0; port < CW_BPF_PORTS; port++) {
		struct stats_key k = {.port = (uint16_t)port};
		if (bss->port_counts[port]) {
			stats_add_keyed(st, STATS_LOCAL_PORT, &k, bss->port_counts[port], 0);
			bss->port_counts[port] = 0;
		}
		if (bss->tw_port_counts[port]) {
			stats_add_keyed(st, STATS_TIME_WAIT_LOCAL, &k, bss->tw_port_counts[port],
			                0);
			bss->tw_port_counts[port] = 0;
		}
	}
	collect_endpoints(bss, st);
	for (uint32_t i = 0; i < CW_BPF_V4_SLOTS; i++) {
		struct cw_bpf_v4_slot *s = &bss->v4_slots[i];
		if (!s->count)
			continue;
		stats_add_remote(st, AF_INET, (const uint8_t *)&s->addr, s->count);
		s->addr = 0;
		s->count = 0;
	}
	for (uint32_t i = 0; i < CW_BPF_V6_SLOTS; i++) {
		struct cw_bpf_v6_slot *s = &bss->v6_slots[i];
		if (!s->count)
			continue;
		stats_add_remote(st, AF_INET6, (const uint8_t *)s->addr, s->count);
		memset(s, 0, sizeof(*s));
	}
}

int bpf_source_fill(struct bpf_source *b, const struct source_request *req, struct snapshot *snap,
                    struct snapshot *close_wait, struct cw_error *err)
{
	int ret = 0;
	snap->source_name = "bpf";
	if (!req->tcp_states || (!req->ipv4 && !req->ipv6))
		return 0;

	pthread_mutex_lock(&b->lock);
	struct cw_tcp_iter__bss *bss = b->skel->bss;
	/* A consumer that only counts (a tally sink with counts) lets the program count ordinary
	 * connections, TIME_WAIT and request sockets itself; ESTABLISHED ones at its queue
	 * thresholds stay rows for the queue rules. Without one every socket is a row. */
	struct stats *counts = snap->sink ? snap->sink->counts : NULL;
	tcp_state_set states = req->tcp_states;
	/* sock_diag reports request sockets as SYN_RECV and matches them by that bit. */
	if (states & TCP_STATE_BIT(TCP_ST_SYN_RECV))
		states |= TCP_STATE_BIT(TCP_ST_NEW_SYN_RECV);
	bss->cfg = (struct cw_bpf_config){
	    .states = (__u32)states,
	    .families = (req->ipv4 ? 1u : 0u) | (req->ipv6 ? 2u : 0u),
	    .emit_all = counts == NULL,
	    .idle = req->want_tcp_info                   ? 3u
	            : close_wait || req->close_wait_ages ? 1u
	                                                 : 0u,
	    .recv_q_bytes = counts ? counts->opt.recv_q_bytes : 0,
	    .send_q_bytes = counts ? counts->opt.send_q_bytes : 0,
	    .ephemeral_low = counts ? counts->opt.ephemeral_low : 0,
	    .ephemeral_high = counts ? counts->opt.ephemeral_high : 0,
	};
	/* Ages asked for with the rows (the live view's first refresh) stay on the rows, as
	 * sock_diag's one dump leaves them. */
	ret = read_records(b, snap, close_wait, req->want_tcp_info || req->close_wait_ages,
	                   req->cancel, err);
	if (counts)
		collect_counts(bss, counts);
	pthread_mutex_unlock(&b->lock);
	return ret;
}
