/* The saved netstat/ss text source, on fixtures: the user's example, ss shapes, wrapped rows,
 * garbage, binary and huge lines. */
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
#include <string.h>
#include <unistd.h>

static struct source_request everything(const char *path)
{
	return (struct source_request){
	    .tcp_states = TCP_STATES_ALL,
	    .udp = true,
	    .ipv4 = true,
	    .ipv6 = true,
	    .input_path = path,
	};
}

static void fixture_path(char *buf, size_t len, const char *name)
{
	const char *dir = getenv("FIXTURES");
	snprintf(buf, len, "%s/%s", dir ? dir : "tests/fixtures", name);
}

/* Fills snap from a fixture; returns the source's result. */
static int load(const char *name, struct snapshot *snap)
{
	char path[4096];
	fixture_path(path, sizeof(path), name);
	struct source_request req = everything(path);
	struct cw_error err = {0};
	snapshot_init(snap);
	int r = source_text.fill(&req, snap, &err);
	if (r < 0)
		fprintf(stderr, "fill: %s\n", err.msg);
	return r;
}

/* Loads a fixture that must read cleanly: no line skipped, `rows` rows. */
static void load_clean(const char *name, struct snapshot *snap, size_t rows)
{
	assert_int_equal(load(name, snap), 0);
	for (size_t i = 0; i < snap->note_count; i++)
		fprintf(stderr, "note: %s\n", snap->notes[i]);
	assert_int_equal(snap->skipped, 0);
	assert_int_equal(snap->count, rows);
}

/* Parses an in-memory paste with every socket kind wanted. */
static void parse_text(const char *name, const char *input, size_t len, struct snapshot *snap)
{
	snapshot_init(snap);
	struct source_request req = everything(NULL);
	assert_int_equal(text_parse_buffer(name, input, len, &req, NULL, snap), 0);
}

static size_t count(const struct snapshot *snap, int proto, int family, int state)
{
	size_t n = 0;
	for (size_t i = 0; i < snap->count; i++) {
		const struct conn *c = &snap->conns[i];
		if ((proto < 0 || c->proto == proto) && (family < 0 || c->family == family) &&
		    (state < 0 || c->state == state))
			n++;
	}
	return n;
}

static void endpoint_text(const struct conn *c, bool remote, char *buf)
{
	addr_format_endpoint(buf, c->family, remote ? c->remote_addr : c->local_addr,
	                     remote ? c->remote_port : c->local_port);
}

static void user_example_gives_the_documented_counts(void **state)
{
	(void)state;
	struct snapshot snap;
	assert_int_equal(load("user-example/netstat-ntu.txt", &snap), 0);
	assert_int_equal(snap.count, 15);
	assert_int_equal(snap.skipped, 0);
	assert_int_equal(snap.note_count, 0);
	assert_string_equal(snap.source_name, "text");
	assert_int_equal(count(&snap, -1, -1, TCP_ST_ESTABLISHED), 11);
	assert_int_equal(count(&snap, CONN_TCP, -1, TCP_ST_ESTABLISHED), 9);
	assert_int_equal(count(&snap, CONN_UDP, -1, TCP_ST_ESTABLISHED), 2);
	assert_int_equal(count(&snap, -1, -1, TCP_ST_TIME_WAIT), 2);
	assert_int_equal(count(&snap, CONN_TCP, AF_INET6, TCP_ST_TIME_WAIT), 1);
	assert_int_equal(count(&snap, -1, -1, TCP_ST_SYN_RECV), 1);
	assert_int_equal(count(&snap, -1, -1, TCP_ST_CLOSING), 1);

	/* The busiest remote IP, counted here from the rows the source produced. */
	char best[ADDR_TEXT_MAX] = "";
	size_t best_n = 0;
	for (size_t i = 0; i < snap.count; i++) {
		char a[ADDR_TEXT_MAX], b[ADDR_TEXT_MAX];
		addr_format(a, snap.conns[i].family, snap.conns[i].remote_addr);
		size_t n = 0;
		for (size_t j = 0; j < snap.count; j++) {
			addr_format(b, snap.conns[j].family, snap.conns[j].remote_addr);
			n += !strcmp(a, b);
		}
		if (n > best_n) {
			best_n = n;
			strcpy(best, a);
		}
	}
	assert_string_equal(best, "127.0.0.1");
	assert_int_equal(best_n, 6);

	/* tcp6 with an IPv4 text is an IPv4-mapped IPv6 socket, as the kernel holds it. */
	const struct conn *closing = NULL;
	for (size_t i = 0; i < snap.count; i++)
		if (snap.conns[i].state == TCP_ST_CLOSING)
			closing = &snap.conns[i];
	assert_non_null(closing);
	assert_int_equal(closing->family, AF_INET6);
	assert_true(addr_is_v4_mapped(AF_INET6, closing->local_addr));
	assert_int_equal(closing->send_q, 25);
	assert_int_equal(closing->recv_q, 0);
	assert_int_equal(closing->local_port, 443);
	assert_int_equal(closing->remote_port, 45129);
	char ep[ADDR_ENDPOINT_MAX];
	endpoint_text(closing, true, ep);
	assert_string_equal(ep, "177.93.63.18:45129");
	snapshot_free(&snap);
}

static void ss_tanu_with_netid(void **state)
{
	(void)state;
	struct snapshot snap;
	load_clean("text/ss-tanu.txt", &snap, 14);
	assert_int_equal(count(&snap, CONN_UDP, -1, -1), 3);
	assert_int_equal(count(&snap, CONN_UDP, -1, TCP_ST_ESTABLISHED), 1);
	assert_int_equal(count(&snap, CONN_UDP, -1, TCP_ST_CLOSE), 2);
	assert_int_equal(count(&snap, CONN_TCP, -1, TCP_ST_LISTEN), 2);
	assert_int_equal(count(&snap, CONN_TCP, -1, TCP_ST_SYN_RECV), 1);
	assert_int_equal(count(&snap, CONN_TCP, -1, TCP_ST_CLOSE_WAIT), 1);
	assert_int_equal(count(&snap, CONN_TCP, -1, TCP_ST_FIN_WAIT2), 1);
	assert_int_equal(count(&snap, CONN_TCP, -1, TCP_ST_LAST_ACK), 1);
	assert_int_equal(count(&snap, CONN_TCP, AF_INET6, -1), 5);
	/* ss shows a listener's backlog as Send-Q; the model keeps netstat's 0 there. */
	assert_int_equal(snap.conns[3].state, TCP_ST_LISTEN);
	assert_int_equal(snap.conns[3].backlog, 128);
	assert_int_equal(snap.conns[3].send_q, 0);
	/* [::ffff:a.b.c.d] stays an IPv6 socket with a mapped address; %eth0 is dropped. */
	const struct conn *syn = NULL, *ll = NULL;
	for (size_t i = 0; i < snap.count; i++) {
		if (snap.conns[i].state == TCP_ST_SYN_RECV)
			syn = &snap.conns[i];
		if (snap.conns[i].send_q == 36)
			ll = &snap.conns[i];
	}
	assert_non_null(syn);
	assert_int_equal(syn->family, AF_INET6);
	assert_true(addr_is_v4_mapped(AF_INET6, syn->remote_addr));
	char ep[ADDR_ENDPOINT_MAX];
	endpoint_text(syn, true, ep);
	assert_string_equal(ep, "45.82.76.192:41150");
	assert_non_null(ll);
	endpoint_text(ll, false, ep);
	assert_string_equal(ep, "fe80::1:22");
	snapshot_free(&snap);
}

static void ss_tan_under_watch(void **state)
{
	(void)state;
	struct snapshot snap;
	load_clean("text/ss-tan-watch.txt", &snap, 5);
	assert_int_equal(count(&snap, CONN_TCP, -1, -1), 5);
	assert_int_equal(count(&snap, CONN_TCP, -1, TCP_ST_SYN_SENT), 1);
	assert_int_equal(count(&snap, CONN_TCP, AF_INET6, TCP_ST_ESTABLISHED), 1);
	assert_int_equal(snap.conns[3].send_q, 1);
	snapshot_free(&snap);
}

static void ss_detail_lines_under_rows_are_skipped(void **state)
{
	(void)state;
	struct snapshot snap;
	load_clean("text/ss-tanieomp.txt", &snap,
	           15); /* ss -tanH counted 15 when the fixture was taken */
	assert_int_equal(count(&snap, CONN_TCP, -1, TCP_ST_LISTEN), 3);
	assert_int_equal(count(&snap, CONN_TCP, -1, TCP_ST_CLOSE_WAIT), 2);
	snapshot_free(&snap);

	/* An indented line that follows no row is still reported. */
	static const char lonely[] = "State Recv-Q Send-Q Local Peer\n\t skmem:(r0)\n";
	parse_text("x", lonely, sizeof(lonely) - 1, &snap);
	assert_int_equal(snap.skipped, 1);
	snapshot_free(&snap);
}

static void netstat_ntua_with_listeners_and_bare_ipv6(void **state)
{
	(void)state;
	struct snapshot snap;
	load_clean("text/netstat-ntua.txt", &snap, 9);
	assert_int_equal(count(&snap, CONN_TCP, -1, TCP_ST_LISTEN), 4);
	assert_int_equal(count(&snap, CONN_UDP, -1, TCP_ST_CLOSE), 2);
	assert_int_equal(count(&snap, CONN_UDP, -1, TCP_ST_ESTABLISHED), 1);
	char ep[ADDR_ENDPOINT_MAX];
	endpoint_text(&snap.conns[4], false, ep);
	assert_string_equal(ep, "::1:631");
	endpoint_text(&snap.conns[5], true, ep);
	assert_string_equal(ep, "2001:db8:0:1::7:50123");
	endpoint_text(&snap.conns[3], true, ep);
	assert_string_equal(ep, ":::*");
	snapshot_free(&snap);
}

static void wrapped_rows_are_joined(void **state)
{
	(void)state;
	struct snapshot snap;
	load_clean("text/wrapped.txt", &snap, 5);
	assert_int_equal(count(&snap, -1, -1, TCP_ST_ESTABLISHED), 4);
	assert_int_equal(count(&snap, -1, -1, TCP_ST_CLOSING), 1);
	assert_int_equal(snap.conns[1].remote_port, 57154);
	char ep[ADDR_ENDPOINT_MAX];
	endpoint_text(&snap.conns[3], true, ep);
	assert_string_equal(ep, "222.124.78.211:59143");
	snapshot_free(&snap);
}

static bool has_note(const struct snapshot *snap, const char *text)
{
	for (size_t i = 0; i < snap->note_count; i++)
		if (strstr(snap->notes[i], text))
			return true;
	return false;
}

static void garbage_lines_are_noted_and_skipped(void **state)
{
	(void)state;
	struct snapshot snap;
	assert_int_equal(load("text/garbage.txt", &snap), 0);
	assert_int_equal(snap.count, 2);
	assert_int_equal(snap.skipped, 6);
	assert_int_equal(snap.note_count, 6);
	assert_true(has_note(&snap, "garbage.txt:3: malformed line (Recv-Q 'x')"));
	assert_true(
	    has_note(&snap, "garbage.txt:4: malformed line (local address '127.0.0.1:99999')"));
	assert_true(has_note(&snap, "garbage.txt:5: malformed line (state 'SLEEPING')"));
	assert_true(has_note(&snap, "garbage.txt:6: malformed line (local address '::1:3306')"));
	assert_true(has_note(&snap, "garbage.txt:7: malformed line (protocol 'hello')"));
	assert_true(has_note(&snap, "garbage.txt:9: malformed line (incomplete row)"));
	snapshot_free(&snap);
}

static void binary_and_control_bytes_never_reach_notes_raw(void **state)
{
	(void)state;
	static const char input[] = "tcp 0 0 1.2.3.4:1 5.6.7.8:2 ESTABLISHED\n"
	                            "\x1b[2J\x1b]0;pwned\x07 0 0 1.2.3.4:1 5.6.7.8:2 ESTABLISHED\n"
	                            "tcp 0 0 1.2.3.4:1 5.6.7.8:2 \xff\xfe\x9b"
	                            "31m\n"
	                            "tcp 0 0 1.2.\0003.4:1 5.6.7.8:2 ESTABLISHED\n"
	                            "tcp 0 0 1.2.3.4:1 5.6.7.8:2 ESTABLISHED\r\n";
	struct snapshot snap;
	parse_text("paste", input, sizeof(input) - 1, &snap);
	assert_int_equal(snap.count, 2);
	assert_int_equal(snap.skipped, 3);
	assert_true(has_note(&snap, "paste:4: malformed line (binary data)"));
	for (size_t i = 0; i < snap.note_count; i++)
		for (const unsigned char *p = (const unsigned char *)snap.notes[i]; *p; p++)
			assert_true(*p >= 0x20 && *p != 0x7f && *p < 0x80);
	snapshot_free(&snap);
}

static void huge_lines_are_skipped_without_holding_them(void **state)
{
	(void)state;
	char path[] = "/tmp/cw-text-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("tcp 0 0 1.2.3.4:1 5.6.7.8:2 ESTABLISHED\ntcp 0 0 ", f);
	for (int i = 0; i < 200000; i++)
		fputs("1.2.3.4:5 ", f);
	fputs("\nudp 0 0 1.2.3.4:68 1.2.3.1:67 ESTABLISHED\n", f);
	for (int i = 0; i < 100000; i++)
		fputc('A', f); /* and one without a final newline */
	fclose(f);
	struct snapshot snap;
	snapshot_init(&snap);
	struct source_request req = everything(path);
	struct cw_error err;
	assert_int_equal(source_text.fill(&req, &snap, &err), 0);
	unlink(path);
	assert_int_equal(snap.count, 2);
	assert_int_equal(snap.skipped, 2);
	assert_true(has_note(&snap, ":2: malformed line (line too long)"));
	assert_true(has_note(&snap, ":4: malformed line (line too long)"));
	snapshot_free(&snap);
}

static void stdin_is_read_for_dash(void **state)
{
	(void)state;
	char path[4096];
	fixture_path(path, sizeof(path), "user-example/netstat-ntu.txt");
	assert_non_null(freopen(path, "r", stdin));
	struct snapshot snap;
	snapshot_init(&snap);
	struct source_request req = everything("-");
	struct cw_error err;
	assert_int_equal(source_text.fill(&req, &snap, &err), 0);
	assert_int_equal(snap.count, 15);
	snapshot_free(&snap);
}

static void request_filters_apply(void **state)
{
	(void)state;
	char path[4096];
	fixture_path(path, sizeof(path), "user-example/netstat-ntu.txt");
	struct snapshot snap;
	snapshot_init(&snap);
	struct source_request req = everything(path);
	req.udp = false;
	req.ipv6 = false;
	req.tcp_states = TCP_STATE_BIT(TCP_ST_ESTABLISHED);
	struct cw_error err;
	assert_int_equal(source_text.fill(&req, &snap, &err), 0);
	assert_int_equal(snap.count, 9);
	snapshot_free(&snap);
}

static void missing_file_is_an_error_naming_it(void **state)
{
	(void)state;
	struct snapshot snap;
	snapshot_init(&snap);
	struct source_request req = everything("/nonexistent/paste.txt");
	struct cw_error err = {0};
	assert_true(source_text.fill(&req, &snap, &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent/paste.txt"));
	snapshot_free(&snap);
}

static void netstat_width_ipv6_gets_one_warning_not_a_skip(void **state)
{
	(void)state;
	static const char input[] =
	    "tcp6 0 0 2001:db8:1234:56::1:443 2001:db8::2:50000 ESTABLISHED\n"
	    "tcp6 0 0 2001:db8:1234:56::1:443 2001:db8::3:50000 ESTABLISHED\n"
	    "tcp6 0 0 ::1:443 ::1:50000 ESTABLISHED\n";
	struct snapshot snap;
	parse_text("n", input, sizeof(input) - 1, &snap);
	assert_int_equal(snap.count, 3);
	assert_int_equal(snap.skipped, 0);
	assert_int_equal(snap.note_count, 1);
	assert_true(has_note(&snap, "n:1: netstat may have cut this IPv6 address short"));
	snapshot_free(&snap);
}

static void single_lines_classify(void **state)
{
	(void)state;
	struct text_row r;
	struct text_row *rowp = &r;
	struct text_problem why;
	const char *ignored[] = {"", "   ",
	                         "Proto Recv-Q Send-Q Local Address Foreign Address State",
	                         "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port",
	                         "connections (w/o servers)"};
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		assert_int_equal(text_parse_line(NULL, ignored[i], strlen(ignored[i]), rowp, &why),
		                 TEXT_IGNORED);
	const char *incomplete[] = {"tcp", "tcp 0 0 1.2.3.4:5", "ESTAB 0 0 1.2.3.4:5",
	                            "tcp ESTAB 0"};
	for (size_t i = 0; i < sizeof(incomplete) / sizeof(incomplete[0]); i++)
		assert_int_equal(
		    text_parse_line(NULL, incomplete[i], strlen(incomplete[i]), rowp, &why),
		    TEXT_INCOMPLETE);
	const char *unix_row = "unix  2      [ ACC ]     STREAM     LISTENING     1234  /run/x";
	assert_int_equal(text_parse_line(NULL, unix_row, strlen(unix_row), rowp, &why),
	                 TEXT_OTHER_KIND);
	const char *row = "tcp6 LISTEN 0 0 [::1]:80 *:*";
	assert_int_equal(text_parse_line(NULL, row, strlen(row), &r, &why), TEXT_BAD);
	assert_string_equal(why.field, "Recv-Q"); /* tcp6 is netstat's name; ss says tcp */
	row = "tcp LISTEN 3 4 [::]:80 *:*";
	assert_int_equal(text_parse_line(NULL, row, strlen(row), &r, &why), TEXT_ROW);
	assert_int_equal(r.c.family, AF_INET6);
	assert_int_equal(r.c.recv_q, 3);
	assert_int_equal(r.c.remote_port, 0);
	row = "tcp 0 0 1.2.3.4:1 5.6.7.8:4294967296 ESTABLISHED";
	assert_int_equal(text_parse_line(NULL, row, strlen(row), &r, &why), TEXT_BAD);
	row = "tcp 4294967296 0 1.2.3.4:1 5.6.7.8:2 ESTABLISHED";
	assert_int_equal(text_parse_line(NULL, row, strlen(row), &r, &why), TEXT_BAD);
	assert_string_equal(why.field, "Recv-Q");
}

/* An ss table without Netid holds its ESTAB rows until a row tells TCP from UDP. The held rows
 * grow on demand (kept in order across growth); past TEXT_HELD_ROWS_MAX the table is taken as
 * TCP, as `ss -tn` prints one. */
static char *netid_less_table(size_t estab_rows, size_t *len)
{
	size_t cap = 128 + estab_rows * 48;
	char *buf = malloc(cap);
	assert_non_null(buf);
	size_t n = (size_t)snprintf(buf, cap,
	                            "State Recv-Q Send-Q Local Address:Port Peer Address:Port\n");
	for (size_t i = 0; i < estab_rows; i++)
		n += (size_t)snprintf(buf + n, cap - n, "ESTAB 0 0 10.0.0.1:68 10.0.0.2:%zu\n",
		                      i + 1);
	n += (size_t)snprintf(buf + n, cap - n, "UNCONN 0 0 0.0.0.0:68 0.0.0.0:*\n");
	*len = n;
	return buf;
}

static void held_rows_grow_and_cap(void **state)
{
	(void)state;
	struct snapshot snap;
	size_t len;
	char *text = netid_less_table(300, &len);
	parse_text("x", text, len, &snap);
	assert_int_equal(snap.skipped, 0);
	assert_int_equal(snap.count, 301);
	assert_int_equal(count(&snap, CONN_UDP, -1, -1), 301);
	for (size_t i = 0; i < 300; i++)
		assert_int_equal(snap.conns[i].remote_port, i + 1);
	snapshot_free(&snap);
	free(text);

	text = netid_less_table(TEXT_HELD_ROWS_MAX + 10, &len);
	parse_text("x", text, len, &snap);
	assert_int_equal(snap.skipped, 0);
	assert_int_equal(count(&snap, CONN_TCP, -1, TCP_ST_ESTABLISHED), TEXT_HELD_ROWS_MAX + 10);
	assert_int_equal(count(&snap, CONN_UDP, -1, -1), 1);
	for (size_t i = 0; i < TEXT_HELD_ROWS_MAX + 10; i++)
		assert_int_equal(snap.conns[i].remote_port, i + 1);
	snapshot_free(&snap);
	free(text);
}

int main(void)
{
	i18n_init("en");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(user_example_gives_the_documented_counts),
	    cmocka_unit_test(ss_tanu_with_netid),
	    cmocka_unit_test(ss_tan_under_watch),
	    cmocka_unit_test(ss_detail_lines_under_rows_are_skipped),
	    cmocka_unit_test(netstat_ntua_with_listeners_and_bare_ipv6),
	    cmocka_unit_test(wrapped_rows_are_joined),
	    cmocka_unit_test(garbage_lines_are_noted_and_skipped),
	    cmocka_unit_test(binary_and_control_bytes_never_reach_notes_raw),
	    cmocka_unit_test(huge_lines_are_skipped_without_holding_them),
	    cmocka_unit_test(stdin_is_read_for_dash),
	    cmocka_unit_test(request_filters_apply),
	    cmocka_unit_test(missing_file_is_an_error_naming_it),
	    cmocka_unit_test(netstat_width_ipv6_gets_one_warning_not_a_skip),
	    cmocka_unit_test(single_lines_classify),
	    cmocka_unit_test(held_rows_grow_and_cap),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	i18n_cleanup();
	return r;
}
