/* Address formatting and parsing, netstat-style. */
#ifndef CW_UTIL_ADDR_H
#define CW_UTIL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest "address:port" text: an IPv6 address (45) + ":" + port (5) + NUL. */
#define ADDR_ENDPOINT_MAX 56
#define ADDR_TEXT_MAX     46

/* Not a socket family: the 16 address bytes hold a `const char *` to an interned host name
 * (imported netstat/ss text without -n). The name is shorter than ADDR_TEXT_MAX and may be
 * "host:service" when the service is unknown here (its port is then 0 and is not printed). */
#define ADDR_FAMILY_NAME 0xfe

/* The name held by an ADDR_FAMILY_NAME address, and the other way round. */
const char *addr_name(const uint8_t addr[16]);
void addr_set_name(uint8_t addr[16], const char *name);

/* True for ::ffff:a.b.c.d. */
bool addr_is_v4_mapped(int family, const uint8_t addr[16]);

/* True for 0.0.0.0 and ::. */
bool addr_is_any(int family, const uint8_t addr[16]);

/* Writes the address as netstat 2.10 shows it: dotted quad for IPv4 and IPv4-mapped IPv6, RFC 5952
 * text otherwise, the name for ADDR_FAMILY_NAME. Returns the length written (buf must hold
 * ADDR_TEXT_MAX). */
size_t addr_format(char *buf, int family, const uint8_t addr[16]);

/* "addr:port", or "addr:*" for port 0 (netstat's listener and unbound notation). Returns length;
 * buf must hold ADDR_ENDPOINT_MAX. */
size_t addr_format_endpoint(char *buf, int family, const uint8_t addr[16], uint16_t port);

/* An address with a prefix length, for --local/--remote filters. */
struct addr_prefix {
	int family;
	uint8_t addr[16];
	unsigned int bits;
};

/* Parses "ADDR" or "ADDR/BITS" (IPv6 also "[ADDR]"). Returns true on success. */
bool addr_prefix_parse(const char *text, struct addr_prefix *out);

/* True when the address lies in the prefix. An IPv4 prefix also matches IPv4-mapped IPv6. */
bool addr_prefix_match(const struct addr_prefix *pfx, int family, const uint8_t addr[16]);

#endif
