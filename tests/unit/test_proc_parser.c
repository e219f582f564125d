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
	"   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000003 00:00000000 00000000   106       " \
	" "                                                                                        \
	"0 21398 1 0000000000000000 100 0 0 10 0"
#define TCP4_EST                                                                                   \
	"   1: 3350A8C0:0016 A6463BC4:DF42 01 00000019:00000000 01:00000014 00000000     0       " \
	" "                                                                                        \
	"0 991 4 0000000000000000 20 4 29 10 -1"
#define TCP6_MAPPED                                                                                \
	"   2: 0000000000000000FFFF00003350A8C0:01BB 0000000000000000FFFF0000107A7D72:A21A 06 "    \
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

	assert_null(proc_parse_line(TCP6_MAPPED, strlen(TCP6_MAPPED), AF_INET6, CONN_TCP, 100, &c));
	addr_format_endpoint(buf, c.family, c.local_addr, c.local_port);
	assert_string_equal(buf, "192.168.80.51:443");
	addr_format_endpoint(buf, c.family, c.remote_addr, c.remote_port);
	assert_string_equal(buf, "114.125.122.16:41498");
	assert_int_equal(c.state, TCP_ST_TIME_WAIT);
	assert_int_equal(c.timer, 3); /* TIME_WAIT timer */
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
	assert_non_null(
	    proc_parse_line(TCP4_LISTEN, strlen(TCP4_LISTEN), AF_INET6, CONN_TCP, 100, &c));
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
	fprintf(f,
	        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   "
	        "uid  timeout inode\n%s\n%s\n   9: junk\x1b[31m\n\x01\x02\n%s",
	        TCP4_LISTEN, TCP4_EST, TCP4_EST);
	fclose(f);

	struct source_request req = {.tcp_states = TCP_STATES_ALL,
	                             .ipv4 = true,
	                             .ipv6 = true,
	                             .udp = true,
	                             .proc_root = dir};
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

/* Writes content to DIR/net/NAME (DIR made on first use) and reads the capture back. */
struct capture {
	char dir[32];
	struct snapshot snap;
	struct cw_error err;
	int ret;
};

static void capture_write(struct capture *cap, const char *name, const char *content, size_t len)
{
	if (!cap->dir[0]) {
		snprintf(cap->dir, sizeof(cap->dir), "/tmp/cw-proc-XXXXXX");
		assert_non_null(mkdtemp(cap->dir));
		char net[64];
		snprintf(net, sizeof(net), "%s/net", cap->dir);
		assert_int_equal(mkdir(net, 0755), 0);
	}
	char path[96];
	snprintf(path, sizeof(path), "%s/net/%s", cap->dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(content, 1, len, f), len);
	fclose(f);
}

static void capture_read(struct capture *cap)
{
	struct source_request req = {.tcp_states = TCP_STATES_ALL,
	                             .ipv4 = true,
	                             .ipv6 = true,
	                             .udp = true,
	                             .proc_root = cap->dir};
	snapshot_init(&cap->snap);
	cap->ret = source_proc.fill(&req, &cap->snap, &cap->err);
}

/* Reads the capture and checks that it succeeded with these many rows and skipped lines. */
static void capture_expect(struct capture *cap, size_t rows, size_t skipped)
{
	capture_read(cap);
	assert_int_equal(cap->ret, 0);
	assert_int_equal(cap->snap.count, rows);
	assert_int_equal(cap->snap.skipped, skipped);
}

static void capture_free(struct capture *cap)
{
	snapshot_free(&cap->snap);
	static const char *const names[] = {"tcp", "tcp6", "udp", "udp6"};
	char path[96];
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/net/%s", cap->dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/net", cap->dir);
	rmdir(path);
	rmdir(cap->dir);
	memset(cap, 0, sizeof(*cap));
}

#define HEADER                                                                                     \
	"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "      \
	"timeout inode\n"

static bool note_has(const struct snapshot *s, const char *text)
{
	for (size_t i = 0; i < s->note_count; i++)
		if (strstr(s->notes[i], text))
			return true;
	return false;
}

/* netstat skips the first line without looking at it; connwatch skips it only when it is the
 * header, so a capture whose header was lost keeps its first socket. */
static void missing_header_keeps_the_first_row(void **state)
{
	(void)state;
	struct capture cap = {0};
	const char text[] = TCP4_LISTEN "\n" TCP4_EST "\n";
	capture_write(&cap, "tcp", text, sizeof(text) - 1);
	capture_expect(&cap, 2, 0);
	capture_free(&cap);

	/* header only: no rows, nothing reported */
	capture_write(&cap, "tcp", HEADER, strlen(HEADER));
	capture_read(&cap);
	assert_int_equal(cap.ret, 0);
	assert_int_equal(cap.snap.count, 0);
	assert_int_equal(cap.snap.note_count, 0);
	capture_free(&cap);

	/* an empty file: the kernel always writes the header, so it is a note naming the file */
	capture_write(&cap, "tcp", HEADER, strlen(HEADER));
	capture_write(&cap, "udp", "", 0);
	capture_read(&cap);
	assert_int_equal(cap.ret, 0);
	assert_int_equal(cap.snap.count, 0);
	assert_int_equal(cap.snap.skipped, 1);
	assert_int_equal(cap.snap.note_count, 1);
	assert_non_null(strstr(cap.snap.notes[0], "/net/udp: empty file"));
	capture_free(&cap);
}

/* A complete last line without its newline is a row; a last line cut inside a field is reported
 * with its line number. */
static void last_line_without_newline(void **state)
{
	(void)state;
	struct capture cap = {0};
	const char whole[] = HEADER TCP4_LISTEN "\n" TCP4_EST;
	capture_write(&cap, "tcp", whole, sizeof(whole) - 1);
	capture_expect(&cap, 2, 0);
	capture_free(&cap);

	char cut[512];
	int n = snprintf(cut, sizeof(cut), "%s%s\n%.40s", HEADER, TCP4_LISTEN, TCP4_EST);
	capture_write(&cap, "tcp", cut, (size_t)n);
	capture_expect(&cap, 1, 1);
	assert_true(note_has(&cap.snap, "/net/tcp:3: "));
	capture_free(&cap);
}

/* Lines longer than PROC_LINE_MAX (a valid line padded out, and a megabyte of junk) and lines
 * with NUL bytes or control characters are skipped and named; the good rows around them stay. */
static void long_lines_and_binary_junk(void **state)
{
	(void)state;
	struct capture cap = {0};
	size_t junk_len = 1u << 20;
	size_t cap_len = junk_len + 16384;
	char *text = malloc(cap_len);
	assert_non_null(text);
	size_t len = (size_t)snprintf(text, cap_len, "%s%s\n", HEADER, TCP4_LISTEN);
	/* line 3: a valid line followed by PROC_LINE_MAX blanks */
	len += (size_t)snprintf(text + len, cap_len - len, "%s", TCP4_EST);
	memset(text + len, ' ', PROC_LINE_MAX);
	len += PROC_LINE_MAX;
	text[len++] = '\n';
	/* line 4: a megabyte of junk with every byte value except newline */
	for (size_t i = 0; i < junk_len; i++)
		text[len + i] = (char)(i % 255 == '\n' ? 'x' : i % 255);
	len += junk_len;
	text[len++] = '\n';
	/* line 5: a real line with a NUL in the middle */
	size_t at = len;
	len += (size_t)snprintf(text + len, cap_len - len, "%s\n", TCP4_EST);
	text[at + 20] = '\0';
	/* line 6: terminal escapes */
	len += (size_t)snprintf(text + len, cap_len - len, "\x1b[2J\x1b]0;title\x07\n");
	/* line 7: good */
	len += (size_t)snprintf(text + len, cap_len - len, "%s\n", TCP4_EST);
	capture_write(&cap, "tcp", text, len);
	free(text);
	capture_expect(&cap, 2, 4);
	assert_true(note_has(&cap.snap, "/net/tcp:3: malformed line (length)"));
	assert_true(note_has(&cap.snap, "/net/tcp:4: malformed line (length)"));
	assert_true(note_has(&cap.snap, "/net/tcp:5: malformed line (binary data)"));
	assert_true(note_has(&cap.snap, "/net/tcp:6: malformed line (slot)"));
	for (size_t i = 0; i < cap.snap.note_count; i++)
		for (const char *p = cap.snap.notes[i]; *p; p++)
			assert_false((unsigned char)*p < 0x20 || *p == 0x7f);
	capture_free(&cap);
}

/* IPv4 lines in tcp6/udp6 and IPv6 lines in tcp/udp are malformed, never misread. */
static void family_mismatch_is_reported(void **state)
{
	(void)state;
	struct capture cap = {0};
	const char v6_with_v4[] = HEADER TCP4_LISTEN "\n" TCP6_MAPPED "\n";
	const char v4_with_v6[] = HEADER TCP6_MAPPED "\n" TCP4_EST "\n";
	capture_write(&cap, "tcp6", v6_with_v4, sizeof(v6_with_v4) - 1);
	capture_write(&cap, "udp", v4_with_v6, sizeof(v4_with_v6) - 1);
	capture_expect(&cap, 2, 2);
	assert_true(note_has(&cap.snap, "/net/tcp6:2: malformed line (local address)"));
	assert_true(note_has(&cap.snap, "/net/udp:2: malformed line ("));
	for (size_t i = 0; i < cap.snap.count; i++) {
		const struct conn *c = &cap.snap.conns[i];
		assert_int_equal(c->family, c->proto == CONN_TCP ? AF_INET6 : AF_INET);
	}
	capture_free(&cap);
}

/* A file of nothing but bad lines: every one counted, notes capped, the rest counted too. */
static void notes_are_capped(void **state)
{
	(void)state;
	struct capture cap = {0};
	size_t lines = SNAPSHOT_MAX_NOTES + 10;
	char *text = malloc(lines * 8 + 1);
	assert_non_null(text);
	size_t len = 0;
	for (size_t i = 0; i < lines; i++)
		len += (size_t)sprintf(text + len, "junk %zu\n", i % 10);
	capture_write(&cap, "udp6", text, len);
	free(text);
	capture_read(&cap);
	assert_int_equal(cap.ret, 0);
	assert_int_equal(cap.snap.skipped, lines);
	assert_int_equal(cap.snap.note_count, SNAPSHOT_MAX_NOTES);
	assert_int_equal(cap.snap.notes_dropped, lines - SNAPSHOT_MAX_NOTES);
	capture_free(&cap);
}

/* Field edge cases of one line: the extremes that are valid, and just past them. */
static void field_limits(void **state)
{
	(void)state;
	struct conn c;
	char buf[ADDR_ENDPOINT_MAX];
#define LINE(addr, st, uid, inode)                                                                 \
	"  12345: " addr " 00000000:0000 " st " 00000000:00000000 00:00000000 00000000 " uid       \
	" 0 " inode
	const char *ok = LINE("FFFFFFFF:FFFF", "0C", "4294967295", "4294967295");
	assert_null(proc_parse_line(ok, strlen(ok), AF_INET, CONN_TCP, 100, &c));
	addr_format_endpoint(buf, c.family, c.local_addr, c.local_port);
	assert_string_equal(buf, "255.255.255.255:65535");
	assert_int_equal(c.uid, UINT32_MAX);
	assert_int_equal(c.inode, UINT32_MAX);
	assert_int_equal(c.state, TCP_ST_NEW_SYN_RECV);
	/* lower-case hex and tabs between fields, as a hand-edited capture may have */
	const char *lower =
	    "\t0:\t0100007f:0cea\t00000000:0000\t0a\t00000000:00000000\t00:00000000\t"
	    "00000000\t0\t0\t7";
	assert_null(proc_parse_line(lower, strlen(lower), AF_INET, CONN_TCP, 100, &c));
	assert_int_equal(c.local_port, 3306);
	assert_int_equal(c.inode, 7);
	const char *bad[] = {
	    LINE("FFFFFFFF:FFFF", "0D", "0", "1"),          /* state 13: past the table */
	    LINE("FFFFFFFF:FFFF", "01", "4294967296", "1"), /* uid past 32 bits */
	    LINE("FFFFFFFF:FFFF", "01", "0", "4294967296"), /* inode past 32 bits */
	    LINE("FFFFFFFF:FFFF", "01", "-1", "1"),         /* signs are not numbers here */
	    LINE("FFFFFFFF:FFFFF", "01", "0", "1"),         /* five port digits */
	    LINE("FFFFFFFFF:FFFF", "01", "0", "1"),         /* nine address digits */
	    LINE("FFFFFFFF-FFFF", "01", "0", "1"),          /* wrong separator */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!proc_parse_line(bad[i], strlen(bad[i]), AF_INET, CONN_TCP, 100, &c))
			fail_msg("accepted: %s", bad[i]);
#undef LINE
	/* UDP: state 07 is an unconnected socket, 01 a connected one */
	const char *udp = "  1: 3350A8C0:0044 0150A8C0:0043 01 00000000:00000000 00:00000000 "
	                  "00000000 0 0 555 2 0000000000000000 0";
	assert_null(proc_parse_line(udp, strlen(udp), AF_INET, CONN_UDP, 100, &c));
	assert_int_equal(c.proto, CONN_UDP);
	assert_int_equal(c.state, TCP_ST_ESTABLISHED);
	addr_format_endpoint(buf, c.family, c.remote_addr, c.remote_port);
	assert_string_equal(buf, "192.168.80.1:67");
}

/* The timer field may have 16 hex digits: it parses, and nothing is computed from the time left
 * (no view shows it, so it is not kept and cannot wrap). */
static void huge_timer_parses(void **state)
{
	(void)state;
	struct conn c;
	char line[256];
	static const char *const ticks[] = {"0000000000000BB8", "004189374BC6A7F0",
	                                    "FFFFFFFFFFFFFFFF"};
	for (size_t i = 0; i < sizeof(ticks) / sizeof(ticks[0]); i++) {
		snprintf(
		    line, sizeof(line),
		    "   1: 3350A8C0:0016 A6463BC4:DF42 01 00000019:00000000 01:%s 00000000     "
		    "0        0 991 4 0000000000000000 20 4 29 10 -1",
		    ticks[i]);
		assert_null(proc_parse_line(line, strlen(line), AF_INET, CONN_TCP, 100, &c));
		assert_int_equal(c.timer, 1);
		assert_int_equal(c.inode, 991);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parses_real_lines),
	    cmocka_unit_test(rejects_malformed_lines),
	    cmocka_unit_test(proc_root_reports_bad_lines),
	    cmocka_unit_test(missing_header_keeps_the_first_row),
	    cmocka_unit_test(last_line_without_newline),
	    cmocka_unit_test(long_lines_and_binary_junk),
	    cmocka_unit_test(family_mismatch_is_reported),
	    cmocka_unit_test(notes_are_capped),
	    cmocka_unit_test(field_limits),
	    cmocka_unit_test(huge_timer_parses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
