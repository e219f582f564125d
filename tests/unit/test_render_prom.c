#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "cw_config.h"
#include "render_prom.h"
#include "tally.h"
#include "util/atomic_file.h"
#include "util/endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void add_v4(struct snapshot *snap, uint8_t state, uint16_t lport, uint32_t remote,
                   uint16_t rport)
{
	struct conn c;
	memset(&c, 0, sizeof(c));
	c.proto = CONN_TCP;
	c.family = AF_INET;
	c.state = state;
	c.local_addr[0] = 127;
	c.local_addr[3] = 1;
	uint32_t r = htonl(remote);
	memcpy(c.remote_addr, &r, 4);
	c.local_port = lport;
	c.remote_port = rport;
	c.idle_ms = CONN_UNKNOWN_U32;
	assert_int_equal(snapshot_add_conn(snap, &c), 0);
}

static char *render(const struct snapshot *snap, unsigned int top)
{
	struct diag_config cfg;
	diag_config_default(&cfg);
	struct tally t;
	struct cw_error err = {0};
	tally_init(&t, &cfg, NULL);
	/* a directory without net/ or sys/: kernel counters unknown, which is not an error */
	assert_int_equal(tally_read_counters(&t, "/nonexistent-proc-root", &err), 0);
	tally_rows(&t, snap, NULL, 0);
	assert_int_equal(tally_diagnose(&t, NULL, 0), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct prom_model m = {.tally = &t, .top = top, .scrape_seconds = 0.25};
	assert_int_equal(render_prom(f, &m), 0);
	fclose(f);
	tally_free(&t);
	return buf;
}

static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, prefix, len))
			n++;
	return n;
}

static void counts_states_and_bounds_per_address_series(void **state)
{
	(void)state;
	struct snapshot snap;
	snapshot_init(&snap);
	snap.source_name = "netlink";
	add_v4(&snap, TCP_ST_LISTEN, 80, 0, 0);
	for (uint32_t i = 0; i < 50; i++)
		add_v4(&snap, TCP_ST_ESTABLISHED, 80, 0x7f010000u + i, (uint16_t)(40000 + i));
	for (uint32_t i = 0; i < 7; i++)
		add_v4(&snap, TCP_ST_TIME_WAIT, 45000 + i, 0x7f000002u, 443);
	add_v4(&snap, TCP_ST_NEW_SYN_RECV, 80, 0x7f000003u, 5555);
	char *s = render(&snap, 5);
	assert_non_null(strstr(
	    s,
	    "\nconnwatch_connections{proto=\"tcp\",family=\"ipv4\",state=\"established\"} 50\n"));
	assert_non_null(strstr(
	    s, "\nconnwatch_connections{proto=\"tcp\",family=\"ipv4\",state=\"time_wait\"} 7\n"));
	assert_non_null(strstr(
	    s, "\nconnwatch_connections{proto=\"tcp\",family=\"ipv4\",state=\"syn_recv\"} 1\n"));
	assert_non_null(strstr(
	    s, "\nconnwatch_connections{proto=\"udp\",family=\"ipv6\",state=\"closed\"} 0\n"));
	assert_null(strstr(s, "proto=\"udp\",family=\"ipv4\",state=\"time_wait\""));
	/* 11 TCP states x 2 families + 2 UDP states x 2 families */
	assert_int_equal(count_lines(s, "connwatch_connections{"), 26);
	/* two series per rule, all 0 on this calm snapshot */
	assert_int_equal(count_lines(s, "connwatch_warning{"), 2 * diag_rule_count);
	assert_null(strstr(s, "connwatch_warning{rule=\"syn_flood\",severity=\"warning\"} 1"));
	/* top 5 of 51 remote addresses */
	assert_int_equal(count_lines(s, "connwatch_remote_address_connections{"), 5);
	assert_non_null(
	    strstr(s, "\nconnwatch_time_wait_by_remote{endpoint=\"127.0.0.2:443\"} 7\n"));
	assert_non_null(strstr(s, "\nconnwatch_syn_recv_by_port{port=\"80\"} 1\n"));
	/* issue 13: the 50 clients' ephemeral ports (40000-40049) and the 7 TIME_WAIT sockets'
	 * local ports (45000-) name no series; the service ports 80 and 443 do */
	assert_int_equal(count_lines(s, "connwatch_local_port_connections{"), 1);
	assert_non_null(strstr(s, "\nconnwatch_local_port_connections{port=\"80\"} 51\n"));
	assert_null(strstr(s, "port=\"4"));
	assert_null(strstr(s, ":4000"));
	/* the counter behind the rate, typed as a counter */
	assert_non_null(strstr(s, "# TYPE connwatch_time_wait_new_total counter\n"));
	assert_non_null(strstr(s, "\nconnwatch_time_wait_new_total 0\n"));
	/* no previous sample: the rate has a family but no sample */
	assert_non_null(strstr(s, "# TYPE connwatch_time_wait_new_per_second gauge\n"));
	assert_int_equal(count_lines(s, "connwatch_time_wait_new_per_second "), 0);
	assert_non_null(strstr(s, "\nconnwatch_build_info{version=\"" PACKAGE_VERSION
	                          "\",source=\"netlink\"} 1\n"));
	assert_non_null(strstr(s, "\nconnwatch_scrape_duration_seconds 0.250000\n"));
	/* every family has HELP then TYPE */
	assert_int_equal(count_lines(s, "# HELP "), count_lines(s, "# TYPE "));
	free(s);
	snapshot_free(&snap);
}

static void fires_syn_flood_series(void **state)
{
	(void)state;
	struct snapshot snap;
	snapshot_init(&snap);
	add_v4(&snap, TCP_ST_LISTEN, 443, 0, 0);
	for (uint32_t i = 0; i < 1500; i++)
		add_v4(&snap, TCP_ST_SYN_RECV, 443, 0x7f100000u + i, (uint16_t)(1024 + i));
	char *s = render(&snap, 10);
	assert_non_null(
	    strstr(s, "\nconnwatch_warning{rule=\"syn_flood\",severity=\"critical\"} 1\n"));
	assert_non_null(
	    strstr(s, "\nconnwatch_warning{rule=\"syn_flood\",severity=\"warning\"} 0\n"));
	assert_non_null(strstr(s, "\nconnwatch_syn_recv_by_port{port=\"443\"} 1500\n"));
	assert_non_null(strstr(s, "\nconnwatch_syn_recv_sources_by_port{port=\"443\"} 1500\n"));
	free(s);
	snapshot_free(&snap);
}

static void label_values_are_escaped(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	render_prom_label_value(f, "a\"b\\c\nd");
	fclose(f);
	assert_string_equal(buf, "a\\\"b\\\\c\\nd");
	free(buf);
}

static void endpoints_parse_strictly(void **state)
{
	(void)state;
	struct sockaddr_storage sa;
	socklen_t len;
	assert_true(endpoint_parse("127.0.0.1:9877", &sa, &len));
	assert_int_equal(sa.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&sa)->sin_port), 9877);
	assert_true(endpoint_parse("[::1]:9877", &sa, &len));
	assert_int_equal(sa.ss_family, AF_INET6);
	assert_true(endpoint_parse("[::]:1", &sa, &len));
	assert_true(endpoint_parse("0.0.0.0:65535", &sa, &len));
	/* ":PORT" is every address, both families (issue 13, as node_exporter) */
	assert_true(endpoint_parse(":9878", &sa, &len));
	assert_int_equal(sa.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&sa)->sin6_port), 9878);
	assert_true(endpoint_is_every_address(":9878"));
	assert_false(endpoint_is_every_address("[::]:9878"));
	const char *bad[] = {"",
	                     ":",
	                     ":0",
	                     "::9877",
	                     "127.0.0.1",
	                     "127.0.0.1:",
	                     "127.0.0.1:0",
	                     "127.0.0.1:65536",
	                     "localhost:80",
	                     "::1:9877",
	                     "[::1]9877",
	                     "[::1]:",
	                     "[127.0.0.1]:80",
	                     "1.2.3.4:80x",
	                     "[::1:80"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (endpoint_parse(bad[i], &sa, &len))
			fail_msg("'%s' accepted", bad[i]);
}

static void atomic_write_replaces_or_keeps(void **state)
{
	(void)state;
	char dir[] = "/tmp/cw-atomic-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	struct cw_error err = {0};
	assert_int_equal(atomic_file_write(path, "one\n", 4, &err), 0);
	assert_int_equal(atomic_file_write(path, "two\n", 4, &err), 0);
	FILE *f = fopen(path, "r");
	char buf[16] = "";
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "two\n");
	char missing[80];
	snprintf(missing, sizeof(missing), "%s/no/such/m.prom", dir);
	assert_true(atomic_file_write(missing, "x", 1, &err) < 0);
	assert_non_null(strstr(err.msg, missing));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0); /* nothing else was left in it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(counts_states_and_bounds_per_address_series),
	    cmocka_unit_test(fires_syn_flood_series),
	    cmocka_unit_test(label_values_are_escaped),
	    cmocka_unit_test(endpoints_parse_strictly),
	    cmocka_unit_test(atomic_write_replaces_or_keeps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
