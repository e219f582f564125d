/* Fuzzes serve's request head scanner and parser (src/http_request.h) the way the server uses
 * them: the input arrives in pieces (the first byte picks the piece size), the scanner looks only
 * at what has come, and a complete head is parsed. The input sits in a buffer of exactly its
 * length, so a read past it is an ASan report. Contracts: the scanner's answer never changes with
 * the piece size, a head length is within the input and HTTP_HEAD_MAX, an error is a 4xx/5xx. */
#include "fuzz.h"

#include "http_request.h"

#include <stdlib.h>
#include <string.h>

static long scan(const char *buf, size_t len, size_t step)
{
	struct http_scan s = {0};
	size_t have = 0;
	for (;;) {
		have = len - have < step ? len : have + step;
		long r = http_scan_head(&s, buf, have);
		if (r != 0 || have == len)
			return r;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t step = (size_t)data[0] % 64 + 1;
	size_t len = size - 1;
	char *buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	long whole = scan(buf, len, len ? len : 1);
	long pieces = scan(buf, len, step);
	if (whole != pieces)
		abort();
	if (whole > 0) {
		if ((size_t)whole > len || whole > HTTP_HEAD_MAX)
			abort();
		struct http_request req;
		int r = http_parse_head(buf, (size_t)whole, &req);
		if (r != 0 && (r < 400 || r > 599))
			abort();
		if (r == 0 &&
		    (req.path_len == 0 || req.path < buf || req.path + req.path_len > buf + whole))
			abort();
	} else if (whole < 0 && (-whole < 400 || -whole > 599)) {
		abort();
	}
	free(buf);
	return 0;
}
