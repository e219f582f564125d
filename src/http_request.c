#include "http_request.h"

#include <string.h>
#include <strings.h>

/* RFC 9110 token characters (methods and header names). */
static bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

long http_scan_head(struct http_scan *s, const char *buf, size_t len)
{
	const unsigned char *b = (const unsigned char *)buf;
	for (; s->pos < len; s->pos++) {
		unsigned char c = b[s->pos];
		size_t i = s->pos;
		if (c == '\n') {
			size_t end = i > s->line_start && b[i - 1] == '\r' ? i - 1 : i;
			if (end == s->line_start) /* a blank line: the end of the head */
				return s->lines == 0 ? -400 : (long)(i + 1);
			s->lines++;
			s->line_start = i + 1;
			continue;
		}
		/* A CR is only allowed right before LF; control bytes and DEL never. */
		if (i > 0 && b[i - 1] == '\r')
			return -400;
		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
			return -400;
		if (s->lines == 0) {
			if (!s->method_done) {
				if (c == ' ' && i > 0)
					s->method_done = true;
				else if (!is_tchar(c) || i >= HTTP_METHOD_MAX)
					return -400;
			} else if (c >= 0x80 || c == '\t') {
				return -400; /* the target and the version are plain ASCII */
			}
			if (i >= HTTP_METHOD_MAX + HTTP_TARGET_MAX + 16)
				return -414;
		}
		if (i + 1 >= HTTP_HEAD_MAX)
			return -431;
	}
	return 0;
}

/* The next line of [*p, end) without its CRLF or LF; advances *p past it. */
static bool next_line(const char **p, const char *end, const char **line, size_t *len)
{
	if (*p >= end)
		return false;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	if (!nl)
		return false;
	*line = *p;
	*len = (size_t)(nl - *p);
	if (*len && (*p)[*len - 1] == '\r')
		(*len)--;
	*p = nl + 1;
	return true;
}

static bool token_eq(const char *s, size_t len, const char *word)
{
	return len == strlen(word) && !strncasecmp(s, word, len);
}

/* Connection: a comma-separated list of options. */
static void connection_options(const char *v, size_t len, struct http_request *req)
{
	const char *end = v + len;
	while (v < end) {
		const char *comma = memchr(v, ',', (size_t)(end - v));
		const char *e = comma ? comma : end;
		const char *a = v;
		while (a < e && (*a == ' ' || *a == '\t'))
			a++;
		const char *z = e;
		while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
			z--;
		if (token_eq(a, (size_t)(z - a), "close"))
			req->keep_alive = false;
		else if (token_eq(a, (size_t)(z - a), "keep-alive"))
			req->keep_alive = true;
		v = comma ? comma + 1 : end;
	}
}

static int parse_request_line(const char *line, size_t len, struct http_request *req)
{
	const char *end = line + len;
	const char *sp1 = memchr(line, ' ', len);
	if (!sp1 || sp1 == line)
		return 400;
	size_t mlen = (size_t)(sp1 - line);
	/* Methods are case-sensitive. */
	req->method = mlen == 3 && !strncmp(line, "GET", 3)    ? HTTP_METHOD_GET
	              : mlen == 4 && !strncmp(line, "HEAD", 4) ? HTTP_METHOD_HEAD
	                                                       : HTTP_METHOD_OTHER;
	const char *target = sp1 + 1;
	const char *sp2 = memchr(target, ' ', (size_t)(end - target));
	if (!sp2 || sp2 == target)
		return 400;
	size_t tlen = (size_t)(sp2 - target);
	if (tlen > HTTP_TARGET_MAX)
		return 414;
	if (target[0] != '/')
		return 400; /* only origin-form: no proxy requests, no "*" */
	const char *version = sp2 + 1;
	size_t vlen = (size_t)(end - version);
	if (vlen != 8 || strncmp(version, "HTTP/", 5) || version[6] != '.' || version[5] < '0' ||
	    version[5] > '9' || version[7] < '0' || version[7] > '9')
		return 400;
	if (version[5] != '1')
		return 505;
	req->keep_alive = version[7] != '0'; /* HTTP/1.1 keeps the connection by default */
	const char *q = memchr(target, '?', tlen);
	req->path = target;
	req->path_len = q ? (size_t)(q - target) : tlen;
	req->query_args = 0;
	if (q) {
		for (const char *a = q + 1; a <= sp2; a++) {
			if (a == sp2 || *a == '&') {
				req->query_args++;
				if (req->query_args > HTTP_QUERY_ARGS_MAX)
					return 400;
			}
		}
	}
	return 0;
}

int http_parse_head(const char *buf, size_t len, struct http_request *req)
{
	memset(req, 0, sizeof(*req));
	const char *p = buf, *end = buf + len;
	const char *line;
	size_t llen;
	if (len > HTTP_HEAD_MAX)
		return 431;
	if (!next_line(&p, end, &line, &llen))
		return 400;
	int r = parse_request_line(line, llen, req);
	if (r)
		return r;
	unsigned int headers = 0;
	while (next_line(&p, end, &line, &llen) && llen > 0) {
		if (++headers > HTTP_HEADERS_MAX)
			return 431;
		const char *colon = memchr(line, ':', llen);
		if (!colon || colon == line)
			return 400; /* also an obsolete folded line, which starts with a blank */
		for (const char *n = line; n < colon; n++)
			if (!is_tchar((unsigned char)*n))
				return 400;
		size_t nlen = (size_t)(colon - line);
		const char *v = colon + 1, *vend = line + llen;
		while (v < vend && (*v == ' ' || *v == '\t'))
			v++;
		while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		size_t vlen = (size_t)(vend - v);
		if (token_eq(line, nlen, "Content-Length")) {
			if (vlen == 0)
				return 400;
			for (size_t i = 0; i < vlen; i++)
				if (v[i] < '0' || v[i] > '9')
					return 400;
			for (size_t i = 0; i < vlen; i++)
				if (v[i] != '0')
					req->has_body = true;
		} else if (token_eq(line, nlen, "Transfer-Encoding")) {
			req->has_body = true;
		} else if (token_eq(line, nlen, "Connection")) {
			connection_options(v, vlen, req);
		}
	}
	return 0;
}

bool http_path_is(const struct http_request *req, const char *path)
{
	return req->path_len == strlen(path) && !memcmp(req->path, path, req->path_len);
}
