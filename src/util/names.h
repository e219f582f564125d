/* Interned strings: each distinct text is stored once and always yields the same pointer, so a
 * name can stand in a fixed-size key (compared and hashed as a pointer) and be printed later.
 *
 * import keeps host names as netstat printed them ("localhost", "db-1.example"); they are
 * untrusted text, so the pool holds at most NAMES_MAX_COUNT names and NAMES_MAX_BYTES bytes:
 * a capture with more distinct names than that gets NULL for the rest. */
#ifndef CW_UTIL_NAMES_H
#define CW_UTIL_NAMES_H

#include <stddef.h>

#define NAMES_MAX_COUNT (1u << 20)
#define NAMES_MAX_BYTES (24u << 20)

struct names_chunk;

/* Owned: free with names_free(). Zero-initialise, or names_init(). */
struct names {
	const char **slots; /* open-addressing table of interned pointers; NULL = empty */
	size_t slot_count;  /* a power of two, or 0 */
	size_t count;
	size_t bytes;
	struct names_chunk *chunks; /* the storage, newest first */
};

void names_init(struct names *n);

/* The interned copy of text[0..len) (NUL-terminated), or NULL when the pool is full or out of
 * memory. The pointer stays valid until names_free(). */
const char *names_intern(struct names *n, const char *text, size_t len);

void names_free(struct names *n);

#endif
