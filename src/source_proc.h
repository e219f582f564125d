/* Parsing of /proc/net/{tcp,tcp6,udp,udp6} lines, exposed for unit tests and the fuzzer. */
#ifndef CW_SOURCE_PROC_H
#define CW_SOURCE_PROC_H

#include "snapshot.h"

#include <stddef.h>

/* Longest line accepted; real lines are about 150 bytes. */
#define PROC_LINE_MAX 4096

/* Parses one line (without its newline) of a /proc/net file of the given family (AF_INET or
 * AF_INET6) and protocol into c. ticks_per_sec is unused (the timer's remaining time is not kept).
 * Returns NULL on success, or a short untranslated field name ("local address", "state", ...)
 * telling what was malformed. */
const char *proc_parse_line(const char *line, size_t len, int family, int proto, long ticks_per_sec,
                            struct conn *c);

#endif
