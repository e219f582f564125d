#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "threshold.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static struct threshold_range parse_ok(const char *text)
{
	struct threshold_range r;
	struct cw_error err = {0};
	if (threshold_range_parse(text, &r, &err) != 0)
		fail_msg("'%s' rejected: %s", text, err.msg);
	return r;
}

static void plain_number_alerts_outside_zero_to_n(void **state)
{
	(void)state;
	struct threshold_range r = parse_ok("500");
	assert_false(threshold_range_alerts(&r, 0));
	assert_false(threshold_range_alerts(&r, 500));
	assert_true(threshold_range_alerts(&r, 501));
	assert_true(threshold_range_alerts(&r, -1));
	assert_string_equal(r.text, "500");
}

static void open_end_alerts_below_start(void **state)
{
	(void)state;
	struct threshold_range r = parse_ok("10:");
	assert_true(threshold_range_alerts(&r, 9));
	assert_false(threshold_range_alerts(&r, 10));
	assert_false(threshold_range_alerts(&r, 1e12));
}

static void tilde_start_is_minus_infinity(void **state)
{
	(void)state;
	struct threshold_range r = parse_ok("~:10");
	assert_true(isinf(r.start) && r.start < 0);
	assert_false(threshold_range_alerts(&r, -1e9));
	assert_false(threshold_range_alerts(&r, 10));
	assert_true(threshold_range_alerts(&r, 11));
}

static void start_end_alerts_outside(void **state)
{
	(void)state;
	struct threshold_range r = parse_ok("10:20");
	assert_true(threshold_range_alerts(&r, 9));
	assert_false(threshold_range_alerts(&r, 10));
	assert_false(threshold_range_alerts(&r, 20));
	assert_true(threshold_range_alerts(&r, 21));
	r = parse_ok("0.5:2.5");
	assert_true(threshold_range_alerts(&r, 3));
	assert_false(threshold_range_alerts(&r, 1));
}

static void at_sign_alerts_inside(void **state)
{
	(void)state;
	struct threshold_range r = parse_ok("@10:20");
	assert_false(threshold_range_alerts(&r, 9));
	assert_true(threshold_range_alerts(&r, 10));
	assert_true(threshold_range_alerts(&r, 20));
	assert_false(threshold_range_alerts(&r, 21));
	r = parse_ok("@5");
	assert_true(threshold_range_alerts(&r, 0));
	assert_false(threshold_range_alerts(&r, 6));
}

static void bad_ranges_are_rejected_with_a_reason(void **state)
{
	(void)state;
	const char *bad[] = {"",
	                     "abc",
	                     "10:5",
	                     "@",
	                     ":",
	                     "1:2:3",
	                     "1e3",
	                     "0x10",
	                     "inf",
	                     "nan",
	                     "5 ",
	                     " 5",
	                     "~",
	                     "10:~",
	                     "@@1",
	                     "~5:10",
	                     "123456789012345678901234567890123456789012345678901234567890"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct threshold_range r;
		struct cw_error err = {0};
		if (threshold_range_parse(bad[i], &r, &err) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_true(strlen(err.msg) > 0);
	}
	struct cw_error err = {0};
	struct threshold_range r;
	threshold_range_parse("10:5", &r, &err);
	assert_non_null(strstr(err.msg, "greater"));
}

static void set_takes_either_spelling_and_total(void **state)
{
	(void)state;
	struct threshold_set set;
	memset(&set, 0, sizeof(set));
	struct cw_error err = {0};
	assert_int_equal(threshold_set_add(&set, "TIME_WAIT=500", false, &err), 0);
	assert_int_equal(threshold_set_add(&set, "time-wait=2000", true, &err), 0);
	assert_int_equal(threshold_set_add(&set, "estab=@0:1", false, &err), 0);
	assert_int_equal(threshold_set_add(&set, "total=10000", true, &err), 0);
	assert_true(set.has_warn[TCP_ST_TIME_WAIT]);
	assert_true(set.has_crit[TCP_ST_TIME_WAIT]);
	assert_true(set.warn[TCP_ST_ESTABLISHED].inside);
	assert_true(set.has_crit[THRESHOLD_TOTAL]);
	assert_false(set.has_warn[THRESHOLD_TOTAL]);
	assert_string_equal(set.crit[TCP_ST_TIME_WAIT].text, "2000");
	assert_string_equal(threshold_key_label(TCP_ST_TIME_WAIT), "time_wait");
	assert_string_equal(threshold_key_label(THRESHOLD_TOTAL), "total");
	/* a later value for the same state replaces the earlier one */
	assert_int_equal(threshold_set_add(&set, "time_wait=600", false, &err), 0);
	assert_string_equal(set.warn[TCP_ST_TIME_WAIT].text, "600");
}

static void set_rejects_bad_input(void **state)
{
	(void)state;
	struct threshold_set set;
	memset(&set, 0, sizeof(set));
	struct cw_error err = {0};
	assert_int_equal(threshold_set_add(&set, "500", false, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "STATE=RANGE"));
	assert_int_equal(threshold_set_add(&set, "=500", false, &err), -EINVAL);
	assert_int_equal(threshold_set_add(&set, "bogus=500", false, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "bogus"));
	assert_int_equal(threshold_set_add(&set, "time_wait=", false, &err), -EINVAL);
	assert_int_equal(threshold_set_add(&set, "time_wait=x", true, &err), -EINVAL);
	for (unsigned int k = 0; k < THRESHOLD_KEYS; k++)
		assert_false(set.has_warn[k] || set.has_crit[k]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_number_alerts_outside_zero_to_n),
	    cmocka_unit_test(open_end_alerts_below_start),
	    cmocka_unit_test(tilde_start_is_minus_infinity),
	    cmocka_unit_test(start_end_alerts_outside),
	    cmocka_unit_test(at_sign_alerts_inside),
	    cmocka_unit_test(bad_ranges_are_rejected_with_a_reason),
	    cmocka_unit_test(set_takes_either_spelling_and_total),
	    cmocka_unit_test(set_rejects_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
