#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "live_view.h"
#include "netns.h"
#include "tally.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct conn make(int family, const char *r, uint16_t lp, uint16_t rp, int state)
{
	struct conn c;
	memset(&c, 0, sizeof(c));
	c.proto = CONN_TCP;
	c.family = (uint8_t)family;
	inet_pton(family, family == AF_INET ? "10.0.0.1" : "2001:db8::1", c.local_addr);
	inet_pton(family, r, c.remote_addr);
	c.local_port = lp;
	c.remote_port = rp;
	c.state = (uint8_t)state;
	return c;
}

static struct filter base_filter(void)
{
	struct filter f;
	filter_init(&f);
	filter_finish(&f);
	return f;
}

static void filter_words_and_listeners(void **state)
{
	(void)state;
	struct snapshot s;
	snapshot_init(&s);
	struct conn rows[] = {
	    make(AF_INET, "192.0.2.1", 443, 5000, TCP_ST_ESTABLISHED),
	    make(AF_INET, "192.0.2.2", 443, 5001, TCP_ST_TIME_WAIT),
	    make(AF_INET, "198.51.100.7", 22, 6000, TCP_ST_CLOSE_WAIT),
	    make(AF_INET, "0.0.0.0", 22, 0, TCP_ST_LISTEN),
	};
	for (size_t i = 0; i < 4; i++)
		snapshot_add_conn(&s, &rows[i]);
	struct track_mark marks[4] = {{0}};
	struct filter f = base_filter();
	struct live_view v;
	live_view_init(&v, &f, LIVE_SORT_NONE);
	assert_int_equal(live_view_update(&v, &s, marks), 0);
	assert_int_equal(v.order_count, 3); /* listeners hidden, as netstat -ntu */

	live_view_set_listeners(&v, true);
	live_view_update(&v, &s, marks);
	assert_int_equal(v.order_count, 4);
	live_view_set_listeners(&v, false);

	struct cw_error err = {0};
	assert_int_equal(live_view_set_filter(&v, "time-wait", &err), 0);
	live_view_update(&v, &s, marks);
	assert_int_equal(v.order_count, 1);
	assert_int_equal(v.order[0], 1);

	assert_int_equal(live_view_set_filter(&v, "ESTABLISHED, CLOSE_WAIT 443", &err), 0);
	live_view_update(&v, &s, marks);
	assert_int_equal(v.order_count, 1); /* states OR, port ANDed */
	assert_int_equal(v.order[0], 0);

	assert_int_equal(live_view_set_filter(&v, "198.51.100.0/24", &err), 0);
	live_view_update(&v, &s, marks);
	assert_int_equal(v.order_count, 1);
	assert_int_equal(v.order[0], 2);

	assert_int_equal(live_view_set_filter(&v, "local=10.0.0.1 22", &err), 0);
	live_view_update(&v, &s, marks);
	assert_int_equal(v.order_count, 1);
	assert_string_equal(v.filter_text, "local=10.0.0.1 22");

	/* A bad word keeps the previous filter and names the problem. */
	assert_int_equal(live_view_set_filter(&v, "nonsense", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "nonsense"));
	assert_string_equal(v.filter_text, "local=10.0.0.1 22");
	assert_int_equal(live_view_set_filter(&v, "99999", &err), -EINVAL);

	assert_int_equal(live_view_set_filter(&v, "", &err), 0);
	live_view_update(&v, &s, marks);
	assert_int_equal(v.order_count, 3);
	live_view_free(&v);
	snapshot_free(&s);
}

static int remote_cmp(const struct conn *a, const struct conn *b)
{
	uint8_t x[16] = {0}, y[16] = {0};
	if (a->family == AF_INET) {
		x[10] = x[11] = 0xff;
		memcpy(x + 12, a->remote_addr, 4);
	} else {
		memcpy(x, a->remote_addr, 16);
	}
	if (b->family == AF_INET) {
		y[10] = y[11] = 0xff;
		memcpy(y + 12, b->remote_addr, 4);
	} else {
		memcpy(y, b->remote_addr, 16);
	}
	int r = memcmp(x, y, 16);
	if (r)
		return r;
	return (int)a->remote_port - (int)b->remote_port;
}

/* The reference order, written plainly; the view's radix sort must agree with it. */
static int reference(enum live_sort sort, const struct conn *a, const struct conn *b,
                     const struct track_mark *ma, const struct track_mark *mb)
{
	int r = 0;
	switch (sort) {
	case LIVE_SORT_STATE:
		r = (int)a->state - (int)b->state;
		if (!r)
			r = remote_cmp(a, b);
		break;
	case LIVE_SORT_REMOTE:
		r = remote_cmp(a, b);
		break;
	case LIVE_SORT_LOCAL_PORT:
		r = (int)a->local_port - (int)b->local_port;
		if (!r)
			r = remote_cmp(a, b);
		break;
	case LIVE_SORT_QUEUES: {
		uint64_t qa = (uint64_t)a->recv_q + a->send_q, qb = (uint64_t)b->recv_q + b->send_q;
		r = qa > qb ? -1 : qa < qb;
		break;
	}
	case LIVE_SORT_AGE:
		r = ma->state_since_ms < mb->state_since_ms
		        ? -1
		        : ma->state_since_ms > mb->state_since_ms;
		break;
	case LIVE_SORT_NETNS: /* grouped by namespace, each group in state order */
		r = (int)a->netns - (int)b->netns;
		if (!r)
			r = reference(LIVE_SORT_STATE, a, b, ma, mb);
		break;
	case LIVE_SORT_UNIT: /* no owners here: one group, in state order */
		r = reference(LIVE_SORT_STATE, a, b, ma, mb);
		break;
	default:
		break;
	}
	return r;
}

/* unit= and netns= words: rows whose owner's unit or container, or whose namespace, says so. */
static const struct cgroup_owner *row_cgroup(void *ctx, const struct conn *c)
{
	const struct cgroup_owner *cg = ctx;
	return c->local_port == 443 ? &cg[0] : c->local_port == 22 ? &cg[1] : NULL;
}

static void filter_unit_and_netns(void **state)
{
	(void)state;
	struct snapshot s;
	snapshot_init(&s);
	struct conn rows[] = {
	    make(AF_INET, "192.0.2.1", 443, 5000, TCP_ST_ESTABLISHED),
	    make(AF_INET, "192.0.2.2", 22, 5001, TCP_ST_ESTABLISHED),
	    make(AF_INET, "198.51.100.7", 8080, 6000, TCP_ST_CLOSE_WAIT),
	};
	rows[2].netns = 1;
	for (size_t i = 0; i < 3; i++)
		snapshot_add_conn(&s, &rows[i]);
	struct netns_entry items[2] = {{.fd = -1}, {.fd = -1}};
	strcpy(items[0].label, "host");
	strcpy(items[1].label, "net:[4026532001] docker:web");
	struct netns_set set = {.items = items, .count = 2, .all = true};
	s.netns = &set;
	struct cgroup_owner cg[2];
	const char *a = "0::/system.slice/nginx.service\n";
	const char *b = "0::/system.slice/docker-"
	                "3f4e1a7b9c2d8e6f0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcdef0.scope\n";
	assert_true(cgroup_owner_parse(a, strlen(a), &cg[0]));
	assert_true(cgroup_owner_parse(b, strlen(b), &cg[1]));
	struct tally_owner_hook hook = {.conn_cgroup = row_cgroup, .ctx = cg};
	struct filter f = base_filter();
	struct live_view v;
	live_view_init(&v, &f, LIVE_SORT_NONE);
	v.owners = &hook;
	struct track_mark marks[3] = {{0}};
	struct cw_error err = {0};
	assert_int_equal(live_view_set_filter(&v, "unit=nginx", &err), 0);
	assert_int_equal(live_view_update(&v, &s, marks), 0);
	assert_int_equal(v.order_count, 1);
	assert_int_equal(s.conns[v.order[0]].local_port, 443);
	assert_int_equal(live_view_set_filter(&v, "unit=docker:3f4e", &err), 0);
	live_view_update(&v, &s, marks);
	assert_int_equal(v.order_count, 1);
	assert_int_equal(s.conns[v.order[0]].local_port, 22);
	assert_int_equal(live_view_set_filter(&v, "netns=docker:web", &err), 0);
	live_view_update(&v, &s, marks);
	assert_int_equal(v.order_count, 1);
	assert_int_equal(s.conns[v.order[0]].local_port, 8080);
	/* Grouped by unit: the two rows of no unit together, the others each in its group. */
	assert_int_equal(live_view_set_filter(&v, "", &err), 0);
	v.sort = LIVE_SORT_UNIT;
	live_view_update(&v, &s, marks);
	assert_int_equal(v.order_count, 3);
	/* Empty values and overlong ones are refused; the filter stays. */
	assert_int_equal(live_view_set_filter(&v, "unit=", &err), -EINVAL);
	char longer[200] = "netns=";
	memset(longer + 6, 'x', 100);
	assert_int_equal(live_view_set_filter(&v, longer, &err), -EINVAL);
	live_view_free(&v);
	snapshot_free(&s);
}

/* with_v6: some remote addresses are IPv6 (the view then sorts on four keys, else one). */
static void check_sorts(bool with_v6)
{
	enum { N = 3000 };
	struct snapshot s;
	snapshot_init(&s);
	static struct track_mark marks[N];
	srand(7);
	for (int i = 0; i < N; i++) {
		char addr[64];
		int kind = rand() % 3;
		if (kind == 1 && !with_v6)
			kind = 2;
		struct conn c;
		if (kind == 0) {
			snprintf(addr, sizeof(addr), "10.%d.0.%d", rand() % 3, rand() % 4);
			c = make(AF_INET, addr, (uint16_t)(rand() % 3 * 30000 + rand() % 2),
			         (uint16_t)(rand() % 3 * 30000 + rand() % 4), 1 + rand() % 11);
		} else if (kind == 1) {
			snprintf(addr, sizeof(addr), "2001:db8::%x:%x", rand() % 3, rand() % 4);
			c = make(AF_INET6, addr, (uint16_t)(rand() % 3 * 30000 + rand() % 2),
			         (uint16_t)(rand() % 3 * 30000 + rand() % 4), 1 + rand() % 11);
		} else {
			snprintf(addr, sizeof(addr), "::ffff:10.%d.0.%d", rand() % 3, rand() % 4);
			c = make(AF_INET6, addr, (uint16_t)(rand() % 3 * 30000 + rand() % 2),
			         (uint16_t)(rand() % 3 * 30000 + rand() % 4), 1 + rand() % 11);
		}
		c.recv_q = (uint32_t)(rand() % 3) * 4000000000u / 2;
		c.send_q = (uint32_t)(rand() % 3);
		marks[i].state_since_ms = (uint64_t)(rand() % 50) << 33;
		c.netns = (uint16_t)(i % 3); /* three namespaces, for the netns order */
		snapshot_add_conn(&s, &c);
	}
	struct filter f = base_filter();
	f.listening = FILTER_ALL;
	struct live_view v;
	live_view_init(&v, &f, LIVE_SORT_NONE);
	for (int sort = 0; sort < LIVE_SORT_COUNT; sort++) {
		for (int rev = 0; rev < 2; rev++) {
			v.sort = (enum live_sort)sort;
			v.reverse = rev;
			assert_int_equal(live_view_update(&v, &s, marks), 0);
			assert_int_equal(v.order_count, N);
			for (size_t k = 1; k < v.order_count; k++) {
				uint32_t a = v.order[k - 1], b = v.order[k];
				int r = reference(v.sort, &s.conns[a], &s.conns[b], &marks[a],
				                  &marks[b]);
				if (rev)
					r = -r;
				if (r > 0 || (r == 0 && a > b))
					fail_msg("sort %s%s: rows %u and %u out of order at %zu",
					         live_sort_name(v.sort), rev ? " reversed" : "", a,
					         b, k);
			}
		}
	}
	assert_int_equal(live_sort_parse("Queues"), LIVE_SORT_QUEUES);
	assert_int_equal(live_sort_parse("nope"), LIVE_SORT_COUNT);
	live_view_free(&v);
	snapshot_free(&s);
}

static void sorts_agree_with_reference(void **state)
{
	(void)state;
	check_sorts(true);
}

static void sorts_agree_with_reference_ipv4_only(void **state)
{
	(void)state;
	check_sorts(false);
}

/* A refresh with no row at all (an empty namespace, the first refresh of a recording made in
 * one): every sort leaves the empty order alone; with no arrays yet, nothing may be copied
 * from or to them (memcpy(NULL, NULL, 0) is undefined: UBSan stopped the replay screen). */
static void sorts_an_empty_table(void **state)
{
	(void)state;
	struct snapshot s;
	snapshot_init(&s);
	struct filter f = base_filter();
	struct live_view v;
	live_view_init(&v, &f, LIVE_SORT_NONE);
	for (int sort = 0; sort < LIVE_SORT_COUNT; sort++) {
		v.sort = (enum live_sort)sort;
		assert_int_equal(live_view_update(&v, &s, NULL), 0);
		assert_int_equal(v.order_count, 0);
	}
	live_view_free(&v);
	snapshot_free(&s);
}

/* The live screen's worker computes rows with a copy of the screen's settings; taking them in
 * exchanges the rows and keeps each side's settings. */
static void worker_rows_change_hands(void **state)
{
	(void)state;
	struct snapshot s;
	snapshot_init(&s);
	struct conn rows[] = {
	    make(AF_INET, "192.0.2.9", 443, 5000, TCP_ST_ESTABLISHED),
	    make(AF_INET, "192.0.2.1", 443, 5001, TCP_ST_TIME_WAIT),
	    make(AF_INET, "0.0.0.0", 22, 0, TCP_ST_LISTEN),
	};
	for (size_t i = 0; i < 3; i++)
		snapshot_add_conn(&s, &rows[i]);
	struct track_mark marks[3] = {{0}};
	struct filter f = base_filter();
	struct live_view shown, worker;
	live_view_init(&shown, &f, LIVE_SORT_NONE);
	live_view_init(&worker, &f, LIVE_SORT_NONE);
	shown.sort = LIVE_SORT_REMOTE;
	assert_int_equal(live_view_set_filter(&shown, "443", NULL), 0);
	live_view_copy_settings(&worker, &shown);
	assert_int_equal(worker.sort, LIVE_SORT_REMOTE);
	assert_string_equal(worker.filter_text, shown.filter_text);
	assert_int_equal(live_view_update(&worker, &s, marks), 0);
	assert_int_equal(worker.order_count, 2);
	assert_int_equal(worker.order[0], 1); /* 192.0.2.1 before 192.0.2.9 */
	shown.reverse = true; /* a key after the copy: settings stay where they are */
	live_view_swap_rows(&shown, &worker);
	assert_int_equal(shown.order_count, 2);
	assert_int_equal(shown.order[0], 1);
	assert_true(shown.reverse);
	assert_false(worker.reverse);
	assert_int_equal(worker.order_count, 0);
	live_view_free(&shown);
	live_view_free(&worker);
	snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(filter_words_and_listeners),
	    cmocka_unit_test(worker_rows_change_hands),
	    cmocka_unit_test(sorts_an_empty_table),
	    cmocka_unit_test(filter_unit_and_netns),
	    cmocka_unit_test(sorts_agree_with_reference),
	    cmocka_unit_test(sorts_agree_with_reference_ipv4_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
