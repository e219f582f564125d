/* `connwatch serve`: Prometheus metrics over HTTP (libmicrohttpd), or once into a file for
 * node_exporter's textfile collector. Each scrape takes a fresh snapshot. */
#include "cmd_common.h"
#include "collect.h"
#include "commands.h"
#include "cw_config.h"
#include "exitcode.h"
#include "i18n.h"
#include "render_prom.h"
#include "tally.h"
#include "util/atomic_file.h"
#include "util/endpoint.h"

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SERVE_DEFAULT_LISTEN "127.0.0.1:9877"
/* Limits that keep a misbehaving client from hurting the service: a Prometheus scrape is one
 * small GET, so these are generous for it and tight for anything else. */
#define SERVE_THREADS         2 /* one per core on a small server; scrapes are short */
#define SERVE_MAX_CONNECTIONS 64
#define SERVE_MAX_PER_IP      32
#define SERVE_TIMEOUT_SECONDS 10    /* idle or slow connections are closed after this */
#define SERVE_REQUEST_MEMORY  16384 /* request line + headers; more is refused (431) */

/* Rates (new TIME_WAIT per second, kernel counter rates in the evidence) are taken between
 * two scrapes at least this far apart, so a second scraper right after Prometheus does not
 * turn them into noise. */
#define SERVE_RATE_MIN_SECONDS    1.0
#define SERVE_SAMPLE_KEEP_SECONDS 5.0

struct serve_ctx {
	struct cw_options opts;    /* the command's options, with listeners included */
	struct diag_config config; /* thresholds, read once at start */
	struct bpf_source *bpf;    /* the fast path, loaded once at start, or NULL */
	pthread_mutex_t lock;      /* guards the fields below: scrapes run on several threads */
	bool fallback_told;
	struct diag_sample prev; /* the sample rates are measured from */
};

static double monotonic_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One scrape: counts (no row is kept), diagnosis, text. On success *text is malloc'ed (caller
 * frees). */
static int metrics_produce(struct serve_ctx *ctx, char **text, size_t *len, struct cw_error *err)
{
	double t0 = monotonic_seconds();
	struct tally t;
	tally_init(&t, &ctx->config, NULL);
	struct cw_error ignored;
	if (!ctx->opts.replay_path) /* unreadable counters leave them unknown */
		tally_read_counters(&t, ctx->opts.proc_root, &ignored);
	t.filter = &ctx->opts.filter;
	t.note_hidden_listeners = false;
	struct collector col;
	struct snapshot snap;
	collector_init(&col, &ctx->opts);
	col.bpf = ctx->bpf;
	snapshot_init(&snap);
	snapshot_set_sink(&snap, tally_sink(&t));
	/* The oldest CLOSE_WAIT age is a metric: always read the ages when there are any. */
	t.always_close_wait_ages = true;
	int r = collector_take(&col, &snap, err);
	tally_note_source(&t, &snap);
	snapshot_free(&snap);
	if (r == 0)
		r = cmd_add_close_wait_ages(&col, &t, err);
	collector_free(&col);
	if (r < 0) {
		tally_free(&t);
		return r;
	}

	double now = monotonic_seconds();
	struct diag_sample prev;
	pthread_mutex_lock(&ctx->lock);
	if (col.fell_back && !ctx->fallback_told) {
		fprintf(stderr,
		        _("connwatch: netlink sock_diag is not available (%s); reading /proc "
		          "instead\n"),
		        col.fallback_reason);
		ctx->fallback_told = true;
	}
	prev = ctx->prev;
	pthread_mutex_unlock(&ctx->lock);
	bool use_prev = prev.valid && now - prev.time_s >= SERVE_RATE_MIN_SECONDS;

	r = tally_diagnose(&t, use_prev ? &prev : NULL, now);
	if (r < 0)
		cw_error_set(err, r, "%s", _("out of memory while counting sockets"));
	if (r == 0) {
		pthread_mutex_lock(&ctx->lock);
		if (!ctx->prev.valid || now - ctx->prev.time_s >= SERVE_SAMPLE_KEEP_SECONDS)
			diag_sample_take(&ctx->prev, &t.stats, t.have_counters ? &t.counters : NULL,
			                 now);
		pthread_mutex_unlock(&ctx->lock);
		FILE *out = open_memstream(text, len);
		if (!out) {
			r = cw_error_set(err, -ENOMEM, "%s", strerror(ENOMEM));
		} else {
			struct prom_model m = {
			    .tally = &t,
			    .top = ctx->opts.top_set ? ctx->opts.top : PROM_TOP_DEFAULT,
			    .scrape_seconds = monotonic_seconds() - t0,
			};
			r = render_prom(out, &m);
			if (fclose(out) != 0 && r == 0)
				r = -EIO;
			if (r < 0) {
				free(*text);
				*text = NULL;
				cw_error_set(err, r, "%s", _("cannot format the metrics"));
			}
		}
	}
	tally_free(&t);
	return r;
}

static const char index_page[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>connwatch</title></head>\n"
    "<body><h1>connwatch</h1>\n<p>TCP and UDP connection states, diagnosis warnings and "
    "evidence for Prometheus.</p>\n<p><a href=\"/metrics\">/metrics</a></p>\n</body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status,
                             const char *content_type, const char *body, size_t len, bool owned)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    len, (void *)body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		if (owned)
			free((void *)body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result r = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

#define REPLY_TEXT(conn, status, text)                                                             \
	reply(conn, status, "text/plain; charset=utf-8", text, sizeof(text) - 1, false)

static bool has_body(struct MHD_Connection *conn)
{
	const char *len =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	return (len && strcmp(len, "0")) ||
	       MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                   MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
	(void)version;
	(void)upload;
	struct serve_ctx *ctx = cls;
	static int headers_seen;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return REPLY_TEXT(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "Method Not Allowed\n");
	/* The first call comes with the headers only. Answering a GET on the second call, once the
	 * request is complete, lets MHD keep the connection alive for the next scrape (a reply
	 * queued earlier makes it close the connection). A body, meaningless on GET and never sent
	 * by Prometheus, is refused on the first call, before it is read (MHD cannot queue a reply
	 * while a body arrives); MHD then closes that connection. */
	if (!*req_cls) {
		if (has_body(conn))
			return REPLY_TEXT(conn, MHD_HTTP_CONTENT_TOO_LARGE,
			                  "Request body not accepted\n");
		*req_cls = &headers_seen;
		return MHD_YES;
	}
	if (*upload_size) { /* a body the headers did not announce: not possible in HTTP/1.1 */
		*upload_size = 0;
		return MHD_YES;
	}
	if (!strcmp(url, "/"))
		return reply(conn, MHD_HTTP_OK, "text/html; charset=utf-8", index_page,
		             sizeof(index_page) - 1, false);
	if (strcmp(url, "/metrics"))
		return REPLY_TEXT(conn, MHD_HTTP_NOT_FOUND, "Not Found\n");

	char *text = NULL;
	size_t len = 0;
	struct cw_error err = {0};
	if (metrics_produce(ctx, &text, &len, &err) < 0) {
		fprintf(stderr, _("connwatch: scrape failed: %s\n"), err.msg);
		return REPLY_TEXT(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		                  "connwatch could not read the sockets; see its log\n");
	}
	return reply(conn, MHD_HTTP_OK, PROM_CONTENT_TYPE, text, len, true);
}

/* Opens a listening socket ourselves so a failure says exactly why (address in use, no such
 * address, permission). */
static int open_listener(const char *text, struct cw_error *err)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	if (!endpoint_parse(text, &sa, &salen)) /* the option parser checked it already */
		return cw_error_set(err, -EINVAL, "--listen %s", text);
	int fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cw_error_set(err, -errno, _("cannot listen on %s: %s"), text,
		                    strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, salen) < 0 || listen(fd, 64) < 0) {
		int e = errno;
		close(fd);
		return cw_error_set(err, -e, _("cannot listen on %s: %s"), text, strerror(e));
	}
	return fd;
}

static struct MHD_Daemon *start_daemon(struct serve_ctx *ctx, int fd, bool ipv6)
{
	unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | (ipv6 ? MHD_USE_IPv6 : 0);
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, ctx, MHD_OPTION_LISTEN_SOCKET, fd,
	                        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)SERVE_THREADS,
	                        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SERVE_MAX_CONNECTIONS,
	                        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)SERVE_MAX_PER_IP,
	                        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SERVE_TIMEOUT_SECONDS,
	                        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_REQUEST_MEMORY,
	                        MHD_OPTION_END);
}

static int write_textfile(struct serve_ctx *ctx)
{
	char *text = NULL;
	size_t len = 0;
	struct cw_error err = {0};
	if (metrics_produce(ctx, &text, &len, &err) < 0 ||
	    atomic_file_write(ctx->opts.textfile, text, len, &err) < 0) {
		free(text);
		cmd_print_error(err.msg);
		return CW_EXIT_RUNTIME;
	}
	free(text);
	return CW_EXIT_OK;
}

static int serve_http(struct serve_ctx *ctx)
{
	const char *const defaults[] = {SERVE_DEFAULT_LISTEN};
	const char *const *addrs = ctx->opts.listen_count ? ctx->opts.listen : defaults;
	unsigned int naddr = ctx->opts.listen_count ? ctx->opts.listen_count : 1;
	struct MHD_Daemon *daemons[CW_MAX_LISTEN] = {0};
	int status = CW_EXIT_OK;

	/* SIGINT and SIGTERM are taken by sigwait below; blocked before MHD starts its threads so
	 * that they inherit the mask and the signal always reaches this thread. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);

	for (unsigned int i = 0; i < naddr; i++) {
		struct cw_error err = {0};
		int fd = open_listener(addrs[i], &err);
		if (fd < 0) {
			cmd_print_error(err.msg);
			status = CW_EXIT_RUNTIME;
			goto out;
		}
		daemons[i] = start_daemon(ctx, fd, addrs[i][0] == '[');
		if (!daemons[i]) {
			close(fd);
			fprintf(stderr, _("connwatch: cannot start the HTTP server on %s\n"),
			        addrs[i]);
			status = CW_EXIT_RUNTIME;
			goto out;
		}
		fprintf(stderr, _("connwatch: serving metrics on http://%s/metrics\n"), addrs[i]);
	}
	int sig;
	while (sigwait(&stop, &sig) != 0)
		;
	fprintf(stderr, _("connwatch: signal %d received, stopping\n"), sig);
out:
	for (unsigned int i = 0; i < naddr; i++)
		if (daemons[i]) {
			/* MHD_stop_daemon closes the listening socket it was given. */
			MHD_stop_daemon(daemons[i]);
		}
	pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
	return status;
}

int cmd_serve(const struct cw_options *o)
{
	struct serve_ctx ctx = {.opts = *o};
	int status = cmd_load_config(o, &ctx.config);
	if (status != CW_EXIT_OK)
		return status;
	/* Metrics count every socket, listeners too, unless -l asked for listeners only. */
	if (ctx.opts.filter.listening == FILTER_CONNECTED)
		ctx.opts.filter.listening = FILTER_ALL;
	status = cmd_open_bpf(o, !o->textfile, &ctx.bpf);
	if (status != CW_EXIT_OK)
		return status;
	pthread_mutex_init(&ctx.lock, NULL);
	status = o->textfile ? write_textfile(&ctx) : serve_http(&ctx);
	pthread_mutex_destroy(&ctx.lock);
	bpf_source_close(ctx.bpf);
	return status;
}
