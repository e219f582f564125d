#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "netlink_build.h"
#include "source_netlink.h"
#include "states.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <string.h>

static void parses_a_dump(void **state)
{
	(void)state;
	struct reply r = {.len = 0};
	add_sock(&r, AF_INET, "127.0.0.1", 3306, "127.0.0.1", 47308, TCP_ST_ESTABLISHED, 1, 2, 0);
	add_sock(&r, AF_INET6, "::", 80, "::", 0, TCP_ST_LISTEN, 3, 128, 0);
	add_sock(&r, AF_INET6, "::ffff:10.0.0.1", 80, "::ffff:10.0.0.2", 4000, TCP_ST_SYN_RECV, 0,
	         0, 0);
	struct snapshot s;
	struct cw_error err;
	snapshot_init(&s);
	assert_int_equal(netlink_parse_messages(r.buf, r.len, CONN_TCP, &s, &err),
	                 NETLINK_PARSE_MORE);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.conns[0].local_port, 3306);
	assert_int_equal(s.conns[0].remote_port, 47308);
	assert_int_equal(s.conns[0].recv_q, 1);
	assert_int_equal(s.conns[0].send_q, 2);
	assert_int_equal(s.conns[0].inode, 4242);
	assert_int_equal(s.conns[0].uid, 1000);
	/* a listener's wqueue is its backlog; netstat shows Send-Q 0 */
	assert_int_equal(s.conns[1].send_q, 0);
	assert_int_equal(s.conns[1].backlog, 128);
	assert_int_equal(s.conns[1].recv_q, 3);
	assert_int_equal(s.conns[2].state, TCP_ST_SYN_RECV);

	struct reply d = {.len = 0};
	add_done(&d);
	assert_int_equal(netlink_parse_messages(d.buf, d.len, CONN_TCP, &s, &err),
	                 NETLINK_PARSE_DONE);
	snapshot_free(&s);
}

static void reports_truncation_error_and_interruption(void **state)
{
	(void)state;
	struct reply r = {.len = 0};
	add_sock(&r, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, TCP_ST_ESTABLISHED, 0, 0, 0);
	struct snapshot s;
	struct cw_error err;
	snapshot_init(&s);
	/* cut anywhere inside the message */
	for (size_t cut = 1; cut < r.len; cut++)
		assert_int_equal(netlink_parse_messages(r.buf, cut, CONN_TCP, &s, &err), -EBADMSG);
	assert_int_equal(s.count, 0);

	struct reply i = {.len = 0};
	add_sock(&i, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, TCP_ST_ESTABLISHED, 0, 0,
	         NLM_F_DUMP_INTR);
	assert_int_equal(netlink_parse_messages(i.buf, i.len, CONN_TCP, &s, &err), -EINTR);

	struct reply e = {.len = 0};
	struct nlmsghdr *h = (struct nlmsghdr *)e.buf;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr));
	h->nlmsg_type = NLMSG_ERROR;
	struct nlmsgerr *ne = NLMSG_DATA(h);
	memset(ne, 0, sizeof(*ne));
	ne->error = -EPERM;
	e.len = NLMSG_SPACE(sizeof(struct nlmsgerr));
	assert_int_equal(netlink_parse_messages(e.buf, e.len, CONN_TCP, &s, &err), -EPERM);
	assert_non_null(strstr(err.msg, "refused"));
	/* an error code that is no errno (INT_MIN cannot be negated) is a protocol error */
	ne->error = INT32_MIN;
	assert_int_equal(netlink_parse_messages(e.buf, e.len, CONN_TCP, &s, &err), -EPROTO);
	ne->error = 5;
	assert_int_equal(netlink_parse_messages(e.buf, e.len, CONN_TCP, &s, &err), -EPROTO);

	/* a socket message too short to hold inet_diag_msg is skipped and noted */
	struct reply sh = {.len = 0};
	h = (struct nlmsghdr *)sh.buf;
	h->nlmsg_len = NLMSG_LENGTH(8);
	h->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	sh.len = NLMSG_SPACE(8);
	assert_int_equal(netlink_parse_messages(sh.buf, sh.len, CONN_TCP, &s, &err),
	                 NETLINK_PARSE_MORE);
	assert_int_equal(s.skipped, 1);
	assert_int_equal(s.count, 0);

	/* a length of 2 GiB or more must not pass as a negative int (the fuzzer's first find) */
	static const uint32_t huge[] = {0x80000000u, 0xfffffff0u, 0xffffffffu};
	for (size_t k = 0; k < sizeof(huge) / sizeof(huge[0]); k++) {
		struct reply hg = {.len = 0};
		add_sock(&hg, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, TCP_ST_ESTABLISHED, 0, 0, 0);
		((struct nlmsghdr *)hg.buf)->nlmsg_len = huge[k];
		assert_int_equal(netlink_parse_messages(hg.buf, hg.len, CONN_TCP, &s, &err),
		                 -EBADMSG);
	}
	/* a length shorter than the header itself is truncation too, not an endless loop */
	struct reply z = {.len = 0};
	add_sock(&z, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, TCP_ST_ESTABLISHED, 0, 0, 0);
	((struct nlmsghdr *)z.buf)->nlmsg_len = 0;
	assert_int_equal(netlink_parse_messages(z.buf, z.len, CONN_TCP, &s, &err), -EBADMSG);
	assert_int_equal(s.count, 0);
	snapshot_free(&s);
}

/* The kernel appends attributes to every message; tcp_info's last_data_recv is read only from
 * INET_DIAG_INFO, and a lying attribute length stops the walk without reading past the message. */
static void reads_tcp_info_among_attributes(void **state)
{
	(void)state;
	struct reply r = {.len = 0};
	uint8_t shutdown_bits = 0;
	struct tcp_info ti;
	memset(&ti, 0, sizeof(ti));
	ti.tcpi_last_data_recv = 1234;
	add_sock(&r, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, TCP_ST_ESTABLISHED, 0, 0, 0);
	add_attr(&r, INET_DIAG_SHUTDOWN, &shutdown_bits, 1, 0);
	add_attr(&r, INET_DIAG_INFO, &ti, sizeof(ti), 0);
	add_sock(&r, AF_INET, "127.0.0.1", 3, "127.0.0.1", 4, TCP_ST_ESTABLISHED, 0, 0, 0);
	add_attr(&r, INET_DIAG_SHUTDOWN, &shutdown_bits, 1, 0);
	add_sock(&r, AF_INET, "127.0.0.1", 5, "127.0.0.1", 6, TCP_ST_ESTABLISHED, 0, 0, 0);
	add_attr(&r, INET_DIAG_SHUTDOWN, &shutdown_bits, 1, 200); /* claims more than is there */
	add_sock(&r, AF_INET, "127.0.0.1", 7, "127.0.0.1", 8, TCP_ST_ESTABLISHED, 0, 0, 0);
	add_attr(&r, INET_DIAG_INFO, &ti, 8, 0); /* too short to hold last_data_recv */
	struct snapshot s;
	struct cw_error err;
	snapshot_init(&s);
	assert_int_equal(netlink_parse_messages(r.buf, r.len, CONN_TCP, &s, &err),
	                 NETLINK_PARSE_MORE);
	assert_int_equal(s.count, 4);
	assert_int_equal(s.conns[0].idle_ms, 1234);
	assert_int_equal(s.conns[1].idle_ms, CONN_UNKNOWN_U32);
	assert_int_equal(s.conns[2].idle_ms, CONN_UNKNOWN_U32);
	assert_int_equal(s.conns[2].remote_port, 6);
	assert_int_equal(s.conns[3].idle_ms, CONN_UNKNOWN_U32);

	/* A listener's backlog shares its four bytes with idle_ms: tcp_info (asked for the whole
	 * dump) must not overwrite it. */
	struct reply l = {.len = 0};
	add_sock(&l, AF_INET, "0.0.0.0", 80, "0.0.0.0", 0, TCP_ST_LISTEN, 0, 4096, 0);
	add_attr(&l, INET_DIAG_INFO, &ti, sizeof(ti), 0);
	snapshot_clear(&s);
	assert_int_equal(netlink_parse_messages(l.buf, l.len, CONN_TCP, &s, &err),
	                 NETLINK_PARSE_MORE);
	assert_int_equal(s.count, 1);
	assert_int_equal(conn_backlog(&s.conns[0]), 4096);
	assert_int_equal(s.conns[0].send_q, 0);
	snapshot_free(&s);
}

/* A dump as the live source reads it (iproute2's rules): replies to another request or socket
 * are skipped, an interrupted dump is read on to NLMSG_DONE and flagged, and an error carried in
 * NLMSG_DONE is an error. */
static void reads_a_dump_like_iproute2(void **state)
{
	(void)state;
	struct snapshot s;
	struct cw_error err;
	snapshot_init(&s);
	struct reply r = {.len = 0};
	add_sock(&r, AF_INET, "127.0.0.1", 1, "127.0.0.1", 2, TCP_ST_ESTABLISHED, 0, 0, 0);
	reply_set_ids(&r, 41, 4711); /* a late reply to the request before */
	struct reply mine = {.len = 0};
	add_sock(&mine, AF_INET, "127.0.0.1", 3, "127.0.0.1", 4, TCP_ST_ESTABLISHED, 0, 0,
	         NLM_F_DUMP_INTR);
	add_sock(&mine, AF_INET, "127.0.0.1", 5, "127.0.0.1", 6, TCP_ST_ESTABLISHED, 0, 0, 0);
	reply_set_ids(&mine, 42, 4711);
	struct reply other_port = {.len = 0};
	add_sock(&other_port, AF_INET, "127.0.0.1", 7, "127.0.0.1", 8, TCP_ST_ESTABLISHED, 0, 0, 0);
	reply_set_ids(&other_port, 42, 999);
	struct netlink_dump d = {.seq = 42, .portid = 4711, .ids_known = true};
	assert_int_equal(netlink_parse_dump(r.buf, r.len, CONN_TCP, &d, &s, &err),
	                 NETLINK_PARSE_MORE);
	assert_int_equal(netlink_parse_dump(mine.buf, mine.len, CONN_TCP, &d, &s, &err),
	                 NETLINK_PARSE_MORE);
	assert_int_equal(netlink_parse_dump(other_port.buf, other_port.len, CONN_TCP, &d, &s, &err),
	                 NETLINK_PARSE_MORE);
	assert_int_equal(d.foreign, 2);
	assert_true(d.interrupted); /* flagged, and read on */
	assert_int_equal(s.count, 2);
	assert_int_equal(s.conns[0].local_port, 3);
	assert_int_equal(s.conns[1].local_port, 5);
	struct reply done = {.len = 0};
	add_done_code(&done, 0, 0);
	reply_set_ids(&done, 42, 4711);
	assert_int_equal(netlink_parse_dump(done.buf, done.len, CONN_TCP, &d, &s, &err),
	                 NETLINK_PARSE_DONE);

	struct reply failed = {.len = 0};
	add_done_code(&failed, -ENOBUFS, 0);
	struct netlink_dump d2 = {0};
	assert_int_equal(netlink_parse_dump(failed.buf, failed.len, CONN_TCP, &d2, &s, &err),
	                 -ENOBUFS);
	assert_non_null(strstr(err.msg, "ended the socket dump with an error"));
	/* a DONE too short to carry its code is truncated */
	((struct nlmsghdr *)failed.buf)->nlmsg_len = NLMSG_HDRLEN;
	assert_int_equal(netlink_parse_dump(failed.buf, NLMSG_HDRLEN, CONN_TCP, &d2, &s, &err),
	                 -EBADMSG);
	snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_a_dump),
	    cmocka_unit_test(reports_truncation_error_and_interruption),
	    cmocka_unit_test(reads_tcp_info_among_attributes),
	    cmocka_unit_test(reads_a_dump_like_iproute2),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
