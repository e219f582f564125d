/* Address formatting and parsing, netstat-style. */
#ifndef CW_UTIL_ADDR_H
#define CW_UTIL_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest "address:port" text: an IPv6 address (45) + ":" + port (5) + NUL. */
#define ADDR_ENDPOINT_MAX 56
#define ADDR_TEXT_MAX     46

/* True for ::ffff:a.b.c.d. */
bool addr_is_v4_mapped(int family, const uint8_t addr[16]);

/* True for 0.0.0.0 and ::. */
bool addr_is_any(int family, const uint8_t addr[16]);

/* Writes the address as netstat 2.10 shows it: dotted quad for IPv4 and IPv4-mapped IPv6, RFC 5952
 * text otherwise. Returns the length written (buf must hold ADDR_TEXT_MAX). */
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
