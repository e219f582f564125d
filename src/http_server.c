#include "http_server.h"

#include "i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ACCEPT_BATCH    64    /* connections taken per wake-up of one listener */
#define ACCEPT_PAUSE_MS 100   /* out of descriptors: stop accepting this long */
#define DRAIN_MS        1000  /* after an error reply, read and drop what the client still sends */
#define DRAIN_MAX       65536 /* ... at most this much, so that the reply is not lost to a RST */
#define EVENTS_MAX      64
#define KEY_LEN         9 /* family + an IPv4 address or an IPv6 /64 */

enum conn_state { CONN_READ, CONN_WRITE, CONN_DRAIN };

struct hconn {
	int fd;
	uint32_t gen; /* tells a stale epoll event for a reused slot from a live one */
	enum conn_state state;
	uint32_t events; /* what epoll watches now */
	unsigned char key[KEY_LEN];
	uint64_t waiting_since; /* when it began waiting for its current request (eviction order) */
	uint64_t deadline;
	bool started;     /* a byte of the current request has come */
	bool close_after; /* close once the reply is sent */
	bool drain;       /* ... after reading what the client still sends */
	size_t drained;
	struct http_scan scan;
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	char in[HTTP_HEAD_MAX];
};

struct server {
	int ep;
	const int *listen_fds;
	unsigned int nlisten;
	bool accept_paused;
	uint64_t accept_resume;
	const struct http_limits *lim;
	http_handler_fn fn;
	void *ctx;
	struct hconn **slots; /* lim->max_connections of them */
	unsigned int count;
	uint32_t next_gen;
	struct http_server_stats *stats;
};

static uint64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

const char *http_status_text(unsigned int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Error";
	}
}

/* Epoll data: the slot in the low 32 bits, its generation above; listeners and the stop
 * descriptor use slots past the connection table. */
static uint64_t tag(uint32_t slot, uint32_t gen)
{
	return (uint64_t)gen << 32 | slot;
}

static int watch(struct server *s, struct hconn *c, uint32_t slot, uint32_t events)
{
	if (c->events == events)
		return 0;
	struct epoll_event ev = {.events = events, .data.u64 = tag(slot, c->gen)};
	int op = c->events ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	if (epoll_ctl(s->ep, op, c->fd, &ev) < 0)
		return -errno;
	c->events = events;
	return 0;
}

static void conn_close(struct server *s, uint32_t slot)
{
	struct hconn *c = s->slots[slot];
	close(c->fd); /* also takes it out of the epoll set */
	free(c->out);
	free(c);
	s->slots[slot] = NULL;
	s->count--;
}

/* A best-effort answer on a connection about to be closed (never blocks). */
static void send_now(int fd, const char *text)
{
	ssize_t n = send(fd, text, strlen(text), MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)n;
}

static bool try_write(struct server *s, uint32_t slot, uint64_t now);
static bool process_input(struct server *s, uint32_t slot, uint64_t now);

/* Queues a reply and starts sending it. Returns false when the connection was closed. */
static bool reply(struct server *s, uint32_t slot, const struct http_reply *r, bool head_only,
                  bool close_after, uint64_t now)
{
	struct hconn *c = s->slots[slot];
	char hdr[512];
	int h = snprintf(hdr, sizeof(hdr),
	                 "HTTP/1.1 %u %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%s%s\r\n",
	                 r->status, http_status_text(r->status), r->content_type, r->body_len,
	                 r->status == 405 ? "Allow: GET, HEAD\r\n" : "",
	                 close_after ? "Connection: close\r\n" : "");
	size_t body = head_only ? 0 : r->body_len;
	free(c->out);
	c->out = malloc((size_t)h + body);
	if (!c->out) {
		conn_close(s, slot);
		return false;
	}
	memcpy(c->out, hdr, (size_t)h);
	if (body)
		memcpy(c->out + h, r->body, body);
	c->out_len = (size_t)h + body;
	c->out_off = 0;
	c->close_after = close_after;
	c->state = CONN_WRITE;
	c->deadline = now + s->lim->write_deadline_ms;
	return try_write(s, slot, now);
}

/* The server's own refusal of a request it will not hand on: the connection is closed after. */
static bool refuse(struct server *s, uint32_t slot, unsigned int status, uint64_t now)
{
	char body[64];
	int n = snprintf(body, sizeof(body), "%s\n", http_status_text(status));
	struct http_reply r = {status, "text/plain; charset=utf-8", body, (size_t)n};
	s->stats->bad_requests++;
	s->slots[slot]->drain = true;
	return reply(s, slot, &r, false, true, now);
}

/* The next request on a kept-alive connection (its first bytes may already be here). */
static bool next_request(struct server *s, uint32_t slot, uint64_t now)
{
	struct hconn *c = s->slots[slot];
	c->state = CONN_READ;
	memset(&c->scan, 0, sizeof(c->scan));
	c->waiting_since = now;
	c->started = c->in_len > 0;
	c->deadline = now + (c->started ? s->lim->head_deadline_ms : s->lim->idle_ms);
	if (watch(s, c, slot, EPOLLIN) < 0) {
		conn_close(s, slot);
		return false;
	}
	return c->in_len ? process_input(s, slot, now) : true;
}

static bool try_write(struct server *s, uint32_t slot, uint64_t now)
{
	struct hconn *c = s->slots[slot];
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		                 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (watch(s, c, slot, EPOLLOUT) < 0)
				break;
			return true;
		}
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
	}
	if (c->out_off < c->out_len) {
		conn_close(s, slot);
		return false;
	}
	free(c->out);
	c->out = NULL;
	if (!c->close_after)
		return next_request(s, slot, now);
	if (!c->drain) {
		conn_close(s, slot);
		return false;
	}
	/* Closing with unread input would reset the connection and could destroy the reply
	 * before the client reads it: half-close, then read and drop for a while. */
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_DRAIN;
	c->drained = 0;
	c->deadline = now + DRAIN_MS;
	if (watch(s, c, slot, EPOLLIN) < 0) {
		conn_close(s, slot);
		return false;
	}
	return true;
}

/* Looks at what has arrived of the current request; answers it once complete. */
static bool process_input(struct server *s, uint32_t slot, uint64_t now)
{
	struct hconn *c = s->slots[slot];
	long h = http_scan_head(&c->scan, c->in, c->in_len);
	if (h < 0)
		return refuse(s, slot, (unsigned int)-h, now);
	if (h == 0)
		return true;
	struct http_request req;
	int bad = http_parse_head(c->in, (size_t)h, &req);
	if (bad)
		return refuse(s, slot, (unsigned int)bad, now);
	if (req.method == HTTP_METHOD_OTHER)
		return refuse(s, slot, 405, now);
	/* A body, meaningless on GET and never sent by Prometheus, is not read. */
	if (req.has_body)
		return refuse(s, slot, 413, now);
	struct http_reply r = {0};
	s->fn(s->ctx, &req, &r);
	/* What follows the head is the next request (pipelining). req.path points into c->in,
	 * so the head goes only once the handler is done with it. */
	c->in_len -= (size_t)h;
	memmove(c->in, c->in + h, c->in_len);
	return reply(s, slot, &r, req.method == HTTP_METHOD_HEAD, !req.keep_alive, now);
}

static bool on_readable(struct server *s, uint32_t slot, uint64_t now)
{
	struct hconn *c = s->slots[slot];
	if (c->state == CONN_DRAIN) {
		char sink[4096];
		ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return true;
		c->drained += n > 0 ? (size_t)n : 0;
		if (n <= 0 || c->drained > DRAIN_MAX) {
			conn_close(s, slot);
			return false;
		}
		return true;
	}
	if (c->state != CONN_READ)
		return true;
	size_t room = sizeof(c->in) - c->in_len;
	if (room == 0) /* the scan refuses a head before it fills the buffer */
		return refuse(s, slot, 431, now);
	ssize_t n = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return true;
	if (n <= 0) {
		conn_close(s, slot);
		return false;
	}
	if (!c->started) {
		c->started = true;
		uint64_t d = now + s->lim->head_deadline_ms;
		if (d < c->deadline)
			c->deadline = d;
	}
	c->in_len += (size_t)n;
	return process_input(s, slot, now);
}

static void key_of(const struct sockaddr_storage *sa, unsigned char key[KEY_LEN])
{
	memset(key, 0, KEY_LEN);
	key[0] = (unsigned char)sa->ss_family;
	if (sa->ss_family == AF_INET) {
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(a)) {
			key[0] = AF_INET;
			memcpy(key + 1, a->s6_addr + 12, 4);
		} else {
			/* One host usually has a whole /64: count it as one address. */
			memcpy(key + 1, a->s6_addr, 8);
		}
	}
}

/* Makes room for a connection from key, closing the one that has waited longest without a
 * complete request when a limit is full. Returns false when nothing could be closed. */
static bool make_room(struct server *s, const unsigned char key[KEY_LEN])
{
	unsigned int same = 0;
	int oldest_same = -1, oldest_any = -1;
	for (unsigned int i = 0; i < s->lim->max_connections; i++) {
		struct hconn *c = s->slots[i];
		if (!c)
			continue;
		bool mine = !memcmp(c->key, key, KEY_LEN);
		same += mine;
		if (c->state == CONN_WRITE) /* a request being answered is never cut */
			continue;
		if (oldest_any < 0 || c->waiting_since < s->slots[oldest_any]->waiting_since)
			oldest_any = (int)i;
		if (mine &&
		    (oldest_same < 0 || c->waiting_since < s->slots[oldest_same]->waiting_since))
			oldest_same = (int)i;
	}
	int victim = -1;
	if (same >= s->lim->max_per_address)
		victim = oldest_same;
	else if (s->count >= s->lim->max_connections)
		victim = oldest_any;
	else
		return true;
	if (victim < 0)
		return false;
	send_now(s->slots[victim]->fd, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
	                               "Content-Length: 0\r\n\r\n");
	conn_close(s, (uint32_t)victim);
	s->stats->evicted++;
	return true;
}

static void pause_accepting(struct server *s, uint64_t now)
{
	for (unsigned int i = 0; i < s->nlisten; i++)
		epoll_ctl(s->ep, EPOLL_CTL_DEL, s->listen_fds[i], NULL);
	s->accept_paused = true;
	s->accept_resume = now + ACCEPT_PAUSE_MS;
}

static int watch_listeners(struct server *s)
{
	for (unsigned int i = 0; i < s->nlisten; i++) {
		struct epoll_event ev = {.events = EPOLLIN,
		                         .data.u64 = tag(s->lim->max_connections + i, 0)};
		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, s->listen_fds[i], &ev) < 0)
			return -errno;
	}
	s->accept_paused = false;
	return 0;
}

static void on_accept(struct server *s, int lfd, uint64_t now)
{
	for (int k = 0; k < ACCEPT_BATCH; k++) {
		struct sockaddr_storage sa;
		socklen_t sl = sizeof(sa);
		int fd = accept4(lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM)
				pause_accepting(s, now);
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			return;
		}
		s->stats->accepted++;
		unsigned char key[KEY_LEN];
		key_of(&sa, key);
		if (!make_room(s, key)) {
			s->stats->refused++;
			send_now(fd, "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
			             "Content-Length: 0\r\n\r\n");
			close(fd);
			continue;
		}
		uint32_t slot = 0;
		while (s->slots[slot])
			slot++;
		struct hconn *c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->gen = ++s->next_gen & 0x7fffffffu;
		memcpy(c->key, key, KEY_LEN);
		c->waiting_since = now;
		c->deadline = now + s->lim->head_deadline_ms;
		s->slots[slot] = c;
		s->count++;
		if (watch(s, c, slot, EPOLLIN) < 0) {
			conn_close(s, slot);
			continue;
		}
		/* A scrape sends its request with the handshake: answer it before more
		 * connections can push it out. */
		on_readable(s, slot, now);
	}
}

static void expire(struct server *s, uint64_t now)
{
	for (uint32_t i = 0; i < s->lim->max_connections; i++) {
		struct hconn *c = s->slots[i];
		if (!c || c->deadline > now)
			continue;
		if (c->state == CONN_READ && c->started) {
			send_now(c->fd, "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
			                "Content-Length: 0\r\n\r\n");
			s->stats->timed_out++;
		} else if (c->state == CONN_WRITE) {
			s->stats->timed_out++;
		}
		conn_close(s, i);
	}
}

static int next_timeout(const struct server *s, uint64_t now)
{
	uint64_t next = now + 1000;
	if (s->accept_paused && s->accept_resume < next)
		next = s->accept_resume;
	for (uint32_t i = 0; i < s->lim->max_connections; i++)
		if (s->slots[i] && s->slots[i]->deadline < next)
			next = s->slots[i]->deadline;
	return next > now ? (int)(next - now) : 0;
}

int http_server_run(const int *listen_fds, unsigned int nfds, const struct http_limits *lim,
                    http_handler_fn fn, void *ctx, int stop_fd, struct http_server_stats *stats,
                    struct cw_error *err)
{
	struct server s = {.listen_fds = listen_fds,
	                   .nlisten = nfds,
	                   .lim = lim,
	                   .fn = fn,
	                   .ctx = ctx,
	                   .stats = stats};
	int ret = 0;
	memset(stats, 0, sizeof(*stats));
	s.slots = calloc(lim->max_connections, sizeof(*s.slots));
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (!s.slots || s.ep < 0) {
		ret = cw_error_set(err, -ENOMEM, "%s", _("out of memory"));
		goto out;
	}
	for (unsigned int i = 0; i < nfds; i++)
		fcntl(listen_fds[i], F_SETFL, fcntl(listen_fds[i], F_GETFL) | O_NONBLOCK);
	struct epoll_event stop = {.events = EPOLLIN,
	                           .data.u64 = tag(lim->max_connections + nfds, 0)};
	if (epoll_ctl(s.ep, EPOLL_CTL_ADD, stop_fd, &stop) < 0 || watch_listeners(&s) < 0) {
		ret = cw_error_set(err, -errno, _("cannot watch the listening sockets: %s"),
		                   strerror(errno));
		goto out;
	}
	struct epoll_event events[EVENTS_MAX];
	for (;;) {
		int n = epoll_wait(s.ep, events, EVENTS_MAX, next_timeout(&s, now_ms()));
		if (n < 0 && errno != EINTR) {
			ret = cw_error_set(err, -errno, "epoll_wait: %s", strerror(errno));
			goto out;
		}
		uint64_t now = now_ms();
		for (int i = 0; i < n; i++) {
			uint32_t slot = (uint32_t)events[i].data.u64;
			uint32_t gen = (uint32_t)(events[i].data.u64 >> 32);
			if (slot == lim->max_connections + nfds) {
				struct signalfd_siginfo si;
				if (read(stop_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
					ret = (int)si.ssi_signo;
					goto out;
				}
				continue;
			}
			if (slot >= lim->max_connections) {
				if (!s.accept_paused)
					on_accept(&s, listen_fds[slot - lim->max_connections], now);
				continue;
			}
			struct hconn *c = s.slots[slot];
			if (!c || c->gen != gen)
				continue; /* closed, and perhaps reused, earlier in this batch */
			if (c->state == CONN_WRITE) {
				if (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
					try_write(&s, slot, now);
			} else if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
				on_readable(&s, slot, now);
			}
		}
		now = now_ms();
		expire(&s, now);
		if (s.accept_paused && now >= s.accept_resume && watch_listeners(&s) < 0) {
			ret = cw_error_set(err, -errno, _("cannot watch the listening sockets: %s"),
			                   strerror(errno));
			goto out;
		}
	}
out:
	if (s.slots)
		for (uint32_t i = 0; i < lim->max_connections; i++)
			if (s.slots[i])
				conn_close(&s, i);
	free(s.slots);
	if (s.ep >= 0)
		close(s.ep);
	for (unsigned int i = 0; i < nfds; i++)
		close(listen_fds[i]);
	return ret;
}
