/* Helpers shared by the stats and diagnose unit tests: build connections by hand. */
#ifndef CW_TEST_DIAG_FIXTURES_H
#define CW_TEST_DIAG_FIXTURES_H

#include "snapshot.h"
#include "states.h"

#include <arpa/inet.h>
#include <string.h>

/* A TCP or UDP connection between two text addresses (IPv4 or IPv6). */
static inline struct conn fx_conn(int proto, const char *local, unsigned lport, const char *remote,
                                  unsigned rport, unsigned state)
{
	struct conn c;
	memset(&c, 0, sizeof(c));
	c.proto = (uint8_t)proto;
	c.family = strchr(local, ':') ? AF_INET6 : AF_INET;
	inet_pton(c.family, local, c.local_addr);
	inet_pton(c.family, remote, c.remote_addr);
	c.local_port = (uint16_t)lport;
	c.remote_port = (uint16_t)rport;
	c.state = (uint8_t)state;
	c.idle_ms = CONN_UNKNOWN_U32;
	return c;
}

static inline struct conn fx_tcp(const char *local, unsigned lport, const char *remote,
                                 unsigned rport, unsigned state)
{
	return fx_conn(CONN_TCP, local, lport, remote, rport, state);
}

#endif
