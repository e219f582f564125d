/* Service names -> port numbers, from an /etc/services file read once.
 *
 * netstat and ss without -n print "localhost:smtp"; import turns "smtp" back into 25 with the
 * importing machine's table (the saving machine's is not in the text). getservbyname() rereads
 * the whole file on every call through NSS, which a 13-million-row import cannot afford, so the
 * file is parsed once into a sorted array and looked up by binary search. */
#ifndef CW_UTIL_SERVICES_H
#define CW_UTIL_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERVICES_NAME_MAX 32 /* longer names are not stored (none in Debian's netbase) */
#define SERVICES_FILE_MAX (4u << 20)

enum services_proto {
	SERVICES_TCP = 0,
	SERVICES_UDP = 1,
};

struct services_entry {
	char name[SERVICES_NAME_MAX]; /* a service name or one of its aliases, NUL-terminated */
	uint16_t port;
	uint8_t proto; /* enum services_proto */
};

/* The table. Owned: free with services_free(). */
struct services {
	struct services_entry *entries; /* sorted by (name, proto) */
	size_t count;
};

/* Parses the text of an /etc/services file ("name port/proto [aliases...] [# comment]");
 * malformed lines are skipped, as getservent() skips them. Returns 0 or -ENOMEM. */
int services_parse(struct services *sv, const char *text, size_t len);

/* Reads and parses path (at most SERVICES_FILE_MAX bytes are read). A missing or unreadable
 * file leaves an empty table and returns the negative errno; the table is usable either way. */
int services_load(struct services *sv, const char *path);

/* The port of name/proto, or -1 when the table does not know it. */
int services_port(const struct services *sv, const char *name, size_t len,
                  enum services_proto proto);

void services_free(struct services *sv);

#endif
