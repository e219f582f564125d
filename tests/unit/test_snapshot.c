#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "snapshot.h"

#include <string.h>

/* Rows survive every growth step (and the populate-ahead windows that follow the array when
 * realloc moves it), in order, with nothing mapped ahead beyond the capacity. */
static void appends_and_grows(void **state)
{
	(void)state;
	struct snapshot s;
	snapshot_init(&s);
	for (uint32_t i = 0; i < 300000; i++) {
		struct conn *c = snapshot_append(&s);
		assert_non_null(c);
		memset(c, 0, sizeof(*c));
		c->inode = i;
		c->local_port = (uint16_t)i;
		assert_true(s.populated <= s.capacity * sizeof(struct conn));
	}
	assert_int_equal(s.count, 300000);
	assert_true(s.capacity >= s.count);
	for (uint32_t i = 0; i < s.count; i++) {
		assert_int_equal(s.conns[i].inode, i);
		assert_int_equal(s.conns[i].local_port, (uint16_t)i);
	}
	struct conn extra = {.inode = 7};
	assert_int_equal(snapshot_add_conn(&s, &extra), 0);
	assert_int_equal(s.conns[300000].inode, 7);

	/* clear keeps the array for the next fill */
	struct conn *before = s.conns;
	size_t cap = s.capacity;
	snapshot_clear(&s);
	assert_int_equal(s.count, 0);
	assert_ptr_equal(s.conns, before);
	assert_int_equal(s.capacity, cap);
	struct conn *c = snapshot_append(&s);
	assert_ptr_equal(c, before);

	snapshot_free(&s);
	assert_null(s.conns);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.capacity, 0);
	assert_int_equal(s.populated, 0);
}

static void notes_are_bounded(void **state)
{
	(void)state;
	struct snapshot s;
	snapshot_init(&s);
	for (int i = 0; i < SNAPSHOT_MAX_NOTES + 5; i++)
		snapshot_add_note(&s, "note %d", i);
	assert_int_equal(s.note_count, SNAPSHOT_MAX_NOTES);
	assert_int_equal(s.notes_dropped, 5);
	assert_string_equal(s.notes[0], "note 0");
	snapshot_free(&s);
}

/* Only a TCP listener has a backlog; the four bytes it shares with idle_ms mean nothing for
 * other rows, and a source that left them unknown gives 0. */
static void backlog_only_for_listeners(void **state)
{
	(void)state;
	struct conn c;
	memset(&c, 0, sizeof(c));
	c.proto = CONN_TCP;
	c.state = TCP_ST_LISTEN;
	c.backlog = 511;
	assert_int_equal(conn_backlog(&c), 511);
	c.idle_ms = CONN_UNKNOWN_U32; /* /proc and netstat: not shown */
	assert_int_equal(conn_backlog(&c), 0);
	c.backlog = 511;
	c.state = TCP_ST_CLOSE_WAIT;
	assert_int_equal(conn_backlog(&c), 0);
	c.state = TCP_ST_LISTEN;
	c.proto = CONN_UDP;
	assert_int_equal(conn_backlog(&c), 0);
}

/* An announced table is sized once: filling it never moves the array, nothing is lost, and an
 * estimate below the real count only means the array grows as before. */
static void expected_rows_are_sized_once(void **state)
{
	(void)state;
	const size_t rows = 200000;
	struct snapshot s;
	snapshot_init(&s);
	snapshot_expect(&s, rows);
	assert_true(s.capacity >= rows);
	const struct conn *first = s.conns;
	for (size_t i = 0; i < rows; i++) {
		struct conn *c = snapshot_append(&s);
		assert_non_null(c);
		memset(c, 0, sizeof(*c));
		c->local_port = (uint16_t)i;
	}
	assert_ptr_equal(s.conns, first);
	size_t room = s.capacity - rows;
	for (size_t i = 0; i <= room; i++)
		assert_non_null(snapshot_append(&s));
	assert_true(s.capacity > rows);
	assert_int_equal(s.conns[rows - 1].local_port, (uint16_t)(rows - 1));
	snapshot_free(&s);

	/* small tables and streamed ones keep growing as they go */
	snapshot_init(&s);
	snapshot_expect(&s, 100);
	assert_int_equal(s.capacity, 0);
	snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(appends_and_grows),
	    cmocka_unit_test(notes_are_bounded),
	    cmocka_unit_test(backlog_only_for_listeners),
	    cmocka_unit_test(expected_rows_are_sized_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
