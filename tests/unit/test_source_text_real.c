/* Saved netstat and ss output as operators type it (names instead of numbers, -e -p -o columns,
 * UNIX and netlink sections, ss without Netid), captured on a test machine over the same held
 * sockets (tests/fixtures/text/real/capture.sh), read back: every capture gives the same rows
 * as the numeric capture of the same moment, with service names turned into ports. And the
 * hand-written forms of other servers (scopes, cut names, ss users) parse as documented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "i18n.h"
#include "source.h"
#include "source_text.h"
#include "util/addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

/* What a row says apart from host names: the protocol, family, state, ports and queues. */
struct row_key {
	uint8_t proto, family, state;
	uint16_t lport, rport;
	uint32_t recv_q, send_q;
};

struct rows {
	struct row_key k[256];
	size_t n;
	size_t skipped;
	bool names_note, other_note;
};

static int compare_key(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct row_key));
}

static bool has_note(const struct snapshot *snap, const char *part)
{
	for (size_t i = 0; i < snap->note_count; i++)
		if (strstr(snap->notes[i], part))
			return true;
	return false;
}

/* Reads a whole file through the text source, every socket kind wanted. Returns fill's result. */
static int fill_path(const char *path, struct snapshot *snap, struct cw_error *err)
{
	struct source_request req = {.tcp_states = TCP_STATES_ALL,
	                             .udp = true,
	                             .ipv4 = true,
	                             .ipv6 = true,
	                             .input_path = path};
	snapshot_init(snap);
	return source_text.fill(&req, snap, err);
}

/* Reads tests/fixtures/text/real/NAME through the text source. */
static void fill_fixture(const char *name, struct snapshot *snap)
{
	char path[4096];
	const char *dir = getenv("FIXTURES");
	snprintf(path, sizeof(path), "%s/text/real/%s", dir ? dir : "tests/fixtures", name);
	struct cw_error err = {0};
	if (fill_path(path, snap, &err) < 0)
		fail_msg("%s: %s", name, err.msg);
}

/* Loads tests/fixtures/text/real/NAME and keeps the rows that pass `keep`. */
static void load_rows(const char *name, bool (*keep)(const struct conn *), struct rows *out)
{
	struct snapshot snap;
	fill_fixture(name, &snap);
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < snap.count && out->n < 256; i++) {
		const struct conn *c = &snap.conns[i];
		if (keep && !keep(c))
			continue;
		out->k[out->n++] = (struct row_key){.proto = c->proto,
		                                    .family = c->family,
		                                    .state = c->state,
		                                    .lport = c->local_port,
		                                    .rport = c->remote_port,
		                                    .recv_q = c->recv_q,
		                                    .send_q = c->send_q};
	}
	qsort(out->k, out->n, sizeof(out->k[0]), compare_key);
	out->skipped = snap.skipped;
	for (size_t i = 0; i < snap.note_count; i++)
		fprintf(stderr, "# %s: %s\n", name, snap.notes[i]);
	out->names_note = has_note(&snap, "names were read");
	out->other_note = has_note(&snap, "other socket kinds");
	snapshot_free(&snap);
}

static void assert_same_rows(const char *name, const struct rows *got, const struct rows *want)
{
	if (got->n != want->n)
		fail_msg("%s: %zu rows, the numeric capture has %zu", name, got->n, want->n);
	for (size_t i = 0; i < got->n; i++)
		if (compare_key(&got->k[i], &want->k[i]))
			fail_msg("%s: row %zu differs (proto %u state %u ports %u->%u, want %u "
			         "%u %u->%u)",
			         name, i, got->k[i].proto, got->k[i].state, got->k[i].lport,
			         got->k[i].rport, want->k[i].proto, want->k[i].state,
			         want->k[i].lport, want->k[i].rport);
}

static bool listening(const struct conn *c)
{
	return c->state == TCP_ST_LISTEN || (c->proto == CONN_UDP && c->state == TCP_ST_CLOSE);
}

/* What ss shows without -a: neither listeners nor TIME_WAIT and SYN_RECV (ss's SS_CONN). */
static bool connected(const struct conn *c)
{
	return !listening(c) && c->state != TCP_ST_TIME_WAIT && c->state != TCP_ST_SYN_RECV;
}

static bool is_tcp(const struct conn *c)
{
	return c->proto == CONN_TCP;
}

static bool is_udp(const struct conn *c)
{
	return c->proto == CONN_UDP;
}

static void netstat_with_names_equals_numeric(void **state)
{
	(void)state;
	struct rows want, got;
	load_rows("netstat-ntua.txt", NULL, &want);
	assert_int_equal(want.skipped, 0);
	assert_false(want.names_note);
	assert_int_equal(want.n, 26);
	const char *named[] = {"netstat-tua.txt", "netstat-tuae.txt", "netstat-tuap.txt",
	                       "netstat-tuao.txt", "netstat-a.txt"};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		load_rows(named[i], NULL, &got);
		assert_int_equal(got.skipped, 0);
		assert_true(got.names_note);
		assert_same_rows(named[i], &got, &want);
	}
	load_rows("netstat-a.txt", NULL, &got);
	assert_true(got.other_note); /* the UNIX section: one note, no "malformed" line */
}

static void ss_with_names_equals_numeric(void **state)
{
	(void)state;
	struct rows want, got;
	load_rows("ss-tanu.txt", NULL, &want);
	assert_int_equal(want.skipped, 0);
	assert_int_equal(want.n, 26);
	const char *named[] = {"ss-a.txt", "ss-tua.txt", "ss-tuap.txt"};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		load_rows(named[i], NULL, &got);
		assert_int_equal(got.skipped, 0);
		assert_true(got.names_note);
		assert_same_rows(named[i], &got, &want);
	}
	load_rows("ss-a.txt", NULL, &got);
	assert_true(got.other_note); /* nl, u_str and ss's own RTNETLINK complaint */

	/* The same sockets as netstat saw them. */
	struct rows netstat;
	load_rows("netstat-ntua.txt", NULL, &netstat);
	assert_same_rows("ss-tanu.txt", &want, &netstat);
}

static void ss_subsets_equal_the_numeric_subsets(void **state)
{
	(void)state;
	struct rows want, got;
	load_rows("ss-tanu.txt", listening, &want);
	load_rows("ss-tulpen.txt", NULL, &got);
	assert_int_equal(got.skipped, 0);
	assert_same_rows("ss-tulpen.txt", &got, &want);

	load_rows("ss-tanu.txt", connected, &want);
	load_rows("ss-e.txt", is_tcp, &got); /* ss -e shows every kind: keep TCP and UDP */
	struct rows udp;
	load_rows("ss-e.txt", is_udp, &udp);
	for (size_t i = 0; i < udp.n; i++)
		got.k[got.n++] = udp.k[i];
	qsort(got.k, got.n, sizeof(got.k[0]), compare_key);
	assert_same_rows("ss-e.txt", &got, &want);

	/* Without a Netid column the protocol comes from the table: connected UDP is UDP. */
	load_rows("ss-tanu.txt", is_udp, &want);
	load_rows("ss-uan.txt", NULL, &got);
	assert_int_equal(got.skipped, 0);
	assert_same_rows("ss-uan.txt", &got, &want);
	load_rows("ss-tanu.txt", is_tcp, &want);
	load_rows("ss-tan.txt", NULL, &got);
	assert_same_rows("ss-tan.txt", &got, &want);
}

/* netstat -p and ss -p name each socket's process: the rows carry it (conn.owner, a handle
 * in snapshot.owners) where the capture shows one, and none where it shows "-" or nothing
 * (TIME_WAIT, the orphaned FIN_WAIT2). */
static void owners_of_netstat_p_and_ss_p(void **state)
{
	(void)state;
	const struct {
		const char *file;
		size_t owned;
	} cases[] = {{"netstat-tuap.txt", 22},
	             {"ss-tuap.txt", 22},
	             {"ss-tulpen.txt", 10},
	             {"netstat-tua.txt", 0},
	             {"ss-e.txt", 0}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct snapshot snap;
		fill_fixture(cases[i].file, &snap);
		size_t owned = 0;
		for (size_t j = 0; j < snap.count; j++) {
			const struct conn *c = &snap.conns[j];
			if (!c->owner) {
				assert_true(c->state == TCP_ST_TIME_WAIT ||
				            c->state == TCP_ST_FIN_WAIT2 || !cases[i].owned);
				continue;
			}
			const struct pidnames_entry *e = pidnames_get(snap.owners, c->owner);
			assert_non_null(e);
			assert_int_equal(e->pid, 25012);
			assert_string_equal(e->name, "python3");
			owned++;
		}
		if (owned != cases[i].owned)
			fail_msg("%s: %zu rows with a process, want %zu", cases[i].file, owned,
			         cases[i].owned);
		if (!cases[i].owned)
			assert_null(snap.owners);
		snapshot_free(&snap);
	}
}

/* Parses one line with names and services allowed. */
static enum text_line_kind parse(const char *line, struct text_row *row, struct snapshot *snap,
                                 struct text_context *ctx)
{
	struct text_problem why;
	assert_ptr_equal(ctx->snap, snap);
	return text_parse_line(ctx, line, strlen(line), row, &why);
}

static void endpoint_text(const struct text_row *row, bool remote, char *buf)
{
	conn_format_endpoint(buf, &row->c, remote);
}

static void forms_of_other_servers(void **state)
{
	(void)state;
	struct snapshot snap;
	struct text_context ctx;
	struct text_row row;
	char ep[ADDR_ENDPOINT_MAX];
	snapshot_init(&snap);
	text_context_init(&ctx, &snap);

	/* Scope suffixes: dropped, the address and the service's port kept. */
	assert_int_equal(
	    parse("udp        0      0 127.0.0.53%lo:domain    0.0.0.0:*", &row, &snap, &ctx),
	    TEXT_ROW);
	endpoint_text(&row, false, ep);
	assert_string_equal(ep, "127.0.0.53:53");
	assert_int_equal(
	    parse("udp        0      0 192.168.71.131%ens33:bootpc 0.0.0.0:*", &row, &snap, &ctx),
	    TEXT_ROW);
	endpoint_text(&row, false, ep);
	assert_string_equal(ep, "192.168.71.131:68");
	assert_int_equal(parse("udp   ESTAB 0 0 [fe80::9cc5:aeff:fec5:34ae]%eth0:123 "
	                       "[fe80::1]%eth0:123",
	                       &row, &snap, &ctx),
	                 TEXT_ROW);
	assert_int_equal(row.c.family, AF_INET6);
	endpoint_text(&row, false, ep);
	assert_string_equal(ep, "fe80::9cc5:aeff:fec5:34ae:123");
	assert_int_equal(parse("icmp6 UNCONN 0 0 *%ens33:ipv6-icmp *:*", &row, &snap, &ctx),
	                 TEXT_OTHER_KIND);

	/* Names, also cut by netstat to its column, kept as printed. */
	assert_int_equal(parse("tcp        0      0 kbrazil-ubuntu:ssh      "
	                       "localhost.localdoma:ssh ESTABLISHED",
	                       &row, &snap, &ctx),
	                 TEXT_ROW);
	assert_int_equal(row.c.flags, CONN_LOCAL_NAMED | CONN_REMOTE_NAMED);
	assert_int_equal(row.c.local_port, 22);
	endpoint_text(&row, true, ep);
	assert_string_equal(ep, "localhost.localdoma:22");
	assert_int_equal(
	    parse("tcp        0      0 localhost.localdo:3     localhost:38134         "
	          "TIME_WAIT",
	          &row, &snap, &ctx),
	    TEXT_ROW);
	assert_int_equal(row.c.local_port, 3);
	assert_int_equal(row.c.remote_port, 38134);
	assert_string_equal(addr_name(row.c.remote_addr), "localhost");
	const char *first = addr_name(row.c.remote_addr);
	assert_int_equal(
	    parse("tcp 0 0 localhost:smtp localhost:45000 ESTABLISHED", &row, &snap, &ctx),
	    TEXT_ROW);
	assert_ptr_equal(addr_name(row.c.local_addr), first); /* one name, one key */
	assert_int_equal(parse("tcp6       0      0 [::]:ssh                [::]:*                 "
	                       " LISTEN",
	                       &row, &snap, &ctx),
	                 TEXT_ROW);
	assert_int_equal(row.c.flags, 0);
	assert_int_equal(row.c.local_port, 22);
	assert_int_equal(
	    parse("udp        0      0 *:bootpc                *:*", &row, &snap, &ctx), TEXT_ROW);
	assert_int_equal(row.c.local_port, 68);
	/* A service this machine does not know stays a name. */
	assert_int_equal(
	    parse("tcp 0 0 10.0.0.1:no-such-service 10.0.0.2:80 ESTABLISHED", &row, &snap, &ctx),
	    TEXT_ROW);
	endpoint_text(&row, false, ep);
	assert_string_equal(ep, "10.0.0.1:no-such-service");
	/* All-numeric is a bad address, not a name; a name with other bytes is not a name. */
	assert_int_equal(parse("tcp 0 0 999.1.1.1:80 1.2.3.4:5 ESTABLISHED", &row, &snap, &ctx),
	                 TEXT_BAD);
	assert_int_equal(parse("tcp 0 0 evil\x1b[2J:80 1.2.3.4:5 ESTABLISHED", &row, &snap, &ctx),
	                 TEXT_BAD);

	/* Extra columns: pid, program, uid, inode where shown. */
	ctx.netstat_columns = 0;
	assert_int_equal(
	    parse("Proto Recv-Q Send-Q Local Address           Foreign Address         State    "
	          "   User       Inode      PID/Program name    Timer",
	          &row, &snap, &ctx),
	    TEXT_IGNORED);
	assert_int_equal(ctx.netstat_columns,
	                 TEXT_COL_USER | TEXT_COL_INODE | TEXT_COL_PID | TEXT_COL_TIMER);
	assert_int_equal(
	    parse("tcp        0      0 0.0.0.0:22              0.0.0.0:*               "
	          "LISTEN      0          18342      812/sshd             off "
	          "(0.00/0/0)",
	          &row, &snap, &ctx),
	    TEXT_ROW);
	assert_int_equal(row.c.uid, 0);
	assert_int_equal(row.c.inode, 18342);
	assert_int_equal(row.pid, 812);
	assert_string_equal(row.program, "sshd");
	assert_int_equal(
	    parse("udp        0      0 0.0.0.0:68              0.0.0.0:*               "
	          "           systemd-network 2045  640/systemd-network",
	          &row, &snap, &ctx),
	    TEXT_ROW);
	assert_int_equal(row.c.uid, CONN_UNKNOWN_U32); /* a user name belongs to that machine */
	assert_int_equal(row.c.inode, 2045);
	assert_int_equal(row.pid, 640);
	assert_int_equal(parse("tcp   LISTEN 0 128 0.0.0.0:22 0.0.0.0:* "
	                       "users:((\"sshd: a b\",pid=1,fd=3)) uid:1000 ino:4242 sk:1 cgroup:/ "
	                       "<->",
	                       &row, &snap, &ctx),
	                 TEXT_ROW);
	assert_int_equal(row.pid, 1);
	assert_string_equal(row.program, "sshd: a b");
	assert_int_equal(row.c.uid, 1000);
	assert_int_equal(row.c.inode, 4242);
	assert_int_equal(row.c.backlog, 128);

	text_context_free(&ctx);
	snapshot_free(&snap);
}

/* What else netstat and ss print around the TCP/UDP rows on other servers, pasted with 2>&1:
 * netstat -p's notice without root (two lines, or one), its Bluetooth section, ss's TIPC and
 * vsock netids and the detail lines under them. Skipped quietly: no malformed line, one note
 * counting the other kinds, the rows all read. */
static void noise_of_real_servers_is_skipped_quietly(void **state)
{
	(void)state;
	static const char text[] =
	    "(Not all processes could be identified, non-owned process info\n"
	    " will not be shown, you would have to be root to see it all.)\n"
	    "Active Internet connections (servers and established)\n"
	    "Proto Recv-Q Send-Q Local Address           Foreign Address         State       "
	    "PID/Program name\n"
	    "tcp        0      0 localhost:smtp          0.0.0.0:*               LISTEN      -\n"
	    "tcp        0      0 localhost:38134         localhost:http          ESTABLISHED "
	    "2211/curl\n"
	    "netstat: no support for `AF IPX' on this system.\n"
	    "Active Bluetooth connections (servers and established)\n"
	    "Proto  Destination       Source            State         PSM DCID   SCID      IMTU    "
	    "OMTU Security\n"
	    "l2cap  00:00:00:00:00:00 11:22:33:44:55:66 LISTEN        1   0x0000 0x0040    672     "
	    "0    LOW\n"
	    "Proto  Destination       Source            State     Channel\n"
	    "rfcomm 00:00:00:00:00:00 11:22:33:44:55:66 LISTEN    1\n"
	    "(No info could be read for \"-p\": geteuid()=1000 but you should be root.)\n"
	    "Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
	    "ti_st LISTEN 0      0                 1.2.3:4            *\n"
	    "v_str LISTEN 0      0                 *:1234             *:*\n"
	    "v_seq ESTAB  0      0                 3:1234             2:5678\n"
	    "sctp  LISTEN 0      128         0.0.0.0:9999       0.0.0.0:*\n"
	    "\t skmem:(r0,rb212992,t0,tb212992,f0,w0,o0,bl0,d0) locals:10.0.0.1\n"
	    "???   UNCONN 0      0                 *:*                *:*\n"
	    "udp   UNCONN 0      0           *%ens33:bootpc          *:*\n";
	struct source_request req = {
	    .tcp_states = TCP_STATES_ALL, .udp = true, .ipv4 = true, .ipv6 = true};
	struct snapshot snap;
	snapshot_init(&snap);
	assert_int_equal(text_parse_buffer("noise", text, sizeof(text) - 1, &req, NULL, &snap), 0);
	for (size_t i = 0; i < snap.note_count; i++)
		fprintf(stderr, "# %s\n", snap.notes[i]);
	assert_int_equal(snap.skipped, 0);
	assert_int_equal(snap.count, 3);
	assert_true(has_note(&snap, "names were read"));
	assert_true(
	    has_note(&snap, "other socket kinds (UNIX, raw, netlink...) skipped, lines: 8"));
	assert_int_equal(snap.note_count, 2);
	snapshot_free(&snap);
}

static void no_connection_line_is_an_error(void **state)
{
	(void)state;
	const char *inputs[] = {"", "hello\n",
	                        "Ip:\n    Forwarding: 1\n    12345 total packets received\n"};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		char path[] = "/tmp/connwatch-text-XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, inputs[i], strlen(inputs[i])),
		                 (ssize_t)strlen(inputs[i]));
		close(fd);
		struct snapshot snap;
		struct cw_error err = {0};
		assert_int_equal(fill_path(path, &snap, &err), -ENODATA);
		assert_non_null(strstr(err.msg, "no connection lines found in"));
		assert_non_null(strstr(err.msg, path));
		snapshot_free(&snap);
		unlink(path);
	}
}

int main(void)
{
	i18n_init("en");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(netstat_with_names_equals_numeric),
	    cmocka_unit_test(ss_with_names_equals_numeric),
	    cmocka_unit_test(ss_subsets_equal_the_numeric_subsets),
	    cmocka_unit_test(owners_of_netstat_p_and_ss_p),
	    cmocka_unit_test(forms_of_other_servers),
	    cmocka_unit_test(noise_of_real_servers_is_skipped_quietly),
	    cmocka_unit_test(no_connection_line_is_an_error),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	i18n_cleanup();
	return r;
}
