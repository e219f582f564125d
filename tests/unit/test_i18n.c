#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "i18n.h"

#include <string.h>

/* What `msgfmt -c` accepts and refuses, and what connwatch adds (%n is refused outright). */
static void format_compatibility(void **state)
{
	(void)state;
	static const struct {
		const char *id, *str;
		bool ok;
	} cases[] = {
	    {"no format", "tanpa format", true},
	    {"%s: %zu rows", "%s: %zu baris", true},
	    {"100%% done", "100%% selesai", true},
	    {"%-*s|%6.2f", "%-*s|%6.2f", true},
	    {"%s then %d", "%2$d lalu %1$s", true}, /* reordered with positions */
	    {"%lu of %llu", "%lu dari %llu", true},
	    {"%x", "%u", true},                /* same size and signedness */
	    {"cannot: %m", "gagal: %m", true}, /* %m reads no argument */
	    {"%'d", "%d", true},               /* flags and widths do not matter */
	    {"%s", "%d", false},               /* another type */
	    {"%d", "%ld", false},              /* another size */
	    {"%d", "%u", false},               /* another signedness, as msgfmt -c says */
	    {"%s", "%s %s", false},            /* more arguments */
	    {"%s %s", "%s", false},            /* fewer: the rest would be misread by position */
	    {"no format", "%s", false},        /* a format where there was none */
	    {"%s", "%s%n", false},             /* writes through a pointer */
	    {"%d", "%d %", false},             /* dangling */
	    {"%d", "%y", false},               /* unknown conversion */
	    {"%s then %d", "%1$s lalu %d", false}, /* numbered and unnumbered mixed */
	    {"%s %d", "%2$d", false},              /* a gap among numbered arguments */
	    {"%*d", "%d", false},                  /* the width argument counts */
	    /* a msgid that is no format ('%' then the end): its translation may read nothing */
	    {"at 50%", "pada 50%%", true},
	    {"100% sure", "100%% yakin", false}, /* "% s" is a conversion, as for msgfmt */
	    {"at 50%", "pada %s", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (i18n_format_compatible(cases[i].id, cases[i].str) != cases[i].ok)
			fail_msg("\"%s\" -> \"%s\": expected %s", cases[i].id, cases[i].str,
			         cases[i].ok ? "compatible" : "rejected");
	}
}

/* The shipped catalogue passes the check whole: nothing of it falls back to English. */
static void shipped_catalogue_is_clean(void **state)
{
	(void)state;
	assert_int_equal(i18n_init("id"), 0);
	assert_string_equal(i18n_language(), "id");
	assert_int_equal(i18n_rejected_count(), 0);
	assert_string_not_equal(_("out of memory"), "out of memory");
	i18n_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(format_compatibility),
	    cmocka_unit_test(shipped_catalogue_is_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
