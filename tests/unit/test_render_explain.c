/* explain's model and renderer: counting one state, the sequences in the states table, and the
 * text of one state (golden files in tests/golden cover the full output). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "i18n.h"
#include "render_explain.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(struct snapshot *snap, int proto, int family, int state)
{
	struct conn c = {
	    .proto = (uint8_t)proto, .family = (uint8_t)family, .state = (uint8_t)state};
	assert_int_equal(snapshot_add_conn(snap, &c), 0);
}

static void count_takes_request_sockets_as_syn_recv_and_skips_udp(void **state)
{
	(void)state;
	struct snapshot snap;
	snapshot_init(&snap);
	add(&snap, CONN_TCP, AF_INET, TCP_ST_SYN_RECV);
	add(&snap, CONN_TCP, AF_INET6, TCP_ST_NEW_SYN_RECV);
	add(&snap, CONN_TCP, AF_INET6, TCP_ST_NEW_SYN_RECV);
	add(&snap, CONN_TCP, AF_INET, TCP_ST_ESTABLISHED);
	add(&snap, CONN_UDP, AF_INET, TCP_ST_ESTABLISHED);
	struct stats st;
	stats_init(&st, NULL);
	stats_add_snapshot(&st, &snap);
	struct explain_count n;
	explain_count_fill(&n, &st, TCP_ST_SYN_RECV);
	assert_true(n.known);
	assert_int_equal(n.total, 3);
	assert_int_equal(n.tcp, 1);
	assert_int_equal(n.tcp6, 2);
	explain_count_fill(&n, &st, TCP_ST_ESTABLISHED);
	assert_int_equal(n.total, 1);
	stats_free(&st);
	snapshot_free(&snap);
}

static const struct tcp_sequence_step *find_step(const struct tcp_sequence *seq, enum tcp_state st)
{
	for (unsigned int i = 0; i < seq->count; i++)
		if (seq->steps[i].state == st)
			return &seq->steps[i];
	return NULL;
}

static void sequences_say_who_passes_where(void **state)
{
	(void)state;
	assert_int_equal(tcp_sequence_count, 3);
	const struct tcp_sequence *open = &tcp_sequences[0], *close = &tcp_sequences[1],
	                          *both = &tcp_sequences[2];
	assert_int_equal(find_step(open, TCP_ST_SYN_SENT)->side, TCP_SIDE_CLIENT);
	assert_int_equal(find_step(open, TCP_ST_SYN_RECV)->side, TCP_SIDE_SERVER);
	assert_int_equal(find_step(open, TCP_ST_ESTABLISHED)->side, TCP_SIDE_BOTH);
	assert_int_equal(open->steps[0].state, TCP_ST_SYN_SENT);
	enum tcp_state closer[] = {TCP_ST_FIN_WAIT1, TCP_ST_FIN_WAIT2, TCP_ST_TIME_WAIT};
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(find_step(close, closer[i])->side, TCP_SIDE_CLOSER);
	assert_int_equal(find_step(close, TCP_ST_CLOSE_WAIT)->side, TCP_SIDE_RESPONDER);
	assert_int_equal(find_step(close, TCP_ST_LAST_ACK)->side, TCP_SIDE_RESPONDER);
	assert_non_null(find_step(both, TCP_ST_CLOSING));
	assert_null(find_step(close, TCP_ST_CLOSING));
	/* Every step's state is one of the documented ones, and each table side agrees. */
	for (unsigned int s = 0; s < tcp_sequence_count; s++)
		for (unsigned int i = 0; i < tcp_sequences[s].count; i++)
			assert_non_null(tcp_state_info(tcp_sequences[s].steps[i].state));
	unsigned int warnings = 0;
	for (unsigned int i = 0; i < tcp_states_documented_count; i++)
		warnings += tcp_state_info(tcp_states_documented[i])->warning_sign;
	assert_int_equal(warnings, 3);
	assert_true(tcp_state_info(TCP_ST_SYN_RECV)->warning_sign);
	assert_true(tcp_state_info(TCP_ST_TIME_WAIT)->warning_sign);
	assert_true(tcp_state_info(TCP_ST_CLOSE_WAIT)->warning_sign);
}

static char *render_one(enum tcp_state st, const struct explain_count *n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_int_equal(render_explain_state(out, tcp_state_info(st), n), 0);
	fclose(out);
	return text;
}

static void one_state_shows_its_count_and_marks_its_step(void **state)
{
	(void)state;
	struct explain_count n = {.known = true, .total = 2, .tcp = 1, .tcp6 = 1};
	char *text = render_one(TCP_ST_SYN_RECV, &n);
	assert_non_null(strstr(text, "SYN_RECV (ss: syn-recv, kernel state 3)\n"));
	assert_non_null(strstr(text, "SYN_RECV sockets: 2 (tcp 1, tcp6 1)"));
	assert_non_null(strstr(text, "Warning sign:"));
	assert_non_null(strstr(text, "> 2. Server"));
	assert_null(strstr(text, "Simultaneous close")); /* only the sequences it is in */
	free(text);
	struct explain_count unknown = {0};
	text = render_one(TCP_ST_LAST_ACK, &unknown);
	assert_non_null(strstr(text, "unknown: the sockets could not be read"));
	assert_non_null(strstr(text, "Many of them:"));
	/* No line is wider than a terminal. */
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		assert_true(strlen(line) <= 78);
	free(text);
}

static size_t columns(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Both languages fit a terminal of 80 columns, and Indonesian really is Indonesian. */
static void overview_fits_a_terminal_in_both_languages(void **state)
{
	(void)state;
	const char *langs[] = {"en", "id"};
	for (size_t l = 0; l < 2; l++) {
		assert_int_equal(i18n_init(langs[l]), 0);
		assert_string_equal(i18n_language(), langs[l]);
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);
		assert_int_equal(render_explain_all(out), 0);
		fclose(out);
		assert_non_null(
		    strstr(text, l ? "Daftar status koneksi TCP" : "TCP connection states"));
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			assert_true(columns(line) <= 78);
		free(text);
	}
	i18n_init("en");
}

int main(void)
{
	i18n_init("en");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(count_takes_request_sockets_as_syn_recv_and_skips_udp),
	    cmocka_unit_test(sequences_say_who_passes_where),
	    cmocka_unit_test(one_state_shows_its_count_and_marks_its_step),
	    cmocka_unit_test(overview_fits_a_terminal_in_both_languages),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	i18n_cleanup();
	return r;
}
