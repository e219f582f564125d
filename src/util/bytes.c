#include "bytes.h"

#include <stdlib.h>
#include <string.h>

void bytebuf_init(struct bytebuf *b)
{
	memset(b, 0, sizeof(*b));
}

void bytebuf_free(struct bytebuf *b)
{
	free(b->data);
	bytebuf_init(b);
}

void bytebuf_reset(struct bytebuf *b)
{
	b->len = 0;
	b->failed = false;
}

bool bytebuf_reserve(struct bytebuf *b, size_t n)
{
	if (b->failed)
		return false;
	if (n <= b->cap - b->len)
		return true;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2) {
			b->failed = true;
			return false;
		}
		cap *= 2;
	}
	uint8_t *grown = realloc(b->data, cap);
	if (!grown) {
		b->failed = true;
		return false;
	}
	b->data = grown;
	b->cap = cap;
	return true;
}

void bytebuf_put(struct bytebuf *b, const void *p, size_t n)
{
	if (n && bytebuf_reserve(b, n)) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
	}
}

void bytebuf_put_u8(struct bytebuf *b, uint8_t v)
{
	bytebuf_put(b, &v, 1);
}

void bytes_store_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

uint64_t bytes_load_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void bytebuf_put_le(struct bytebuf *b, uint64_t v, unsigned n)
{
	uint8_t tmp[8];
	bytes_store_le(tmp, v, n);
	bytebuf_put(b, tmp, n);
}

void bytebuf_put_varint(struct bytebuf *b, uint64_t v)
{
	uint8_t tmp[10];
	unsigned n = 0;
	do {
		tmp[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	bytebuf_put(b, tmp, n);
}

void bytebuf_put_svarint(struct bytebuf *b, int64_t v)
{
	bytebuf_put_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

bool bytecur_get(struct bytecur *c, void *out, size_t n)
{
	if (bytecur_left(c) < n)
		return false;
	memcpy(out, c->p, n);
	c->p += n;
	return true;
}

bool bytecur_get_u8(struct bytecur *c, uint8_t *out)
{
	return bytecur_get(c, out, 1);
}

bool bytecur_get_le(struct bytecur *c, uint64_t *out, unsigned n)
{
	if (bytecur_left(c) < n)
		return false;
	*out = bytes_load_le(c->p, n);
	c->p += n;
	return true;
}

bool bytecur_get_varint(struct bytecur *c, uint64_t *out)
{
	uint64_t v = 0;
	for (unsigned shift = 0; shift < 64; shift += 7) {
		uint8_t byte;
		if (!bytecur_get_u8(c, &byte))
			return false;
		/* the tenth byte may only carry the top bit */
		if (shift == 63 && byte > 1)
			return false;
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

bool bytecur_get_svarint(struct bytecur *c, int64_t *out)
{
	uint64_t u;
	if (!bytecur_get_varint(c, &u))
		return false;
	*out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return true;
}

uint32_t bytes_crc32(uint32_t crc, const void *data, size_t len)
{
	/* Half a byte at a time: a 64-byte table instead of 1 KiB, still fast enough to check a
	 * gigabyte of recording in a few seconds. */
	static const uint32_t nibble[16] = {0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu,
	                                    0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
	                                    0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu,
	                                    0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu};
	const uint8_t *p = data;
	crc = ~crc;
	for (size_t i = 0; i < len; i++) {
		crc ^= p[i];
		crc = nibble[crc & 0xf] ^ (crc >> 4);
		crc = nibble[crc & 0xf] ^ (crc >> 4);
	}
	return ~crc;
}
