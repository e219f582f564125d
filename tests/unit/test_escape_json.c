#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/escape.h"
#include "util/jsonw.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(terminal_escape_neutralises_controls),
	    cmocka_unit_test(json_writer_escapes_and_separates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
