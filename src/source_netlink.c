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
 */
#include "source.h"
#include "source_netlink.h"

#include "sock_diag_req.h"

#include "i18n.h"

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

#define RECV_BUF_SIZE   32768
#define DUMP_INTR_TRIES 3

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
	if (proto == CONN_TCP && m->idiag_state == TCP_ST_LISTEN) {
		/* For listeners the kernel puts the backlog limit in wqueue; netstat shows 0. */
		c->backlog = m->idiag_wqueue;
		c->send_q = 0;
	} else {
		c->send_q = m->idiag_wqueue;
	}
	c->uid = m->idiag_uid;
	c->inode = m->idiag_inode;
	c->idle_ms = CONN_UNKNOWN_U32;
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
static int parse_socket_message(const struct nlmsghdr *nlh, int proto, struct snapshot *snap)
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
	size_t attrs_at = NLMSG_ALIGN(sizeof(m));
	if (proto == CONN_TCP && payload_len > attrs_at)
		conn_add_tcp_info(c, payload + attrs_at, payload_len - attrs_at);
	return 0;
}

int netlink_parse_messages(const void *buf, size_t len, int proto, struct snapshot *snap,
                           struct cw_error *err)
{
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
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			return cw_error_set(err, -EINTR, "%s",
			                    _("socket dump interrupted by a concurrent change"));
		if (nlh->nlmsg_type == NLMSG_DONE)
			return NETLINK_PARSE_DONE;
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
			if (parse_socket_message(nlh, proto, snap) < 0)
				return cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
		}
		nlh = NLMSG_NEXT(nlh, remaining);
	}
	return NETLINK_PARSE_MORE;
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
	FILE *record;
};

/* Sends one dump request; fills snap from the reply. */
static int dump_once(struct dump_ctx *ctx, const void *req, size_t req_len, uint16_t type,
                     int proto, struct snapshot *snap, struct cw_error *err)
{
	char buf[RECV_BUF_SIZE] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	uint32_t seq = (uint32_t)time(NULL);
	nlh->nlmsg_seq = seq;
	memcpy(mnl_nlmsg_put_extra_header(nlh, req_len), req, req_len);

	if (mnl_socket_sendto(ctx->nl, nlh, nlh->nlmsg_len) < 0)
		return cw_error_set(err, -errno, _("cannot send the socket dump request: %s"),
		                    strerror(errno));
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(ctx->nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOSPC)
				return cw_error_set(err, -EBADMSG, "%s",
				                    _("truncated netlink reply from the kernel"));
			return cw_error_set(err, -errno, _("cannot read the socket dump: %s"),
			                    strerror(errno));
		}
		if (n == 0)
			return cw_error_set(err, -EBADMSG, "%s",
			                    _("the kernel closed the socket dump early"));
		if (ctx->record && netlink_record_write(ctx->record, proto, buf, (size_t)n) < 0)
			return cw_error_set(err, -EIO, "%s", _("cannot write the recording"));
		int r = netlink_parse_messages(buf, (size_t)n, proto, snap, err);
		if (r != NETLINK_PARSE_MORE)
			return r;
	}
}

static int dump_with_retry(struct dump_ctx *ctx, const void *req, size_t req_len, uint16_t type,
                           int proto, struct snapshot *snap, struct cw_error *err)
{
	size_t start = snap->count, delivered = snap->delivered;
	int r = -EINTR;
	for (int attempt = 0; attempt < DUMP_INTR_TRIES && r == -EINTR; attempt++) {
		/* Rows already handed to a sink (a counting consumer) cannot be taken back: keep
		 * them rather than count them twice. */
		if (snap->delivered != delivered)
			break;
		snap->count = start;
		r = dump_once(ctx, req, req_len, type, proto, snap, err);
	}
	if (r == -EINTR && snap->delivered != delivered) {
		snapshot_add_note(snap, "%s",
		                  _("the kernel interrupted the socket dump while sockets changed; "
		                    "the counts may miss or repeat a few sockets"));
		return 0;
	}
	if (r == -EINTR) {
		/* The sockets changed under the dump every time: keep what came, and say so. */
		snapshot_add_note(
		    snap, "%s",
		    _("the kernel interrupted the socket dump three times while sockets "
		      "changed; the table may miss or repeat a few sockets"));
		return 0;
	}
	return r;
}

static int dump_v2(struct dump_ctx *ctx, int family, int protocol, tcp_state_set states,
                   unsigned char ext, struct snapshot *snap, struct cw_error *err)
{
	struct inet_diag_req_v2 req = sock_diag_req_v2(family, protocol, states, ext);
	return dump_with_retry(ctx, &req, sizeof(req), SOCK_DIAG_BY_FAMILY,
	                       protocol == IPPROTO_TCP ? CONN_TCP : CONN_UDP, snap, err);
}

static int dump_tcp(struct dump_ctx *ctx, const struct source_request *r, struct snapshot *snap,
                    struct cw_error *err)
{
	unsigned char ext = r->want_tcp_info ? (1 << (INET_DIAG_INFO - 1)) : 0;
	if (r->ipv4 && r->ipv6) {
		struct inet_diag_req req = sock_diag_req_tcp_both(r->tcp_states, ext);
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
		ret = dump_v2(ctx, AF_INET, IPPROTO_TCP, r->tcp_states, ext, snap, err);
	if (ret == 0 && r->ipv6)
		ret = dump_v2(ctx, AF_INET6, IPPROTO_TCP, r->tcp_states, ext, snap, err);
	return ret;
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
	ctx.nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
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
	snap->source_name = "netlink";
	if (r->tcp_states)
		ret = dump_tcp(&ctx, r, snap, err);
	if (ret == 0 && r->udp && r->ipv4)
		ret = dump_v2(&ctx, AF_INET, IPPROTO_UDP, TCP_STATES_ALL, 0, snap, err);
	if (ret == 0 && r->udp && r->ipv6)
		ret = dump_v2(&ctx, AF_INET6, IPPROTO_UDP, TCP_STATES_ALL, 0, snap, err);
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
    .fill = netlink_fill,
};
