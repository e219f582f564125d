#include "render_prom.h"

#include "config.h"
#include "netns.h"
#include "states.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

void render_prom_label_value(FILE *out, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", out);
		else if (*p == '"')
			fputs("\\\"", out);
		else if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
}

static void family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The TCP states a socket can be counted in, in the order the series are written. */
static const enum tcp_state counted_states[] = {
    TCP_ST_ESTABLISHED, TCP_ST_SYN_SENT,  TCP_ST_SYN_RECV, TCP_ST_FIN_WAIT1,
    TCP_ST_FIN_WAIT2,   TCP_ST_TIME_WAIT, TCP_ST_CLOSE,    TCP_ST_CLOSE_WAIT,
    TCP_ST_LAST_ACK,    TCP_ST_LISTEN,    TCP_ST_CLOSING,
};

static void write_connections(FILE *out, const struct stats *st)
{
	family(out, "connwatch_connections", "gauge",
	       "Sockets per protocol, address family and state (lower-case netstat spelling; "
	       "unconnected UDP sockets are state closed).");
	static const struct {
		enum stats_proto p;
		const char *proto, *family;
	} kinds[] = {
	    {STATS_TCP, "tcp", "ipv4"},
	    {STATS_TCP6, "tcp", "ipv6"},
	    {STATS_UDP, "udp", "ipv4"},
	    {STATS_UDP6, "udp", "ipv6"},
	};
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		bool udp = kinds[k].p == STATS_UDP || kinds[k].p == STATS_UDP6;
		for (size_t i = 0; i < sizeof(counted_states) / sizeof(counted_states[0]); i++) {
			enum tcp_state s = counted_states[i];
			/* UDP sockets are only ever "established" (connected) or "closed" */
			if (udp && s != TCP_ST_ESTABLISHED && s != TCP_ST_CLOSE)
				continue;
			fprintf(out,
			        "connwatch_connections{proto=\"%s\",family=\"%s\",state=\"%s\"} "
			        "%llu\n",
			        kinds[k].proto, kinds[k].family, tcp_state_label(s),
			        (unsigned long long)st->by_proto_state[kinds[k].p][s]);
		}
	}
}

/* One 0/1 series per rule and severity, so the set of series never changes with the verdict
 * (an alert's `for:` needs a series that stays the same). */
static void write_warnings(FILE *out, const struct diag_report *rep)
{
	family(out, "connwatch_warning", "gauge",
	       "1 when the diagnosis rule fires at this severity, else 0 (docs/diagnoses.md).");
	static const enum diag_severity sevs[] = {DIAG_WARNING, DIAG_CRITICAL};
	for (size_t i = 0; i < diag_rule_count; i++) {
		for (size_t s = 0; s < 2; s++) {
			int on = 0;
			for (size_t w = 0; w < rep->count; w++)
				if (!strcmp(rep->items[w].id, diag_rules[i].id) &&
				    rep->items[w].severity == sevs[s])
					on = 1;
			fprintf(out, "connwatch_warning{rule=\"%s\",severity=\"%s\"} %d\n",
			        diag_rules[i].id, diag_severity_name(sevs[s]), on);
		}
	}
}

/* The busiest N keys of a tally as series labelled by port or by address. */
static void write_top(FILE *out, const struct stats *st, enum stats_tally_id id, unsigned int top,
                      const char *name, const char *label, bool aux)
{
	struct stats_entry e[PROM_TOP_MAX];
	/* Only service ports name a series: a client's ephemeral port would start a new series
	 * with every connection (the port in an endpoint label too). */
	bool ports = !strcmp(label, "port") || !strcmp(label, "endpoint");
	size_t n = stats_top(st, id, ports ? STATS_TOP_SERVICE_PORTS : STATS_TOP_ANY_PORT, e,
	                     top < PROM_TOP_MAX ? top : PROM_TOP_MAX);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "%s{%s=\"", name, label);
		if (!strcmp(label, "port")) {
			fprintf(out, "%u", e[i].key.port);
		} else {
			char text[STATS_KEY_TEXT_MAX];
			stats_key_format(text, &e[i].key, !strcmp(label, "endpoint"));
			render_prom_label_value(out, text);
		}
		fprintf(out, "\"} %llu\n", (unsigned long long)(aux ? e[i].aux : e[i].count));
	}
}

static void write_evidence(FILE *out, const struct prom_model *m)
{
	const struct tally *t = m->tally;
	unsigned int top = m->top;
	const struct stats *st = &t->stats;
	family(out, "connwatch_syn_recv_by_port", "gauge",
	       "Half-open (SYN_RECV) connections per local port, busiest ports only.");
	write_top(out, st, STATS_SYN_RECV_PORT, top, "connwatch_syn_recv_by_port", "port", false);
	family(out, "connwatch_syn_recv_sources_by_port", "gauge",
	       "Distinct remote addresses with half-open connections per local port, busiest "
	       "ports only.");
	write_top(out, st, STATS_SYN_RECV_PORT, top, "connwatch_syn_recv_sources_by_port", "port",
	          true);
	/* The rate stays only beside the counter it comes from; rate() over the counter is what
	 * PromQL users should prefer. */
	family(out, "connwatch_time_wait_new_total", "counter",
	       "New TIME_WAIT sockets since connwatch serve started (growth of the TIME_WAIT count "
	       "plus TcpExt:TW between samples); absent with --textfile.");
	if (m->time_wait_new_total >= 0)
		fprintf(out, "connwatch_time_wait_new_total %.0f\n", m->time_wait_new_total);
	family(out, "connwatch_time_wait_new_per_second", "gauge",
	       "New TIME_WAIT sockets per second since the previous sample (absent on the first), "
	       "the last step of connwatch_time_wait_new_total.");
	if (t->time_wait_rate >= 0)
		fprintf(out, "connwatch_time_wait_new_per_second %.3f\n", t->time_wait_rate);
	family(out, "connwatch_time_wait_by_remote", "gauge",
	       "TIME_WAIT sockets per remote endpoint (address:port), busiest only.");
	write_top(out, st, STATS_TIME_WAIT_REMOTE, top, "connwatch_time_wait_by_remote", "endpoint",
	          false);
	family(out, "connwatch_close_wait_by_port", "gauge",
	       "CLOSE_WAIT sockets per local port, busiest ports only.");
	write_top(out, st, STATS_CLOSE_WAIT_PORT, top, "connwatch_close_wait_by_port", "port",
	          false);
	family(out, "connwatch_close_wait_oldest_seconds", "gauge",
	       "Age of the oldest CLOSE_WAIT socket (time since the peer's FIN, from tcp_info's "
	       "last ACK received); 0 without CLOSE_WAIT, absent when no age is known.");
	uint64_t cw = st->by_proto_state[STATS_TCP][TCP_ST_CLOSE_WAIT] +
	              st->by_proto_state[STATS_TCP6][TCP_ST_CLOSE_WAIT];
	if (cw == 0 || st->close_wait_age_known > 0)
		fprintf(out, "connwatch_close_wait_oldest_seconds %.3f\n",
		        cw ? st->close_wait_max_age_ms / 1000.0 : 0.0);
	family(out, "connwatch_listen_queue_length", "gauge",
	       "Accept queue length of the fullest listening sockets.");
	family(out, "connwatch_listen_queue_limit", "gauge",
	       "Accept queue limit (backlog) of the same listening sockets; absent from /proc.");
	for (size_t i = 0; i < st->fullest_count && i < top; i++) {
		const struct stats_listener *l = &st->fullest[i];
		struct stats_key k = {.family = l->family, .port = l->port};
		memcpy(k.addr, l->addr, sizeof(k.addr));
		char text[STATS_KEY_TEXT_MAX];
		stats_key_format(text, &k, true);
		fputs("connwatch_listen_queue_length{listener=\"", out);
		render_prom_label_value(out, text);
		fprintf(out, "\"} %u\n", l->queue);
		if (l->backlog) {
			fputs("connwatch_listen_queue_limit{listener=\"", out);
			render_prom_label_value(out, text);
			fprintf(out, "\"} %u\n", l->backlog);
		}
	}
	family(out, "connwatch_local_port_connections", "gauge",
	       "Connected sockets per local port (listeners not counted), busiest ports only.");
	write_top(out, st, STATS_LOCAL_PORT, top, "connwatch_local_port_connections", "port",
	          false);
	family(out, "connwatch_remote_address_connections", "gauge",
	       "Connected sockets per remote address, busiest addresses only.");
	write_top(out, st, STATS_REMOTE_IP, top, "connwatch_remote_address_connections", "address",
	          false);
}

/* Cumulative kernel counters, the kernel's own gauges and the sysctls behind the limits. */
static void write_kernel(FILE *out, const struct kcounters *kc)
{
	static const struct {
		const char *name, *type, *help;
		int kind; /* 0 counter, 1 gauge, 2 sysctl */
	} fams[] = {
	    {"connwatch_kernel_tcp_total", "counter",
	     "The kernel's TCP counters since boot (/proc/net/netstat TcpExt, /proc/net/snmp "
	     "Tcp), by connwatch's name and the kernel's.",
	     0},
	    {"connwatch_kernel_sockets", "gauge",
	     "The kernel's socket gauges (/proc/net/sockstat, Tcp CurrEstab).", 1},
	    {"connwatch_sysctl", "gauge", "The sysctls behind the TCP limits the diagnosis uses.",
	     2},
	};
	for (size_t f = 0; f < 3; f++) {
		family(out, fams[f].name, fams[f].type, fams[f].help);
		for (int id = 0; id < KC_COUNT; id++) {
			const struct kc_info *info = kcounters_info((enum kc_id)id);
			int64_t v = kcounters_get(kc, (enum kc_id)id);
			if (!info || v == KC_UNKNOWN)
				continue;
			bool sysctl = !strncmp(info->source, "net.", 4);
			int kind = info->cumulative ? 0 : sysctl ? 2 : 1;
			if (kind != fams[f].kind)
				continue;
			fprintf(out, "%s{name=\"", fams[f].name);
			render_prom_label_value(out, info->name);
			fputs(kind == 2 ? "\",sysctl=\"" : "\",source=\"", out);
			render_prom_label_value(out, info->source);
			fprintf(out, "\"} %lld\n", (long long)v);
		}
	}
}

/* The busiest `top` namespaces of a --netns all tally (their sub-tallies), busiest first
 * (ties: lower index first); returns how many went into idx. */
static size_t busiest_netns(const struct tally *t, unsigned int top, size_t *idx)
{
	size_t n = 0;
	while (n < top) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < t->per_netns_count; i++) {
			bool taken = false;
			for (size_t k = 0; k < n && !taken; k++)
				taken = idx[k] == i;
			if (!taken && (best == SIZE_MAX || t->per_netns[i].stats.total >
			                                       t->per_netns[best].stats.total))
				best = i;
		}
		if (best == SIZE_MAX)
			break;
		idx[n++] = best;
	}
	return n;
}

/* --netns all: sockets per namespace and state for the busiest --top namespaces, and the rules
 * each one fires. The label is the namespace's name, or net:[INODE] and the container or unit
 * of a process in it. Without --netns all these families have no sample. */
static void write_netns(FILE *out, const struct prom_model *m)
{
	const struct tally *t = m->tally;
	family(out, "connwatch_netns_connections", "gauge",
	       "With --netns all: sockets per network namespace and state (all protocols), for "
	       "the busiest --top namespaces.");
	size_t idx[PROM_TOP_MAX];
	unsigned int top = m->top < PROM_TOP_MAX ? m->top : PROM_TOP_MAX;
	size_t n = t->netns && t->netns->all ? busiest_netns(t, top, idx) : 0;
	for (size_t k = 0; k < n; k++) {
		const struct stats *st = &t->per_netns[idx[k]].stats;
		for (size_t i = 0; i < sizeof(counted_states) / sizeof(counted_states[0]); i++) {
			fputs("connwatch_netns_connections{netns=\"", out);
			render_prom_label_value(out, netns_label(t->netns, (unsigned)idx[k]));
			fprintf(out, "\",state=\"%s\"} %llu\n", tcp_state_label(counted_states[i]),
			        (unsigned long long)st->by_state[counted_states[i]]);
		}
	}
	family(out, "connwatch_netns_warning", "gauge",
	       "With --netns all: 1 for each diagnosis rule that fires in one of the busiest --top "
	       "namespaces, by severity.");
	for (size_t k = 0; k < n; k++) {
		const struct diag_report *rep = &t->per_netns[idx[k]].report;
		for (size_t w = 0; w < rep->count; w++) {
			bool repeated = false; /* a rule may fire on several ports: one series */
			for (size_t v = 0; v < w && !repeated; v++)
				repeated = !strcmp(rep->items[v].id, rep->items[w].id) &&
				           rep->items[v].severity == rep->items[w].severity;
			if (repeated)
				continue;
			fputs("connwatch_netns_warning{netns=\"", out);
			render_prom_label_value(out, netns_label(t->netns, (unsigned)idx[k]));
			fprintf(out, "\",rule=\"%s\",severity=\"%s\"} 1\n", rep->items[w].id,
			        diag_severity_name(rep->items[w].severity));
		}
	}
}

int render_prom(FILE *out, const struct prom_model *m)
{
	write_connections(out, &m->tally->stats);
	write_warnings(out, &m->tally->report);
	write_netns(out, m);
	write_evidence(out, m);
	write_kernel(out, m->tally->have_counters ? &m->tally->counters : NULL);

	family(out, "connwatch_snapshot_skipped_records", "gauge",
	       "Input records the last snapshot could not read and skipped.");
	fprintf(out, "connwatch_snapshot_skipped_records %zu\n", m->tally->skipped);
	family(out, "connwatch_build_info", "gauge",
	       "Always 1; the labels say which connwatch and which socket source answered.");
	fputs("connwatch_build_info{version=\"", out);
	render_prom_label_value(out, PACKAGE_VERSION);
	fputs("\",source=\"", out);
	render_prom_label_value(out, m->tally->source_name ? m->tally->source_name : "unknown");
	fputs("\"} 1\n", out);
	family(out, "connwatch_source_info", "gauge",
	       "Always 1; the label says which socket source served this scrape: bpf (the resident "
	       "BPF iterator), netlink (sock_diag) or proc (/proc/net text).");
	fputs("connwatch_source_info{source=\"", out);
	render_prom_label_value(out, m->tally->source_name ? m->tally->source_name : "unknown");
	fputs("\"} 1\n", out);
	family(out, "connwatch_scrape_duration_seconds", "gauge",
	       "Time connwatch took to read the sockets and analyse them for this scrape.");
	fprintf(out, "connwatch_scrape_duration_seconds %.6f\n", m->scrape_seconds);
	family(out, "connwatch_metrics_renders_total", "counter",
	       "Times connwatch read the sockets and computed these metrics since it started; a "
	       "scrape within a second of the last one is answered from that one.");
	fprintf(out, "connwatch_metrics_renders_total %lu\n", m->renders);
	return ferror(out) ? -EIO : 0;
}
