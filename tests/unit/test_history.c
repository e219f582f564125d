#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The recording of these tests: first refresh 2026-11-30 03:00:00 UTC, last 03:30:00. */
#define FIRST 1796007600000LL
#define LAST  (FIRST + 30 * 60000LL)

static int64_t parse(const char *text)
{
	int64_t t = 0;
	struct cw_error err = {0};
	assert_int_equal(history_parse_time(text, FIRST, LAST, "--at", &t, &err), 0);
	return t;
}

static void bad(const char *text)
{
	int64_t t;
	struct cw_error err = {0};
	assert_int_equal(history_parse_time(text, FIRST, LAST, "--at", &t, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "--at"));
	assert_non_null(strstr(err.msg, "is not a time"));
}

static void forms(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(parse("2026-11-30 03:12"), FIRST + 12 * 60000);
	assert_int_equal(parse("2026-11-30T03:12:05"), FIRST + 12 * 60000 + 5000);
	assert_int_equal(parse("03:12"), FIRST + 12 * 60000); /* the last refresh's day */
	assert_int_equal(parse("-10m"), LAST - 10 * 60000);
	assert_int_equal(parse("+30s"), FIRST + 30000);
	assert_int_equal(parse("+1h30m"), FIRST + 90 * 60000);
	assert_int_equal(parse("-0s"), LAST);
	assert_int_equal(parse("1796007600"), FIRST);
}

static void refused(void **state)
{
	(void)state;
	bad("");
	bad("yesterday");
	bad("-10");
	bad("+10x");
	bad("-m");
	bad("2026-13-01 00:00");
	bad("2026-11-30 25:00");
	bad("2026-11-30");
	bad("03:12 ");
	bad("1234567890123"); /* 13 digits: milliseconds by mistake */
	bad("+99999999999d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(forms),
	    cmocka_unit_test(refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
