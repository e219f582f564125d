/* The diagnosis rules. Each rule reads the counts and kernel counters, and when its threshold
 * is crossed emits a warning with the numbers behind it and what to do. Thresholds and their
 * reasons are in diag_config_default() and docs/diagnoses.md. */
#include "diagnose.h"

#include "i18n.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *diag_severity_name(enum diag_severity s)
{
	switch (s) {
	case DIAG_WARNING:
		return "warning";
	case DIAG_CRITICAL:
		return "critical";
	default:
		return "ok";
	}
}

void diag_config_default(struct diag_config *cfg)
{
	*cfg = (struct diag_config){
	    /* A busy server holds a handful of SYN_RECV per port: a handshake takes one round
	     * trip. Hundreds on one port mean clients that never complete it. */
	    .syn_recv_warning = 100,
	    .syn_recv_critical = 1000,
	    /* Each TIME_WAIT toward one endpoint holds one local port for 60 s: thousands mean a
	     * client opening a connection per request. */
	    .time_wait_remote = 2000,
	    .time_wait_total = 20000,
	    .time_wait_buckets_pct = 50,
	    .ephemeral_pct = 50,
	    /* A program closes a socket within milliseconds of read() returning 0; fifty still
	     * open after a minute are not a race but a leak. */
	    .close_wait_count = 50,
	    .close_wait_age_s = 60,
	    .close_wait_unaged = 200,
	    .listen_queue_pct = 90,
	    .recv_q_bytes = 1024 * 1024,
	    .send_q_bytes = 4 * 1024 * 1024,
	    .queue_connections = 3,
	    .fin_wait2_count = 1000,
	    .orphans_pct = 50,
	    .syn_sent_remote = 50,
	    .syn_sent_total = 200,
	};
}

void diagnose_stats_options(const struct diag_config *cfg, const struct kcounters *kc,
                            struct stats_options *out)
{
	stats_options_default(out);
	int64_t lo = kcounters_get(kc, KC_SYSCTL_PORT_LOW);
	int64_t hi = kcounters_get(kc, KC_SYSCTL_PORT_HIGH);
	if (lo != KC_UNKNOWN && hi != KC_UNKNOWN && lo > 0 && lo <= hi && hi <= 65535) {
		out->ephemeral_low = (uint16_t)lo;
		out->ephemeral_high = (uint16_t)hi;
	}
	out->close_wait_age_ms = cfg->close_wait_age_s > UINT32_MAX / 1000
	                             ? UINT32_MAX - 1
	                             : cfg->close_wait_age_s * 1000;
	out->recv_q_bytes = cfg->recv_q_bytes;
	out->send_q_bytes = cfg->send_q_bytes;
}

/* ---- report ---- */

void diag_report_init(struct diag_report *r)
{
	memset(r, 0, sizeof(*r));
}

void diag_report_clear(struct diag_report *r)
{
	r->count = 0;
	r->out_of_memory = false;
}

void diag_report_free(struct diag_report *r)
{
	free(r->items);
	diag_report_init(r);
}

enum diag_severity diag_report_worst(const struct diag_report *r)
{
	enum diag_severity worst = DIAG_OK;
	for (size_t i = 0; i < r->count; i++)
		if (r->items[i].severity > worst)
			worst = r->items[i].severity;
	return worst;
}

static struct warning *emit(const struct diag_rule *rule, struct diag_report *out,
                            enum diag_severity sev, int32_t port, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

struct warning *diag_report_add(struct diag_report *out)
{
	if (out->count == out->capacity) {
		size_t cap = out->capacity ? out->capacity * 2 : 8;
		struct warning *items = realloc(out->items, cap * sizeof(*items));
		if (!items) {
			out->out_of_memory = true;
			return NULL;
		}
		out->items = items;
		out->capacity = cap;
	}
	struct warning *w = &out->items[out->count++];
	memset(w, 0, sizeof(*w));
	return w;
}

static struct warning *emit(const struct diag_rule *rule, struct diag_report *out,
                            enum diag_severity sev, int32_t port, const char *fmt, ...)
{
	struct warning *w = diag_report_add(out);
	if (!w)
		return NULL;
	w->id = rule->id;
	w->severity = sev;
	w->remedy = rule->remedy;
	w->port = port;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->message, sizeof(w->message), fmt, ap);
	va_end(ap);
	return w;
}

static struct diag_scalar *ev_add(struct warning *w, const char *key, const char *label,
                                  enum diag_value_kind kind)
{
	if (w->evidence_count == DIAG_MAX_SCALARS)
		return NULL;
	struct diag_scalar *e = &w->evidence[w->evidence_count++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	e->label = label;
	e->kind = kind;
	return e;
}

static void ev_uint(struct warning *w, const char *key, const char *label, uint64_t v)
{
	struct diag_scalar *e = ev_add(w, key, label, DIAG_V_UINT);
	if (e)
		e->v.u = v;
}

static void ev_double(struct warning *w, const char *key, const char *label, double v)
{
	struct diag_scalar *e = ev_add(w, key, label, DIAG_V_DOUBLE);
	if (e)
		e->v.d = v;
}

static void ev_bool(struct warning *w, const char *key, const char *label, bool v)
{
	struct diag_scalar *e = ev_add(w, key, label, DIAG_V_BOOL);
	if (e)
		e->v.b = v;
}

static void ev_text(struct warning *w, const char *key, const char *label, const char *v)
{
	struct diag_scalar *e = ev_add(w, key, label, DIAG_V_TEXT);
	if (e)
		snprintf(e->text, sizeof(e->text), "%s", v);
}

/* An identifier for JSON (id) that the text view shows as a word of the reader's language. */
static void ev_word(struct warning *w, const char *key, const char *label, const char *id,
                    const char *word)
{
	struct diag_scalar *e = ev_add(w, key, label, DIAG_V_TEXT);
	if (e) {
		snprintf(e->text, sizeof(e->text), "%s", id);
		e->word = word;
	}
}

/* A kernel value as evidence, when known; sysctls and gauges as they are. */
static void ev_kernel(struct warning *w, const struct diag_input *in, enum kc_id id,
                      const char *label)
{
	int64_t v = kcounters_get(in->counters, id);
	if (v != KC_UNKNOWN)
		ev_uint(w, kcounters_info(id)->name, label, (uint64_t)v);
}

/* Per-second growth of a cumulative kernel counter since the previous sample, or -1. */
static double kernel_rate(const struct diag_input *in, enum kc_id id)
{
	if (!in->prev || !in->prev->valid || !in->counters || in->now_s <= in->prev->time_s)
		return -1;
	int64_t d = kcounters_delta(&in->prev->counters, in->counters, id);
	if (d == KC_UNKNOWN)
		return -1;
	return (double)d / (in->now_s - in->prev->time_s);
}

double diagnose_time_wait_rate(const struct diag_input *in)
{
	/* New TIME_WAIT per second = growth of the count + those that finished their wait. */
	const struct diag_sample *prev = in->prev;
	double finished = kernel_rate(in, KC_TW);
	if (!prev || !prev->valid || in->now_s <= prev->time_s || finished < 0)
		return -1;
	double dt = in->now_s - prev->time_s;
	double grown = ((double)in->stats->by_state[TCP_ST_TIME_WAIT] -
	                (double)prev->by_state[TCP_ST_TIME_WAIT]) /
	               dt;
	double rate = grown + finished;
	return rate > 0 ? rate : 0;
}

/* A cumulative counter: its value since boot, and "<name>_per_s" when two samples exist. */
static void ev_counter(struct warning *w, const struct diag_input *in, enum kc_id id,
                       const char *label, const char *rate_key, const char *rate_label)
{
	ev_kernel(w, in, id, label);
	double r = kernel_rate(in, id);
	if (r >= 0)
		ev_double(w, rate_key, rate_label, r);
}

static struct diag_list *ev_list(struct warning *w, const char *key, const char *label,
                                 const char *count_key, const char *extra0, const char *extra1)
{
	if (w->list_count == DIAG_MAX_LISTS)
		return NULL;
	struct diag_list *l = &w->lists[w->list_count++];
	memset(l, 0, sizeof(*l));
	l->key = key;
	l->label = label;
	l->count_key = count_key;
	l->extra_key[0] = extra0;
	l->extra_key[1] = extra1;
	return l;
}

static struct diag_item *list_add(struct diag_list *l, const char *address, int32_t port,
                                  uint64_t count)
{
	if (!l || l->count == DIAG_LIST_ITEMS)
		return NULL;
	struct diag_item *it = &l->items[l->count++];
	memset(it, 0, sizeof(*it));
	if (address)
		snprintf(it->address, sizeof(it->address), "%s", address);
	it->port = port;
	it->count = count;
	return it;
}

/* Fills a list from a tally's busiest entries: addresses (and ports for endpoints). */
static void list_from_tally(struct diag_list *l, const struct stats *s, enum stats_tally_id id,
                            int port_filter, bool endpoints)
{
	struct stats_entry top[DIAG_LIST_ITEMS];
	size_t n = stats_top(s, id, port_filter, top, DIAG_LIST_ITEMS);
	for (size_t i = 0; i < n; i++) {
		char text[STATS_KEY_TEXT_MAX];
		stats_key_format(text, &top[i].key, false);
		struct diag_item *it =
		    list_add(l, text, endpoints ? top[i].key.port : -1, top[i].count);
		if (it && l->extra_key[0])
			it->extra[0] = (int64_t)top[i].aux;
	}
}

/* A bounded tally that had to replace keys (Space-Saving, stats_tally.h) gives counts that may
 * be too high: the evidence says by how much at most. Exact tallies add nothing. */
static void ev_tally_bound(struct warning *w, const struct stats *s, enum stats_tally_id id)
{
	const struct stats_tally *t = &s->tally[id];
	if (!t->evictions)
		return;
	for (size_t i = 0; i < w->evidence_count; i++)
		if (!strcmp(w->evidence[i].key, "count_error_max")) {
			if (t->error_max > w->evidence[i].v.u)
				w->evidence[i].v.u = t->error_max;
			return;
		}
	ev_uint(w, "count_error_max",
	        N_("busiest lists kept in bounded memory: counts may be too high by at most"),
	        t->error_max);
}

/* The networks of a SYN flood: the smallest prefixes covering most sources (stats_cover.c). */
static void list_syn_networks(struct warning *w, const struct stats *s, uint16_t port)
{
	struct stats_cover_item items[DIAG_LIST_ITEMS];
	uint64_t covered = 0;
	size_t n = stats_syn_recv_cover(s, port, items, DIAG_LIST_ITEMS, &covered);
	struct diag_list *l =
	    ev_list(w, "top_networks", N_("top source networks"), "count", NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		char text[STATS_KEY_TEXT_MAX];
		stats_key_format(text, &items[i].key, false);
		list_add(l, text, -1, items[i].count);
	}
	ev_uint(w, "networks_count", N_("SYN_RECV from those networks"), covered);
	ev_tally_bound(w, s, STATS_SYN_RECV_SOURCE);
	ev_tally_bound(w, s, STATS_SYN_RECV_PREFIX);
}

/* ---- the rules ---- */

static void check_syn_flood(const struct diag_rule *rule, const struct diag_input *in,
                            struct diag_report *out)
{
	const struct stats *s = in->stats;
	const struct diag_config *cfg = in->config;
	struct stats_entry ports[3];
	size_t n = stats_top(s, STATS_SYN_RECV_PORT, -1, ports, 3);
	int64_t cookies = kcounters_get(in->counters, KC_SYSCTL_SYNCOOKIES);
	for (size_t i = 0; i < n; i++) {
		const struct stats_entry *p = &ports[i];
		if (p->count < cfg->syn_recv_warning)
			break;
		/* Without syncookies a full request queue turns real clients away. */
		enum diag_severity sev = p->count >= cfg->syn_recv_critical || cookies == 0
		                             ? DIAG_CRITICAL
		                             : DIAG_WARNING;
		struct warning *w =
		    emit(rule, out, sev, p->key.port,
		         P_("%llu half-open connection (SYN_RECV) on port %u from %llu source: the "
		            "mark of a SYN flood",
		            "%llu half-open connections (SYN_RECV) on port %u from %llu sources: "
		            "the mark of a SYN flood",
		            p->count),
		         (unsigned long long)p->count, p->key.port, (unsigned long long)p->aux);
		if (!w)
			return;
		ev_uint(w, "port", N_("port"), p->key.port);
		ev_uint(w, "count", N_("SYN_RECV sockets"), p->count);
		ev_uint(w, "distinct_sources", N_("distinct sources"), p->aux);
		/* Only when listeners were read at all: `netstat -ntu` text has none. */
		if (s->tcp_listeners)
			ev_bool(w, "listening", N_("a listener on the port"),
			        stats_is_listen_port(s, p->key.port));
		if (cookies != KC_UNKNOWN)
			ev_bool(w, "syncookies_on", N_("net.ipv4.tcp_syncookies on"), cookies != 0);
		ev_kernel(w, in, KC_SYSCTL_SYNCOOKIES, N_("net.ipv4.tcp_syncookies"));
		ev_kernel(w, in, KC_SYSCTL_MAX_SYN_BACKLOG, N_("net.ipv4.tcp_max_syn_backlog"));
		ev_counter(w, in, KC_LISTEN_OVERFLOWS, N_("ListenOverflows since boot"),
		           "listen_overflows_per_s", N_("ListenOverflows per second"));
		ev_counter(w, in, KC_LISTEN_DROPS, N_("ListenDrops since boot"),
		           "listen_drops_per_s", N_("ListenDrops per second"));
		ev_counter(w, in, KC_SYNCOOKIES_SENT, N_("SyncookiesSent since boot"),
		           "syncookies_sent_per_s", N_("SyncookiesSent per second"));
		ev_counter(w, in, KC_REQ_Q_FULL_DROP, N_("TCPReqQFullDrop since boot"),
		           "req_q_full_drop_per_s", N_("TCPReqQFullDrop per second"));
		list_from_tally(ev_list(w, "top_sources", N_("top sources"), "count", NULL, NULL),
		                s, STATS_SYN_RECV_SOURCE, p->key.port, false);
		list_syn_networks(w, s, p->key.port);
	}
}

static uint64_t port_range_size(const struct stats *s)
{
	return (uint64_t)s->opt.ephemeral_high - s->opt.ephemeral_low + 1;
}

static void check_time_wait(const struct diag_rule *rule, const struct diag_input *in,
                            struct diag_report *out)
{
	const struct stats *s = in->stats;
	const struct diag_config *cfg = in->config;
	uint64_t total = s->by_state[TCP_ST_TIME_WAIT];
	int64_t buckets = kcounters_get(in->counters, KC_SYSCTL_MAX_TW_BUCKETS);
	uint64_t buckets_pct = buckets > 0 ? total * 100 / (uint64_t)buckets : 0;
	struct stats_entry top;
	bool have_top = stats_top(s, STATS_TIME_WAIT_REMOTE, -1, &top, 1) == 1;
	bool per_remote = have_top && top.count >= cfg->time_wait_remote;
	bool by_total = total >= cfg->time_wait_total;
	bool by_buckets = buckets > 0 && buckets_pct >= cfg->time_wait_buckets_pct;
	if (!per_remote && !by_total && !by_buckets)
		return;

	bool client = have_top && top.aux * 2 >= top.count;
	uint64_t range = port_range_size(s);
	uint64_t ephemeral_pct = client ? top.count * 100 / range : 0;
	enum diag_severity sev = DIAG_WARNING;
	/* Past the port range every new connect() toward that endpoint fails (EADDRNOTAVAIL);
	 * past tcp_max_tw_buckets the kernel kills TIME_WAIT sockets early. */
	if ((client && ephemeral_pct >= cfg->ephemeral_pct) || (buckets > 0 && buckets_pct >= 90))
		sev = DIAG_CRITICAL;
	char endpoint[STATS_KEY_TEXT_MAX] = "";
	if (have_top)
		stats_key_format(endpoint, &top.key, true);

	struct warning *w;
	if (per_remote && client)
		w = emit(rule, out, sev, top.key.port,
		         P_("%llu TIME_WAIT socket toward %s: this host is the client, opening "
		            "and closing a connection per request",
		            "%llu TIME_WAIT sockets toward %s: this host is the client, opening "
		            "and closing a connection per request",
		            top.count),
		         (unsigned long long)top.count, endpoint);
	else if (per_remote)
		w = emit(rule, out, sev, top.key.port,
		         P_("%llu TIME_WAIT socket toward %s (this host is the server)",
		            "%llu TIME_WAIT sockets toward %s (this host is the server)",
		            top.count),
		         (unsigned long long)top.count, endpoint);
	else
		w = emit(rule, out, sev, -1,
		         P_("%llu TIME_WAIT socket in all: connections are opened and closed at a "
		            "high rate instead of reused",
		            "%llu TIME_WAIT sockets in all: connections are opened and closed at a "
		            "high rate instead of reused",
		            total),
		         (unsigned long long)total);
	if (!w)
		return;
	ev_uint(w, "count", N_("TIME_WAIT sockets"), total);
	if (have_top) {
		ev_text(w, "destination", N_("busiest remote endpoint"), endpoint);
		ev_uint(w, "destination_port", N_("its port"), top.key.port);
		ev_uint(w, "destination_count", N_("TIME_WAIT toward it"), top.count);
		ev_word(w, "side", N_("this host is the"), client ? "client" : "server",
		        client ? N_("client") : N_("server"));
	}
	ev_uint(w, "local_port_range_low", N_("local port range from"), s->opt.ephemeral_low);
	ev_uint(w, "local_port_range_high", N_("local port range to"), s->opt.ephemeral_high);
	if (client)
		ev_uint(w, "ephemeral_ports_used_pct",
		        N_("percent of the local port range in use toward it"), ephemeral_pct);
	if (buckets > 0) {
		ev_uint(w, "tcp_max_tw_buckets", N_("net.ipv4.tcp_max_tw_buckets"),
		        (uint64_t)buckets);
		ev_uint(w, "tw_buckets_used_pct", N_("percent of tcp_max_tw_buckets in use"),
		        buckets_pct);
	}
	ev_kernel(w, in, KC_SYSCTL_TW_REUSE, N_("net.ipv4.tcp_tw_reuse"));
	double rate = diagnose_time_wait_rate(in);
	if (rate >= 0)
		ev_double(w, "new_per_s", N_("new TIME_WAIT per second"), rate);
	list_from_tally(
	    ev_list(w, "top_remotes", N_("top remote endpoints"), "count", "as_client", NULL), s,
	    STATS_TIME_WAIT_REMOTE, -1, true);
	ev_tally_bound(w, s, STATS_TIME_WAIT_REMOTE);
	struct diag_list *lp =
	    ev_list(w, "top_local_ports", N_("top local ports"), "count", NULL, NULL);
	struct stats_entry ports[5];
	size_t n = stats_top(s, STATS_TIME_WAIT_LOCAL, -1, ports, 5);
	for (size_t i = 0; i < n && ports[i].count > 1; i++)
		list_add(lp, NULL, ports[i].key.port, ports[i].count);
}

/* The previous sample's CLOSE_WAIT count on a port, or -1 when not remembered. */
static int64_t prev_close_wait(const struct diag_sample *prev, uint16_t port)
{
	if (!prev || !prev->valid)
		return -1;
	for (size_t i = 0; i < prev->close_wait_ports; i++)
		if (prev->close_wait_port[i] == port)
			return (int64_t)prev->close_wait_count[i];
	return prev->close_wait_ports < DIAG_SAMPLE_PORTS ? 0 : -1;
}

/* The unit and container beside a listed pid, when the caller can tell them. */
static void name_owner(const struct diag_input *in, struct diag_item *it)
{
	if (in->owner_names)
		in->owner_names(in->owner_ctx, (uint32_t)it->extra[0], it->unit, it->container);
}

static void check_close_wait(const struct diag_rule *rule, const struct diag_input *in,
                             struct diag_report *out)
{
	const struct stats *s = in->stats;
	const struct diag_config *cfg = in->config;
	struct stats_entry ports[5];
	size_t n = stats_top(s, STATS_CLOSE_WAIT_PORT, -1, ports, 5);
	for (size_t i = 0; i < n; i++) {
		const struct stats_entry *p = &ports[i];
		bool aged = p->age_known > 0;
		/* Known ages: count only the old ones; unknown: the count alone, set higher. */
		uint64_t hanging = aged ? p->aux : p->count;
		uint64_t limit = aged ? cfg->close_wait_count : cfg->close_wait_unaged;
		if (hanging < limit || !limit)
			continue;
		enum diag_severity sev = hanging >= limit * 10 ? DIAG_CRITICAL : DIAG_WARNING;
		int64_t before = prev_close_wait(in->prev, p->key.port);
		int64_t growth = before >= 0 ? (int64_t)p->count - before : 0;
		if (growth > 0 && aged)
			sev = DIAG_CRITICAL; /* still leaking while we watch */
		struct warning *w;
		if (aged)
			w = emit(rule, out, sev, p->key.port,
			         P_("%llu connection on local port %u has been in CLOSE_WAIT for "
			            "%u s or more: the program does not close its sockets",
			            "%llu connections on local port %u have been in CLOSE_WAIT for "
			            "%u s or more: the program does not close its sockets",
			            hanging),
			         (unsigned long long)hanging, p->key.port, cfg->close_wait_age_s);
		else
			w = emit(
			    rule, out, sev, p->key.port,
			    P_("%llu connection on local port %u is in CLOSE_WAIT (its age is "
			       "unknown): the program does not close its sockets",
			       "%llu connections on local port %u are in CLOSE_WAIT (their age is "
			       "unknown): the program does not close its sockets",
			       hanging),
			    (unsigned long long)hanging, p->key.port);
		if (!w)
			return;
		ev_uint(w, "port", N_("local port"), p->key.port);
		ev_uint(w, "count", N_("CLOSE_WAIT sockets"), p->count);
		if (aged) {
			ev_uint(w, "hanging", N_("in CLOSE_WAIT for the threshold or longer"),
			        p->aux);
			ev_uint(w, "age_threshold_s", N_("threshold (seconds)"),
			        cfg->close_wait_age_s);
			ev_uint(w, "oldest_s", N_("oldest (seconds)"), p->max_age_ms / 1000);
			ev_uint(w, "ages_known", N_("sockets whose age is known"), p->age_known);
		}
		if (before >= 0) {
			ev_double(w, "growth", N_("change since the previous sample"),
			          (double)growth);
			double dt = in->now_s - in->prev->time_s;
			if (dt > 0)
				ev_double(w, "growth_per_min", N_("change per minute"),
				          (double)growth * 60.0 / dt);
		}
		/* Owners are known only when a process map fed stats_add (procmap). */
		struct diag_list *lo = ev_list(w, "processes", N_("processes holding CLOSE_WAIT"),
		                               "count", "pid", "hanging");
		struct stats_entry owners[DIAG_LIST_ITEMS];
		size_t no = stats_top(s, STATS_CLOSE_WAIT_OWNER, -1, owners, DIAG_LIST_ITEMS);
		for (size_t k = 0; k < no; k++) {
			struct diag_item *it = list_add(lo, NULL, -1, owners[k].count);
			if (it) {
				it->extra[0] = owners[k].key.id;
				it->extra[1] = (int64_t)owners[k].aux;
				name_owner(in, it);
			}
		}
	}
}

static void check_listen_overflow(const struct diag_rule *rule, const struct diag_input *in,
                                  struct diag_report *out)
{
	const struct stats *s = in->stats;
	const struct diag_config *cfg = in->config;
	size_t near = 0;
	bool full = false;
	for (size_t i = 0; i < s->fullest_count; i++) {
		const struct stats_listener *l = &s->fullest[i];
		if (l->backlog &&
		    (uint64_t)l->queue * 100 >= (uint64_t)l->backlog * cfg->listen_queue_pct) {
			near++;
			/* full as the kernel counts it: sk_acceptq_is_full() is queue > backlog */
			full |= l->queue > l->backlog;
		}
	}
	double overflows = kernel_rate(in, KC_LISTEN_OVERFLOWS);
	if (!near && overflows <= 0)
		return;
	struct warning *w;
	const struct stats_listener *first = &s->fullest[0];
	if (near)
		w = emit(rule, out, full ? DIAG_CRITICAL : DIAG_WARNING, first->port,
		         _("the accept queue of port %u holds %u of at most %u connections: the "
		           "program does not accept() fast enough"),
		         first->port, first->queue, first->backlog);
	else
		w = emit(rule, out, DIAG_WARNING, -1,
		         _("listen queues overflowed %.1f times per second since the previous "
		           "sample: connections are being dropped"),
		         overflows);
	if (!w)
		return;
	if (near) {
		ev_uint(w, "port", N_("port"), first->port);
		ev_uint(w, "queue", N_("accept queue"), first->queue);
		ev_uint(w, "backlog", N_("backlog limit"), first->backlog);
	}
	ev_uint(w, "listeners_near_full", N_("listeners at or near their limit"), near);
	ev_kernel(w, in, KC_SYSCTL_SOMAXCONN, N_("net.core.somaxconn"));
	ev_counter(w, in, KC_LISTEN_OVERFLOWS, N_("ListenOverflows since boot"),
	           "listen_overflows_per_s", N_("ListenOverflows per second"));
	ev_counter(w, in, KC_LISTEN_DROPS, N_("ListenDrops since boot"), "listen_drops_per_s",
	           N_("ListenDrops per second"));
	struct diag_list *l =
	    ev_list(w, "listeners", N_("fullest listeners"), "queue", "backlog", NULL);
	for (size_t i = 0; i < s->fullest_count; i++) {
		const struct stats_listener *x = &s->fullest[i];
		struct stats_key k = {.port = x->port};
		char text[STATS_KEY_TEXT_MAX];
		k.family = x->family;
		memcpy(k.addr, x->addr, sizeof(k.addr));
		stats_key_format(text, &k, false);
		struct diag_item *it = list_add(l, text, x->port, x->queue);
		if (it)
			it->extra[0] = x->backlog;
	}
}

static void queue_rule(const struct diag_rule *rule, struct diag_report *out, uint64_t piling,
                       uint32_t limit_bytes, uint32_t min_conns, const struct stats_queued *worst,
                       size_t worst_count, const char *fmt)
{
	if (!min_conns || piling < min_conns)
		return;
	struct warning *w = emit(rule, out, DIAG_WARNING, worst_count ? worst[0].local_port : -1,
	                         fmt, (unsigned long long)piling, limit_bytes / 1024);
	if (!w)
		return;
	ev_uint(w, "count", N_("connections over the limit"), piling);
	ev_uint(w, "limit_bytes", N_("limit (bytes)"), limit_bytes);
	struct diag_list *l =
	    ev_list(w, "connections", N_("most queued connections"), "bytes", "local_port", NULL);
	for (size_t i = 0; i < worst_count; i++) {
		struct stats_key k = {.family = worst[i].family};
		char text[STATS_KEY_TEXT_MAX];
		memcpy(k.addr, worst[i].remote_addr, sizeof(k.addr));
		stats_key_format(text, &k, false);
		struct diag_item *it = list_add(l, text, worst[i].remote_port, worst[i].bytes);
		if (it)
			it->extra[0] = worst[i].local_port;
	}
}

static void check_recv_q(const struct diag_rule *rule, const struct diag_input *in,
                         struct diag_report *out)
{
	const struct stats *s = in->stats;
	queue_rule(rule, out, s->recv_q_piling, in->config->recv_q_bytes,
	           in->config->queue_connections, s->worst_recv_q, s->worst_recv_q_count,
	           _("%llu established connections hold %u KiB or more of received data the "
	             "program has not read"));
}

static void check_send_q(const struct diag_rule *rule, const struct diag_input *in,
                         struct diag_report *out)
{
	const struct stats *s = in->stats;
	queue_rule(rule, out, s->send_q_piling, in->config->send_q_bytes,
	           in->config->queue_connections, s->worst_send_q, s->worst_send_q_count,
	           _("%llu established connections hold %u KiB or more of sent data the peer has "
	             "not acknowledged"));
}

static void check_fin_wait2(const struct diag_rule *rule, const struct diag_input *in,
                            struct diag_report *out)
{
	const struct stats *s = in->stats;
	uint64_t count = s->by_state[TCP_ST_FIN_WAIT2];
	if (!in->config->fin_wait2_count || count < in->config->fin_wait2_count)
		return;
	struct warning *w = emit(rule, out, DIAG_WARNING, -1,
	                         P_("%llu connection in FIN_WAIT2: the peer acknowledges the "
	                            "close but never closes its side",
	                            "%llu connections in FIN_WAIT2: peers acknowledge the close "
	                            "but never close their side",
	                            count),
	                         (unsigned long long)count);
	if (!w)
		return;
	ev_uint(w, "count", N_("FIN_WAIT2 sockets"), count);
	ev_kernel(w, in, KC_SYSCTL_FIN_TIMEOUT, N_("net.ipv4.tcp_fin_timeout (seconds)"));
	ev_kernel(w, in, KC_SOCK_ORPHAN, N_("orphaned sockets"));
	list_from_tally(ev_list(w, "top_remotes", N_("top remote addresses"), "count", NULL, NULL),
	                s, STATS_FIN_WAIT2_REMOTE, -1, false);
	ev_tally_bound(w, s, STATS_FIN_WAIT2_REMOTE);
}

static void check_orphans(const struct diag_rule *rule, const struct diag_input *in,
                          struct diag_report *out)
{
	int64_t orphans = kcounters_get(in->counters, KC_SOCK_ORPHAN);
	int64_t max = kcounters_get(in->counters, KC_SYSCTL_MAX_ORPHANS);
	if (orphans == KC_UNKNOWN || max <= 0 || !in->config->orphans_pct)
		return;
	uint64_t pct = (uint64_t)orphans * 100 / (uint64_t)max;
	if (pct < in->config->orphans_pct)
		return;
	struct warning *w = emit(rule, out, pct >= 90 ? DIAG_CRITICAL : DIAG_WARNING, -1,
	                         _("%lld orphaned sockets (closed by their program, not yet by "
	                           "the kernel): %llu%% of net.ipv4.tcp_max_orphans"),
	                         (long long)orphans, (unsigned long long)pct);
	if (!w)
		return;
	const struct stats *s = in->stats;
	ev_uint(w, "orphans", N_("orphaned sockets"), (uint64_t)orphans);
	ev_uint(w, "tcp_max_orphans", N_("net.ipv4.tcp_max_orphans"), (uint64_t)max);
	ev_uint(w, "used_pct", N_("percent of the limit in use"), pct);
	ev_uint(w, "fin_wait1", N_("FIN_WAIT1 sockets"), s->by_state[TCP_ST_FIN_WAIT1]);
	ev_uint(w, "fin_wait2", N_("FIN_WAIT2 sockets"), s->by_state[TCP_ST_FIN_WAIT2]);
	ev_uint(w, "last_ack", N_("LAST_ACK sockets"), s->by_state[TCP_ST_LAST_ACK]);
	ev_uint(w, "closing", N_("CLOSING sockets"), s->by_state[TCP_ST_CLOSING]);
	ev_counter(w, in, KC_ABORT_ON_MEMORY, N_("TCPAbortOnMemory since boot"),
	           "abort_on_memory_per_s", N_("TCPAbortOnMemory per second"));
}

static void check_syn_sent(const struct diag_rule *rule, const struct diag_input *in,
                           struct diag_report *out)
{
	const struct stats *s = in->stats;
	const struct diag_config *cfg = in->config;
	uint64_t total = s->by_state[TCP_ST_SYN_SENT];
	struct stats_entry top;
	bool have_top = stats_top(s, STATS_SYN_SENT_REMOTE, -1, &top, 1) == 1;
	bool per_remote = have_top && cfg->syn_sent_remote && top.count >= cfg->syn_sent_remote;
	if (!per_remote && (!cfg->syn_sent_total || total < cfg->syn_sent_total))
		return;
	char endpoint[STATS_KEY_TEXT_MAX] = "";
	if (have_top)
		stats_key_format(endpoint, &top.key, true);
	struct warning *w;
	if (per_remote)
		w = emit(rule, out, DIAG_WARNING, top.key.port,
		         P_("%llu outgoing connection to %s waits for an answer (SYN_SENT): the "
		            "destination is down, unreachable or filtered",
		            "%llu outgoing connections to %s wait for an answer (SYN_SENT): the "
		            "destination is down, unreachable or filtered",
		            top.count),
		         (unsigned long long)top.count, endpoint);
	else
		w = emit(rule, out, DIAG_WARNING, -1,
		         P_("%llu outgoing connection waits for an answer (SYN_SENT)",
		            "%llu outgoing connections wait for an answer (SYN_SENT)", total),
		         (unsigned long long)total);
	if (!w)
		return;
	ev_uint(w, "count", N_("SYN_SENT sockets"), total);
	if (have_top) {
		ev_text(w, "destination", N_("busiest destination"), endpoint);
		ev_uint(w, "destination_port", N_("its port"), top.key.port);
	}
	ev_counter(w, in, KC_ATTEMPT_FAILS, N_("AttemptFails since boot"), "attempt_fails_per_s",
	           N_("AttemptFails per second"));
	list_from_tally(ev_list(w, "top_destinations", N_("top destinations"), "count", NULL, NULL),
	                s, STATS_SYN_SENT_REMOTE, -1, true);
	ev_tally_bound(w, s, STATS_SYN_SENT_REMOTE);
	/* Who is connecting: the owners with SYN_SENT sockets (known only with -p). */
	struct diag_list *lo =
	    ev_list(w, "processes", N_("processes waiting in SYN_SENT"), "count", "pid", NULL);
	struct stats_entry owners[DIAG_LIST_ITEMS];
	size_t no = stats_top(s, STATS_OWNER_STATE, TCP_ST_SYN_SENT, owners, DIAG_LIST_ITEMS);
	for (size_t k = 0; k < no; k++) {
		struct diag_item *it = list_add(lo, NULL, -1, owners[k].count);
		if (it) {
			it->extra[0] = owners[k].key.id;
			name_owner(in, it);
		}
	}
}

const struct diag_rule diag_rules[] = {
    {
        .id = "syn_flood",
        .title = N_("SYN flood: half-open connections pile up on a listening port"),
        .remedy = N_("Keep net.ipv4.tcp_syncookies=1; raise net.ipv4.tcp_max_syn_backlog and "
                     "the listen backlog; rate-limit new connections per source in the "
                     "firewall (nft limit / meter) and ask the upstream provider to filter "
                     "the top sources and networks."),
        .check = check_syn_flood,
    },
    {
        .id = "time_wait",
        .title = N_("Many TIME_WAIT: connections opened and closed instead of reused"),
        .remedy = N_("Reuse connections: HTTP keep-alive, a connection pool in the client or "
                     "database driver. On a client host net.ipv4.tcp_tw_reuse=1 lets new "
                     "connections reuse TIME_WAIT ports safely; widen "
                     "net.ipv4.ip_local_port_range. Never shorten TIME_WAIT on a server."),
        .check = check_time_wait,
    },
    {
        .id = "close_wait",
        .title = N_("CLOSE_WAIT that hangs: the program does not close its sockets"),
        .remedy = N_("Fix the program: after read() returns 0 (the peer closed) it must call "
                     "close() on the socket, also on error paths and timeouts. Find it with "
                     "`connwatch list --state close-wait` and the owning process; restarting "
                     "it frees the sockets only until the leak fills them again."),
        .check = check_close_wait,
    },
    {
        .id = "listen_overflow",
        .title = N_("Accept queue full: the program does not accept connections fast enough"),
        .remedy = N_("Make the program accept() faster (more workers, no blocking in the "
                     "accept loop); raise its listen backlog together with net.core.somaxconn."),
        .check = check_listen_overflow,
    },
    {
        .id = "recv_q",
        .title = N_("Received data piles up: the program does not read it"),
        .remedy = N_("The receiving program is stuck or too slow: look at the process owning "
                     "the local port (blocked threads, CPU, disk)."),
        .check = check_recv_q,
    },
    {
        .id = "send_q",
        .title = N_("Sent data piles up: the peer does not acknowledge it"),
        .remedy = N_("The peer or the path to it is slow or gone: check packet loss and the "
                     "peer's load; application timeouts let the program give up on dead peers."),
        .check = check_send_q,
    },
    {
        .id = "fin_wait2",
        .title = N_("Many FIN_WAIT2: peers do not finish closing"),
        .remedy = N_("Peers (or a middlebox) keep their side open; net.ipv4.tcp_fin_timeout "
                     "bounds how long orphaned FIN_WAIT2 sockets stay. Find the peers in the "
                     "top remote addresses."),
        .check = check_fin_wait2,
    },
    {
        .id = "orphans",
        .title = N_("Orphaned sockets near the kernel limit"),
        .remedy = N_("Past net.ipv4.tcp_max_orphans the kernel resets connections (\"too many "
                     "orphaned sockets\"). Find why closes do not complete (FIN_WAIT1 toward "
                     "slow peers) before raising the limit."),
        .check = check_orphans,
    },
    {
        .id = "syn_sent",
        .title = N_("Outgoing connections do not complete"),
        .remedy = N_("Check that the destination is up and reachable from this host (route, "
                     "firewall on either side, DNS giving a wrong address); the program "
                     "should use a connect timeout."),
        .check = check_syn_sent,
    },
};
const size_t diag_rule_count = sizeof(diag_rules) / sizeof(diag_rules[0]);

const struct diag_rule *diag_rule_find(const char *id)
{
	for (size_t i = 0; i < diag_rule_count; i++)
		if (!strcmp(diag_rules[i].id, id))
			return &diag_rules[i];
	return NULL;
}

int diagnose_run(const struct diag_input *in, struct diag_report *out)
{
	diag_report_clear(out);
	for (size_t i = 0; i < diag_rule_count; i++)
		diag_rules[i].check(&diag_rules[i], in, out);
	return out->out_of_memory ? -ENOMEM : (int)out->count;
}

void diag_sample_take(struct diag_sample *out, const struct stats *st, const struct kcounters *kc,
                      double now_s)
{
	memset(out, 0, sizeof(*out));
	out->valid = true;
	out->time_s = now_s;
	if (kc)
		out->counters = *kc;
	else
		kcounters_init(&out->counters);
	memcpy(out->by_state, st->by_state, sizeof(out->by_state));
	struct stats_entry top[DIAG_SAMPLE_PORTS];
	size_t n = stats_top(st, STATS_CLOSE_WAIT_PORT, -1, top, DIAG_SAMPLE_PORTS);
	for (size_t i = 0; i < n; i++) {
		out->close_wait_port[i] = top[i].key.port;
		out->close_wait_count[i] = top[i].count;
	}
	out->close_wait_ports = n;
}
