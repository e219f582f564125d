#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "track.h"
#include "states.h"

#include <arpa/inet.h>
#include <stdlib.h>
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
	c.idle_ms = CONN_UNKNOWN_U32;
	return c;
}

struct fixture {
	struct snapshot s;
	struct track t;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snapshot_init(&f->s);
	track_init(&f->t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	track_free(&f->t);
	snapshot_free(&f->s);
	free(f);
	return 0;
}

static void assert_changes(const struct track_summary *sum, size_t new_count, size_t changed,
                           size_t closed)
{
	assert_int_equal(sum->new_count, new_count);
	assert_int_equal(sum->changed_count, changed);
	assert_int_equal(sum->closed_count, closed);
}

/* One sample of rows at time now; returns the marks. */
static const struct track_mark *sample(struct fixture *f, const struct conn *rows, size_t n,
                                       uint64_t now, struct track_summary *sum)
{
	snapshot_clear(&f->s);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(snapshot_add_conn(&f->s, &rows[i]), 0);
	assert_int_equal(track_update(&f->t, &f->s, now, sum), 0);
	return track_marks(&f->t);
}

static void first_sample_is_baseline_not_new(void **state)
{
	struct fixture *f = *state;
	struct conn rows[] = {
	    make("10.0.0.1", 22, 5000, TCP_ST_ESTABLISHED, 11),
	    make("10.0.0.2", 22, 5001, TCP_ST_ESTABLISHED, 12),
	};
	struct track_summary sum;
	sample(f, rows, 2, 1000, &sum);
	assert_int_equal(sum.rows, 2);
	assert_changes(&sum, 0, 0, 0);
	const struct track_mark *m = track_marks(&f->t);
	assert_int_equal(m[0].flags, TRACK_BASELINE);
	assert_int_equal(m[1].first_seen_ms, 1000);
}

static void new_changed_closed_and_ages(void **state)
{
	struct fixture *f = *state;
	struct conn a[] = {
	    make("10.0.0.1", 22, 5000, TCP_ST_ESTABLISHED, 11), /* stays */
	    make("10.0.0.2", 22, 5001, TCP_ST_ESTABLISHED, 12), /* closes */
	    make("10.0.0.3", 22, 5002, TCP_ST_ESTABLISHED, 13), /* becomes CLOSE_WAIT */
	};
	struct conn b[] = {
	    make("10.0.0.4", 22, 5003, TCP_ST_SYN_RECV, 0), /* new */
	    make("10.0.0.3", 22, 5002, TCP_ST_CLOSE_WAIT, 13),
	    make("10.0.0.1", 22, 5000, TCP_ST_ESTABLISHED, 11),
	};
	struct track_summary sum;
	sample(f, a, 3, 1000, &sum);
	sample(f, b, 3, 3000, &sum);
	assert_changes(&sum, 1, 1, 1);
	const struct track_mark *m = track_marks(&f->t);
	assert_int_equal(m[0].flags, TRACK_NEW);
	assert_int_equal(m[0].first_seen_ms, 3000);
	assert_int_equal(m[1].flags, TRACK_CHANGED | TRACK_BASELINE);
	assert_int_equal(m[1].prev_state, TCP_ST_ESTABLISHED);
	assert_int_equal(m[1].first_seen_ms, 1000);
	assert_int_equal(m[1].state_since_ms, 3000);
	assert_int_equal(m[2].flags, TRACK_BASELINE);
	assert_int_equal(m[2].state_since_ms, 1000);

	/* Marks last one refresh: the same table again is quiet, ages keep counting from before. */
	assert_int_equal(track_update(&f->t, &f->s, 5000, &sum), 0);
	assert_changes(&sum, 0, 0, 0);
	m = track_marks(&f->t);
	assert_int_equal(m[0].flags, 0);
	assert_int_equal(m[0].first_seen_ms, 3000);
	assert_int_equal(m[1].state_since_ms, 3000);
}

/* Issue 13: a socket already in CLOSE_WAIT, TIME_WAIT or orphaned FIN_WAIT2 at the first sample
 * takes its time in state from the kernel (tcp_info, the TIME_WAIT timer), not "since now"; a
 * socket that entered the state between samples is not older than the previous sample. */
static void kernel_ages_seed_state_since(void **state)
{
	struct fixture *f = *state;
	f->t.fin_timeout_ms = 30000;
	struct conn a[] = {
	    make("10.0.0.1", 80, 5000, TCP_ST_CLOSE_WAIT, 11),
	    make("10.0.0.2", 80, 5001, TCP_ST_TIME_WAIT, 0),
	    make("10.0.0.3", 5002, 80, TCP_ST_FIN_WAIT2, 0),
	    make("10.0.0.4", 80, 5003, TCP_ST_CLOSE_WAIT, 14), /* no tcp_info */
	    make("10.0.0.5", 80, 5004, TCP_ST_ESTABLISHED, 15),
	};
	a[0].idle_ms = 660000; /* eleven minutes */
	a[1].timer = 3;
	a[1].idle_ms = 45000; /* 15 s into its 60 s */
	a[2].timer = 3;
	a[2].idle_ms = 10000; /* 20 s into fin_timeout */
	struct track_summary sum;
	const struct track_mark *m = sample(f, a, 5, 1000000, &sum);
	assert_int_equal(m[0].state_since_ms, 1000000 - 660000);
	assert_int_equal(m[0].flags, TRACK_BASELINE | TRACK_KERNEL_AGE);
	assert_int_equal(m[1].state_since_ms, 1000000 - 15000);
	assert_int_equal(m[2].state_since_ms, 1000000 - 20000);
	assert_int_equal(m[3].state_since_ms, 1000000);
	assert_int_equal(m[3].flags, TRACK_BASELINE);
	assert_int_equal(m[4].flags, TRACK_BASELINE);

	/* The ESTABLISHED one went to CLOSE_WAIT 1.5 s ago: the kernel's age counts; a claim older
	 * than the previous sample (where it was ESTABLISHED) is cut to that sample. */
	a[4].state = TCP_ST_CLOSE_WAIT;
	a[4].idle_ms = 1500;
	m = sample(f, a, 5, 1002000, &sum);
	assert_int_equal(m[4].state_since_ms, 1002000 - 1500);
	assert_int_equal(m[4].flags, TRACK_BASELINE | TRACK_CHANGED | TRACK_KERNEL_AGE);
	assert_int_equal(m[0].state_since_ms, 1000000 - 660000); /* kept, not re-read */
	assert_int_equal(m[0].flags, TRACK_BASELINE | TRACK_KERNEL_AGE);
	a[3].state = TCP_ST_LAST_ACK;
	a[3].timer = 0;
	m = sample(f, a, 5, 1004000, &sum);
	a[3].state = TCP_ST_CLOSE_WAIT; /* (impossible in TCP; only tests the floor) */
	a[3].idle_ms = 100000;
	m = sample(f, a, 5, 1006000, &sum);
	assert_int_equal(m[3].state_since_ms, 1004000);

	/* No kernel knowledge: UDP, a TIME_WAIT without its timer, a timer beyond the length. */
	struct conn u = make("10.0.0.9", 53, 5005, TCP_ST_CLOSE_WAIT, 20);
	u.proto = CONN_UDP;
	u.idle_ms = 5;
	assert_int_equal(conn_kernel_state_age_ms(&u, 60000), CONN_UNKNOWN_U32);
	struct conn tw = make("10.0.0.9", 80, 5006, TCP_ST_TIME_WAIT, 0);
	assert_int_equal(conn_kernel_state_age_ms(&tw, 60000), CONN_UNKNOWN_U32);
	tw.timer = 3;
	tw.idle_ms = 61000;
	assert_int_equal(conn_kernel_state_age_ms(&tw, 60000), CONN_UNKNOWN_U32);
}

static void inode_rules(void **state)
{
	struct fixture *f = *state;
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
	struct track_summary sum;
	sample(f, a, 4, 0, &sum);
	sample(f, b, 4, 2000, &sum);
	const struct track_mark *m = track_marks(&f->t);
	assert_true(m[0].flags & TRACK_CHANGED);
	assert_int_equal(m[0].prev_state, TCP_ST_ESTABLISHED);
	assert_true(m[1].flags & TRACK_NEW);
	assert_true(m[2].flags & TRACK_NEW);
	assert_true(m[3].flags & TRACK_CHANGED);
	assert_int_equal(m[3].prev_state, TCP_ST_SYN_RECV);
	assert_changes(&sum, 2, 2, 1);
}

static void same_address_many_inodes(void **state)
{
	struct fixture *f = *state;
	/* SO_REUSEPORT listeners share the address and port; the inode tells them apart. */
	struct conn a[] = {
	    make("0.0.0.0", 80, 0, TCP_ST_LISTEN, 1),
	    make("0.0.0.0", 80, 0, TCP_ST_LISTEN, 2),
	    make("0.0.0.0", 80, 0, TCP_ST_LISTEN, 3),
	};
	struct conn b[] = {a[2], a[0], make("0.0.0.0", 80, 0, TCP_ST_LISTEN, 4)};
	struct track_summary sum;
	sample(f, a, 3, 0, &sum);
	sample(f, b, 3, 10, &sum);
	assert_changes(&sum, 1, 0, 1);
	assert_int_equal(track_marks(&f->t)[2].flags, TRACK_NEW);
}

/* 100,000 rows, shuffled between samples: all matched; after the first two samples the arrays
 * are reused (no allocation per refresh, memory flat). */
static void large_table_flat_memory(void **state)
{
	struct fixture *f = *state;
	enum { N = 100000 };
	struct track_summary sum;
	for (int round = 0; round < 6; round++) {
		snapshot_clear(&f->s);
		for (uint32_t i = 0; i < N; i++) {
			uint32_t j =
			    (i * 7919u + (uint32_t)round * 13u) % N; /* another order each time */
			struct conn c =
			    make("127.0.0.1", (uint16_t)(10000 + j % 50000),
			         (uint16_t)(1 + j / 50000), TCP_ST_ESTABLISHED, 1000 + j);
			assert_int_equal(snapshot_add_conn(&f->s, &c), 0);
		}
		assert_int_equal(track_update(&f->t, &f->s, (uint64_t)round * 2000, &sum), 0);
		assert_int_equal(sum.rows, N);
		assert_changes(&sum, 0, 0, 0);
	}
	const void *e0 = f->t.tables[0].entries, *e1 = f->t.tables[1].entries, *mk = f->t.marks;
	size_t slots0 = f->t.tables[0].slot_count;
	assert_int_equal(track_update(&f->t, &f->s, 99999, &sum), 0);
	assert_ptr_equal(e0, f->t.tables[0].entries);
	assert_ptr_equal(e1, f->t.tables[1].entries);
	assert_ptr_equal(mk, f->t.marks);
	assert_int_equal(slots0, f->t.tables[0].slot_count);
	assert_int_equal(track_marks(&f->t)[N - 1].first_seen_ms, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(first_sample_is_baseline_not_new, setup, teardown),
	    cmocka_unit_test_setup_teardown(new_changed_closed_and_ages, setup, teardown),
	    cmocka_unit_test_setup_teardown(kernel_ages_seed_state_since, setup, teardown),
	    cmocka_unit_test_setup_teardown(inode_rules, setup, teardown),
	    cmocka_unit_test_setup_teardown(same_address_many_inodes, setup, teardown),
	    cmocka_unit_test_setup_teardown(large_table_flat_memory, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
