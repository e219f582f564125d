/*
 * The default source: the kernel's sock_diag interface through libmnl.
 *
 * Knobs chosen from measurements (docs/benchmarks.md and the notes they cite):
 * - TCP of both families comes from one legacy TCPDIAG_GETSOCK request, which the kernel serves as
 *   AF_UNSPEC in a single walk of its hash tables; two per-family requests walk them twice. Where
 *   the legacy request is refused, per-family SOCK_DIAG_BY_FAMILY requests are the fallback.
 * - The requested state set is sent as idiag_states so the kernel skips the rest.
 * - tcp_info is asked for only when a view needs it: it costs about a fifth more per socket.
 * - A 32 KiB receive buffer: the kernel caps a dump message near that size.
 * - The filter's ports and addresses go along as inet_diag bytecode (diag_bytecode.c): the kernel
 *   still walks every socket but fills and copies only the matching ones, which is most of the
 *   cost. Should a kernel refuse the program (its audit answers EINVAL), the dump is repeated
 *   without it and the user-space filter, which always runs, does the work.
 */
#include "source.h"
#include "source_netlink.h"

#include "sock_diag_req.h"

#include "i18n.h"
#include "util/inohash.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RECV_BUF_SIZE    32768
#define RECV_EINTR_TRIES 64 /* EINTRs (or datagrams not from the kernel) before a read gives up */

/* Keeps the partial tcp_info fields we read without depending on the header's full layout. */
static void conn_from_diag(struct conn *c, const struct inet_diag_msg *m, int proto)
{
	memset(c, 0, sizeof(*c));
	c->proto = (uint8_t)proto;
	c->family = m->idiag_family;
	c->state = m->idiag_state;
	c->timer = m->idiag_timer;
	c->retrans = m->idiag_retrans;
	c->local_port = ntohs(m->id.idiag_sport);
	c->remote_port = ntohs(m->id.idiag_dport);
	size_t alen = m->idiag_family == AF_INET ? 4 : 16;
	memcpy(c->local_addr, m->id.idiag_src, alen);
	memcpy(c->remote_addr, m->id.idiag_dst, alen);
	c->recv_q = m->idiag_rqueue;
	c->uid = m->idiag_uid;
	c->inode = m->idiag_inode;
	if (proto == CONN_TCP && m->idiag_state == TCP_ST_LISTEN) {
		/* For listeners the kernel puts the backlog limit in wqueue; netstat shows 0. */
		c->backlog = m->idiag_wqueue;
		c->send_q = 0;
		return;
	}
	c->send_q = m->idiag_wqueue;
	c->idle_ms = CONN_UNKNOWN_U32;
	if (m->idiag_timer ==
	    3) /* TIME_WAIT timer: no tcp_info here, idle_ms holds the time left */
		c->idle_ms = m->idiag_expires;
}

/* The kernel appends attributes to every socket message even when no extension was asked for
 * (shutdown, tos, cgroup, sockopt, ...), so this walk runs for every row: it is written inline
 * rather than through libmnl's per-attribute library calls. */
static void conn_add_tcp_info(struct conn *c, const unsigned char *attrs, size_t len)
{
	/* In CLOSE_WAIT the peer's FIN was the last segment with an ACK, and a FIN carries no
	 * data: time since the last ACK is the time in CLOSE_WAIT (while this side sends nothing),
	 * whereas time since the last data also counts the idle time before the FIN. */
	size_t field = c->state == TCP_ST_CLOSE_WAIT
	                   ? offsetof(struct tcp_info, tcpi_last_ack_recv)
	                   : offsetof(struct tcp_info, tcpi_last_data_recv);
	while (len >= NLA_HDRLEN) {
		struct nlattr a;
		memcpy(&a, attrs, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len)
			return;
		if ((a.nla_type & NLA_TYPE_MASK) == INET_DIAG_INFO) {
			if ((size_t)a.nla_len - NLA_HDRLEN < field + sizeof(uint32_t))
				return;
			uint32_t ms;
			memcpy(&ms, attrs + NLA_HDRLEN + field, sizeof(ms));
			c->idle_ms = ms;
			return;
		}
		size_t step = NLA_ALIGN(a.nla_len);
		if (step >= len)
			return;
		attrs += step;
		len -= step;
	}
}

/* One socket message. Returns 0 or -ENOMEM. */
static int parse_socket_message(const struct nlmsghdr *nlh, int proto,
                                const struct inohash *close_wait_ages, struct snapshot *snap)
{
	const unsigned char *payload = NLMSG_DATA(nlh);
	size_t payload_len = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (payload_len < sizeof(struct inet_diag_msg)) {
		snap->skipped++;
		snapshot_add_note(
		    snap, "%s", _("netlink: skipped a socket message shorter than inet_diag_msg"));
		return 0;
	}
	/* The payload need not be aligned for struct access: copy it out. */
	struct inet_diag_msg m;
	memcpy(&m, payload, sizeof(m));
	if (m.idiag_family != AF_INET && m.idiag_family != AF_INET6) {
		snap->skipped++;
		return 0;
	}
	/* Filled in place: no per-socket copy through the stack. */
	struct conn *c = snapshot_append(snap);
	if (!c)
		return -ENOMEM;
	conn_from_diag(c, &m, proto);
	c->netns = snap->fill_netns;
	size_t attrs_at = NLMSG_ALIGN(sizeof(m));
	/* a listener's idle_ms holds its backlog */
	if (proto == CONN_TCP && c->state != TCP_ST_LISTEN && payload_len > attrs_at)
		conn_add_tcp_info(c, payload + attrs_at, payload_len - attrs_at);
	if (close_wait_ages && c->state == TCP_ST_CLOSE_WAIT && c->idle_ms == CONN_UNKNOWN_U32) {
		const int32_t *ms = inohash_find(close_wait_ages, c->inode);
		if (ms)
			c->idle_ms = (uint32_t)*ms;
	}
	return 0;
}

/* NLMSG_DONE carries an int: 0, or the negative errno that ended the dump early (as iproute2's
 * rtnl_dump_done reads it). */
static int dump_done(const struct nlmsghdr *nlh, struct cw_error *err)
{
	int code;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(code)))
		return cw_error_set(err, -EBADMSG, "%s",
		                    _("truncated netlink reply from the kernel"));
	memcpy(&code, NLMSG_DATA(nlh), sizeof(code));
	if (code >= 0)
		return NETLINK_PARSE_DONE;
	code = code > -4096 ? code : -EPROTO;
	return cw_error_set(err, code, _("the kernel ended the socket dump with an error: %s"),
	                    strerror(-code));
}

int netlink_parse_dump(const void *buf, size_t len, int proto, struct netlink_dump *d,
                       struct snapshot *snap, struct cw_error *err)
{
	const struct inohash *close_wait_ages = d ? d->close_wait_ages : NULL;
	const struct nlmsghdr *nlh = buf;
	if (len > (size_t)INT32_MAX)
		return cw_error_set(err, -EOVERFLOW, "%s", _("netlink reply too large"));
	int remaining = (int)len;
	while (remaining > 0) {
		/* NLMSG_OK compares nlmsg_len unsigned; libmnl's mnl_nlmsg_ok() casts it to int, so
		 * a length of 2 GiB or more passed and the cursor jumped outside the buffer (found
		 * by tests/fuzz/fuzz_netlink.c; corpus crash-negative-nlmsg_len). */
		if (!NLMSG_OK(nlh, remaining))
			return cw_error_set(err, -EBADMSG, "%s",
			                    _("truncated netlink reply from the kernel"));
		if (d && d->ids_known &&
		    (nlh->nlmsg_seq != d->seq || nlh->nlmsg_pid != d->portid)) {
			d->foreign++; /* a late reply to an earlier request, or not for us */
			nlh = NLMSG_NEXT(nlh, remaining);
			continue;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			if (!d)
				return cw_error_set(
				    err, -EINTR, "%s",
				    _("socket dump interrupted by a concurrent change"));
			/* Read on to NLMSG_DONE: leaving the rest in the socket would mix it
			 * into the replies to the repeated request. */
			d->interrupted = true;
		}
		if (nlh->nlmsg_type == NLMSG_DONE)
			return dump_done(nlh, err);
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);
			if (nlh->nlmsg_len - NLMSG_HDRLEN < sizeof(*e))
				return cw_error_set(err, -EBADMSG, "%s",
				                    _("truncated netlink error message"));
			/* A kernel errno is in -4095..-1; anything else (INT_MIN would overflow
			 * when negated, found by fuzz-netlink) is a malformed reply. */
			int code = e->error < 0 && e->error > -4096 ? e->error : -EPROTO;
			return cw_error_set(err, code, _("the kernel refused the socket dump: %s"),
			                    strerror(-code));
		}
		if (nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY || nlh->nlmsg_type == TCPDIAG_GETSOCK) {
			if (parse_socket_message(nlh, proto, close_wait_ages, snap) < 0)
				return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
		}
		nlh = NLMSG_NEXT(nlh, remaining);
	}
	return NETLINK_PARSE_MORE;
}

int netlink_parse_messages(const void *buf, size_t len, int proto, struct snapshot *snap,
                           struct cw_error *err)
{
	return netlink_parse_dump(buf, len, proto, NULL, snap, err);
}

void netlink_note_inconsistent(struct snapshot *snap)
{
	snapshot_add_note(snap, "%s",
	                  _("the kernel interrupted the socket dump three times while sockets "
	                    "changed; the table may miss or repeat a few sockets"));
}

int netlink_record_write(FILE *out, int proto, const void *buf, size_t len)
{
	struct netlink_record_header h = {
	    .magic = NETLINK_RECORD_MAGIC, .proto = (uint32_t)proto, .length = (uint32_t)len};
	if (fwrite(&h, sizeof(h), 1, out) != 1 || (len && fwrite(buf, 1, len, out) != len))
		return -EIO;
	return 0;
}

struct dump_ctx {
	struct mnl_socket *nl;
	unsigned int portid;
	uint32_t seq; /* of the last request: each dump has its own */
	FILE *record;
	const struct diag_bytecode *bytecode;  /* sent with every dump; NULL: none */
	const struct inohash *close_wait_ages; /* inode -> ms in CLOSE_WAIT, or NULL */
	const atomic_bool *cancel;             /* source_request.cancel */
};

/* Reads one datagram from the kernel. Returns its length, or a negative errno with err set.
 * An EINTR is retried, but not forever (a signal storm, or a fault injected on every call). */
static ssize_t recv_reply(struct dump_ctx *ctx, void *buf, size_t len, struct cw_error *err)
{
	for (unsigned int tries = 0;; tries++) {
		struct sockaddr_nl from;
		struct iovec iov = {.iov_base = buf, .iov_len = len};
		struct msghdr msg = {.msg_name = &from,
		                     .msg_namelen = sizeof(from),
		                     .msg_iov = &iov,
		                     .msg_iovlen = 1};
		ssize_t n = recvmsg(mnl_socket_get_fd(ctx->nl), &msg, 0);
		if (n < 0 && errno == EINTR && tries < RECV_EINTR_TRIES)
			continue;
		if (n > 0 && msg.msg_namelen == sizeof(from) && from.nl_pid != 0 &&
		    tries >= RECV_EINTR_TRIES)
			return cw_error_set(err, -EPROTO, "%s",
			                    _("too many netlink messages not sent by the kernel"));
		if (n < 0)
			return cw_error_set(err, -errno, _("cannot read the socket dump: %s"),
			                    strerror(errno));
		if (msg.msg_flags & MSG_TRUNC)
			return cw_error_set(err, -EBADMSG, "%s",
			                    _("truncated netlink reply from the kernel"));
		if (n == 0)
			return cw_error_set(err, -EBADMSG, "%s",
			                    _("the kernel closed the socket dump early"));
		if (from.nl_pid != 0) /* not from the kernel: not a reply (counted as a try) */
			continue;
		return n;
	}
}

/* Sends one dump request; fills snap from the reply. *interrupted tells whether the kernel
 * flagged the dump interrupted (it was read to its end all the same). */
static int dump_once(struct dump_ctx *ctx, const void *req, size_t req_len, uint16_t type,
                     int proto, struct snapshot *snap, bool *interrupted, struct cw_error *err)
{
	char buf[RECV_BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++ctx->seq;
	memcpy(mnl_nlmsg_put_extra_header(nlh, req_len), req, req_len);
	if (ctx->bytecode)
		mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, ctx->bytecode->len, ctx->bytecode->code);
	struct netlink_dump d = {.seq = ctx->seq,
	                         .portid = ctx->portid,
	                         .ids_known = true,
	                         .close_wait_ages = ctx->close_wait_ages};

	if (mnl_socket_sendto(ctx->nl, nlh, nlh->nlmsg_len) < 0)
		return cw_error_set(err, -errno, _("cannot send the socket dump request: %s"),
		                    strerror(errno));
	for (;;) {
		/* Given up mid-dump: the kernel drops the rest when the socket closes. */
		int c = source_check_cancel(ctx->cancel, err);
		if (c < 0)
			return c;
		ssize_t n = recv_reply(ctx, buf, sizeof(buf), err);
		if (n < 0)
			return (int)n;
		if (ctx->record && netlink_record_write(ctx->record, proto, buf, (size_t)n) < 0)
			return cw_error_set(err, -EIO, "%s", _("cannot write the recording"));
		int r = netlink_parse_dump(buf, (size_t)n, proto, &d, snap, err);
		if (r < 0)
			return r;
		if (r == NETLINK_PARSE_DONE) {
			*interrupted = d.interrupted;
			return 0;
		}
	}
}

static int dump_with_retry(struct dump_ctx *ctx, const void *req, size_t req_len, uint16_t type,
                           int proto, struct snapshot *snap, struct cw_error *err)
{
	size_t start = snap->count, delivered = snap->delivered;
	for (int attempt = 0; attempt < NETLINK_DUMP_INTR_TRIES; attempt++) {
		bool interrupted = false;
		snap->count = start;
		int r = dump_once(ctx, req, req_len, type, proto, snap, &interrupted, err);
		if (r < 0 || !interrupted)
			return r;
		/* Rows already handed to a sink (a counting consumer) cannot be taken back: keep
		 * them rather than count them twice. */
		if (snap->delivered != delivered) {
			snapshot_add_note(
			    snap, "%s",
			    _("the kernel interrupted the socket dump while sockets "
			      "changed; the counts may miss or repeat a few sockets"));
			return 0;
		}
	}
	/* The sockets changed under the dump every time: keep what came, and say so. */
	netlink_note_inconsistent(snap);
	return 0;
}

static int dump_v2(struct dump_ctx *ctx, int family, int protocol, tcp_state_set states,
                   unsigned char ext, struct snapshot *snap, struct cw_error *err)
{
	struct inet_diag_req_v2 req = sock_diag_req_v2(family, protocol, states, ext);
	return dump_with_retry(ctx, &req, sizeof(req), SOCK_DIAG_BY_FAMILY,
	                       protocol == IPPROTO_TCP ? CONN_TCP : CONN_UDP, snap, err);
}

static int dump_tcp_states(struct dump_ctx *ctx, const struct source_request *r,
                           tcp_state_set states, struct snapshot *snap, struct cw_error *err)
{
	unsigned char ext = r->want_tcp_info ? (1 << (INET_DIAG_INFO - 1)) : 0;
	if (r->ipv4 && r->ipv6) {
		struct inet_diag_req req = sock_diag_req_tcp_both(states, ext);
		size_t start = snap->count;
		int ret =
		    dump_with_retry(ctx, &req, sizeof(req), TCPDIAG_GETSOCK, CONN_TCP, snap, err);
		if (ret == 0)
			return 0;
		if (ret != -EINVAL && ret != -ENOENT && ret != -EOPNOTSUPP &&
		    ret != -EPROTONOSUPPORT)
			return ret;
		snap->count = start; /* legacy request refused: ask per family */
	}
	int ret = 0;
	if (r->ipv4)
		ret = dump_v2(ctx, AF_INET, IPPROTO_TCP, states, ext, snap, err);
	if (ret == 0 && r->ipv6)
		ret = dump_v2(ctx, AF_INET6, IPPROTO_TCP, states, ext, snap, err);
	return ret;
}

static int dump_tcp(struct dump_ctx *ctx, const struct source_request *r, struct snapshot *snap,
                    struct cw_error *err)
{
	tcp_state_set exempt = ctx->bytecode ? r->tcp_states & r->bytecode_exempt : 0;
	int ret = 0;
	if (r->tcp_states & ~exempt)
		ret = dump_tcp_states(ctx, r, r->tcp_states & ~exempt, snap, err);
	if (ret == 0 && exempt) {
		const struct diag_bytecode *bc = ctx->bytecode;
		ctx->bytecode = NULL;
		ret = dump_tcp_states(ctx, r, exempt, snap, err);
		ctx->bytecode = bc;
	}
	return ret;
}

static const tcp_state_set close_wait_bit = TCP_STATE_BIT(TCP_ST_CLOSE_WAIT);

/* CLOSE_WAIT ages without tcp_info on every socket: a CLOSE_WAIT-only dump that carries tcp_info
 * comes first (the kernel serves a state-masked dump cheaply, a tenth of a full one, while
 * tcp_info on every socket costs a fifth more), and lends each socket's age, by inode, to the row
 * of the main dump as it is parsed. Every row comes from the main dump, so a socket that changes
 * state between the two is neither counted twice nor missed (it keeps an unknown age); and rows
 * can stream to a sink, as nothing is patched afterwards. */
static int read_close_wait_ages(struct dump_ctx *ctx, const struct source_request *r,
                                struct inohash *ages, struct cw_error *err)
{
	struct source_request only = *r;
	only.tcp_states = close_wait_bit;
	only.want_tcp_info = true;
	struct snapshot aged;
	snapshot_init(&aged);
	int ret = dump_tcp(ctx, &only, &aged, err);
	if (ret == 0 && inohash_init(ages, aged.count) < 0)
		ret = cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	for (size_t i = 0; ret == 0 && i < aged.count; i++) {
		const struct conn *a = &aged.conns[i];
		if (!a->inode || a->idle_ms == CONN_UNKNOWN_U32)
			continue;
		int32_t ms = a->idle_ms > INT32_MAX ? INT32_MAX : (int32_t)a->idle_ms;
		if (inohash_put(ages, a->inode, ms) < 0)
			ret = cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
	}
	snapshot_free(&aged);
	return ret;
}

/* Every dump one request asks for: TCP (after the CLOSE_WAIT ages when they are wanted), then
 * UDP. */
static int dump_all(struct dump_ctx *ctx, const struct source_request *r, struct snapshot *snap,
                    struct cw_error *err)
{
	int ret = 0;
	struct source_request tcp = *r;
	bool ages = r->close_wait_ages && (r->tcp_states & close_wait_bit) && !r->want_tcp_info;
	if (ages && (ctx->record || !(r->tcp_states & ~close_wait_bit))) {
		/* One dump with tcp_info: a recording then replays with the ages, and a
		 * CLOSE_WAIT-only request needs no second dump. */
		tcp.want_tcp_info = true;
		ages = false;
	}
	struct inohash close_wait_ages = {0};
	if (ages) {
		ret = read_close_wait_ages(ctx, r, &close_wait_ages, err);
		ctx->close_wait_ages = &close_wait_ages;
	}
	if (ret == 0 && tcp.tcp_states)
		ret = dump_tcp(ctx, &tcp, snap, err);
	ctx->close_wait_ages = NULL;
	inohash_free(&close_wait_ages);
	if (ret == 0 && r->udp && r->ipv4)
		ret = dump_v2(ctx, AF_INET, IPPROTO_UDP, TCP_STATES_ALL, 0, snap, err);
	if (ret == 0 && r->udp && r->ipv6)
		ret = dump_v2(ctx, AF_INET6, IPPROTO_UDP, TCP_STATES_ALL, 0, snap, err);
	return ret;
}

/* Drops what a refused attempt wrote to the recording, so that it holds one clean dump. */
static int record_rewind(FILE *record, long at)
{
	if (fflush(record) != 0 || ftruncate(fileno(record), at) != 0 ||
	    fseek(record, at, SEEK_SET) != 0)
		return -EIO;
	return 0;
}

static int netlink_fill(const struct source_request *r, struct snapshot *snap, struct cw_error *err)
{
	struct dump_ctx ctx = {0};
	int ret = 0;
	if (r->record_path) {
		/* O_EXCL: a recording never overwrites a file the user already has. */
		int fd = open(r->record_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0)
			return cw_error_set(err, -errno, _("cannot create recording %s: %s"),
			                    r->record_path, strerror(errno));
		ctx.record = fdopen(fd, "w");
		if (!ctx.record) {
			close(fd);
			return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
		}
	}
	if (r->netns) {
		int fd = netns_socket(r->netns, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
		                      NETLINK_SOCK_DIAG, err);
		if (fd < 0) {
			ret = fd;
			goto out;
		}
		ctx.nl = mnl_socket_fdopen(fd);
		if (!ctx.nl) {
			close(fd);
			ret = cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
			goto out;
		}
	} else {
		ctx.nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	}
	if (!ctx.nl) {
		ret = cw_error_set(err, -errno, _("cannot open a netlink socket: %s"),
		                   strerror(errno));
		goto out;
	}
	if (mnl_socket_bind(ctx.nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = cw_error_set(err, -errno, _("cannot bind the netlink socket: %s"),
		                   strerror(errno));
		goto out;
	}
	ctx.portid = mnl_socket_get_portid(ctx.nl);
	ctx.cancel = r->cancel;
	ctx.seq = (uint32_t)time(NULL);
	snap->source_name = "netlink";
	ctx.bytecode = r->bytecode.len ? &r->bytecode : NULL;
	size_t start = snap->count, delivered = snap->delivered;
	long record_at = ctx.record ? ftell(ctx.record) : 0;
	ret = dump_all(&ctx, r, snap, err);
	if (ret == -EINVAL && ctx.bytecode && snap->delivered == delivered) {
		/* The kernel's audit refused the filter program: ask for everything instead. (The
		 * audit answers before any row, so no row has gone to a counting sink.) */
		ctx.bytecode = NULL;
		snap->count = start;
		if (ctx.record && record_rewind(ctx.record, record_at) < 0)
			ret = cw_error_set(err, -EIO, "%s", _("cannot write the recording"));
		else
			ret = dump_all(&ctx, r, snap, err);
	}
	if (ret == 0 && ctx.record &&
	    netlink_record_write(ctx.record, (int)NETLINK_RECORD_END, "", 0) < 0)
		ret = cw_error_set(err, -EIO, "%s", _("cannot write the recording"));
out:
	if (ctx.nl)
		mnl_socket_close(ctx.nl);
	if (ctx.record && fclose(ctx.record) != 0 && ret == 0)
		ret = cw_error_set(err, -EIO, "%s", _("cannot write the recording"));
	return ret;
}

const struct source_ops source_netlink = {
    .name = "netlink",
    .gives = SOURCE_GIVES_CLOSE_WAIT_AGES,
    .fill = netlink_fill,
};
