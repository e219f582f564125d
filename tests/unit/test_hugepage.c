#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/hugepage.h"

#include <stdlib.h>

static void all_zero(const unsigned char *p, size_t bytes)
{
	for (size_t i = 0; i < bytes; i += 4093)
		assert_int_equal(p[i], 0);
	assert_int_equal(p[bytes - 1], 0);
}

static void small_arrays_are_plain_calloc(void **state)
{
	(void)state;
	unsigned char *p = hugepage_calloc(1000, 8);
	assert_non_null(p);
	all_zero(p, 8000);
	free(p);
	p = hugepage_calloc(0, 8); /* like calloc(0, ...): something free() takes */
	assert_non_null(p);
	free(p);
}

static void large_arrays_start_on_a_huge_page(void **state)
{
	(void)state;
	/* 3 MiB: not a multiple of the huge page, so the allocation is rounded up inside */
	size_t bytes = 3 * 1024 * 1024;
	unsigned char *p = hugepage_calloc(bytes / 8, 8);
	assert_non_null(p);
	assert_int_equal((uintptr_t)p % HUGEPAGE_BYTES, 0);
	all_zero(p, bytes);
	p[bytes - 1] = 1; /* all of it is ours */
	free(p);
}

static void overflow_is_refused(void **state)
{
	(void)state;
	assert_null(hugepage_calloc(SIZE_MAX / 4, 8));
	assert_null(hugepage_calloc(SIZE_MAX, 2));
}

static void advice_on_any_range_is_harmless(void **state)
{
	(void)state;
	unsigned char *p = malloc(5 * 1024 * 1024);
	assert_non_null(p);
	hugepage_advise(p, 5 * 1024 * 1024); /* unaligned: only the whole huge pages inside */
	hugepage_advise(p + 1, 100);         /* no huge page inside: nothing */
	hugepage_advise(p, 0);
	p[0] = 1;
	p[5 * 1024 * 1024 - 1] = 2;
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(small_arrays_are_plain_calloc),
	    cmocka_unit_test(large_arrays_start_on_a_huge_page),
	    cmocka_unit_test(overflow_is_refused),
	    cmocka_unit_test(advice_on_any_range_is_harmless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
