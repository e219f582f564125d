/* Short human durations for table columns: "7s", "3m05s", "2h04m", "5d03h". */
#ifndef CW_UTIL_DURATION_H
#define CW_UTIL_DURATION_H

#include <stddef.h>
#include <stdint.h>

#define DURATION_TEXT_MAX 24

/* Writes ms as the two largest units (seconds are truncated). Returns the length. */
size_t duration_format(char *buf, size_t len, uint64_t ms);

#endif
