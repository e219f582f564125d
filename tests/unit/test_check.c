#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "check.h"
#include "render_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(struct threshold_set *t, const char *text, bool critical)
{
	struct cw_error err = {0};
	if (threshold_set_add(t, text, critical, &err) != 0)
		fail_msg("%s: %s", text, err.msg);
}

static char *line_for(const struct check_result *res, const size_t *counts,
                      const struct threshold_set *t, enum filter_listening selection)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_int_equal(render_check(f, res, counts, t, selection), 0);
	fclose(f);
	return buf;
}

static char *line(const struct check_result *res, const size_t *counts,
                  const struct threshold_set *t)
{
	return line_for(res, counts, t, FILTER_CONNECTED);
}

/* The total means what it means in every command (docs/json.md): connections by default,
 * listeners with -l, both with -a; LISTEN keeps its own count and perfdata whatever the choice. */
static void ok_without_problems(void **state)
{
	(void)state;
	struct stats *st = calloc(1, sizeof(*st));
	assert_non_null(st);
	st->by_proto_state[STATS_TCP][TCP_ST_ESTABLISHED] = 7;
	st->by_proto_state[STATS_TCP6][TCP_ST_ESTABLISHED] = 5;
	st->by_proto_state[STATS_TCP6][TCP_ST_LISTEN] = 3;
	size_t counts[THRESHOLD_KEYS] = {0};
	struct threshold_set t;
	memset(&t, 0, sizeof(t));
	add(&t, "established=100", false);
	struct check_result res;
	const char *perf =
	    "'established'=12;100;;0; "
	    "'syn_sent'=0;;;0; 'syn_recv'=0;;;0; 'fin_wait1'=0;;;0; 'fin_wait2'=0;;;0; "
	    "'time_wait'=0;;;0; 'close_wait'=0;;;0; 'closing'=0;;;0; 'last_ack'=0;;;0; "
	    "'closed'=0;;;0; 'listen'=3;;;0; ";
	const struct {
		enum filter_listening selection;
		size_t total;
		const char *words;
	} cases[] = {
	    {FILTER_CONNECTED, 12, "12 TCP connections"},
	    {FILTER_LISTENING, 3, "3 listening TCP sockets"},
	    {FILTER_ALL, 15, "15 TCP sockets"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_count_states(st, cases[i].selection, counts);
		assert_int_equal(counts[TCP_ST_ESTABLISHED], 12);
		assert_int_equal(counts[TCP_ST_LISTEN], 3);
		assert_int_equal(counts[THRESHOLD_TOTAL], cases[i].total);
		check_evaluate(counts, &t, NULL, 0, &res);
		assert_int_equal(res.status, CHECK_OK);
		char *s = line_for(&res, counts, &t, cases[i].selection);
		char want[512];
		snprintf(want, sizeof(want),
		         "CONNWATCH OK - %s, no warnings | %s'total'=%zu;;;0;\n", cases[i].words,
		         perf, cases[i].total);
		assert_string_equal(s, want);
		free(s);
	}
	free(st);
}

static void critical_beats_warning_and_comes_first(void **state)
{
	(void)state;
	size_t counts[THRESHOLD_KEYS] = {0};
	counts[TCP_ST_TIME_WAIT] = 812;
	counts[TCP_ST_CLOSE_WAIT] = 40;
	counts[THRESHOLD_TOTAL] = 852;
	struct threshold_set t;
	memset(&t, 0, sizeof(t));
	add(&t, "time_wait=500", false);
	add(&t, "time_wait=2000", true);
	add(&t, "close_wait=10", true);
	struct check_result res;
	check_evaluate(counts, &t, NULL, 0, &res);
	assert_int_equal(res.status, CHECK_CRITICAL);
	assert_int_equal(res.problem_count, 2);
	char *s = line(&res, counts, &t);
	assert_true(!strncmp(s,
	                     "CONNWATCH CRITICAL - close_wait 40 (critical: 10); time_wait 812 "
	                     "(warning: 500) | ",
	                     strlen("CONNWATCH CRITICAL - close_wait 40 (critical: 10); time_wait "
	                            "812 (warning: 500) | ")));
	assert_non_null(strstr(s, " 'time_wait'=812;500;2000;0; "));
	assert_non_null(strstr(s, " 'close_wait'=40;;10;0; "));
	free(s);
}

static void rules_map_by_severity_and_text_is_sanitised(void **state)
{
	(void)state;
	size_t counts[THRESHOLD_KEYS] = {0};
	struct threshold_set t;
	memset(&t, 0, sizeof(t));
	struct check_rule_hit hits[] = {
	    {.id = "time_wait", .critical = false, .message = "many | TIME_WAIT\nhere"},
	};
	struct check_result res;
	check_evaluate(counts, &t, hits, 1, &res);
	assert_int_equal(res.status, CHECK_WARNING);
	char *s = line(&res, counts, &t);
	assert_true(!strncmp(s, "CONNWATCH WARNING - time_wait: many / TIME_WAIT here | ", 55));
	assert_int_equal(strchr(s, '\n') - s, (long)strlen(s) - 1); /* one line */
	free(s);

	struct check_rule_hit crit[] = {
	    {.id = "time_wait", .critical = false, .message = "w"},
	    {.id = "syn_flood", .critical = true, .message = "c"},
	};
	check_evaluate(counts, &t, crit, 2, &res);
	assert_int_equal(res.status, CHECK_CRITICAL);
	assert_string_equal(res.problems[0].rule->id, "syn_flood");
}

static void unknown_line(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	render_check_unknown(f, "bad | thing\n");
	fclose(f);
	assert_string_equal(buf, "CONNWATCH UNKNOWN - bad / thing \n");
	free(buf);
	assert_string_equal(check_status_name(CHECK_UNKNOWN), "UNKNOWN");
	assert_string_equal(check_status_name(CHECK_OK), "OK");
}

static void many_problems_are_bounded(void **state)
{
	(void)state;
	size_t counts[THRESHOLD_KEYS] = {0};
	struct threshold_set t;
	memset(&t, 0, sizeof(t));
	struct check_rule_hit hits[CHECK_MAX_PROBLEMS + 5];
	for (size_t i = 0; i < CHECK_MAX_PROBLEMS + 5; i++)
		hits[i] = (struct check_rule_hit){.id = "x", .critical = false, .message = "m"};
	struct check_result res;
	check_evaluate(counts, &t, hits, CHECK_MAX_PROBLEMS + 5, &res);
	assert_int_equal(res.problem_count, CHECK_MAX_PROBLEMS);
	assert_int_equal(res.problems_dropped, 5);
	char *s = line(&res, counts, &t);
	assert_non_null(strstr(s, "; and 5 more |"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ok_without_problems),
	    cmocka_unit_test(critical_beats_warning_and_comes_first),
	    cmocka_unit_test(rules_map_by_severity_and_text_is_sanitised),
	    cmocka_unit_test(unknown_line),
	    cmocka_unit_test(many_problems_are_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
