/* The request side of connwatch's small HTTP/1.1 server: finds the end of a request head as the
 * bytes arrive, refusing at once what can never become a valid head (binary junk, a head past
 * the size limit), then parses the head. Pure functions over a buffer: unit-tested and fuzzed. */
#ifndef CW_HTTP_REQUEST_H
#define CW_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

/* A Prometheus scrape is one GET of about 300 bytes; these are generous for it. */
#define HTTP_HEAD_MAX       8192 /* request line and headers, blank line included */
#define HTTP_TARGET_MAX     2048 /* the request target (path and query) */
#define HTTP_QUERY_ARGS_MAX 32   /* name=value pairs in the query */
#define HTTP_HEADERS_MAX    64
#define HTTP_METHOD_MAX     16

enum http_method { HTTP_METHOD_GET, HTTP_METHOD_HEAD, HTTP_METHOD_OTHER };

struct http_request {
	enum http_method method;
	const char *path; /* the target up to '?', borrowed from the buffer; not NUL-terminated */
	size_t path_len;
	unsigned int query_args;
	bool keep_alive; /* the client allows another request on this connection */
	bool has_body;   /* Content-Length other than 0, or Transfer-Encoding */
};

/* Where the scan of a head stands between reads. Zero it before the first byte. */
struct http_scan {
	size_t pos;        /* bytes already looked at */
	size_t line_start; /* where the current line began */
	unsigned int lines;
	bool method_done; /* the request line's first space was seen */
};

/* Looks at buf[s->pos, len) (buf holds the request from its first byte). Returns 0 while the head
 * is incomplete, its length (blank line included) once complete, or minus an HTTP status when
 * the bytes can never make a valid head: -400 for control bytes, a bad method or a bare CR,
 * -414 for a request line past HTTP_TARGET_MAX, -431 for a head past HTTP_HEAD_MAX. */
long http_scan_head(struct http_scan *s, const char *buf, size_t len);

/* Parses a complete head (what http_scan_head measured). Returns 0, or the HTTP status to refuse
 * it with: 400 (malformed, too many query arguments), 414, 431 (too many headers), 505. */
int http_parse_head(const char *buf, size_t len, struct http_request *req);

/* True when the path is exactly the given NUL-terminated string. */
bool http_path_is(const struct http_request *req, const char *path);

#endif
