#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "track.h"
#include "states.h"

#include <arpa/inet.h>
#include <string.h>

static struct conn make(const char *r, uint16_t lp, uint16_t rp, int state, uint32_t inode)
{
	struct conn c;
	memset(&c, 0, sizeof(c));
	c.proto = CONN_TCP;
	c.family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", c.local_addr);
	inet_pton(AF_INET, r, c.remote_addr);
	c.local_port = lp;
	c.remote_port = rp;
	c.state = (uint8_t)state;
	c.inode = inode;
	return c;
}

static void fill(struct snapshot *s, const struct conn *rows, size_t n)
{
	snapshot_clear(s);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(snapshot_add_conn(s, &rows[i]), 0);
}

static void first_sample_is_baseline_not_new(void **state)
{
	(void)state;
	struct conn rows[] = {
		make("10.0.0.1", 22, 5000, TCP_ST_ESTABLISHED, 11),
		make("10.0.0.2", 22, 5001, TCP_ST_ESTABLISHED, 12),
	};
	struct snapshot s;
	struct track t;
	struct track_summary sum;
	snapshot_init(&s);
	track_init(&t);
	fill(&s, rows, 2);
	assert_int_equal(track_update(&t, &s, 1000, &sum), 0);
	assert_int_equal(sum.rows, 2);
	assert_int_equal(sum.new_count, 0);
	assert_int_equal(sum.changed_count, 0);
	assert_int_equal(sum.closed_count, 0);
	const struct track_mark *m = track_marks(&t);
	assert_int_equal(m[0].flags, TRACK_BASELINE);
	assert_int_equal(m[1].first_seen_ms, 1000);
	track_free(&t);
	snapshot_free(&s);
}

static void new_changed_closed_and_ages(void **state)
{
	(void)state;
	struct conn a[] = {
		make("10.0.0.1", 22, 5000, TCP_ST_ESTABLISHED, 11), /* stays */
		make("10.0.0.2", 22, 5001, TCP_ST_ESTABLISHED, 12), /* closes */
		make("10.0.0.3", 22, 5002, TCP_ST_ESTABLISHED, 13), /* becomes CLOSE_WAIT */
	};
	struct conn b[] = {
		make("10.0.0.4", 22, 5003, TCP_ST_SYN_RECV, 0),     /* new */
		make("10.0.0.3", 22, 5002, TCP_ST_CLOSE_WAIT, 13),
		make("10.0.0.1", 22, 5000, TCP_ST_ESTABLISHED, 11),
	};
	struct snapshot s;
	struct track t;
	struct track_summary sum;
	snapshot_init(&s);
	track_init(&t);
	fill(&s, a, 3);
	assert_int_equal(track_update(&t, &s, 1000, &sum), 0);
	fill(&s, b, 3);
	assert_int_equal(track_update(&t, &s, 3000, &sum), 0);
	assert_int_equal(sum.new_count, 1);
	assert_int_equal(sum.changed_count, 1);
	assert_int_equal(sum.closed_count, 1);
	const struct track_mark *m = track_marks(&t);
	assert_int_equal(m[0].flags, TRACK_NEW);
	assert_int_equal(m[0].first_seen_ms, 3000);
	assert_int_equal(m[1].flags, TRACK_CHANGED | TRACK_BASELINE);
	assert_int_equal(m[1].prev_state, TCP_ST_ESTABLISHED);
	assert_int_equal(m[1].first_seen_ms, 1000);
	assert_int_equal(m[1].state_since_ms, 3000);
	assert_int_equal(m[2].flags, TRACK_BASELINE);
	assert_int_equal(m[2].state_since_ms, 1000);

	/* Marks last one refresh: the same table again is quiet, ages keep counting from before. */
	assert_int_equal(track_update(&t, &s, 5000, &sum), 0);
	assert_int_equal(sum.new_count + sum.changed_count + sum.closed_count, 0);
	m = track_marks(&t);
	assert_int_equal(m[0].flags, 0);
	assert_int_equal(m[0].first_seen_ms, 3000);
	assert_int_equal(m[1].state_since_ms, 3000);
	track_free(&t);
	snapshot_free(&s);
}

static void inode_rules(void **state)
{
	(void)state;
	struct conn a[] = {
		make("10.0.0.1", 40000, 80, TCP_ST_ESTABLISHED, 21), /* -> TIME_WAIT, inode 0 */
		make("10.0.0.2", 40001, 80, TCP_ST_ESTABLISHED, 22), /* -> same tuple, inode 99 */
		make("10.0.0.3", 40002, 80, TCP_ST_TIME_WAIT, 0),    /* -> ports reused */
		make("10.0.0.4", 80, 40003, TCP_ST_NEW_SYN_RECV, 0), /* -> accepted */
	};
	struct conn b[] = {
		make("10.0.0.1", 40000, 80, TCP_ST_TIME_WAIT, 0),
		make("10.0.0.2", 40001, 80, TCP_ST_ESTABLISHED, 99),
		make("10.0.0.3", 40002, 80, TCP_ST_SYN_SENT, 31),
		make("10.0.0.4", 80, 40003, TCP_ST_ESTABLISHED, 41),
	};
	struct snapshot s;
	struct track t;
	struct track_summary sum;
	snapshot_init(&s);
	track_init(&t);
	fill(&s, a, 4);
	assert_int_equal(track_update(&t, &s, 0, &sum), 0);
	fill(&s, b, 4);
	assert_int_equal(track_update(&t, &s, 2000, &sum), 0);
	const struct track_mark *m = track_marks(&t);
	assert_true(m[0].flags & TRACK_CHANGED);
	assert_int_equal(m[0].prev_state, TCP_ST_ESTABLISHED);
	assert_true(m[1].flags & TRACK_NEW);
	assert_true(m[2].flags & TRACK_NEW);
	assert_true(m[3].flags & TRACK_CHANGED);
	assert_int_equal(m[3].prev_state, TCP_ST_SYN_RECV);
	assert_int_equal(sum.new_count, 2);
	assert_int_equal(sum.changed_count, 2);
	assert_int_equal(sum.closed_count, 1); /* inode 22; the reused TIME_WAIT is replaced */
	track_free(&t);
	snapshot_free(&s);
}

static void same_address_many_inodes(void **state)
{
	(void)state;
	/* SO_REUSEPORT listeners share the address and port; the inode tells them apart. */
	struct conn a[] = {
		make("0.0.0.0", 80, 0, TCP_ST_LISTEN, 1),
		make("0.0.0.0", 80, 0, TCP_ST_LISTEN, 2),
		make("0.0.0.0", 80, 0, TCP_ST_LISTEN, 3),
	};
	struct conn b[] = {a[2], a[0], make("0.0.0.0", 80, 0, TCP_ST_LISTEN, 4)};
	struct snapshot s;
	struct track t;
	struct track_summary sum;
	snapshot_init(&s);
	track_init(&t);
	fill(&s, a, 3);
	assert_int_equal(track_update(&t, &s, 0, &sum), 0);
	fill(&s, b, 3);
	assert_int_equal(track_update(&t, &s, 10, &sum), 0);
	assert_int_equal(sum.new_count, 1);
	assert_int_equal(sum.closed_count, 1);
	assert_int_equal(track_marks(&t)[2].flags, TRACK_NEW);
	track_free(&t);
	snapshot_free(&s);
}

/* 100,000 rows, shuffled between samples: all matched; after the first two samples the arrays
 * are reused (no allocation per refresh, memory flat). */
static void large_table_flat_memory(void **state)
{
	(void)state;
	enum { N = 100000 };
	struct snapshot s;
	struct track t;
	struct track_summary sum;
	snapshot_init(&s);
	track_init(&t);
	for (int round = 0; round < 6; round++) {
		snapshot_clear(&s);
		for (uint32_t i = 0; i < N; i++) {
			uint32_t j = (i * 7919u + (uint32_t)round * 13u) % N; /* another order each time */
			struct conn c = make("127.0.0.1", (uint16_t)(10000 + j % 50000),
					     (uint16_t)(1 + j / 50000), TCP_ST_ESTABLISHED, 1000 + j);
			assert_int_equal(snapshot_add_conn(&s, &c), 0);
		}
		assert_int_equal(track_update(&t, &s, (uint64_t)round * 2000, &sum), 0);
		assert_int_equal(sum.rows, N);
		assert_int_equal(sum.new_count, 0);
		assert_int_equal(sum.changed_count, 0);
		assert_int_equal(sum.closed_count, 0);
	}
	const void *e0 = t.tables[0].entries, *e1 = t.tables[1].entries, *mk = t.marks;
	size_t slots0 = t.tables[0].slot_count;
	assert_int_equal(track_update(&t, &s, 99999, &sum), 0);
	assert_ptr_equal(e0, t.tables[0].entries);
	assert_ptr_equal(e1, t.tables[1].entries);
	assert_ptr_equal(mk, t.marks);
	assert_int_equal(slots0, t.tables[0].slot_count);
	assert_int_equal(track_marks(&t)[N - 1].first_seen_ms, 0);
	track_free(&t);
	snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(first_sample_is_baseline_not_new),
		cmocka_unit_test(new_changed_closed_and_ages),
		cmocka_unit_test(inode_rules),
		cmocka_unit_test(same_address_many_inodes),
		cmocka_unit_test(large_table_flat_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
