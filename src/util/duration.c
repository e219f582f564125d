#include "duration.h"

#include <inttypes.h>
#include <stdio.h>

size_t duration_format(char *buf, size_t len, uint64_t ms)
{
	uint64_t s = ms / 1000;
	int n;
	if (s < 60)
		n = snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		n = snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		n = snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s % 3600 / 60);
	else
		n = snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s % 86400 / 3600);
	if (n < 0)
		n = 0;
	return (size_t)n < len ? (size_t)n : (len ? len - 1 : 0);
}
