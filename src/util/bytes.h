/* A growable byte buffer with little-endian and varint writers, and a bounded cursor that reads
 * them back; every read checks the end (the recording reader is fed damaged files). */
#ifndef CW_UTIL_BYTES_H
#define CW_UTIL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bytebuf {
	uint8_t *data; /* owned; bytebuf_free() */
	size_t len, cap;
	bool failed; /* an append ran out of memory; later appends do nothing */
};

void bytebuf_init(struct bytebuf *b);
void bytebuf_free(struct bytebuf *b);
void bytebuf_reset(struct bytebuf *b); /* empties it, keeps the memory */
/* Makes room for n more bytes; false (and failed set) when out of memory. */
bool bytebuf_reserve(struct bytebuf *b, size_t n);
void bytebuf_put(struct bytebuf *b, const void *p, size_t n);
void bytebuf_put_u8(struct bytebuf *b, uint8_t v);
/* n bytes (1, 2, 4 or 8) of v, least significant first. */
void bytebuf_put_le(struct bytebuf *b, uint64_t v, unsigned n);
void bytebuf_put_varint(struct bytebuf *b, uint64_t v); /* LEB128 */
void bytebuf_put_svarint(struct bytebuf *b, int64_t v); /* zigzag, then LEB128 */

struct bytecur {
	const uint8_t *p, *end;
};

bool bytecur_get(struct bytecur *c, void *out, size_t n);
bool bytecur_get_u8(struct bytecur *c, uint8_t *out);
bool bytecur_get_le(struct bytecur *c, uint64_t *out, unsigned n);
bool bytecur_get_varint(struct bytecur *c, uint64_t *out);
bool bytecur_get_svarint(struct bytecur *c, int64_t *out);
static inline size_t bytecur_left(const struct bytecur *c)
{
	return (size_t)(c->end - c->p);
}

/* Little-endian load and store of n bytes (1..8) of a plain byte array. */
uint64_t bytes_load_le(const uint8_t *p, unsigned n);
void bytes_store_le(uint8_t *p, uint64_t v, unsigned n);

/* CRC-32 (IEEE 802.3, as zlib's crc32()), continued from crc (0 to start). */
uint32_t bytes_crc32(uint32_t crc, const void *data, size_t len);

#endif
