#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/escape.h"
#include "util/jsonw.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void terminal_escape_neutralises_controls(void **state)
{
	(void)state;
	char out[128];
	escape_terminal("ok\x1b[2Jname", 10, out, sizeof(out));
	assert_string_equal(out, "ok\\x1b[2Jname");
	escape_terminal("a\nb\tc\\d", 7, out, sizeof(out));
	assert_string_equal(out, "a\\x0ab\\x09c\\\\d");
	/* valid UTF-8 passes, invalid bytes and C1 controls do not */
	escape_terminal("k\xc3\xa9", 3, out, sizeof(out));
	assert_string_equal(out, "k\xc3\xa9");
	escape_terminal("\xff\xc2\x9b", 3, out, sizeof(out));
	assert_string_equal(out, "\\xff\\xc2\\x9b");
	/* output is cut at a character boundary, never mid-escape */
	escape_terminal("\x01\x02\x03", 3, out, 9);
	assert_string_equal(out, "\\x01\\x02");
}

static char *render(void (*fn)(struct jsonw *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jsonw w;
	jsonw_init(&w, f);
	fn(&w);
	fclose(f);
	return buf;
}

static void doc_nested(struct jsonw *w)
{
	jsonw_object_begin(w);
	jsonw_kv_uint(w, "a", 1);
	jsonw_key(w, "b");
	jsonw_array_begin(w);
	jsonw_string(w, "x\"y\\z");
	jsonw_string(w, "\x01\n");
	jsonw_null(w);
	jsonw_array_end(w);
	jsonw_kv_string(w, "bad", "\xff\xc2\x85ok");
	jsonw_kv_double(w, "nan", 0.0 / 0.0);
	jsonw_kv_bool(w, "t", true);
	jsonw_object_end(w);
}

static void json_writer_escapes_and_separates(void **state)
{
	(void)state;
	char *s = render(doc_nested);
	assert_string_equal(s, "{\"a\":1,\"b\":[\"x\\\"y\\\\z\",\"\\u0001\\u000a\",null],"
	                       "\"bad\":\"\\ufffd\\u0085ok\",\"nan\":null,\"t\":true}");
	free(s);
}

/* Bidi controls and zero-width code points hide or reorder text ("Trojan Source"): escaped,
 * while visible non-ASCII text passes. */
static void terminal_escape_invisible_code_points(void **state)
{
	(void)state;
	char out[128];
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"evil\xe2\x80\xae"
	     "fdp.exe",
	     "evil\\u202efdp.exe"}, /* RIGHT-TO-LEFT OVERRIDE */
	    {"a\xe2\x80\x8b"
	     "b",
	     "a\\u200bb"},                                    /* ZERO WIDTH SPACE */
	    {"\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069"}, /* isolates U+2066..2069 */
	    {"\xe2\x81\xa7\xe2\x81\xa8", "\\u2067\\u2068"},
	    {"\xef\xbb\xbfname", "\\ufeffname"},            /* BOM / ZWNBSP */
	    {"\xe2\x80\x8e\xe2\x80\x8f", "\\u200e\\u200f"}, /* LRM, RLM */
	    {"\xe2\x80\x8c\xe2\x80\x8d", "\\u200c\\u200d"}, /* ZWNJ, ZWJ */
	    {"\xe2\x80\xa8", "\\u2028"},                    /* LINE SEPARATOR */
	    {"\xd8\x9c", "\\u061c"},                        /* ARABIC LETTER MARK */
	    {"\xc2\xad", "\\u00ad"},                        /* SOFT HYPHEN */
	    {"\xf3\xa0\x80\x81", "\\U000e0001"},            /* LANGUAGE TAG */
	    {"\xe3\x85\xa4", "\\u3164"},                    /* HANGUL FILLER */
	    /* visible text stays: Indonesian, CJK, a combining accent, an emoji */
	    {"kopi \xe5\x92\x96\xe5\x95\xa1 e\xcc\x81 \xf0\x9f\x98\x80",
	     "kopi \xe5\x92\x96\xe5\x95\xa1 e\xcc\x81 \xf0\x9f\x98\x80"},
	    /* the character just before and after a range passes */
	    {"\xe2\x80\x8a\xe2\x80\x90", "\xe2\x80\x8a\xe2\x80\x90"}, /* U+200A, U+2010 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		escape_terminal(cases[i].in, strlen(cases[i].in), out, sizeof(out));
		assert_string_equal(out, cases[i].want);
	}
	assert_true(escape_is_invisible(0x202e));
	assert_false(escape_is_invisible('a'));
	assert_false(escape_is_invisible(0xe9));
	/* an escape that does not fit is left out whole, never cut */
	assert_int_equal(escape_terminal("ab\xe2\x80\xae", 5, out, 7), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(escape_terminal("ab\xe2\x80\xae", 5, out, 9), 8);
}

/* Cutting counts display columns and never splits a UTF-8 sequence. */
static void columns_and_cuts(void **state)
{
	(void)state;
	size_t cols;
	const char *cafe = "caf\xc3\xa9!"; /* 6 bytes, 5 columns */
	assert_int_equal(utf8_columns(cafe, strlen(cafe)), 5);
	assert_int_equal(utf8_fit_columns(cafe, strlen(cafe), 4, &cols), 5);
	assert_int_equal(cols, 4);
	assert_int_equal(utf8_fit_columns(cafe, strlen(cafe), 3, &cols), 3);
	assert_int_equal(cols, 3);
	/* wide characters take two columns: one that would straddle the edge is left out */
	const char *cjk = "\xe5\x92\x96\xe5\x95\xa1x"; /* 7 bytes, 5 columns */
	assert_int_equal(utf8_columns(cjk, strlen(cjk)), 5);
	assert_int_equal(utf8_fit_columns(cjk, strlen(cjk), 3, &cols), 3);
	assert_int_equal(cols, 2);
	assert_int_equal(utf8_fit_columns(cjk, strlen(cjk), 1, &cols), 0);
	/* a combining accent takes no column and stays with its letter */
	const char *accent = "e\xcc\x81x";
	assert_int_equal(utf8_columns(accent, strlen(accent)), 2);
	assert_int_equal(utf8_fit_columns(accent, strlen(accent), 1, &cols), 3);
	/* a truncated sequence at the end and stray bytes count one column each */
	assert_int_equal(utf8_columns("a\xe5\x92", 3), 3);
	assert_int_equal(utf8_fit_columns("a\xe5\x92", 3, 2, &cols), 2);
	/* no room: nothing */
	assert_int_equal(utf8_fit_columns(cafe, strlen(cafe), 0, &cols), 0);
	assert_int_equal(cols, 0);
	/* every cut of a mixed string ends on a sequence boundary */
	const char *mixed = "a\xc3\xa9\xe5\x92\x96\xf0\x9f\x98\x80z";
	for (size_t max = 0; max < 10; max++) {
		size_t n = utf8_fit_columns(mixed, strlen(mixed), max, NULL);
		assert_true(n == strlen(mixed) || (mixed[n] & 0xc0) != 0x80);
		assert_true(utf8_columns(mixed, n) <= max);
	}
}

int main(void)
{
	/* widths come from wcwidth(), which needs a UTF-8 LC_CTYPE (glibc always has C.UTF-8) */
	if (!setlocale(LC_CTYPE, "C.UTF-8")) {
		fprintf(stderr, "cannot set LC_CTYPE=C.UTF-8\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(terminal_escape_neutralises_controls),
	    cmocka_unit_test(terminal_escape_invisible_code_points),
	    cmocka_unit_test(columns_and_cuts),
	    cmocka_unit_test(json_writer_escapes_and_separates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
