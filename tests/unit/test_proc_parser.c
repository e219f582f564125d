#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "source.h"
#include "source_proc.h"
#include "util/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TCP4_LISTEN                                                                                \
	"   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000003 00:00000000 00000000   106        " \
	"0 21398 1 0000000000000000 100 0 0 10 0"
#define TCP4_EST                                                                                   \
	"   1: 3350A8C0:0016 A6463BC4:DF42 01 00000019:00000000 01:00000014 00000000     0        " \
	"0 991 4 0000000000000000 20 4 29 10 -1"
#define TCP6_MAPPED                                                                                \
	"   2: 0000000000000000FFFF00003350A8C0:01BB 0000000000000000FFFF0000107A7D72:A21A 06 "      \
	"00000000:00000000 03:00000BB8 00000000     0        0 0 3 0000000000000000"

static void parses_real_lines(void **state)
{
	(void)state;
	struct conn c;
	char buf[ADDR_ENDPOINT_MAX];
	assert_null(proc_parse_line(TCP4_LISTEN, strlen(TCP4_LISTEN), AF_INET, CONN_TCP, 100, &c));
	addr_format_endpoint(buf, c.family, c.local_addr, c.local_port);
	assert_string_equal(buf, "127.0.0.1:3306");
	assert_int_equal(c.state, TCP_ST_LISTEN);
	assert_int_equal(c.recv_q, 3);
	assert_int_equal(c.send_q, 0);
	assert_int_equal(c.uid, 106);
	assert_int_equal(c.inode, 21398);

	assert_null(proc_parse_line(TCP4_EST, strlen(TCP4_EST), AF_INET, CONN_TCP, 100, &c));
	addr_format_endpoint(buf, c.family, c.local_addr, c.local_port);
	assert_string_equal(buf, "192.168.80.51:22");
	addr_format_endpoint(buf, c.family, c.remote_addr, c.remote_port);
	assert_string_equal(buf, "196.59.70.166:57154");
	assert_int_equal(c.send_q, 25);
	assert_int_equal(c.timer, 1);
	assert_int_equal(c.timer_ms, 200);

	assert_null(proc_parse_line(TCP6_MAPPED, strlen(TCP6_MAPPED), AF_INET6, CONN_TCP, 100, &c));
	addr_format_endpoint(buf, c.family, c.local_addr, c.local_port);
	assert_string_equal(buf, "192.168.80.51:443");
	addr_format_endpoint(buf, c.family, c.remote_addr, c.remote_port);
	assert_string_equal(buf, "114.125.122.16:41498");
	assert_int_equal(c.state, TCP_ST_TIME_WAIT);
	assert_int_equal(c.timer_ms, 30000);
}

static void rejects_malformed_lines(void **state)
{
	(void)state;
	struct conn c;
	static const struct {
		const char *line;
		const char *field;
	} bad[] = {
		{"", "slot"},
		{"   0: 0100007G:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		 "local address"},
		{"   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0",
		 "inode"},
		{"   0: 0100007F:0CEA 00000000:0000 FF 00000000:00000000 00:00000000 00000000 0 0 1",
		 "state"},
		{"   0: 0100007F:0CEA 00000000:0000 00 00000000:00000000 00:00000000 00000000 0 0 1",
		 "state"},
		{"   0: 0100007F:0CEA 00000000:00000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		 "remote address"},
		{"   0: 0100007F:0CEA 00000000:0000 0A 0000000:00000000 00:00000000 00000000 0 0 1",
		 "queues"},
		{"   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000 "
		 "99999999999 0 1",
		 "uid"},
		{"   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 12x",
		 "inode"},
		{"garbage \x1b[2J\x07", "slot"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *field =
			proc_parse_line(bad[i].line, strlen(bad[i].line), AF_INET, CONN_TCP, 100, &c);
		assert_non_null(field);
		assert_string_equal(field, bad[i].field);
	}
	/* an IPv4 line in an IPv6 file */
	assert_non_null(proc_parse_line(TCP4_LISTEN, strlen(TCP4_LISTEN), AF_INET6, CONN_TCP, 100, &c));
	/* every truncation before the inode field is refused, none reads past its end (ASan) */
	size_t inode_at = (size_t)(strstr(TCP4_EST, " 991 ") - TCP4_EST) + 1;
	for (size_t n = 0; n < inode_at; n++) {
		char *copy = malloc(n ? n : 1);
		memcpy(copy, TCP4_EST, n);
		assert_non_null(proc_parse_line(copy, n, AF_INET, CONN_TCP, 100, &c));
		free(copy);
	}
}

/* A capture directory: good lines survive, bad ones are reported as file:line, nothing raw. */
static void proc_root_reports_bad_lines(void **state)
{
	(void)state;
	char dir[] = "/tmp/cw-proc-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/net", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/net/tcp", dir);
	FILE *f = fopen(path, "w");
	fprintf(f, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   "
		   "uid  timeout inode\n%s\n%s\n   9: junk\x1b[31m\n\x01\x02\n%s",
		TCP4_LISTEN, TCP4_EST, TCP4_EST);
	fclose(f);

	struct source_request req = {.tcp_states = TCP_STATES_ALL, .ipv4 = true, .ipv6 = true,
				     .udp = true, .proc_root = dir};
	struct snapshot snap;
	struct cw_error err;
	snapshot_init(&snap);
	assert_int_equal(source_proc.fill(&req, &snap, &err), 0);
	assert_int_equal(snap.count, 3);
	assert_int_equal(snap.skipped, 2);
	assert_int_equal(snap.note_count, 2);
	assert_non_null(strstr(snap.notes[0], "/net/tcp:4:"));
	assert_non_null(strstr(snap.notes[1], "/net/tcp:5:"));
	for (size_t i = 0; i < snap.note_count; i++)
		assert_null(strchr(snap.notes[i], '\x1b'));
	snapshot_free(&snap);

	req.proc_root = "/nonexistent/capture";
	snapshot_init(&snap);
	assert_true(source_proc.fill(&req, &snap, &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent/capture"));
	snapshot_free(&snap);

	unlink(path);
	snprintf(path, sizeof(path), "%s/net", dir);
	rmdir(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_real_lines),
		cmocka_unit_test(rejects_malformed_lines),
		cmocka_unit_test(proc_root_reports_bad_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
