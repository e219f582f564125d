// SPDX-License-Identifier: GPL-2.0-or-later
/* The resident fast path: a BPF iterator over the TCP sockets of the reader's network namespace
 * (iter/tcp walks the listening and established hash tables, TIME_WAIT and request sockets
 * included). Loaded once by source_bpf.c and run at every refresh or scrape by reading an
 * iterator file descriptor.
 *
 * Each socket is either counted here (state x family, local port, remote address: all the
 * diagnosis needs of an ordinary connection; for TIME_WAIT and request sockets also their
 * endpoint) or written as a struct cw_bpf_rec, as sock_diag would describe it. Counting instead
 * of writing is what makes this cheaper than a sock_diag dump: filling and copying a message
 * per socket is most of a dump's cost. What is left is the kernel's own walk (a lock, a
 * reference and the owner's uid per socket before the program runs: about 0.6 of a bare dump,
 * docs/benchmarks.md).
 *
 * Field by field it follows the kernel's inet_diag (net/ipv4/inet_diag.c, tcp_diag.c) so that
 * both paths report the same. Kept small and loop-free except for the bounded table probes. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "tcp_iter.h"

#define AF_INET  2
#define AF_INET6 10

/* include/net/inet_connection_sock.h; not in BTF (they are #defines). */
#define ICSK_TIME_RETRANS     1
#define ICSK_TIME_PROBE0      3
#define ICSK_TIME_LOSS_PROBE  5
#define ICSK_TIME_REO_TIMEOUT 6

char LICENSE[] SEC("license") = "GPL";

extern unsigned int CONFIG_HZ __kconfig;

struct cw_bpf_config cfg;
__u64 counts[CW_BPF_FAMILIES][CW_BPF_STATES];
__u32 port_counts[CW_BPF_PORTS];
struct cw_bpf_v4_slot v4_slots[CW_BPF_V4_SLOTS];
struct cw_bpf_v6_slot v6_slots[CW_BPF_V6_SLOTS];
struct cw_bpf_ep_slot ep_slots[CW_BPF_EP_SLOTS];
__u32 ep_used[CW_BPF_EP_SLOTS]; /* the slots in use, in the order they were taken */
__u32 ep_count;
__u32 tw_port_counts[CW_BPF_PORTS]; /* TIME_WAIT per local port */

/* Before 6.15 the retransmit timer's expiry had its own field. */
struct inet_connection_sock___old {
	unsigned long icsk_timeout;
} __attribute__((preserve_access_index));

static __always_inline __u32 jiffies_to_ms(long delta)
{
	if (delta <= 0)
		return 0;
	__u64 ms = ((__u64)delta * 1000 + CONFIG_HZ - 1) / CONFIG_HZ;
	return ms > 0xfffffffeu ? 0xfffffffeu : (__u32)ms;
}

static __always_inline bool count_v4(__u32 addr)
{
	__u32 h = (addr * 2654435769u) >> 16;
	for (int i = 0; i < CW_BPF_PROBES; i++) {
		struct cw_bpf_v4_slot *s = &v4_slots[(h + i) & (CW_BPF_V4_SLOTS - 1)];
		if (!s->count) {
			s->addr = addr;
			s->count = 1;
			return true;
		}
		if (s->addr == addr) {
			s->count++;
			return true;
		}
	}
	return false;
}

static __always_inline bool count_v6(__u64 hi, __u64 lo)
{
	__u64 x = (hi ^ (lo * 0x9e3779b97f4a7c15ull)) * 0xc2b2ae3d27d4eb4full;
	__u32 h = (__u32)(x >> 40);
	for (int i = 0; i < CW_BPF_PROBES; i++) {
		struct cw_bpf_v6_slot *s = &v6_slots[(h + i) & (CW_BPF_V6_SLOTS - 1)];
		if (!s->count) {
			s->addr[0] = hi;
			s->addr[1] = lo;
			s->count = 1;
			return true;
		}
		if (s->addr[0] == hi && s->addr[1] == lo) {
			s->count++;
			return true;
		}
	}
	return false;
}

/* A remote address as the statistics key it: IPv4-mapped IPv6 as IPv4 (v4 set, the address in
 * hi's low 32 bits, which are its first 4 bytes in memory). */
struct remote_key {
	__u64 hi, lo;
	bool v4;
};

static __always_inline void remote_key_of(const struct cw_bpf_rec *r, struct remote_key *k)
{
	if (r->family == AF_INET) {
		__u32 a;
		__builtin_memcpy(&a, r->remote_addr, 4);
		*k = (struct remote_key){.hi = a, .v4 = true};
		return;
	}
	__builtin_memcpy(&k->hi, r->remote_addr, 8);
	__builtin_memcpy(&k->lo, r->remote_addr + 8, 8);
	k->v4 = false;
	/* ::ffff:a.b.c.d: the first 8 bytes zero, then 00 00 ff ff, then the IPv4 address. */
	if (!k->hi && (__u32)k->lo == bpf_htonl(0xffff)) {
		k->hi = k->lo >> 32;
		k->lo = 0;
		k->v4 = true;
	}
}

/* Counts the remote address. False when the table had no slot for it: the socket must then be
 * written out. 0.0.0.0 and :: are no peer (not counted, true). */
static __always_inline bool count_remote(const struct remote_key *k)
{
	if (k->v4)
		return !k->hi || count_v4((__u32)k->hi);
	return (!k->hi && !k->lo) || count_v6(k->hi, k->lo);
}

/* The endpoint slot of (kind, address, port): the one holding it or the first empty one on its
 * probe path; -1 when neither was found. Changes nothing, so that a socket is either counted in
 * every table or written out. */
static __always_inline int ep_find(__u8 kind, const struct remote_key *k, __u16 port)
{
	__u64 x = (k->hi ^ (k->lo * 0x9e3779b97f4a7c15ull) ^ ((__u64)port << 32) ^ kind) *
	          0xc2b2ae3d27d4eb4full;
	__u32 h = (__u32)(x >> 40);
	__u8 family = k->v4 ? AF_INET : AF_INET6;
	for (int i = 0; i < CW_BPF_PROBES; i++) {
		__u32 idx = (h + i) & (CW_BPF_EP_SLOTS - 1);
		struct cw_bpf_ep_slot *s = &ep_slots[idx];
		if (!s->count || (s->kind == kind && s->port == port && s->family == family &&
		                  s->addr[0] == k->hi && s->addr[1] == k->lo))
			return (int)idx;
	}
	return -1;
}

static __always_inline void ep_add(int idx, __u8 kind, const struct remote_key *k, __u16 port,
                                   __u32 aux)
{
	struct cw_bpf_ep_slot *s = &ep_slots[(__u32)idx & (CW_BPF_EP_SLOTS - 1)];
	if (!s->count) {
		s->addr[0] = k->hi;
		s->addr[1] = k->lo;
		s->port = port;
		s->kind = kind;
		s->family = k->v4 ? AF_INET : AF_INET6;
		__u32 n = ep_count;
		ep_used[n & (CW_BPF_EP_SLOTS - 1)] = (__u32)idx;
		ep_count = n + 1;
	}
	s->count++;
	s->aux += aux;
}

static __always_inline bool is_ephemeral(__u16 port)
{
	return port >= cfg.ephemeral_low && port <= cfg.ephemeral_high;
}

/* Counts a socket in its endpoint slot and under its remote address, or in neither. False:
 * it must be written out. */
static __always_inline bool count_endpoint(const struct cw_bpf_rec *r, __u8 kind, __u16 port,
                                           __u32 aux)
{
	struct remote_key k;
	remote_key_of(r, &k);
	int idx = ep_find(kind, &k, port);
	if (idx < 0 || !count_remote(&k))
		return false;
	ep_add(idx, kind, &k, port, aux);
	return true;
}

/* A TIME_WAIT socket counted in every table stats_add() would put it in: state, remote
 * address, local port, the endpoint and the local port of TIME_WAIT. False: written out. */
static __always_inline bool count_time_wait(const struct cw_bpf_rec *r)
{
	/* This host was the client when it used an ephemeral port toward a fixed service port. */
	bool client = is_ephemeral(r->local_port) && !is_ephemeral(r->remote_port);
	if (!count_endpoint(r, CW_BPF_EP_TIME_WAIT, r->remote_port, client ? 1 : 0))
		return false;
	tw_port_counts[r->local_port]++;
	return true;
}

/* What every counted socket adds besides its own tables. */
static __always_inline void count_socket(const struct cw_bpf_rec *r)
{
	counts[r->family == AF_INET ? 0 : 1][r->state & (CW_BPF_STATES - 1)]++;
	port_counts[r->local_port]++;
}

/* The states whose sockets the diagnosis reads only through state, family, local port and
 * remote address; every other state has tallies of its own and is written out. */
static __always_inline bool counted_here(__u8 state)
{
	return state == TCP_ESTABLISHED || state == TCP_FIN_WAIT1 || state == TCP_CLOSING ||
	       state == TCP_LAST_ACK || state == TCP_CLOSE;
}

static __always_inline void fill_addresses(struct cw_bpf_rec *r, struct sock_common *skc)
{
	r->local_port = skc->skc_num;
	r->remote_port = bpf_ntohs(skc->skc_dport);
	if (r->family == AF_INET) {
		__builtin_memcpy(r->local_addr, &skc->skc_rcv_saddr, 4);
		__builtin_memcpy(r->remote_addr, &skc->skc_daddr, 4);
	} else {
		__builtin_memcpy(r->local_addr, &skc->skc_v6_rcv_saddr, 16);
		__builtin_memcpy(r->remote_addr, &skc->skc_v6_daddr, 16);
	}
}

static __always_inline unsigned long retransmit_expires(struct inet_connection_sock *icsk)
{
	struct inet_connection_sock___old *old = (void *)icsk;
	if (bpf_core_field_exists(old->icsk_timeout))
		return BPF_CORE_READ(old, icsk_timeout);
	return BPF_CORE_READ(icsk, icsk_retransmit_timer.expires);
}

/* A full socket: queues, owner, inode, timer and (when asked) idle time, as tcp_diag fills them.
 */
static __always_inline void fill_queues(struct cw_bpf_rec *r, struct tcp_sock *tp)
{
	struct sock *sk = &tp->inet_conn.icsk_inet.sk;
	if (r->state == TCP_LISTEN) {
		r->recv_q = sk->sk_ack_backlog;
		r->send_q = sk->sk_max_ack_backlog;
	} else {
		int unread = (int)(tp->rcv_nxt - tp->copied_seq);
		r->recv_q = unread > 0 ? (__u32)unread : 0;
		r->send_q = tp->write_seq - tp->snd_una;
	}
}

/* The rest of a written socket (only for those: a counted one needs none of it). */
static __always_inline void fill_full(struct cw_bpf_rec *r, struct tcp_sock *tp, __u32 uid,
                                      __u64 now)
{
	struct inet_connection_sock *icsk = &tp->inet_conn;
	struct sock *sk = &icsk->icsk_inet.sk;
	r->uid = uid;
	struct socket *sock = sk->sk_socket;
	if (sock)
		r->inode = (__u32)BPF_CORE_READ((struct socket_alloc *)sock, vfs_inode.i_ino);
	__u8 pending = icsk->icsk_pending;
	if (pending == ICSK_TIME_RETRANS || pending == ICSK_TIME_REO_TIMEOUT ||
	    pending == ICSK_TIME_LOSS_PROBE) {
		r->timer = 1;
		r->retrans = icsk->icsk_retransmits;
		r->timer_ms = jiffies_to_ms((long)(retransmit_expires(icsk) - now));
	} else if (pending == ICSK_TIME_PROBE0) {
		r->timer = 4;
		r->retrans = icsk->icsk_probes_out;
		r->timer_ms = jiffies_to_ms((long)(retransmit_expires(icsk) - now));
	} else if (sk->sk_timer.entry.pprev) {
		r->timer = 2;
		r->retrans = icsk->icsk_probes_out;
		r->timer_ms = jiffies_to_ms((long)(sk->sk_timer.expires - now));
	}
	/* tcp_get_info(): tcpi_last_ack_recv and tcpi_last_data_recv, in 32-bit jiffies. */
	if (r->state == TCP_CLOSE_WAIT && (cfg.idle & 3))
		r->idle_ms = jiffies_to_ms((int)((__u32)now - tp->rcv_tstamp));
	else if (cfg.idle & 2)
		r->idle_ms = jiffies_to_ms((int)((__u32)now - icsk->icsk_ack.lrcvtime));
}

/* Whether the socket is reported at all: its family and sock_diag state were asked for. */
static __always_inline bool wanted(const struct cw_bpf_rec *r)
{
	__u32 fam_bit = r->family == AF_INET ? 1 : 2;
	return (cfg.families & fam_bit) && r->state < CW_BPF_STATES &&
	       (cfg.states & (1u << r->state));
}

static __always_inline void emit(struct bpf_iter__tcp *ctx, const struct cw_bpf_rec *r)
{
	bpf_seq_write(ctx->meta->seq, r, sizeof(*r));
}

/* An ordinary connection whose queues may reach the thresholds of the queue rules: those are
 * written out. Most have nothing queued at all, and the kernel's own accounting says so from
 * struct sock (an empty receive queue holds no unread byte, no memory charged to send means
 * nothing unacknowledged): tcp_sock's sequence numbers, cache misses of their own, are read
 * only when that is not so. */
static __always_inline bool maybe_queued(struct cw_bpf_rec *r, struct tcp_sock *tp)
{
	struct sock *sk = &tp->inet_conn.icsk_inet.sk;
	if (r->state != TCP_ESTABLISHED)
		return false;
	if (!sk->sk_receive_queue.qlen && !sk->sk_wmem_queued && cfg.recv_q_bytes &&
	    cfg.send_q_bytes)
		return false;
	fill_queues(r, tp);
	return r->recv_q >= cfg.recv_q_bytes || r->send_q >= cfg.send_q_bytes;
}

SEC("iter/tcp")
int cw_tcp(struct bpf_iter__tcp *ctx)
{
	struct sock_common *skc = ctx->sk_common;
	if (!skc)
		return 0;
	struct cw_bpf_rec r = {.idle_ms = CW_BPF_NO_IDLE};
	r.family = (__u8)skc->skc_family;
	if (r.family != AF_INET && r.family != AF_INET6)
		return 0;
	__u8 state = skc->skc_state;

	if (state == TCP_TIME_WAIT) {
		struct tcp_timewait_sock *tw = bpf_skc_to_tcp_timewait_sock(skc);
		if (!tw)
			return 0;
		r.state = tw->tw_sk.tw_substate;
		if (!wanted(&r))
			return 0;
		fill_addresses(&r, skc);
		if (!cfg.emit_all && r.state == TCP_TIME_WAIT && count_time_wait(&r)) {
			count_socket(&r);
			return 0;
		}
		r.timer = 3;
		r.timer_ms = jiffies_to_ms((long)(tw->tw_sk.tw_timer.expires - bpf_jiffies64()));
		emit(ctx, &r);
		return 0;
	}
	if (state == TCP_NEW_SYN_RECV) {
		r.state = TCP_SYN_RECV;
		if (!wanted(&r))
			return 0;
		fill_addresses(&r, skc);
		/* per local port and source */
		if (!cfg.emit_all && count_endpoint(&r, CW_BPF_EP_SYN_RECV, r.local_port, 0)) {
			count_socket(&r);
			return 0;
		}
		struct tcp_request_sock *req = bpf_skc_to_tcp_request_sock(skc);
		if (!req)
			return 0;
		r.timer = 1;
		r.retrans = req->req.req.num_retrans;
		r.timer_ms =
		    jiffies_to_ms((long)(req->req.req.rsk_timer.expires - bpf_jiffies64()));
		emit(ctx, &r);
		return 0;
	}
	struct tcp_sock *tp = bpf_skc_to_tcp_sock(skc);
	if (!tp)
		return 0;
	r.state = state;
	if (!wanted(&r))
		return 0;
	fill_addresses(&r, skc);
	if (!cfg.emit_all && counted_here(state) && !maybe_queued(&r, tp)) {
		struct remote_key k;
		remote_key_of(&r, &k);
		if (count_remote(&k)) {
			count_socket(&r);
			return 0;
		}
	}
	fill_queues(&r, tp);
	fill_full(&r, tp, ctx->uid, bpf_jiffies64());
	emit(ctx, &r);
	return 0;
}
