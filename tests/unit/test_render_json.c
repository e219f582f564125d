#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "render_json.h"
#include "states.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *render_one(const struct conn *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jsonw w;
	jsonw_init(&w, f);
	render_json_conn(&w, c);
	fclose(f);
	return buf;
}

static struct conn mapped_closing(void)
{
	struct conn c;
	memset(&c, 0, sizeof(c));
	c.proto = CONN_TCP;
	c.family = AF_INET6;
	inet_pton(AF_INET6, "::ffff:192.168.80.51", c.local_addr);
	inet_pton(AF_INET6, "::ffff:177.93.63.18", c.remote_addr);
	c.local_port = 443;
	c.remote_port = 45129;
	c.state = TCP_ST_CLOSING;
	c.send_q = 25;
	c.uid = 33;
	c.inode = 30002;
	return c;
}

static void connection_fields_as_documented(void **state)
{
	(void)state;
	struct conn c = mapped_closing();
	char *s = render_one(&c);
	assert_string_equal(s, "{\"proto\":\"tcp6\",\"family\":\"ipv6\",\"local_address\":"
	                       "\"192.168.80.51\",\"local_port\":443,\"remote_address\":"
	                       "\"177.93.63.18\",\"remote_port\":45129,\"state\":\"CLOSING\","
	                       "\"recv_q\":0,\"send_q\":25,\"uid\":33,\"inode\":30002}");
	free(s);
}

static void unknown_uid_is_null(void **state)
{
	(void)state;
	struct conn c = mapped_closing();
	c.uid = CONN_UNKNOWN_U32;
	char *s = render_one(&c);
	assert_non_null(strstr(s, "\"uid\":null,"));
	assert_null(strstr(s, "4294967295"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(connection_fields_as_documented),
	    cmocka_unit_test(unknown_uid_is_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
