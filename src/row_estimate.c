#include "row_estimate.h"

#include "util/parse.h"
#include "util/readfile.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>

static bool starts_with(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(end - p) >= n && !memcmp(p, word, n);
}

/* The number after `name` on one "PROTO: name N name N ..." line, or 0. */
static uint64_t field(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		const char *word = p;
		while (p < end && *p != ' ')
			p++;
		bool hit = (size_t)(p - word) == n && !memcmp(word, name, n);
		while (p < end && *p == ' ')
			p++;
		uint64_t v = 0;
		bool number = parse_dec(&p, end, &v);
		if (hit)
			return number ? v : 0;
	}
	return 0;
}

static void add_capped(size_t *sum, uint64_t v)
{
	*sum = v >= ROW_ESTIMATE_MAX - *sum ? ROW_ESTIMATE_MAX : *sum + (size_t)v;
}

size_t row_estimate_parse(const char *text, size_t len, bool tcp, bool udp)
{
	size_t sum = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		bool is_tcp = starts_with(p, eol, "TCP: ") || starts_with(p, eol, "TCP6: ");
		bool is_udp = starts_with(p, eol, "UDP: ") || starts_with(p, eol, "UDP6: ");
		if ((is_tcp && tcp) || (is_udp && udp)) {
			const char *fields = memchr(p, ' ', (size_t)(eol - p));
			add_capped(&sum, field(fields, eol, "inuse"));
			if (is_tcp)
				add_capped(&sum, field(fields, eol, "tw"));
		}
		p = nl ? nl + 1 : end;
	}
	return sum;
}

size_t row_estimate_read(bool tcp, bool udp)
{
	static const char *const files[] = {"/proc/net/sockstat", "/proc/net/sockstat6"};
	size_t sum = 0;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char buf[1024];
		ssize_t n = read_file_bounded(AT_FDCWD, files[i], O_NONBLOCK, buf, sizeof(buf));
		if (n > 0)
			add_capped(&sum, row_estimate_parse(buf, (size_t)n, tcp, udp));
	}
	return sum;
}
