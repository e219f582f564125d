/* The live view's table at 80x24 (issue 13): narrow columns, elide addresses in the middle, drop
 * the least useful column first; the State column stays whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "live_layout.h"

#include <string.h>

/* proto, recv-q, send-q, local, remote, state, age, owner */
static const int v4[LIVE_COL_COUNT] = {5, 6, 6, 19, 19, 11, 9, 20};
static const int v6[LIVE_COL_COUNT] = {5, 6, 6, 45, 45, 11, 9, 20};

static int line_of(const struct live_layout *l)
{
	int n = LIVE_LAYOUT_MARK, first = 1;
	for (int c = 0; c < LIVE_COL_COUNT; c++)
		if (l->shown[c]) {
			n += (first ? 0 : 1) + l->width[c];
			first = 0;
		}
	return n;
}

static void ipv4_at_80_columns(void **state)
{
	(void)state;
	struct live_layout l;
	/* without -p only Proto gives way: everything else, State and In state whole */
	live_layout_fit(&l, v4, false, 80, false);
	assert_false(l.shown[LIVE_COL_PROTO]);
	assert_true(l.shown[LIVE_COL_RECV_Q] && l.shown[LIVE_COL_SEND_Q]);
	assert_int_equal(l.width[LIVE_COL_LOCAL], 19);
	assert_int_equal(l.width[LIVE_COL_REMOTE], 19);
	assert_int_equal(l.width[LIVE_COL_STATE], 11);
	assert_true(l.shown[LIVE_COL_AGE]);
	assert_false(l.shown[LIVE_COL_OWNER]);
	assert_int_equal(l.line, line_of(&l));
	assert_true(l.line <= 80);
	/* with -p the queues go next, the owner keeps what is left */
	live_layout_fit(&l, v4, true, 80, false);
	assert_false(l.shown[LIVE_COL_PROTO] || l.shown[LIVE_COL_SEND_Q] ||
	             l.shown[LIVE_COL_RECV_Q]);
	assert_true(l.shown[LIVE_COL_AGE] && l.shown[LIVE_COL_OWNER]);
	assert_int_equal(l.width[LIVE_COL_STATE], 11);
	assert_int_equal(l.width[LIVE_COL_LOCAL], 19);
	assert_true(l.width[LIVE_COL_OWNER] >= LIVE_LAYOUT_OWNER_MIN);
	assert_int_equal(l.line, line_of(&l));
	assert_true(l.line <= 80);
	/* wide enough: nothing changes */
	live_layout_fit(&l, v4, true, 200, false);
	for (int c = 0; c < LIVE_COL_COUNT; c++) {
		assert_true(l.shown[c]);
		assert_int_equal(l.width[c], v4[c]);
	}
}

static void ipv6_elided_and_full(void **state)
{
	(void)state;
	struct live_layout l;
	live_layout_fit(&l, v6, true, 80, false);
	assert_true(l.line <= 80);
	assert_int_equal(l.width[LIVE_COL_STATE], 11);
	assert_true(l.shown[LIVE_COL_AGE] && l.shown[LIVE_COL_OWNER]);
	assert_true(l.width[LIVE_COL_LOCAL] >= LIVE_LAYOUT_ADDR_MIN);
	assert_true(l.width[LIVE_COL_REMOTE] >= LIVE_LAYOUT_ADDR_MIN);
	assert_true(l.width[LIVE_COL_LOCAL] < 45);
	/* sideways scrolling shows the full row */
	live_layout_fit(&l, v6, true, 80, true);
	assert_int_equal(l.line, 2 + 5 + 1 + 6 + 1 + 6 + 1 + 45 + 1 + 45 + 1 + 11 + 1 + 9 + 1 + 20);
	/* a narrow terminal: owner, then age give way; the row still fits */
	live_layout_fit(&l, v6, true, 50, false);
	assert_false(l.shown[LIVE_COL_OWNER]);
	assert_true(l.line <= 50);
	live_layout_fit(&l, v6, true, 30, false);
	assert_true(l.line <= 30);
	assert_true(l.width[LIVE_COL_STATE] >= 1);
}

static void cells(void **state)
{
	(void)state;
	char out[256];
	assert_int_equal(live_layout_cell(out, "1.2.3.4:80", 12, false, true), 12);
	assert_string_equal(out, "1.2.3.4:80  ");
	live_layout_cell(out, "17", 6, true, false);
	assert_string_equal(out, "    17");
	/* elided in the middle: the port survives */
	live_layout_cell(out, "2001:db8:85a3::8a2e:370:7334:443", 15, false, true);
	assert_int_equal(strlen(out), 15);
	assert_non_null(strchr(out, '~'));
	assert_string_equal(out + strlen(out) - 4, ":443");
	assert_int_equal(strncmp(out, "2001:db", 7), 0);
	/* cut at the end, never inside a UTF-8 sequence; columns are code points */
	live_layout_cell(out, "Alamat \xc3\xa9\xc3\xa9\xc3\xa9", 9, false, false);
	assert_string_equal(out, "Alamat \xc3\xa9\xc3\xa9");
	assert_int_equal(live_layout_columns(out), 9);
	live_layout_cell(out, "\xc3\xa9", 3, false, false);
	assert_string_equal(out, "\xc3\xa9  ");
	live_layout_cell(out, "abc", 0, false, false);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ipv4_at_80_columns),
	    cmocka_unit_test(ipv6_elided_and_full),
	    cmocka_unit_test(cells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
