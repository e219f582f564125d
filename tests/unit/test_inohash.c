#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/inohash.h"

#include <errno.h>

static void put_find_replace(void **state)
{
	(void)state;
	struct inohash h;
	assert_int_equal(inohash_init(&h, 4), 0);
	assert_null(inohash_find(&h, 7));
	assert_int_equal(inohash_put(&h, 7, 70), 0);
	assert_int_equal(inohash_put(&h, 8, -2), 0);
	assert_non_null(inohash_find(&h, 7));
	assert_int_equal(*inohash_find(&h, 7), 70);
	assert_int_equal(*inohash_find(&h, 8), -2);
	assert_int_equal(inohash_put(&h, 7, 71), 0);
	assert_int_equal(*inohash_find(&h, 7), 71);
	assert_int_equal(h.count, 2);
	*inohash_find(&h, 8) = 5; /* written through the pointer, as procmap does */
	assert_int_equal(*inohash_find(&h, 8), 5);
	assert_null(inohash_find(&h, 9));
	inohash_free(&h);
}

static void zero_is_never_a_key(void **state)
{
	(void)state;
	struct inohash h;
	assert_int_equal(inohash_init(&h, 0), 0);
	assert_int_equal(inohash_put(&h, 0, 1), -EINVAL);
	assert_null(inohash_find(&h, 0));
	assert_int_equal(h.count, 0);
	inohash_free(&h);
	/* A freed (zeroed) table answers lookups without crashing. */
	assert_null(inohash_find(&h, 5));
}

/* 200,000 neighbouring inodes (socket inodes come from one counter) plus far-apart ones: the
 * table grows from a small start and every key keeps its value. */
static void grows_and_keeps_everything(void **state)
{
	(void)state;
	struct inohash h;
	assert_int_equal(inohash_init(&h, 1), 0);
	const uint32_t n = 200000;
	for (uint32_t i = 1; i <= n; i++)
		assert_int_equal(inohash_put(&h, 1000000 + i, (int32_t)i), 0);
	for (uint32_t i = 1; i <= 1000; i++)
		assert_int_equal(inohash_put(&h, UINT32_MAX - i * 65536, -(int32_t)i), 0);
	assert_int_equal(h.count, n + 1000);
	assert_true(h.capacity >= 2 * h.count);
	for (uint32_t i = 1; i <= n; i++) {
		int32_t *v = inohash_find(&h, 1000000 + i);
		assert_non_null(v);
		assert_int_equal(*v, (int32_t)i);
	}
	for (uint32_t i = 1; i <= 1000; i++)
		assert_int_equal(*inohash_find(&h, UINT32_MAX - i * 65536), -(int32_t)i);
	assert_null(inohash_find(&h, 1000000));
	assert_null(inohash_find(&h, 1000000 + n + 1));
	size_t pos = 0, seen = 0;
	long long sum = 0;
	struct inohash_slot *s;
	while ((s = inohash_next(&h, &pos))) {
		seen++;
		if (s->value > 0)
			sum += s->value;
	}
	assert_int_equal(seen, h.count);
	assert_true(sum == (long long)n * (n + 1) / 2);
	inohash_free(&h);
}

static void prefetch_is_only_a_hint(void **state)
{
	(void)state;
	struct inohash h = {0};
	inohash_prefetch(&h, 5); /* no table yet */
	assert_int_equal(inohash_init(&h, 100), 0);
	for (uint32_t k = 1; k <= 100; k++)
		assert_int_equal(inohash_put(&h, k, (int32_t)k), 0);
	for (uint32_t k = 0; k <= 200; k++) {
		inohash_prefetch(&h, k + 16);
		const int32_t *v = inohash_find(&h, k);
		if (k >= 1 && k <= 100)
			assert_int_equal(*v, (int32_t)k);
		else
			assert_null(v);
	}
	inohash_prefetch(&h, UINT32_MAX);
	inohash_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(put_find_replace),
	    cmocka_unit_test(zero_is_never_a_key),
	    cmocka_unit_test(grows_and_keeps_everything),
	    cmocka_unit_test(prefetch_is_only_a_hint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
