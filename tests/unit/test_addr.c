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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(formats_like_netstat),
		cmocka_unit_test(prefixes_parse_and_match),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
