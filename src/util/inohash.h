/* A flat open-addressing hash from a 32-bit inode number to a 32-bit value. Built for the
 * process map: 200,000 socket inodes looked up once per /proc/PID/fd link, so no per-entry
 * allocation, no chaining, linear probing over one array that stays at most half full. */
#ifndef CW_UTIL_INOHASH_H
#define CW_UTIL_INOHASH_H

#include <stddef.h>
#include <stdint.h>

struct inohash_slot {
	uint32_t key; /* 0 = empty: inode 0 means "no inode" and is never stored */
	int32_t value;
};

struct inohash {
	struct inohash_slot *slots; /* owned; freed by inohash_free() */
	size_t capacity;            /* a power of two, or 0 before the first insert */
	size_t count;
};

/* Sets h up empty with room for `expected` keys without growing. Returns 0 or -ENOMEM. */
int inohash_init(struct inohash *h, size_t expected);

void inohash_free(struct inohash *h);

/* The value stored for key, as a pointer the caller may write through (valid until the next
 * inohash_put), or NULL when key is absent or 0. */
int32_t *inohash_find(const struct inohash *h, uint32_t key);

/* Starts loading the slot where the search for key begins, for an inohash_find() a few keys
 * later: a loop over keys in no useful order (a table's rows) then waits for memory once per
 * several lookups instead of once per lookup. A hint only; any key, any table. */
void inohash_prefetch(const struct inohash *h, uint32_t key);

/* Stores value for key, replacing an earlier value. Returns 0, -EINVAL for key 0, -ENOMEM. */
int inohash_put(struct inohash *h, uint32_t key, int32_t value);

/* Iteration: start with *pos = 0; each call returns the next slot in use, or NULL at the end. */
struct inohash_slot *inohash_next(const struct inohash *h, size_t *pos);

#endif
