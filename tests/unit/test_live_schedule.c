/* The live screen's scheduling (live_schedule.h), its worker (live_worker.h) and the header's
 * note about slow refreshes: keys are read while a refresh is in flight, the next refresh is due
 * an interval after the last ended, and the header counts a refresh in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "live_schedule.h"
#include "live_worker.h"
#include "render_live.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static void first_refresh_is_due_then_waits_an_interval(void **state)
{
	(void)state;
	struct live_schedule s;
	live_schedule_init(&s, 2000, 1000);
	struct live_plan p = live_schedule_plan(&s, 999, false, false);
	assert_int_equal(p.step, LIVE_STEP_WAIT);
	assert_int_equal(p.wait_ms, 1);
	p = live_schedule_plan(&s, 1000, false, false);
	assert_int_equal(p.step, LIVE_STEP_START);
	live_schedule_started(&s, 1000);
	live_schedule_finished(&s, 1300);
	/* due an interval after the end, not the start; the wait is capped so signals are seen */
	p = live_schedule_plan(&s, 1300, false, false);
	assert_int_equal(p.step, LIVE_STEP_WAIT);
	assert_int_equal(p.wait_ms, LIVE_WAKE_MS);
	p = live_schedule_plan(&s, 3200, false, false);
	assert_int_equal(p.wait_ms, 100);
	assert_int_equal(live_schedule_plan(&s, 3300, false, false).step, LIVE_STEP_START);
}

static void keys_are_read_while_a_refresh_is_in_flight(void **state)
{
	(void)state;
	struct live_schedule s;
	live_schedule_init(&s, 100, 0);
	live_schedule_started(&s, 0);
	/* a refresh of 30 s with an interval of 0.1 s: every pass waits briefly for a key, and
	 * no second refresh starts behind the first */
	for (uint64_t now = 0; now < 30000; now += 7) {
		struct live_plan p = live_schedule_plan(&s, now, false, false);
		assert_int_equal(p.step, LIVE_STEP_WAIT);
		assert_true(p.wait_ms > 0 && p.wait_ms <= LIVE_POLL_MS);
	}
	assert_int_equal(live_schedule_running_ms(&s, 30000), 30000);
	/* done: taken in, even when paused meanwhile */
	assert_int_equal(live_schedule_plan(&s, 30000, true, true).step, LIVE_STEP_FINISH);
	live_schedule_finished(&s, 30010);
	assert_int_equal(live_schedule_running_ms(&s, 30020), 0);
	assert_int_equal(live_schedule_plan(&s, 30050, false, false).step, LIVE_STEP_WAIT);
	assert_int_equal(live_schedule_plan(&s, 30110, false, false).step, LIVE_STEP_START);
}

static void paused_starts_nothing(void **state)
{
	(void)state;
	struct live_schedule s;
	live_schedule_init(&s, 100, 0);
	struct live_plan p = live_schedule_plan(&s, 5000, false, true);
	assert_int_equal(p.step, LIVE_STEP_WAIT);
	assert_int_equal(p.wait_ms, LIVE_WAKE_MS);
}

static void test_delays_parse(void **state)
{
	(void)state;
	struct live_test_delays d;
	assert_int_equal(live_test_delays_parse(NULL, &d), 0);
	assert_int_equal(live_test_delay(&d, 1), 0);
	assert_int_equal(live_test_delays_parse("400", &d), 0);
	assert_int_equal(live_test_delay(&d, 1), 400);
	assert_int_equal(live_test_delay(&d, 9), 400);
	assert_int_equal(live_test_delays_parse("0,30000", &d), 0);
	assert_int_equal(live_test_delay(&d, 1), 0);
	assert_int_equal(live_test_delay(&d, 2), 30000);
	assert_int_equal(live_test_delay(&d, 3), 30000);
	assert_int_equal(live_test_delays_parse("99999999999", &d), 0);
	assert_int_equal(live_test_delay(&d, 1), LIVE_TEST_DELAY_CAP_MS);
	const char *bad[] = {
	    "-5", "1,", ",1", "1,,2", "1;2", "x", "1,2,3,4,5,6,7,8,9", "99999999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(live_test_delays_parse(bad[i], &d), -EINVAL);
		assert_int_equal(live_test_delay(&d, 1), 0); /* a bad value: no delay */
	}
}

static void header_counts_the_refresh_in_flight(void **state)
{
	(void)state;
	struct live_frame f;
	memset(&f, 0, sizeof(f));
	f.interval_s = 0.5;
	f.refresh_ms = 200;
	char buf[96];
	live_header_behind(buf, sizeof(buf), &f);
	assert_string_equal(buf, "");
	f.running_ms = 400; /* in flight, not yet behind */
	live_header_behind(buf, sizeof(buf), &f);
	assert_string_equal(buf, "");
	f.running_ms = 2300;
	live_header_behind(buf, sizeof(buf), &f);
	assert_string_equal(buf, "refresh takes 2.3s, longer than the interval");
	f.running_ms = 0; /* taken in: the last refresh's own time */
	f.refresh_ms = 1200;
	live_header_behind(buf, sizeof(buf), &f);
	assert_string_equal(buf, "refresh takes 1.2s, longer than the interval");
}

/* A job that would run for a minute unless cancelled. */
static int slow_job(void *ctx, const atomic_bool *cancel, struct cw_error *err)
{
	int *ran = ctx;
	*ran = 1;
	for (int i = 0; i < 60000 && !atomic_load(cancel); i++)
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	return atomic_load(cancel) ? cw_error_set(err, -ECANCELED, "cancelled") : 0;
}

static int quick_job(void *ctx, const atomic_bool *cancel, struct cw_error *err)
{
	(void)cancel;
	*(int *)ctx = 7;
	return cw_error_set(err, -EIO, "failed on purpose");
}

static void worker_hands_ctx_back(void **state)
{
	(void)state;
	struct live_worker w;
	live_worker_init(&w);
	struct cw_error err = {0};
	int ctx = 0;
	assert_int_equal(live_worker_join(&w, &err), 0); /* nothing started */
	assert_int_equal(live_worker_start(&w, quick_job, &ctx, &err), 0);
	assert_int_equal(live_worker_start(&w, quick_job, &ctx, &err), -EBUSY);
	assert_int_equal(live_worker_join(&w, &err), -EIO);
	assert_string_equal(err.msg, "failed on purpose");
	assert_int_equal(ctx, 7);
	assert_false(live_worker_finished(&w)); /* joined: not busy any more */
	/* abandoned: the join returns when the job sees the cancel, not after its minute */
	int ran = 0;
	assert_int_equal(live_worker_start(&w, slow_job, &ran, &err), 0);
	live_worker_abandon(&w);
	assert_int_equal(ran, 1);
	assert_false(w.busy);
	live_worker_abandon(&w); /* safe twice */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(first_refresh_is_due_then_waits_an_interval),
	    cmocka_unit_test(keys_are_read_while_a_refresh_is_in_flight),
	    cmocka_unit_test(paused_starts_nothing),
	    cmocka_unit_test(test_delays_parse),
	    cmocka_unit_test(header_counts_the_refresh_in_flight),
	    cmocka_unit_test(worker_hands_ctx_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
