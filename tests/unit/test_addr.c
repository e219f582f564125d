#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/addr.h"

#include <arpa/inet.h>
#include <string.h>

static void endpoint(char *buf, int family, const char *text, uint16_t port)
{
	uint8_t a[16] = {0};
	assert_int_equal(inet_pton(family, text, a), 1);
	addr_format_endpoint(buf, family, a, port);
}

static void formats_like_netstat(void **state)
{
	(void)state;
	char buf[ADDR_ENDPOINT_MAX];
	endpoint(buf, AF_INET, "127.0.0.1", 3306);
	assert_string_equal(buf, "127.0.0.1:3306");
	endpoint(buf, AF_INET, "0.0.0.0", 0);
	assert_string_equal(buf, "0.0.0.0:*");
	endpoint(buf, AF_INET6, "::", 0);
	assert_string_equal(buf, ":::*");
	endpoint(buf, AF_INET6, "::1", 443);
	assert_string_equal(buf, "::1:443");
	/* netstat 2.10 shows IPv4-mapped addresses of tcp6 sockets as plain IPv4 */
	endpoint(buf, AF_INET6, "::ffff:192.168.80.51", 443);
	assert_string_equal(buf, "192.168.80.51:443");
	endpoint(buf, AF_INET, "255.255.255.255", 65535);
	assert_string_equal(buf, "255.255.255.255:65535");
	endpoint(buf, AF_INET6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff", 65535);
	assert_string_equal(buf, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff:65535");
}

static void prefixes_parse_and_match(void **state)
{
	(void)state;
	struct addr_prefix p;
	uint8_t a[16] = {0};
	assert_true(addr_prefix_parse("10.0.0.0/8", &p));
	inet_pton(AF_INET, "10.1.2.3", a);
	assert_true(addr_prefix_match(&p, AF_INET, a));
	inet_pton(AF_INET, "11.1.2.3", a);
	assert_false(addr_prefix_match(&p, AF_INET, a));
	inet_pton(AF_INET6, "::ffff:10.9.9.9", a);
	assert_true(addr_prefix_match(&p, AF_INET6, a));

	assert_true(addr_prefix_parse("[2001:db8::]/32", &p));
	inet_pton(AF_INET6, "2001:db8:1::5", a);
	assert_true(addr_prefix_match(&p, AF_INET6, a));
	inet_pton(AF_INET6, "2001:db9::5", a);
	assert_false(addr_prefix_match(&p, AF_INET6, a));

	assert_true(addr_prefix_parse("192.168.80.51", &p));
	assert_int_equal(p.bits, 32);
	assert_true(addr_prefix_parse("10.0.0.0/0", &p));
	assert_int_equal(p.bits, 0);

	assert_false(addr_prefix_parse("10.0.0.0/33", &p));
	assert_false(addr_prefix_parse("10.0.0.0/", &p));
	assert_false(addr_prefix_parse("10.0.0.0/-1", &p));
	assert_false(addr_prefix_parse("10.0.0.0/8x", &p));
	assert_false(addr_prefix_parse("example.com", &p));
	assert_false(addr_prefix_parse("", &p));
	assert_false(addr_prefix_parse("::1/129", &p));
}

/* IPv6 text as RFC 5952 writes it (what netstat 2.10 and ss print): the longest run of zero
 * groups (the first of equal runs) becomes "::", a single zero group never does, lower case. */
static void ipv6_text_is_rfc5952(void **state)
{
	(void)state;
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
	    {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
	    {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
	    {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
	    {"FE80::ABCD", "fe80::abcd"},
	    {"1::", "1::"},
	    {"0:0:0:0:0:0:0:0", "::"},
	    {"::2", "::2"},
	    {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	};
	char buf[ADDR_TEXT_MAX];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t a[16];
		assert_int_equal(inet_pton(AF_INET6, cases[i].in, a), 1);
		size_t n = addr_format(buf, AF_INET6, a);
		assert_string_equal(buf, cases[i].out);
		assert_int_equal(n, strlen(cases[i].out));
	}
	/* the longest endpoint fits ADDR_ENDPOINT_MAX */
	char ep[ADDR_ENDPOINT_MAX];
	uint8_t a[16];
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", a);
	size_t n = addr_format_endpoint(ep, AF_INET6, a, 65535);
	assert_int_equal(n, strlen(ep));
	assert_true(n < sizeof(ep));
}

/* Which addresses count as IPv4-mapped (shown as dotted quads) and as "any". */
static void mapped_and_any(void **state)
{
	(void)state;
	uint8_t a[16] = {0};
	assert_true(addr_is_any(AF_INET, a));
	assert_true(addr_is_any(AF_INET6, a));
	inet_pton(AF_INET6, "::ffff:0.0.0.0", a);
	assert_true(addr_is_v4_mapped(AF_INET6, a));
	assert_false(addr_is_any(AF_INET6, a));
	inet_pton(AF_INET6, "::1.2.3.4", a); /* IPv4-compatible, deprecated: not mapped */
	assert_false(addr_is_v4_mapped(AF_INET6, a));
	inet_pton(AF_INET6, "::fffe:1.2.3.4", a);
	assert_false(addr_is_v4_mapped(AF_INET6, a));
	char buf[ADDR_ENDPOINT_MAX];
	inet_pton(AF_INET6, "::ffff:10.0.0.1", a);
	addr_format_endpoint(buf, AF_INET6, a, 0);
	assert_string_equal(buf, "10.0.0.1:*");
	/* an IPv4 address never reads past its 4 bytes */
	uint8_t v4[16];
	memset(v4, 0xAA, sizeof(v4));
	inet_pton(AF_INET, "10.1.2.3", v4);
	addr_format(buf, AF_INET, v4);
	assert_string_equal(buf, "10.1.2.3");
	assert_false(addr_is_any(AF_INET, v4));
	memset(v4, 0, 4);
	assert_true(addr_is_any(AF_INET, v4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(formats_like_netstat),
	    cmocka_unit_test(prefixes_parse_and_match),
	    cmocka_unit_test(ipv6_text_is_rfc5952),
	    cmocka_unit_test(mapped_and_any),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
