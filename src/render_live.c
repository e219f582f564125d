#include "render_live.h"

#include "render_trend.h"

#include "netns.h"

#include "i18n.h"
#include "render_json.h"
#include "render_table.h"
#include "states.h"
#include "util/duration.h"
#include "util/escape.h"
#include "util/jsonw.h"

#include "render_summary.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* The sequence of the user's document, LISTEN last: the order a reader expects. */
static const unsigned int count_order[] = {
    TCP_ST_ESTABLISHED, TCP_ST_SYN_SENT,  TCP_ST_SYN_RECV,   TCP_ST_FIN_WAIT1,
    TCP_ST_FIN_WAIT2,   TCP_ST_TIME_WAIT, TCP_ST_CLOSE_WAIT, TCP_ST_CLOSING,
    TCP_ST_LAST_ACK,    TCP_ST_CLOSE,     TCP_ST_LISTEN,
};

size_t live_count_items(const struct stats *st, struct live_count_item *out)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof(count_order) / sizeof(count_order[0]); i++) {
		unsigned int s = count_order[i];
		size_t c = st->by_proto_state[STATS_TCP][s] + st->by_proto_state[STATS_TCP6][s];
		if (c)
			out[n++] = (struct live_count_item){tcp_state_name(s), s, c};
	}
	size_t udp = st->by_proto_state[STATS_UDP][TCP_ST_ESTABLISHED] +
	             st->by_proto_state[STATS_UDP6][TCP_ST_ESTABLISHED];
	size_t unconn = st->by_proto_state[STATS_UDP][TCP_ST_CLOSE] +
	                st->by_proto_state[STATS_UDP6][TCP_ST_CLOSE];
	if (udp)
		out[n++] = (struct live_count_item){"UDP", TCP_ST_UNKNOWN, udp};
	if (unconn)
		out[n++] = (struct live_count_item){"UDP-unconn", TCP_ST_UNKNOWN, unconn};
	return n;
}

void live_top_remotes(char *buf, size_t len, const struct stats *st)
{
	struct stats_entry top[LIVE_TOP_REMOTES];
	size_t n = stats_top(st, STATS_REMOTE_IP, -1, top, LIVE_TOP_REMOTES);
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used + 1 < len; i++) {
		char addr[STATS_KEY_TEXT_MAX];
		stats_key_format(addr, &top[i].key, false);
		int w = snprintf(buf + used, len - used, "%s%s (%" PRIu64 ")", i ? ", " : "", addr,
		                 top[i].count);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

void live_header_left(char *buf, size_t len, double interval_s, const char *source)
{
	if (source)
		snprintf(buf, len, _("Every %.1fs: connwatch (%s)"), interval_s, source);
	else
		snprintf(buf, len, _("Every %.1fs: connwatch"), interval_s);
}

void live_header_behind(char *buf, size_t len, const struct live_frame *f)
{
	buf[0] = '\0';
	uint64_t ms = f->running_ms > f->refresh_ms ? f->running_ms : f->refresh_ms;
	if ((double)ms > f->interval_s * 1000.0)
		snprintf(buf, len, _("refresh takes %.1fs, longer than the interval"),
		         (double)ms / 1000.0);
}

void live_header_right(char *buf, size_t len, const char *hostname, time_t wall)
{
	char host[256], when[64];
	struct tm tm;
	escape_terminal(hostname, strlen(hostname), host, sizeof(host));
	if (!localtime_r(&wall, &tm) || !strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm))
		snprintf(when, sizeof(when), "?");
	snprintf(buf, len, "%s: %s", host, when);
}

size_t live_state_age(char *buf, size_t len, const struct track_mark *m, uint64_t now_ms)
{
	uint64_t since = m->state_since_ms <= now_ms ? now_ms - m->state_since_ms : 0;
	size_t n = duration_format(buf, len, since);
	if ((m->flags & TRACK_BASELINE) && !(m->flags & (TRACK_CHANGED | TRACK_KERNEL_AGE)) &&
	    n + 1 < len) {
		buf[n++] = '+';
		buf[n] = '\0';
	}
	return n;
}

#define STATE_COLUMN 11 /* "ESTABLISHED" */

int render_live_plain(FILE *out, const struct live_frame *f)
{
	char left[128], right[320];
	live_header_left(left, sizeof(left), f->interval_s, f->snap->source_name);
	live_header_right(right, sizeof(right), f->hostname, f->wall);
	fprintf(out, "%s    %s\n", left, right);
	if (f->stale)
		fprintf(out, _("STALE: this refresh failed (%s); shown is the last good one\n"),
		        f->stale);
	fputc('\n', out);
	if (f->trend) {
		render_trend_text(out, f->trend, f->utf8);
		fputc('\n', out);
	}

	size_t width = render_table_width(f->snap);
	render_table_header(out, width);
	fprintf(out, "%*s ", (int)(STATE_COLUMN - strlen(_("State"))), "");
	if (f->owners)
		fprintf(out, "%-9s %-24s %s", _("In state"), _("PID/Program name"),
		        _("Unit/Container"));
	else
		fputs(_("In state"), out);
	if (f->snap->netns)
		fprintf(out, "  %s", _("Netns"));
	fputc('\n', out);
	/* Rows go out in 64 KiB blocks, one fwrite each, as in render_table. */
	enum { ROW_MAX = RENDER_TABLE_LINE_MAX + OWNER_TEXT_MAX + UNIT_TEXT_MAX + 4 * 128 + 96 };
	char block[1 << 16];
	size_t used = 0;
	const struct live_view *v = f->view;
	for (size_t k = 0; k < v->order_count; k++) {
		if (sizeof(block) - used < ROW_MAX) {
			if (fwrite(block, 1, used, out) != used)
				return -EIO;
			used = 0;
		}
		char *line = block + used;
		uint32_t i = v->order[k];
		const struct conn *c = &f->snap->conns[i];
		const struct track_mark *m = &f->marks[i];
		size_t n = render_table_row(line, c, width);
		/* pad to the end of the state column; unconnected UDP rows end before it */
		size_t state_end = 5 + 1 + 6 + 1 + 6 + 1 + 2 * width + 1 + 1 + STATE_COLUMN;
		while (n < state_end && n < RENDER_TABLE_LINE_MAX)
			line[n++] = ' ';
		line[n++] = ' ';
		size_t age_start = n;
		n += live_state_age(line + n, ROW_MAX - n, m, f->now_ms);
		if (f->owners) {
			while (n < age_start + 9)
				line[n++] = ' ';
			line[n++] = ' ';
			const struct procmap_owner *o = procmap_owner_of(f->owners, c->inode);
			size_t cell = n;
			n += owner_text(o, line + n, OWNER_TEXT_MAX);
			while (n < cell + 24)
				line[n++] = ' ';
			line[n++] = ' ';
			n += unit_text(o, line + n, UNIT_TEXT_MAX);
		}
		if (f->snap->netns) {
			const char *ns = netns_label(f->snap->netns, c->netns);
			line[n++] = ' ';
			line[n++] = ' ';
			n += escape_terminal(ns, strlen(ns), line + n, 4 * 128);
		}
		int extra = 0;
		if (m->flags & TRACK_NEW)
			extra = snprintf(line + n, ROW_MAX - n, "  %s", _("new"));
		else if (m->flags & TRACK_CHANGED)
			extra = snprintf(line + n, ROW_MAX - n, _("  was %s"),
			                 tcp_state_name(m->prev_state));
		if (extra > 0)
			n += (size_t)extra < ROW_MAX - n ? (size_t)extra : ROW_MAX - n - 1;
		if (n > ROW_MAX - 1)
			n = ROW_MAX - 1;
		line[n++] = '\n';
		used += n;
	}
	if (used && fwrite(block, 1, used, out) != used)
		return -EIO;

	struct live_count_item items[LIVE_COUNT_ITEMS_MAX];
	size_t ni = live_count_items(f->stats, items);
	fprintf(out, "\n%s", _("Counts:"));
	for (size_t k = 0; k < ni; k++)
		fprintf(out, "%s %s %zu", k ? "," : "", items[k].name, items[k].count);
	if (!ni)
		fprintf(out, " %s", _("no connections"));
	fputc('\n', out);
	fprintf(out,
	        _("Shown: %zu of %zu; since the last refresh: %zu new, %zu changed state, %zu "
	          "closed\n"),
	        v->order_count, f->snap->count, f->changes->new_count, f->changes->changed_count,
	        f->changes->closed_count);
	char top[512];
	live_top_remotes(top, sizeof(top), f->stats);
	if (top[0])
		fprintf(out, "%s %s\n", _("Top remote addresses:"), top);
	if (f->report->count) {
		fprintf(out, "%s\n", _("Warnings:"));
		for (size_t i = 0; i < f->report->count; i++)
			render_warning_text(out, &f->report->items[i]);
	} else {
		fprintf(out, "%s\n", _("Warnings: none"));
	}
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}

int render_live_json(FILE *out, const struct live_frame *f)
{
	struct jsonw w;
	char when[40];
	struct tm tm;
	if (!gmtime_r(&f->wall, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm))
		when[0] = '\0';
	jsonw_init(&w, out);
	jsonw_object_begin(&w);
	jsonw_kv_uint(&w, "version", CW_JSON_VERSION);
	jsonw_kv_uint(&w, "refresh", f->refresh);
	jsonw_kv_string(&w, "time", when);
	jsonw_kv_string(&w, "hostname", f->hostname);
	jsonw_kv_double(&w, "interval_s", f->interval_s);
	if (f->snap->source_name)
		jsonw_kv_string(&w, "source", f->snap->source_name);
	if (f->trend)
		render_trend_json(&w, f->trend, f->interval_s);
	if (f->stale)
		jsonw_kv_string(&w, "stale", f->stale);

	const struct live_view *v = f->view;
	jsonw_key(&w, "counts");
	jsonw_object_begin(&w);
	struct live_count_item items[LIVE_COUNT_ITEMS_MAX];
	size_t ni = live_count_items(f->stats, items);
	for (size_t k = 0; k < ni; k++)
		jsonw_kv_uint(&w, items[k].name, items[k].count);
	jsonw_object_end(&w);

	jsonw_key(&w, "top_remote_addresses");
	jsonw_array_begin(&w);
	struct stats_entry top[LIVE_TOP_REMOTES];
	size_t nt = stats_top(f->stats, STATS_REMOTE_IP, -1, top, LIVE_TOP_REMOTES);
	for (size_t k = 0; k < nt; k++) {
		char addr[STATS_KEY_TEXT_MAX];
		stats_key_format(addr, &top[k].key, false);
		jsonw_object_begin(&w);
		jsonw_kv_string(&w, "address", addr);
		jsonw_kv_uint(&w, "count", top[k].count);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);

	jsonw_kv_string(&w, "severity", diag_severity_name(diag_report_worst(f->report)));
	jsonw_key(&w, "warnings");
	jsonw_array_begin(&w);
	for (size_t k = 0; k < f->report->count; k++)
		render_warning_json(&w, &f->report->items[k]);
	jsonw_array_end(&w);

	jsonw_key(&w, "changes");
	jsonw_object_begin(&w);
	jsonw_kv_uint(&w, "new", f->changes->new_count);
	jsonw_kv_uint(&w, "changed", f->changes->changed_count);
	jsonw_kv_uint(&w, "closed", f->changes->closed_count);
	jsonw_object_end(&w);
	/* total as every command counts it (docs/json.md); read: every row, listeners the view
	 * hides too */
	jsonw_kv_uint(&w, "total", f->stats->total);
	jsonw_kv_uint(&w, "listening", f->stats->tcp_listeners);
	jsonw_kv_uint(&w, "read", f->snap->count);

	jsonw_key(&w, "connections");
	jsonw_array_begin(&w);
	for (size_t k = 0; k < v->order_count; k++) {
		uint32_t i = v->order[k];
		const struct track_mark *m = &f->marks[i];
		jsonw_object_begin(&w);
		render_json_conn_fields(&w, &f->snap->conns[i]);
		jsonw_kv_bool(&w, "new", (m->flags & TRACK_NEW) != 0);
		jsonw_kv_bool(&w, "changed", (m->flags & TRACK_CHANGED) != 0);
		if (m->flags & TRACK_CHANGED)
			jsonw_kv_string(&w, "previous_state", tcp_state_name(m->prev_state));
		jsonw_kv_uint(&w, "age_ms", f->now_ms - m->first_seen_ms);
		jsonw_kv_uint(&w, "state_age_ms", f->now_ms - m->state_since_ms);
		jsonw_kv_bool(&w, "seen_at_start", (m->flags & TRACK_BASELINE) != 0);
		jsonw_kv_bool(&w, "state_age_from_kernel", (m->flags & TRACK_KERNEL_AGE) != 0);
		if (f->owners) {
			const struct procmap_owner *o =
			    procmap_owner_of(f->owners, f->snap->conns[i].inode);
			jsonw_key(&w, "pid");
			if (o)
				jsonw_int(&w, o->pid);
			else
				jsonw_null(&w);
			jsonw_key(&w, "process");
			if (o)
				jsonw_string(&w, o->name);
			else
				jsonw_null(&w);
			render_json_cgroup(&w, o ? &o->cgroup : NULL);
		}
		if (f->snap->netns)
			jsonw_kv_string(&w, "netns",
			                netns_label(f->snap->netns, f->snap->conns[i].netns));
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	fputc('\n', out);
	return ferror(out) ? -EIO : 0;
}
