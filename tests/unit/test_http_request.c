/* The HTTP request head scanner and parser of `serve`: junk and oversized heads are refused as
 * soon as the bytes show it, whatever follows; good heads parse to what the server needs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http_request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Feeds text to a fresh scanner in pieces of step bytes; returns the first non-zero result. */
static long scan_in_steps(const char *text, size_t len, size_t step)
{
	struct http_scan s = {0};
	for (size_t have = step < len ? step : len;; have = have + step < len ? have + step : len) {
		long r = http_scan_head(&s, text, have);
		if (r != 0 || have == len)
			return r;
	}
}

static void prometheus_scrape(void **state)
{
	(void)state;
	const char head[] =
	    "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9877\r\nUser-Agent: "
	    "Prometheus/2.45.0\r\nAccept: text/plain;version=0.0.4;q=1,*/*;q=0.1\r\n"
	    "Accept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n"
	    "GET /next";
	size_t head_len = strlen(head) - strlen("GET /next");
	for (size_t step = 1; step <= sizeof(head); step += 7)
		assert_int_equal(scan_in_steps(head, sizeof(head) - 1, step), (long)head_len);
	struct http_request req;
	assert_int_equal(http_parse_head(head, head_len, &req), 0);
	assert_int_equal(req.method, HTTP_METHOD_GET);
	assert_true(http_path_is(&req, "/metrics"));
	assert_true(req.keep_alive);
	assert_false(req.has_body);

	const char h10[] = "HEAD /?a=1&b=2 HTTP/1.0\n\n";
	assert_int_equal(scan_in_steps(h10, sizeof(h10) - 1, 3), (long)sizeof(h10) - 1);
	assert_int_equal(http_parse_head(h10, sizeof(h10) - 1, &req), 0);
	assert_int_equal(req.method, HTTP_METHOD_HEAD);
	assert_true(http_path_is(&req, "/"));
	assert_int_equal(req.query_args, 2);
	assert_false(req.keep_alive);

	const char closing[] =
	    "GET / HTTP/1.1\r\nConnection: TE, close\r\nContent-Length: 00\r\n\r\n";
	assert_int_equal(http_parse_head(closing, sizeof(closing) - 1, &req), 0);
	assert_false(req.keep_alive);
	assert_false(req.has_body);
	const char body[] = "GET / HTTP/1.1\r\nContent-Length: 12\r\n\r\n";
	assert_int_equal(http_parse_head(body, sizeof(body) - 1, &req), 0);
	assert_true(req.has_body);
	const char post[] = "POST /metrics HTTP/1.1\r\n\r\n";
	assert_int_equal(http_parse_head(post, sizeof(post) - 1, &req), 0);
	assert_int_equal(req.method, HTTP_METHOD_OTHER);
}

/* Binary junk is refused at its first byte: no waiting for a line end that may never come. */
static void junk_refused_at_once(void **state)
{
	(void)state;
	const char *junk[] = {"\x16\x03\x01", "\x00GET",  "G\x01",
	                      "GET\t/",       " GET",     "GET /\x80",
	                      "GET /\r/",     "\r\n\r\n", "GET / HTTP/1.1\r\nX: \x1b[31m"};
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		struct http_scan s = {0};
		size_t len = i == 1 ? 4 : strlen(junk[i]);
		assert_int_equal(http_scan_head(&s, junk[i], len), -400);
	}
	/* 20 KB of binary: refused within the first bytes */
	char *big = malloc(20480);
	assert_non_null(big);
	for (size_t i = 0; i < 20480; i++)
		big[i] = (char)((i * 7 + 1) % 256);
	struct http_scan s = {0};
	assert_int_equal(http_scan_head(&s, big, 20480), -400);
	assert_true(s.pos < 16);
	free(big);
}

static void limits(void **state)
{
	(void)state;
	struct http_request req;
	/* 300 query arguments: 400 from the parser (the line itself is under the size limit) */
	char line[HTTP_HEAD_MAX];
	int n = snprintf(line, sizeof(line), "GET /metrics?");
	for (int i = 0; i < 300; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%sa%d=1", i ? "&" : "", i);
	n += snprintf(line + n, sizeof(line) - (size_t)n, " HTTP/1.1\r\n\r\n");
	assert_int_equal(scan_in_steps(line, (size_t)n, 100), n);
	assert_int_equal(http_parse_head(line, (size_t)n, &req), 400);

	/* a head that never ends: 431 once it passes the limit, 414 while still the request line */
	char *big = malloc(HTTP_HEAD_MAX + 100);
	assert_non_null(big);
	memset(big, 'a', HTTP_HEAD_MAX + 100);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	assert_int_equal(scan_in_steps(big, HTTP_HEAD_MAX + 100, 1000), -431);
	memset(big, 'a', HTTP_HEAD_MAX + 100);
	memcpy(big, "GET /", 5);
	assert_int_equal(scan_in_steps(big, HTTP_HEAD_MAX + 100, 1000), -414);
	free(big);

	const char *bad[] = {"GET metrics HTTP/1.1\r\n\r\n",
	                     "GET / HTTP/1.1 \r\n\r\n",
	                     "GET / HTTP/2.0\r\n\r\n",
	                     "GET / HTTP/1.1\r\n folded\r\n\r\n",
	                     "GET / HTTP/1.1\r\nNo colon\r\n\r\n",
	                     "GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"};
	const int want[] = {400, 400, 505, 400, 400, 400};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(http_parse_head(bad[i], strlen(bad[i]), &req), want[i]);

	/* 65 headers: 431 */
	char many[4096];
	n = snprintf(many, sizeof(many), "GET / HTTP/1.1\r\n");
	for (int i = 0; i < 65; i++)
		n += snprintf(many + n, sizeof(many) - (size_t)n, "X-%d: 1\r\n", i);
	n += snprintf(many + n, sizeof(many) - (size_t)n, "\r\n");
	assert_int_equal(http_parse_head(many, (size_t)n, &req), 431);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(prometheus_scrape),
	    cmocka_unit_test(junk_refused_at_once),
	    cmocka_unit_test(limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
