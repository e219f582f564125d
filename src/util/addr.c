#include "addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool addr_is_v4_mapped(int family, const uint8_t addr[16])
{
	return family == AF_INET6 && memcmp(addr, v4_mapped_prefix, 12) == 0;
}

bool addr_is_any(int family, const uint8_t addr[16])
{
	static const uint8_t zero[16];
	return memcmp(addr, zero, family == AF_INET ? 4 : 16) == 0;
}

/* Hand-written because it runs once per socket, 200,000 times for a large table. */
static size_t format_v4(char *buf, const uint8_t a[4])
{
	char *p = buf;
	for (int i = 0; i < 4; i++) {
		unsigned v = a[i];
		if (v >= 100) {
			*p++ = (char)('0' + v / 100);
			*p++ = (char)('0' + v / 10 % 10);
		} else if (v >= 10) {
			*p++ = (char)('0' + v / 10);
		}
		*p++ = (char)('0' + v % 10);
		if (i < 3)
			*p++ = '.';
	}
	*p = '\0';
	return (size_t)(p - buf);
}

const char *addr_name(const uint8_t addr[16])
{
	const char *name;
	memcpy(&name, addr, sizeof(name));
	return name;
}

void addr_set_name(uint8_t addr[16], const char *name)
{
	memset(addr, 0, 16);
	memcpy(addr, &name, sizeof(name));
}

size_t addr_format(char *buf, int family, const uint8_t addr[16])
{
	if (family == ADDR_FAMILY_NAME) {
		size_t n = strnlen(addr_name(addr), ADDR_TEXT_MAX - 1);
		memcpy(buf, addr_name(addr), n);
		buf[n] = '\0';
		return n;
	}
	if (family == AF_INET)
		return format_v4(buf, addr);
	if (addr_is_v4_mapped(family, addr))
		return format_v4(buf, addr + 12);
	if (!inet_ntop(AF_INET6, addr, buf, ADDR_TEXT_MAX)) {
		strcpy(buf, "?");
		return 1;
	}
	return strlen(buf);
}

size_t addr_format_endpoint(char *buf, int family, const uint8_t addr[16], uint16_t port)
{
	size_t n = addr_format(buf, family, addr);
	if (family == ADDR_FAMILY_NAME && memchr(buf, ':', n))
		return n; /* "host:service", kept whole */
	buf[n++] = ':';
	if (port == 0) {
		buf[n++] = '*';
		buf[n] = '\0';
		return n;
	}
	char digits[6];
	int d = 0;
	unsigned v = port;
	do {
		digits[d++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (d)
		buf[n++] = digits[--d];
	buf[n] = '\0';
	return n;
}

bool addr_prefix_parse(const char *text, struct addr_prefix *out)
{
	char tmp[ADDR_TEXT_MAX + 8];
	if (!text || strlen(text) >= sizeof(tmp))
		return false;
	strcpy(tmp, text);
	char *slash = strchr(tmp, '/');
	long bits = -1;
	if (slash) {
		*slash = '\0';
		char *endp;
		if (!slash[1] || slash[1] < '0' || slash[1] > '9')
			return false;
		bits = strtol(slash + 1, &endp, 10);
		if (*endp)
			return false;
	}
	char *addr = tmp;
	size_t alen = strlen(addr);
	if (alen >= 2 && addr[0] == '[' && addr[alen - 1] == ']') {
		addr[alen - 1] = '\0';
		addr++;
	}
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		if (bits > 32)
			return false;
		out->bits = bits < 0 ? 32 : (unsigned)bits;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		if (bits > 128)
			return false;
		out->bits = bits < 0 ? 128 : (unsigned)bits;
	} else {
		return false;
	}
	return true;
}

static bool prefix_bits_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned bytes = bits / 8, rest = bits % 8;
	if (memcmp(a, b, bytes) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

bool addr_prefix_match(const struct addr_prefix *pfx, int family, const uint8_t addr[16])
{
	if (pfx->family == AF_INET) {
		if (family == AF_INET)
			return prefix_bits_equal(pfx->addr, addr, pfx->bits);
		if (addr_is_v4_mapped(family, addr))
			return prefix_bits_equal(pfx->addr, addr + 12, pfx->bits);
		return false;
	}
	return family == AF_INET6 && prefix_bits_equal(pfx->addr, addr, pfx->bits);
}
