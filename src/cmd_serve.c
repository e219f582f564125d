/* `connwatch serve`: Prometheus metrics over HTTP (src/http_server.c), or once into a file for
 * node_exporter's textfile collector. A scrape takes a fresh snapshot unless the last one is
 * less than a second old. */
#include "cmd_common.h"
#include "collect.h"
#include "commands.h"
#include "cw_config.h"
#include "exitcode.h"
#include "http_server.h"
#include "i18n.h"
#include "render_prom.h"
#include "tally.h"
#include "util/atomic_file.h"
#include "util/endpoint.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SERVE_DEFAULT_LISTEN "127.0.0.1:9877"
/* Limits that keep misbehaving clients from locking Prometheus out (docs/robustness.md): a scrape
 * is one small GET sent at once, so these are generous for it and tight for anything else. When a
 * limit is full, the connection that has waited longest without a complete request makes room. */
#define SERVE_MAX_CONNECTIONS   512
#define SERVE_MAX_PER_ADDRESS   16
#define SERVE_HEAD_DEADLINE_MS  5000  /* the whole request head, from its first byte */
#define SERVE_IDLE_MS           10000 /* a kept-alive connection between two scrapes */
#define SERVE_WRITE_DEADLINE_MS 10000
#define SERVE_FD_RESERVE        64 /* descriptors kept for the socket dump and /proc */

/* A request loop must not pin a core: a render is reused for this long. */
#define SERVE_CACHE_SECONDS 1.0

/* Rates (new TIME_WAIT per second, kernel counter rates in the evidence) are taken between
 * two scrapes at least this far apart, so a second scraper right after Prometheus does not
 * turn them into noise. */
#define SERVE_RATE_MIN_SECONDS    1.0
#define SERVE_SAMPLE_KEEP_SECONDS 5.0

struct serve_ctx {
	struct cw_options opts;    /* the command's options, with listeners included */
	struct diag_config config; /* thresholds, read once at start */
	struct bpf_source *bpf;    /* the fast path, loaded once at start, or NULL */
	bool fallback_told;
	struct diag_sample prev; /* the sample rates are measured from */
	unsigned long renders;   /* times the metrics were computed */
	char *cached;            /* what is served within SERVE_CACHE_SECONDS of cached_at */
	size_t cached_len;
	double cached_at;
	char *good; /* the last successful render (cached, or under cached's stale copy) */
	size_t good_len;
	double good_at;
	/* New TIME_WAIT sockets since serve started, summed over the intervals between samples
	 * (each interval once, so it only grows): the counter behind the exporter's rate. */
	double time_wait_new_total;
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
	t.split_netns = ctx->opts.netns != NULL;
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
	if (r < 0) {
		tally_free(&t);
		collector_free(&col);
		return r;
	}

	double now = monotonic_seconds();
	if (col.fell_back && !ctx->fallback_told) {
		fprintf(stderr,
		        _("connwatch: netlink sock_diag is not available (%s); reading /proc "
		          "instead\n"),
		        col.fallback_reason);
		ctx->fallback_told = true;
	}
	struct diag_sample prev = ctx->prev;
	bool use_prev = prev.valid && now - prev.time_s >= SERVE_RATE_MIN_SECONDS;

	r = tally_diagnose(&t, use_prev ? &prev : NULL, now);
	if (r < 0)
		cw_error_set(err, r, "%s", _("out of memory while counting sockets"));
	if (r == 0) {
		double tw_total = -1;
		if (!ctx->prev.valid || now - ctx->prev.time_s >= SERVE_SAMPLE_KEEP_SECONDS) {
			/* the interval [prev, now] is counted once, when prev is replaced */
			if (use_prev && ctx->prev.time_s == prev.time_s && t.time_wait_rate >= 0)
				ctx->time_wait_new_total +=
				    round(t.time_wait_rate * (now - prev.time_s));
			diag_sample_take(&ctx->prev, &t.stats, t.have_counters ? &t.counters : NULL,
			                 now);
		}
		if (t.have_counters && !ctx->opts.textfile)
			tw_total = ctx->time_wait_new_total;
		ctx->renders++;
		FILE *out = open_memstream(text, len);
		if (!out) {
			r = cw_error_set(err, -ENOMEM, "%s", strerror(ENOMEM));
		} else {
			struct prom_model m = {
			    .tally = &t,
			    .top = ctx->opts.top_set ? ctx->opts.top : PROM_TOP_DEFAULT,
			    .scrape_seconds = monotonic_seconds() - t0,
			    .renders = ctx->renders,
			    .time_wait_new_total = tw_total,
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
	collector_free(&col);
	return r;
}

static const char index_page[] =
    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>connwatch</title></head>\n"
    "<body><h1>connwatch</h1>\n<p>TCP and UDP connection states, diagnosis warnings and "
    "evidence for Prometheus.</p>\n<p><a href=\"/metrics\">/metrics</a></p>\n</body></html>\n";

#define TEXT_REPLY(r, code, text)                                                                  \
	(*(r) = (struct http_reply){code, "text/plain; charset=utf-8", text, sizeof(text) - 1})

/* The metrics, from the cache while it is fresh. Returns false when they cannot be read. */
static bool metrics_current(struct serve_ctx *ctx)
{
	double now = monotonic_seconds();
	if (ctx->cached && now - ctx->cached_at < SERVE_CACHE_SECONDS)
		return true;
	char *text = NULL;
	size_t len = 0;
	struct cw_error err = {0};
	if (metrics_produce(ctx, &text, &len, &err) < 0) {
		if (!ctx->good) {
			fprintf(stderr, _("connwatch: scrape failed: %s\n"), err.msg);
			return false;
		}
		/* A passing failure (ENOBUFS) does not fail the scrape: the last good metrics
		 * are served again, marked stale in a comment, and the next scrape after the
		 * cache second tries again. */
		fprintf(stderr,
		        _("connwatch: scrape failed: %s; serving the metrics of %.0f s ago, marked "
		          "stale\n"),
		        err.msg, now - ctx->good_at);
		FILE *out = open_memstream(&text, &len);
		if (!out)
			return false;
		fprintf(out,
		        "# STALE: connwatch could not read the sockets (%s); these are the "
		        "metrics of %.0f s ago\n",
		        err.msg, now - ctx->good_at);
		fwrite(ctx->good, 1, ctx->good_len, out);
		if (fclose(out) != 0) {
			free(text);
			return false;
		}
		if (ctx->cached != ctx->good)
			free(ctx->cached);
		ctx->cached = text;
		ctx->cached_len = len;
		ctx->cached_at = now;
		return true;
	}
	if (ctx->cached != ctx->good)
		free(ctx->cached);
	free(ctx->good);
	ctx->cached = ctx->good = text;
	ctx->cached_len = ctx->good_len = len;
	ctx->cached_at = ctx->good_at = now;
	return true;
}

static void on_request(void *cls, const struct http_request *req, struct http_reply *r)
{
	struct serve_ctx *ctx = cls;
	if (http_path_is(req, "/")) {
		*r = (struct http_reply){200, "text/html; charset=utf-8", index_page,
		                         sizeof(index_page) - 1};
	} else if (!http_path_is(req, "/metrics")) {
		TEXT_REPLY(r, 404, "Not Found\n");
	} else if (!metrics_current(ctx)) {
		TEXT_REPLY(r, 500, "connwatch could not read the sockets; see its log\n");
	} else {
		*r = (struct http_reply){200, PROM_CONTENT_TYPE, ctx->cached, ctx->cached_len};
	}
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
	int v6only = !endpoint_is_every_address(text);
	if (sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	if (bind(fd, (struct sockaddr *)&sa, salen) < 0 || listen(fd, 128) < 0) {
		int e = errno;
		close(fd);
		return cw_error_set(err, -e, _("cannot listen on %s: %s"), text, strerror(e));
	}
	return fd;
}

/* The global limit, below what the descriptor limit allows. */
static unsigned int max_connections(void)
{
	struct rlimit rl;
	unsigned int max = SERVE_MAX_CONNECTIONS;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)max + SERVE_FD_RESERVE + SERVE_FD_RESERVE)
		max = rl.rlim_cur > 2 * SERVE_FD_RESERVE
		          ? (unsigned int)rl.rlim_cur - SERVE_FD_RESERVE
		          : SERVE_MAX_PER_ADDRESS;
	return max;
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
	int fds[CW_MAX_LISTEN];
	unsigned int nfds = 0;
	int status = CW_EXIT_OK;

	/* SIGINT and SIGTERM arrive through a signalfd the server watches with its sockets. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	int sfd = signalfd(-1, &stop, SFD_CLOEXEC);
	if (sfd < 0) {
		fprintf(stderr, _("connwatch: cannot start the HTTP server: %s\n"),
		        strerror(errno));
		status = CW_EXIT_RUNTIME;
		goto out;
	}
	for (; nfds < naddr; nfds++) {
		struct cw_error err = {0};
		int fd = open_listener(addrs[nfds], &err);
		if (fd < 0) {
			cmd_print_error(err.msg);
			status = CW_EXIT_RUNTIME;
			goto out;
		}
		fds[nfds] = fd;
	}
	for (unsigned int i = 0; i < naddr; i++)
		fprintf(stderr, _("connwatch: serving metrics on http://%s/metrics\n"), addrs[i]);
	struct http_limits lim = {
	    .max_connections = max_connections(),
	    .max_per_address = SERVE_MAX_PER_ADDRESS,
	    .head_deadline_ms = SERVE_HEAD_DEADLINE_MS,
	    .idle_ms = SERVE_IDLE_MS,
	    .write_deadline_ms = SERVE_WRITE_DEADLINE_MS,
	};
	struct http_server_stats st;
	struct cw_error err = {0};
	int sig = http_server_run(fds, nfds, &lim, on_request, ctx, sfd, &st, &err);
	nfds = 0; /* the server closed them */
	if (sig < 0) {
		cmd_print_error(err.msg);
		status = CW_EXIT_RUNTIME;
		goto out;
	}
	fprintf(stderr,
	        _("connwatch: signal %d received, stopping (%lu connections, %lu closed to make "
	          "room, %lu refused, %lu timed out, %lu bad requests, %lu renders)\n"),
	        sig, st.accepted, st.evicted, st.refused, st.timed_out, st.bad_requests,
	        ctx->renders);
out:
	for (unsigned int i = 0; i < nfds; i++)
		close(fds[i]);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_UNBLOCK, &stop, NULL);
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
	status = o->textfile ? write_textfile(&ctx) : serve_http(&ctx);
	bpf_source_close(ctx.bpf);
	if (ctx.cached != ctx.good)
		free(ctx.cached);
	free(ctx.good);
	return status;
}
