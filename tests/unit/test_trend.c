#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "trend.h"

#include <string.h>

static void sparkline_scales_low_to_high(void **state)
{
	(void)state;
	char buf[64];
	const uint64_t v[] = {10, 10, 17, 24, 10};
	assert_int_equal(sparkline(buf, sizeof(buf), v, 5, false), 5);
	assert_string_equal(buf, "__=#_"); /* 17 is half way: level 3.5, rounded up */
	assert_int_equal(sparkline(buf, sizeof(buf), v, 5, true), 15);
	assert_string_equal(buf, "\u2581\u2581\u2585\u2588\u2581");
}

static void sparkline_flat_and_empty(void **state)
{
	(void)state;
	char buf[16];
	const uint64_t flat[] = {500, 500, 500};
	sparkline(buf, sizeof(buf), flat, 3, false);
	assert_string_equal(buf, "___");
	assert_int_equal(sparkline(buf, sizeof(buf), flat, 0, true), 0);
	assert_string_equal(buf, "");
}

/* A buffer too small keeps the newest cells and never cuts a UTF-8 block in half. */
static void sparkline_keeps_newest(void **state)
{
	(void)state;
	char buf[8];
	const uint64_t v[] = {0, 100, 0, 0, 7};
	assert_int_equal(sparkline(buf, sizeof(buf), v, 5, true), 6);
	assert_string_equal(buf, "\u2581\u2588");
	assert_int_equal(sparkline(buf, 4, v, 5, false), 3);
	assert_string_equal(buf, "__#");
}

static void ring_and_rate(void **state)
{
	(void)state;
	struct trend t;
	trend_init(&t);
	uint64_t by[TCP_ST_MAX] = {0};
	double rate;
	assert_false(trend_per_minute(&t, TREND_SYN_RECV, &rate));
	for (int i = 0; i < TREND_CELLS + 10; i++) {
		by[TCP_ST_SYN_RECV] = (uint64_t)i;
		by[TCP_ST_NEW_SYN_RECV] = (uint64_t)i; /* request sockets count as SYN_RECV */
		by[TCP_ST_TIME_WAIT] = 1000;
		trend_push(&t, 2000 * (int64_t)i, by);
	}
	uint64_t out[TREND_CELLS];
	assert_int_equal(trend_values(&t, TREND_SYN_RECV, out), TREND_CELLS);
	assert_int_equal(out[0], 20); /* the oldest kept: refresh 10 */
	assert_int_equal(out[TREND_CELLS - 1], 2 * (TREND_CELLS + 9));
	assert_true(trend_per_minute(&t, TREND_SYN_RECV, &rate));
	assert_true(rate > 59.9 && rate < 60.1); /* 2 more every 2 s */
	assert_true(trend_per_minute(&t, TREND_TIME_WAIT, &rate));
	assert_true(rate == 0);
	assert_string_equal(trend_key(TREND_CLOSE_WAIT), "close_wait");
	assert_string_equal(trend_label(TREND_ESTABLISHED), "ESTABLISHED");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sparkline_scales_low_to_high),
	    cmocka_unit_test(sparkline_flat_and_empty),
	    cmocka_unit_test(sparkline_keeps_newest),
	    cmocka_unit_test(ring_and_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
