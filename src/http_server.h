/* A small HTTP/1.1 server for `connwatch serve`: one thread, epoll, GET and HEAD only, built so
 * that misbehaving clients cannot lock Prometheus out:
 * - every request head must arrive whole within an absolute deadline (a client that sends a
 *   byte now and then cannot hold its connection);
 * - a global and a per-address connection limit; when a new connection meets a full limit, the
 *   connection that has waited longest without a complete request is closed to make room, so a
 *   scrape (a whole request at once) always gets in, however many idle or slow clients there are;
 * - junk, oversized heads and too many query arguments are refused with a 4xx at once.
 * The handler is called on the server's thread; it should be quick (serve caches its text). */
#ifndef CW_HTTP_SERVER_H
#define CW_HTTP_SERVER_H

#include "error.h"
#include "http_request.h"

#include <stddef.h>

struct http_limits {
	unsigned int max_connections;   /* open connections at once, all addresses */
	unsigned int max_per_address;   /* from one IPv4 address or one IPv6 /64 */
	unsigned int head_deadline_ms;  /* from a request's first byte (or the accept) to its end */
	unsigned int idle_ms;           /* a kept-alive connection waiting for its next request */
	unsigned int write_deadline_ms; /* to send a reply to a client that reads slowly */
};

/* What the handler answers. body is copied before the handler is called again. */
struct http_reply {
	unsigned int status;
	const char *content_type;
	const char *body;
	size_t body_len;
};

typedef void (*http_handler_fn)(void *ctx, const struct http_request *req,
                                struct http_reply *reply);

/* Counts for the operator's log and for tests. */
struct http_server_stats {
	unsigned long accepted;
	unsigned long evicted; /* closed to make room for a new connection */
	unsigned long refused; /* a new connection met a full limit with nothing to close */
	unsigned long timed_out;
	unsigned long bad_requests; /* answered 4xx/5xx by the server itself */
};

/* Serves on the listening sockets (already bound and listening; the server makes them
 * non-blocking and closes them) until stop_fd (a signalfd) is readable; returns the signal
 * number read from it, or a negative errno with err set. */
int http_server_run(const int *listen_fds, unsigned int nfds, const struct http_limits *lim,
                    http_handler_fn fn, void *ctx, int stop_fd, struct http_server_stats *stats,
                    struct cw_error *err);

/* The reason phrase of a status the server uses ("Not Found"), or "Error". */
const char *http_status_text(unsigned int status);

#endif
