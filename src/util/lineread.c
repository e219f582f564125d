#include "lineread.h"

#include <stdbool.h>

enum line_read_result line_read(FILE *in, char *buf, size_t cap, size_t *len)
{
	size_t n = 0, total = 0;
	int ch;
	bool any = false;
	while ((ch = getc_unlocked(in)) != EOF) {
		any = true;
		if (ch == '\n')
			break;
		if (n < cap)
			buf[n++] = (char)ch;
		if (++total > LINE_RUNAWAY_MAX) {
			*len = n;
			return LINE_READ_RUNAWAY;
		}
	}
	*len = n;
	if (!any)
		return LINE_READ_EOF;
	return total > cap ? LINE_READ_LONG : LINE_READ_OK;
}
