/* Processes named by pid: each pid once, with the name first given for it, and a 16-bit handle
 * per entry (1-based; 0 = none) that a fixed-size record can carry.
 *
 * Built for imported text, where netstat -p ("1234/nginx") and ss -p
 * (users:(("nginx",pid=1234,fd=3))) name the owner of each row: the row keeps the handle, the
 * counting stage asks for the pid and its name. Untrusted input, so at most PIDNAMES_MAX
 * entries (the handle's range): a capture naming more processes gets 0 for the rest. */
#ifndef CW_UTIL_PIDNAMES_H
#define CW_UTIL_PIDNAMES_H

#include "util/inohash.h"

#include <stddef.h>
#include <stdint.h>

#define PIDNAMES_MAX      65535u
#define PIDNAMES_NAME_MAX 32 /* longer names are cut (a kernel task name is 15 bytes) */

struct pidnames_entry {
	int32_t pid;
	char name[PIDNAMES_NAME_MAX]; /* NUL-terminated; untrusted bytes: escape before output */
};

/* Owned: free with pidnames_free(). Zero-initialise, or pidnames_init(). */
struct pidnames {
	struct pidnames_entry *items; /* handle h is items[h - 1] */
	size_t count;
	size_t capacity;
	struct inohash by_pid; /* pid -> handle */
};

void pidnames_init(struct pidnames *t);

/* The handle of pid, added with name[0..len) when new (a pid seen before keeps its first
 * name). 0 when pid <= 0, the table is full, or out of memory. */
uint16_t pidnames_add(struct pidnames *t, int32_t pid, const char *name, size_t len);

/* The entry of a handle, or NULL for 0 or a handle not given out. */
const struct pidnames_entry *pidnames_get(const struct pidnames *t, uint16_t handle);

/* The name given for pid, or NULL when the table does not hold it. */
const char *pidnames_name(const struct pidnames *t, int32_t pid);

void pidnames_free(struct pidnames *t);

#endif
