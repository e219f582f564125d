#include "services.h"

#include "grow.h"
#include "parse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* One word of the line: [*p, end) up to the next blank or comment. */
static bool next_word(const char **p, const char *end, const char **w, size_t *len)
{
	parse_blanks(p, end);
	if (*p >= end || **p == '#')
		return false;
	*w = *p;
	while (*p < end && !is_blank(**p) && **p != '#')
		(*p)++;
	*len = (size_t)(*p - *w);
	return true;
}

static int add_entry(struct services *sv, size_t *cap, const char *name, size_t len, uint16_t port,
                     uint8_t proto)
{
	if (len == 0 || len >= SERVICES_NAME_MAX)
		return 0;
	if (sv->count == *cap) {
		size_t want = grow_capacity(*cap, sv->count + 1, 256);
		if (grow_array(&sv->entries, want, sizeof(*sv->entries)) < 0)
			return -ENOMEM;
		*cap = want;
	}
	struct services_entry *e = &sv->entries[sv->count++];
	memset(e, 0, sizeof(*e));
	memcpy(e->name, name, len);
	e->port = port;
	e->proto = proto;
	return 0;
}

/* "name port/proto aliases...": every name and alias becomes an entry. */
static int parse_line(struct services *sv, size_t *cap, const char *p, const char *end)
{
	const char *name, *pp;
	size_t name_len, pp_len;
	if (!next_word(&p, end, &name, &name_len) || !next_word(&p, end, &pp, &pp_len))
		return 0;
	const char *q = pp, *pend = pp + pp_len;
	uint64_t port;
	if (!parse_dec(&q, pend, &port) || port > 65535 || !parse_char(&q, pend, '/'))
		return 0;
	uint8_t proto;
	if (pend - q == 3 && !memcmp(q, "tcp", 3))
		proto = SERVICES_TCP;
	else if (pend - q == 3 && !memcmp(q, "udp", 3))
		proto = SERVICES_UDP;
	else
		return 0; /* sctp, ddp: not a socket import reads */
	do {
		if (add_entry(sv, cap, name, name_len, (uint16_t)port, proto) < 0)
			return -ENOMEM;
	} while (next_word(&p, end, &name, &name_len));
	return 0;
}

static int compare_entry(const void *a, const void *b)
{
	const struct services_entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (int)x->proto - (int)y->proto;
}

int services_parse(struct services *sv, const char *text, size_t len)
{
	size_t cap = sv->count;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if (parse_line(sv, &cap, p, eol) < 0)
			return -ENOMEM;
		p = nl ? nl + 1 : end;
	}
	if (sv->count)
		qsort(sv->entries, sv->count, sizeof(*sv->entries), compare_entry);
	return 0;
}

int services_load(struct services *sv, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char *buf = malloc(SERVICES_FILE_MAX);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	size_t len = 0;
	ssize_t n;
	while (len < SERVICES_FILE_MAX && (n = read(fd, buf + len, SERVICES_FILE_MAX - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = -errno;
			free(buf);
			close(fd);
			return e;
		}
		len += (size_t)n;
	}
	close(fd);
	int r = services_parse(sv, buf, len);
	free(buf);
	return r;
}

int services_port(const struct services *sv, const char *name, size_t len,
                  enum services_proto proto)
{
	if (!sv->count || len == 0 || len >= SERVICES_NAME_MAX)
		return -1;
	struct services_entry key = {.proto = (uint8_t)proto};
	memcpy(key.name, name, len);
	const struct services_entry *e =
	    bsearch(&key, sv->entries, sv->count, sizeof(*sv->entries), compare_entry);
	return e ? e->port : -1;
}

void services_free(struct services *sv)
{
	free(sv->entries);
	sv->entries = NULL;
	sv->count = 0;
}
